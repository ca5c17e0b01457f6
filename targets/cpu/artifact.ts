/**
 * The cpu target's artifact: a WebAssembly module (C compiled by clang, see codegen.ts) with
 * the facts the runtime needs to load and call it.
 *
 * @module
 */
import type { DType } from "../../ir/dtype.ts";
import type { Artifact } from "../../sdk/codegen.ts";
import type { MacCount } from "./intrinsics_stats.ts";

/** One parameter of the kernel's C entry point, in lowered-parameter order. */
export interface CpuParam {
  /** A buffer is an i32 byte address in memory; a scalar is its C type. */
  readonly kind: "buffer" | "scalar";
  /** Parameter name. */
  readonly name: string;
  /** Element dtype (buffers) or value dtype (scalars). */
  readonly dtype: DType;
}

/** What the cpu codegen produces. */
export interface CpuArtifact extends Artifact {
  /** The wasm module bytes (no data segments; imports a shared `env.memory`). */
  readonly wasm: Uint8Array;
  /** C entry point parameters. */
  readonly params: readonly CpuParam[];
  /** Names of the `env.*` functions the module imports. */
  readonly hostImports: readonly string[];
  /** Messages of the kernel's asserts, indexed by the id `env.tsr_assert_fail` receives. */
  readonly assertMessages: readonly string[];
  /**
   * Export names of the outlined parallel loop bodies, by the task id `env.tsr_parallel_for`
   * receives (absent or empty: the kernel has no parallel loops).
   */
  readonly parallelTasks?: readonly string[];
  /** Multiply-accumulates on intrinsics and in all, for `stats` (`intrinsics_stats.ts`). */
  readonly macs?: MacCount;
}
