/**
 * `defineGpuTarget`: the `gpu` target for one adapter (its limits and features), defined with the
 * public SDK exactly as a vendor target would be. No top-level await here: importing this file
 * does not touch WebGPU (`mod.ts` requests the adapter and defines the default target).
 *
 * @module
 */
import { defineMemoryScope, defineTarget, SDK_VERSION, type Target } from "../../sdk/mod.ts";
import type { AdapterInfo } from "./adapter.ts";
import type { GpuArtifact } from "./artifact.ts";
import { gpuCodegen } from "./codegen.ts";
import { gpuRuntime } from "./runtime.ts";
import { gpuIntrinsics } from "./intrinsics.ts";
import { gpuDefaultSchedule } from "./schedule.ts";

/** Bytes of function-private memory a kernel may declare (`local` scope). */
export const LOCAL_BYTES = 16 * 1024;

/**
 * Define the gpu target for an adapter (its limits and features).
 *
 * @example
 * ```ts ignore
 * const t = defineGpuTarget(await requestAdapterInfo());
 * ```
 */
export function defineGpuTarget(info: AdapterInfo): Target<GpuArtifact> {
  const l = info.limits;
  const target: Target<GpuArtifact> = defineTarget<GpuArtifact>({
    name: "gpu",
    kind: "gpu",
    sdkVersion: SDK_VERSION,
    description: `WebGPU (WGSL) on ${info.description}`,
    scopes: [
      defineMemoryScope({ name: "global", alignmentBytes: 4, description: "storage buffers" }),
      defineMemoryScope({
        name: "shared",
        alignmentBytes: 4,
        capacityBytes: l.maxComputeWorkgroupStorageSize,
        parent: "global",
        description: "workgroup memory (var<workgroup>)",
      }),
      defineMemoryScope({
        name: "local",
        alignmentBytes: 4,
        capacityBytes: LOCAL_BYTES,
        parent: "global",
        description: "invocation-private arrays (var<function>)",
      }),
    ],
    intrinsics: gpuIntrinsics(info.languageFeatures ?? new Set()),
    codegen: gpuCodegen(
      { limits: l, nativeF16: info.features.shaderF16, subgroups: info.features.subgroups },
      (f, t) => gpuDefaultSchedule(f, t, info.fallback ?? false),
    ),
    runtime: gpuRuntime(() => target, info),
    limits: {
      vectorBytes: 16,
      maxThreads: l.maxComputeInvocationsPerWorkgroup,
      maxMemoryBytes: l.maxBufferSize,
    },
    peak: {
      // llvmpipe here (PERF_NOTES): register-blocked fp32 matmul reaches 18 GFLOP/s.
      flopsPerSecond: { float32: 2e10 },
      bytesPerSecond: { global: 1e10 },
    },
  });
  return target;
}
