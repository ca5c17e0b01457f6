/**
 * Errors the interpreter raises while compiling or running a function. Codes:
 *
 * | code                        | meaning                                                        |
 * | --------------------------- | -------------------------------------------------------------- |
 * | INTERP_DIVIDE_BY_ZERO       | integer div/mod/floordiv/floormod by zero                      |
 * | INTERP_OUT_OF_BOUNDS        | a load/store index outside its buffer dimension                |
 * | INTERP_ASSERT               | an AssertStmt whose condition is false                         |
 * | INTERP_ITER_OUT_OF_DOMAIN   | a block instance whose iteration value lies outside its domain |
 * | INTERP_UNBOUND_VAR          | a variable used where no binding is in scope (compile time)    |
 * | INTERP_UNBOUND_BUFFER       | a buffer used where it is not declared (compile time)          |
 * | INTERP_UNKNOWN_CALL         | a call that is neither a math op nor given a handler           |
 * | INTERP_UNSUPPORTED          | IR the interpreter cannot run (vector-dtype buffers, handles…) |
 *
 * Argument errors at call time are `CallError`s: CALL_ARITY, CALL_ARG_KIND, CALL_DTYPE_MISMATCH,
 * CALL_SHAPE_MISMATCH, CALL_SHAPE_UNBOUND.
 *
 * @module
 */
import { TesseraError } from "../errors.ts";

/**
 * A failure while interpreting a function (at compile or run time).
 *
 * @example
 * ```ts
 * import { InterpError } from "./errors.ts";
 * const e = new InterpError("INTERP_ASSERT", "Cannot continue: n > 0 failed");
 * console.assert(e.code === "INTERP_ASSERT");
 * ```
 */
export class InterpError extends TesseraError {}

/** Render indices or a shape as `[1, 2]`. */
export function fmtList(xs: readonly (number | bigint)[]): string {
  return `[${xs.join(", ")}]`;
}
