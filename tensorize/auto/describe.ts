/**
 * Helpers for writing intrinsic descriptions with the DSL. The DSL's reductions always
 * initialise their output; an intrinsic that accumulates onto its output (a GEMM unit adding
 * into an accumulator tile, a dot product with an addend) is the same description without the
 * init: `accumulating(createPrimFunc(…))`.
 *
 * @module
 */
import type { PrimFunc } from "../../ir/func.ts";
import { rewrite } from "../../ir/node.ts";
import { block as makeBlock } from "../../ir/stmt.ts";

/**
 * `f` with the init of every block removed: the description of an intrinsic that accumulates
 * (`C += A·B`) rather than overwrites.
 *
 * @example
 * ```ts
 * import { accumulating } from "./describe.ts";
 * import { matmulFunc } from "../testing.ts";
 * import { visit } from "../../ir/node.ts";
 * let inits = 0;
 * visit(accumulating(matmulFunc()).body, (n) => void (n.kind === "Block" && n.init && inits++));
 * console.assert(inits === 0);
 * ```
 */
export function accumulating(f: PrimFunc): PrimFunc {
  return rewrite(f, {
    post: (n) => (n.kind === "Block" && n.init ? makeBlock({ ...n, init: undefined }) : n),
  });
}
