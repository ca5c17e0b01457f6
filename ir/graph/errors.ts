/**
 * Errors of the graph level: `ShapeError` for shapes that provably do not fit (at build time) or
 * did not fit (at run time), `GraphError` for everything else a user can get wrong in a graph.
 * Both name the function and the binding (`graph "main" / binding "lv3" (op "dense")`).
 *
 * @module
 */
import { TesseraError } from "../errors.ts";

/**
 * A shape that does not fit: a provable mismatch at build time, a failed run-time check, an
 * input whose shape differs from the parameter's.
 *
 * @example
 * ```ts
 * import { ShapeError } from "./errors.ts";
 * const e = new ShapeError("GRAPH_SHAPE_MISMATCH", "Cannot apply \"add\": 3 vs 4");
 * console.assert(e.code === "GRAPH_SHAPE_MISMATCH");
 * ```
 */
export class ShapeError extends TesseraError {}

/**
 * A malformed graph: an unknown op or function, a bad attribute, an argument of the wrong kind,
 * a builder used after `finish`, an executor without the extern function a graph calls.
 *
 * @example
 * ```ts
 * import { GraphError } from "./errors.ts";
 * const e = new GraphError("GRAPH_UNKNOWN_OP", "Cannot apply \"frob\": no such op");
 * console.assert(e.code === "GRAPH_UNKNOWN_OP");
 * ```
 */
export class GraphError extends TesseraError {}

/** `graph "f" / binding "v"`, with the op or callee when known: the place errors name. */
export function nodePath(func: string, binding?: string, what?: string): string {
  let p = `graph "${func}"`;
  if (binding !== undefined) p += ` / binding "${binding}"`;
  if (what !== undefined) p += ` (${what})`;
  return p;
}
