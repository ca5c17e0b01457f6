/**
 * Errors of the lowering pipeline.
 *
 * @module
 */
import { TesseraError } from "../errors.ts";

/**
 * A function that a pass cannot lower (for instance, a pass run out of order on IR it does not
 * take), or that failed verification after a pass.
 *
 * @example
 * ```ts
 * import { LowerError } from "./errors.ts";
 * const e = new LowerError("LOWER_PASS_ORDER", "Cannot flatten: blocks remain");
 * console.assert(e.code === "LOWER_PASS_ORDER");
 * ```
 */
export class LowerError extends TesseraError {}
