/**
 * The vendor SDK: define a target (memory scopes, intrinsics, codegen, runtime, limits, peaks)
 * and build functions into kernels for it. Built-in targets use exactly this API.
 *
 * ```ts ignore
 * import { build } from "./mod.ts";
 * import cpu from "../targets/cpu/mod.ts";
 * import { compute, createPrimFunc, placeholder, sizeVar } from "../ir/te.ts";
 * import { mul } from "../ir/expr.ts";
 * import { ndarray } from "../ir/ndarray.ts";
 * const n = sizeVar("n");
 * const A = placeholder([n], "float32", "A");
 * const B = compute([n], ([i]) => mul(A.at(i), 2), "B");
 * const kernel = await build(createPrimFunc([A, B], "double"), cpu);
 * const [b] = await kernel.run([ndarray("float32", [3], [1, 2, 3])]);
 * ```
 *
 * @module
 */
export { incompatibility, parseVersion, SDK_VERSION, type Version } from "./version.ts";
export { fieldError, KERNEL_CODES } from "./errors.ts";
export {
  defineMemoryScope,
  isPowerOfTwo,
  type MemoryScope,
  type MemoryScopeSpec,
} from "./scope.ts";
export {
  defineIntrinsic,
  type Intrinsic,
  type IntrinsicCost,
  type IntrinsicSpec,
} from "./intrinsic.ts";
export type { Artifact, Codegen, CompileContext, DefaultScheduleHook } from "./codegen.ts";
export type {
  Device,
  DeviceArg,
  DeviceOptions,
  DeviceTensor,
  KernelStats,
  LoadedKernel,
  Runtime,
  TimeOptions,
  Timing,
} from "./device.ts";
export {
  defineTarget,
  type Target,
  TARGET_KINDS,
  type TargetKind,
  type TargetLimits,
  type TargetPeak,
  type TargetSpec,
} from "./target.ts";
export { type Kernel, type RunOptions } from "./kernel.ts";
export {
  build,
  type BuildOptions,
  type BuildStats,
  buildStats,
  clearBuildCache,
  defaultDevice,
} from "./build.ts";
export { measure } from "./timing.ts";
export {
  type ValidateOptions,
  validateTarget,
  validationFailure,
  type ValidationReport,
} from "./validate.ts";
export {
  type IntrinsicMismatch,
  type IntrinsicValidation,
  type IntrinsicValidationOptions,
  validateIntrinsic,
} from "./validate_intrinsic.ts";
export { listTrials, type Trial, type TrialKind, trialTiles } from "./validate_inputs.ts";
export {
  type CIntrinsicImplementation,
  type CommandIntrinsicImplementation,
  compactRunner,
  gatherTile,
  type IntrinsicRunner,
  type IntrinsicTile,
  scatterTile,
  tileIndex,
} from "./intrinsic_run.ts";
export {
  checkScopes,
  checkScopeUsage,
  isDynamicScope,
  type ScopeReport,
  type ScopeUsage,
} from "./scope_check.ts";
export { targetBackend, type TargetBackendOptions, targetBackends } from "./graph_backend.ts";
