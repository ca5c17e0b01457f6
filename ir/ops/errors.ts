/**
 * Errors of the operator library: `OpError`, a `TesseraError` that names the op and the argument
 * at fault (`op "conv2d" / argument "weight"`).
 *
 * @module
 */
import { TesseraError } from "../errors.ts";

/**
 * Bad input to an op: a shape that does not fit, an axis out of range, a bad parameter or dtype.
 *
 * @example
 * ```ts
 * import { OpError } from "./errors.ts";
 * const e = new OpError("OP_BAD_AXIS", "Cannot apply \"sum\": axis 3 is out of range");
 * console.assert(e.code === "OP_BAD_AXIS");
 * ```
 */
export class OpError extends TesseraError {}

/** The codes `OpError` carries. */
export type OpErrorCode =
  | "OP_SHAPE_MISMATCH"
  | "OP_BAD_RANK"
  | "OP_BAD_AXIS"
  | "OP_BAD_PARAM"
  | "OP_DTYPE_MISMATCH"
  | "OP_UNPROVABLE_SHAPE";

/**
 * Make an `OpError` whose message starts with the op and whose path names the op and argument.
 *
 * @example
 * ```ts
 * import { opError } from "./errors.ts";
 * const e = opError("OP_BAD_PARAM", "pad", "before", "widths must be ≥ 0");
 * console.assert(e.message === 'Cannot apply "pad" (argument "before"): widths must be ≥ 0');
 * ```
 */
export function opError(
  code: OpErrorCode,
  op: string,
  arg: string,
  message: string,
  hint?: string,
): OpError {
  return new OpError(code, `Cannot apply "${op}" (argument "${arg}"): ${message}`, {
    path: `op "${op}" / argument "${arg}"`,
    hint,
  });
}
