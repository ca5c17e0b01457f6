/**
 * What the gpu codegen produces: one WGSL compute shader per dispatch, and the host plan that
 * binds buffers, packs the uniform of scalar parameters and sizes the dispatches.
 *
 * A lowered function becomes a sequence of dispatches (after TVM's host/device split): each
 * top-level statement of its body is one kernel, run in order on one queue, so that data one
 * statement writes is visible to the next (a dispatch boundary is a device-wide barrier).
 * Top-level `global` allocations become workspace buffers the runtime allocates per call.
 *
 * @module
 */
import type { DType } from "../../ir/dtype.ts";
import type { PrimExpr, Var } from "../../ir/expr.ts";
import type { Artifact } from "../../sdk/codegen.ts";

/** A storage buffer of a call: a buffer parameter or a workspace. */
export interface GpuBufferSlot {
  /** Buffer name (for errors). */
  readonly name: string;
  /** Element dtype. */
  readonly dtype: DType;
  /** Index of the parameter in the lowered function's parameters, or -1 for a workspace. */
  readonly param: number;
  /** Elements of a workspace (over the scalar parameters; evaluated per call). */
  readonly elements?: PrimExpr;
}

/** One binding of a kernel: a storage buffer (by slot) or the uniform of scalars. */
export interface GpuBinding {
  /** Binding number in group 0. */
  readonly binding: number;
  /** A slot of `GpuArtifact.buffers`, or -1 for the uniform. */
  readonly slot: number;
  /** Whether the kernel writes it. */
  readonly write: boolean;
}

/** One dispatch. */
export interface GpuKernel {
  /** Entry point name in `source`. */
  readonly entry: string;
  /** A complete WGSL module. */
  readonly source: string;
  /** Content hash of `source` (the pipeline cache key). */
  readonly hash: string;
  /** The bindings `source` declares, in binding order. */
  readonly bindings: readonly GpuBinding[];
  /** `@workgroup_size` (threadIdx extents). */
  readonly workgroupSize: readonly [number, number, number];
  /** Workgroups per dimension (blockIdx extents) over the scalar parameters. */
  readonly grid: readonly [PrimExpr, PrimExpr, PrimExpr];
  /** Bytes of workgroup memory it declares. */
  readonly workgroupBytes: number;
}

/** A scalar of the uniform buffer: one 32-bit word each, in parameter order. */
export interface GpuScalar {
  /** The variable (a lowered parameter). */
  readonly v: Var;
  /** Index among the lowered function's parameters. */
  readonly param: number;
}

/** The gpu artifact. */
export interface GpuArtifact extends Artifact {
  /** `"gpu"`. */
  readonly target: string;
  /** Storage buffers: parameters, then workspaces. */
  readonly buffers: readonly GpuBufferSlot[];
  /** Scalars of the uniform. */
  readonly scalars: readonly GpuScalar[];
  /** Dispatches, in order. */
  readonly kernels: readonly GpuKernel[];
  /** Host-side checks on the scalar parameters (top-level asserts), each with its message. */
  readonly asserts: readonly { readonly cond: PrimExpr; readonly message: string }[];
}
