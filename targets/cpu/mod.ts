/**
 * The `cpu` target: WebAssembly SIMD128 through C and clang, run in one wasm memory per device.
 * Defined with the public SDK exactly as a vendor target would be (`defineTarget`).
 *
 * - codegen: lower → `emitC` → `compileC` (codegen.ts); option `relaxedSimd` (default true).
 * - runtime: `CpuDevice` (runtime.ts) — memory layout in layout.ts, host imports from
 *   host_math.ts; parallel loops on worker threads sharing the device memory (thread_pool.ts),
 *   device option `threads` (default: the machine's cores).
 * - peaks from PERF_NOTES.md: SIMD128 f32 mul+add 51 GFLOP/s per core, memory ~25 GB/s.
 *
 * ```ts ignore
 * import cpu from "./mod.ts";
 * import { build } from "../../sdk/mod.ts";
 * const kernel = await build(f, cpu);
 * ```
 *
 * @module
 */
import { defineMemoryScope, defineTarget, SDK_VERSION, type Target } from "../../sdk/mod.ts";
import type { CpuArtifact } from "./artifact.ts";
import { cpuCodegen } from "./codegen.ts";
import { HOST_MATH } from "./host_math.ts";
import { cpuIntrinsics } from "./intrinsics.ts";
import { MAX_PAGES, PAGE_BYTES, STACK_BYTES } from "./layout.ts";
import { cpuRuntime, defaultThreads } from "./runtime.ts";

/** The cpu target. */
const cpu: Target<CpuArtifact> = defineTarget<CpuArtifact>({
  name: "cpu",
  kind: "cpu",
  sdkVersion: SDK_VERSION,
  description: "WebAssembly SIMD128 + relaxed SIMD (clang), parallel loops on worker threads",
  scopes: [
    defineMemoryScope({
      name: "global",
      alignmentBytes: 64,
      capacityBytes: MAX_PAGES * PAGE_BYTES,
      description: "the device's wasm memory (tensor heap)",
    }),
    defineMemoryScope({
      name: "local",
      alignmentBytes: 16,
      capacityBytes: STACK_BYTES,
      parent: "global",
      dynamic: true, // larger or symbolic allocations go to the heap: no compile-time bound
      description: "per-kernel temporaries (C stack up to 16 KiB per allocation, else heap)",
    }),
  ],
  intrinsics: cpuIntrinsics(),
  codegen: cpuCodegen,
  runtime: cpuRuntime(HOST_MATH),
  limits: {
    vectorBytes: 16,
    maxThreads: defaultThreads(),
    maxMemoryBytes: MAX_PAGES * PAGE_BYTES,
    stackBytes: STACK_BYTES,
  },
  peak: {
    // Measured: f32x4 mul + add 51 GFLOP/s per core; float64 derived (f64x2: half the lanes).
    flopsPerSecond: { float32: 51e9, float64: 25.5e9 },
    bytesPerSecond: { global: 25e9 }, // a GEMV streaming weights: 20–33 GB/s on one core
  },
});

export default cpu;
export { cpu };
export type { CpuArtifact, CpuParam } from "./artifact.ts";
export {
  CpuDevice,
  type CpuDeviceOptions,
  type CpuLoadedKernel,
  cpuRuntime,
  defaultThreads,
  type HostFunctions,
  MAX_THREADS,
  type ThreadStats,
} from "./runtime.ts";
export { CpuTensor } from "./tensor.ts";
export { CpuMemory, type CpuMemoryOptions } from "./memory.ts";
export { FreeListAllocator, GRANULE } from "./allocator.ts";
export { INITIAL_PAGES, MAX_PAGES, PAGE_BYTES, RESERVED_BYTES, STACK_BYTES } from "./layout.ts";
export { CPU_LOWER_OPTIONS, cpuCodegen } from "./codegen.ts";
// The cpu codegen pieces other targets reuse for their host code (the npu target).
export { type CallEmitter, type CKernel, emitC, linkC } from "./codegen_c.ts";
export { compileC, cpuFlags } from "./toolchain.ts";
export { HOST_MATH } from "./host_math.ts";
export { cpuIntrinsics, dotI8Description } from "./intrinsics.ts";
export { mmaDescription, mmaIntrinsics } from "./intrinsics_mma.ts";
export { runCpuIntrinsic } from "./run_intrinsic.ts";
