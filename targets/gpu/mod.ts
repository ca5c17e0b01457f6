/**
 * The `gpu` target: WGSL compute shaders on WebGPU (`navigator.gpu`), defined with the public
 * SDK exactly as a vendor target would be (`defineTarget`). Importing this module requests the
 * adapter once (top-level await) so the target carries the adapter's real limits — workgroup
 * memory becomes the capacity of the `shared` scope, and every kernel is checked against the
 * limits at compile time. Without an adapter the target still loads (with the WebGPU default
 * limits) and `createDevice` fails with `GPU_NO_ADAPTER`; `gpuAvailable()` tells beforehand.
 *
 * ```ts ignore
 * import gpu from "./mod.ts";
 * import { build } from "../../sdk/mod.ts";
 * const kernel = await build(f, gpu);
 * ```
 *
 * @module
 */
import { defineMemoryScope, defineTarget, SDK_VERSION, type Target } from "../../sdk/mod.ts";
import { type AdapterInfo, requestAdapterInfo } from "./adapter.ts";
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
      { limits: l, nativeF16: info.features.shaderF16 },
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

const info = await requestAdapterInfo();

/** The gpu target on this process's adapter. */
const gpu: Target<GpuArtifact> = defineGpuTarget(info);

/**
 * Whether a WebGPU adapter exists here; when not, the reason.
 *
 * @example
 * ```ts ignore
 * const { ok, reason } = gpuAvailable();
 * ```
 */
export function gpuAvailable(): { ok: boolean; reason?: string } {
  return info.adapter ? { ok: true } : { ok: false, reason: info.missing };
}

export default gpu;
export { gpu };
export type { GpuArtifact, GpuBinding, GpuBufferSlot, GpuKernel, GpuScalar } from "./artifact.ts";
export { type AdapterInfo, requestAdapterInfo } from "./adapter.ts";
export { compileGpu, contentHash, gpuCodegen, splitBody } from "./codegen.ts";
export {
  dot4I8Description,
  gpuIntrinsics,
  type WgslIntrinsicImplementation,
} from "./intrinsics.ts";
export { DEFAULT_LIMITS, type GpuFeatures, type GpuLimits } from "./limits.ts";
export { GpuDevice, type GpuLoadedKernel, gpuRuntime, GpuTensor } from "./runtime.ts";
export {
  applyGpuSchedule,
  gpuDefaultSchedule,
  type GpuScheduleOptions,
  tilingFor,
} from "./schedule.ts";
export { type GemmTiling, REGISTER_TILING, SHARED_TILING } from "./schedule_gemm.ts";
