/**
 * Tensorization (issue 4): semantic matching of blocks against intrinsic descriptions, the
 * `tensorize` primitive's marker and its interpreter handlers, checked suggestions, and the
 * auto-tensorization driver. Importing it attaches `sch.tensorize` to `Schedule`.
 *
 * @example
 * ```ts
 * import { intrinsicCallName } from "./mod.ts";
 * console.assert(intrinsicCallName("gemm") === "tsr.intrin.gemm");
 * ```
 *
 * @module
 */
import "../primitives/tensorize.ts";

export {
  intrinsicNames,
  lookupIntrinsic,
  registerIntrinsic,
  resolveIntrinsic,
} from "./registry.ts";
export { accumulating } from "./describe.ts";
export { collapses, isLossless, normalizeValue } from "./normalize.ts";
export {
  domainEinsum,
  type Einsum,
  type EinsumProblem,
  instanceEinsum,
  type Iter,
} from "./einsum.ts";
export {
  correspond,
  type Correspondence,
  type CorrespondOptions,
  type CorrespondResult,
  type Difference,
  type OperandMap,
} from "./correspond.ts";
export {
  descriptionForm,
  type Diagnostic,
  diagnosticError,
  type DimensionProblem,
  type Mapping,
  match,
  type Suggestion,
} from "./match.ts";
export {
  constShape,
  type DecodedOperand,
  decodeIntrinsicCall,
  INTRINSIC_CALL_PREFIX,
  intrinsicCallName,
  intrinsicsUsed,
  linearOffset,
  markerCall,
} from "./marker.ts";
export { descriptionHandler, intrinsicCallHandlers } from "./handler.ts";
export { applyPlan, diagnose, type PlanOptions, suggest } from "./plan.ts";
export {
  autoTensorize,
  type AutoTensorized,
  type IntrinsicSource,
  type NotTensorized,
} from "./auto_tensorize.ts";
export {
  TENSORIZE,
  type TensorizeAttrs,
  tensorizeBlock,
  TENSORIZED_ANNOTATION,
} from "../primitives/tensorize.ts";
