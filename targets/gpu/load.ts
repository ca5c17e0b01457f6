/**
 * `gpuTarget()`: the `gpu` target on this process's WebGPU adapter, loaded on first use. The
 * adapter is requested only when this is called (importing the package does not touch WebGPU).
 *
 * @module
 */
import type { Target } from "../../sdk/mod.ts";
import type { GpuArtifact } from "./artifact.ts";

let loading: Promise<Target<GpuArtifact>> | undefined;

/**
 * The `gpu` target on this process's adapter (requested once; later calls share it). Without an
 * adapter the target still loads, and making a device fails with `GPU_NO_ADAPTER`.
 *
 * @example
 * ```ts ignore
 * import { build, gpuTarget, ops } from "./mod.ts";
 * const kernel = await build(f, await gpuTarget());
 * ```
 */
export function gpuTarget(): Promise<Target<GpuArtifact>> {
  loading ??= import("./mod.ts").then((m) => m.default);
  return loading;
}
