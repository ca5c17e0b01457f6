/**
 * Errors the SDK raises, all in the `TesseraError` family (`ir/errors.ts`), and the codes that
 * every target uses for failures while a kernel runs, so that conformance can compare them with
 * the interpreter's (`INTERP_DIVIDE_BY_ZERO` ↔ `KERNEL_DIVIDE_BY_ZERO`, …).
 *
 * | code                     | class       | meaning                                                    |
 * | ------------------------ | ----------- | ---------------------------------------------------------- |
 * | TARGET_BAD_FIELD         | TargetError | a target/scope/intrinsic field is missing or ill-typed     |
 * | TARGET_BAD_KIND          | TargetError | `kind` is not cpu, gpu or npu                              |
 * | TARGET_SDK_INCOMPATIBLE  | TargetError | the target was written for an SDK version that cannot load |
 * | TARGET_DUPLICATE_SCOPE   | TargetError | two scopes share a name                                    |
 * | TARGET_UNKNOWN_SCOPE     | TargetError | a parent, peak or operand scope the target does not define |
 * | TARGET_NO_GLOBAL_SCOPE   | TargetError | the target defines no `global` scope                       |
 * | TARGET_SCOPE_CYCLE       | TargetError | scope parents form a cycle                                 |
 * | TARGET_DUPLICATE_INTRINSIC | TargetError | two intrinsics share a name                              |
 * | BUILD_ENTRY              | TargetError | `build` of a module: entry function missing or ambiguous   |
 * | KERNEL_DIVIDE_BY_ZERO    | TargetError | a kernel divided an integer by zero                        |
 * | KERNEL_ASSERT            | TargetError | a kernel's AssertStmt failed                               |
 * | KERNEL_OUT_OF_BOUNDS     | TargetError | a kernel accessed memory outside the device's memory       |
 * | KERNEL_OUT_OF_MEMORY     | TargetError | a device could not allocate                                |
 * | KERNEL_TRAP              | TargetError | any other trap while a kernel ran                          |
 *
 * Call-time argument errors are `CallError`s with the interpreter's codes (CALL_ARITY,
 * CALL_ARG_KIND, CALL_DTYPE_MISMATCH, CALL_SHAPE_MISMATCH, CALL_SHAPE_UNBOUND) plus
 * CALL_DEVICE_MISMATCH and CALL_TENSOR_FREED.
 *
 * @module
 */
import { TargetError } from "../ir/errors.ts";

/** Codes of failures while a kernel runs, shared by every target. */
export const KERNEL_CODES: {
  readonly divideByZero: "KERNEL_DIVIDE_BY_ZERO";
  readonly assert: "KERNEL_ASSERT";
  readonly outOfBounds: "KERNEL_OUT_OF_BOUNDS";
  readonly outOfMemory: "KERNEL_OUT_OF_MEMORY";
  readonly trap: "KERNEL_TRAP";
} = {
  divideByZero: "KERNEL_DIVIDE_BY_ZERO",
  assert: "KERNEL_ASSERT",
  outOfBounds: "KERNEL_OUT_OF_BOUNDS",
  outOfMemory: "KERNEL_OUT_OF_MEMORY",
  trap: "KERNEL_TRAP",
};

/**
 * A `TargetError` about one field of a target definition, with the path
 * `target "<name>" / <field>`.
 *
 * @example
 * ```ts
 * import { fieldError } from "./errors.ts";
 * const e = fieldError("TARGET_BAD_KIND", "my-chip", "kind", `Cannot define target "my-chip": kind "tpu" is not cpu, gpu or npu`);
 * console.assert(e.path === `target "my-chip" / kind`);
 * ```
 */
export function fieldError(
  code: string,
  target: string,
  field: string,
  message: string,
  hint?: string,
): TargetError {
  return new TargetError(code, message, { path: `target "${target}" / ${field}`, hint });
}
