/**
 * Schedules (issue 3): TensorIR-style primitives over `PrimFunc`s with a replayable trace.
 * Importing this module registers every built-in instruction kind and attaches its method to
 * `Schedule`.
 *
 * @example
 * ```ts
 * import { Schedule } from "./mod.ts";
 * import { parseFunc } from "../ir/script/mod.ts";
 * const f = parseFunc(`func f(A: buffer<float32>[64]) {
 *   block root() {
 *     for i in 0..64 {
 *       block B(vi: spatial(0..64) = i) {
 *         reads()
 *         writes(A[vi])
 *         A[vi] = 0.0
 *       }
 *     }
 *   }
 * }`);
 * const sch = new Schedule(f);
 * const [i] = sch.getLoops(sch.getBlock("B"));
 * sch.split(i, [undefined, 8]);
 * console.assert(sch.trace.length === 3);
 * ```
 *
 * @module
 */
import "./primitives/get.ts";
import "./primitives/split.ts";
import "./primitives/fuse.ts";
import "./primitives/reorder.ts";
import "./primitives/for_kind.ts";
import "./primitives/annotate.ts";
import "./primitives/sampling.ts";
import "./primitives/block_primitives.ts";

export { Schedule, type ScheduleOptions, WORK_ON } from "./schedule.ts";
export {
  type InstructionJSON,
  type ReplayOptions,
  Trace,
  TRACE_VERSION,
  type TraceJSON,
} from "./trace.ts";
export {
  type ExprText,
  type InstrInput,
  type Instruction,
  type InstructionKind,
  instructionNames,
  type Json,
  literal,
  lookupInstruction,
  registerInstruction,
  scriptCall,
  type ScriptParts,
} from "./instruction.ts";
export {
  type BlockRV,
  type ExprRV,
  isRV,
  type LoopRV,
  parseRVName,
  type RV,
  type RVKind,
  rvName,
} from "./rv.ts";
export { Rng } from "./rng.ts";
export { type ErrorPlace, scheduleError } from "./errors.ts";
export { GET_BLOCK, GET_CHILD_BLOCKS, GET_LOOPS } from "./primitives/get.ts";
export { SPLIT, type SplitFactor, splitLoop } from "./primitives/split.ts";
export { FUSE, fuseLoops } from "./primitives/fuse.ts";
export { REORDER, reorderLoops } from "./primitives/reorder.ts";
export {
  BIND,
  PARALLEL,
  setLoopKind,
  THREAD_AXES,
  UNROLL,
  VECTORIZE,
} from "./primitives/for_kind.ts";
export {
  ANNOTATE,
  type AnnotationTarget,
  setAnnotation,
  UNANNOTATE,
} from "./primitives/annotate.ts";
export {
  divisors,
  type PerfectTileOptions,
  SAMPLE_CATEGORICAL,
  SAMPLE_PERFECT_TILE,
  samplePerfectTileFactors,
} from "./primitives/sampling.ts";
export * as analysis from "./analysis/mod.ts";
export {
  IndexMap,
  indexMap,
  type IndexMapJSON,
  type IndexMapLike,
  type IndexMapOptions,
  type MapInverse,
  parseIndexMap,
} from "./index_map.ts";
export type { BufferRef } from "./analysis/buffers.ts";
export {
  TRANSFORM_LAYOUT,
  transformLayout,
  type TransformLayoutAttrs,
  type TransformLayoutOptions,
} from "./primitives/transform_layout.ts";
export {
  TRANSFORM_BLOCK_LAYOUT,
  transformBlockLayout,
} from "./primitives/transform_block_layout.ts";
export { PAD_EINSUM, padEinsum } from "./primitives/pad_einsum.ts";
export { BLOCKIZE, blockize } from "./primitives/blockize.ts";
export { SET_SCOPE, setScope, type SetScopeAttrs } from "./primitives/set_scope.ts";
export { STORAGE_ALIGN, storageAlign, type StorageAlignAttrs } from "./primitives/storage_align.ts";
export {
  CACHE_READ,
  CACHE_WRITE,
  cacheReadBlock,
  cacheWriteBlock,
} from "./primitives/cache_read_write.ts";
export {
  COMPUTE_AT,
  computeAtLoop,
  type ComputeAtOptions,
  REVERSE_COMPUTE_AT,
} from "./primitives/compute_at.ts";
export {
  COMPUTE_INLINE,
  computeInlineBlock,
  REVERSE_COMPUTE_INLINE,
  reverseComputeInlineBlock,
} from "./primitives/compute_inline.ts";
export { DECOMPOSE_REDUCTION, decomposeReductionBlock } from "./primitives/decompose_reduction.ts";
export { RFACTOR, rfactorLoop } from "./primitives/rfactor.ts";
export * as dataflow from "./analysis/dataflow.ts";
export * as auto from "./auto/mod.ts";
export { TENSORIZE, type TensorizeAttrs, tensorizeBlock } from "./primitives/tensorize.ts";
