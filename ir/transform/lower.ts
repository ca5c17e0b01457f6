/**
 * `lower`: the pipeline from a `PrimFunc` with blocks (as the DSL and schedules build it) to the
 * lowered form that code generators take (`notes/lowered_form.md`): no blocks, 1-D buffers with
 * linear indices, size variables as trailing scalar parameters, vector code for vectorized loops,
 * unrolled copies for unrolled loops, and `attrs.lowered === true`.
 *
 * @module
 */
import { VerifyError } from "../errors.ts";
import type { PrimFunc } from "../func.ts";
import { verify } from "../verify.ts";
import { convertBlocksToLoops } from "./convert_blocks_to_loops.ts";
import { LowerError } from "./errors.ts";
import { flattenBuffers } from "./flatten_buffers.ts";
import type { LowerOptions, Pass, PassContext } from "./pass.ts";
import { printFunc } from "../script/mod.ts";
import { simplify } from "./simplify.ts";
import { removeNoOp } from "./remove_no_op.ts";
import { unroll } from "./unroll.ts";
import { vectorize } from "./vectorize.ts";
import { planBufferAllocation } from "./plan_buffer_allocation.ts";
import { compactBufferAllocation } from "./compact_buffer_allocation.ts";
import { storageAlign } from "./storage_align.ts";

export type { LowerOptions } from "./pass.ts";

/**
 * The default pipeline, in order. Storage-alignment requests (block annotations) become strides
 * first, while blocks still carry them (aligned buffers are then not compacted). Allocations
 * move to where they are used while blocks still say what they read and write (plan), and shrink to what is accessed once loops are plain (compact),
 * before flattening fixes their layout. Unrolling comes before vectorizing, so a vectorized loop
 * around an unrolled one (a small reduction) still vectorizes; simplification before vectorizing
 * turns indices from split and fused loops back into affine forms.
 */
export const LOWER_PASSES: readonly Pass[] = [
  storageAlign,
  planBufferAllocation,
  convertBlocksToLoops,
  compactBufferAllocation,
  flattenBuffers,
  unroll,
  simplify,
  removeNoOp,
  vectorize,
  simplify,
];

/**
 * Run passes in order on a function, with the dumps and verification the options ask for.
 *
 * @example
 * ```ts
 * import { runPasses, LOWER_PASSES } from "./lower.ts";
 * import { compute, createPrimFunc, placeholder } from "../te.ts";
 * const A = placeholder([4], "float32", "A");
 * const B = compute([4], ([i]) => A.at(i), "B");
 * const f = runPasses(createPrimFunc([A, B]), LOWER_PASSES, { verify: true });
 * console.assert(f.body.kind === "For");
 * ```
 */
export function runPasses(
  f: PrimFunc,
  passes: readonly Pass[],
  options: LowerOptions = {},
): PrimFunc {
  const ctx: PassContext = { options };
  const sink = options.dump ?? ((text: string) => console.log(text));
  let cur = f;
  for (const pass of passes) {
    cur = pass.run(cur, ctx);
    const d = options.dumpAfter;
    if (d === true || (Array.isArray(d) && d.includes(pass.name))) {
      sink(`// after ${pass.name}\n${printFunc(cur)}`, pass.name);
    }
    if (options.verify) {
      try {
        verify(cur);
      } catch (e) {
        if (!(e instanceof VerifyError)) throw e;
        throw new LowerError(
          "LOWER_VERIFY",
          `Cannot lower function "${f.name}": the IR after pass "${pass.name}" is ill-formed: ${e.message}`,
          { path: e.path, hint: "this is a bug of the pass unless the input was ill-formed" },
        );
      }
    }
  }
  return cur;
}

/**
 * Lower a function to the lowered form.
 *
 * @example
 * ```ts
 * import { lower } from "./lower.ts";
 * import { compute, createPrimFunc, placeholder, sizeVar } from "../te.ts";
 * import { add } from "../expr.ts";
 * const n = sizeVar("n");
 * const A = placeholder([n, 8], "float32", "A");
 * const B = compute([n, 8], ([i, j]) => add(A.at(i, j), 1), "B");
 * const f = lower(createPrimFunc([A, B], "inc"));
 * console.assert(f.attrs.lowered === true && f.params.length === 3);
 * ```
 */
export function lower(f: PrimFunc, options: LowerOptions = {}): PrimFunc {
  if (options.verify) verify(f);
  const out = runPasses(f, options.passes ?? LOWER_PASSES, options);
  return { ...out, attrs: { ...out.attrs, lowered: true } };
}

/**
 * The function as script text, as dumps show it (kept for callers of the former plain printer;
 * prefer `printFunc` from `ir/script`).
 *
 * @example
 * ```ts
 * import { printFuncPlain } from "./lower.ts";
 * import { primFunc } from "../func.ts";
 * import { decl, evaluate } from "../stmt.ts";
 * import { int } from "../expr.ts";
 * console.assert(printFuncPlain(primFunc("f", [decl("A", [4])], evaluate(int(0)))).startsWith("func f"));
 * ```
 */
export function printFuncPlain(f: PrimFunc): string {
  return printFunc(f);
}
