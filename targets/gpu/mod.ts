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
import type { Target } from "../../sdk/mod.ts";
import { requestAdapterInfo } from "./adapter.ts";
import type { GpuArtifact } from "./artifact.ts";
import { defineGpuTarget } from "./target.ts";

export { defineGpuTarget, LOCAL_BYTES } from "./target.ts";

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

/**
 * The availability hook the conformance kit reads (a module may export `available`): without an
 * adapter, `deno task conformance --target gpu` prints one line and skips.
 */
export const available: () => { ok: boolean; reason?: string } = gpuAvailable;

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
