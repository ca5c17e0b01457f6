/**
 * `convert-blocks-to-loops` (TVM: lower-opaque-block): every block instance becomes plain
 * statements around its loops.
 *
 * | block part       | becomes                                                               |
 * | ---------------- | --------------------------------------------------------------------- |
 * | iter vars        | substituted by their bound values                                     |
 * | predicate        | `if (predicate) …` unless it is the constant `true`                   |
 * | init             | `if (v₀ == min₀ && v₁ == min₁ …) init` (reduce vars) before the body  |
 * | allocBuffers     | `Allocate` nodes around the instance's statements (inside the guard)  |
 * | reads/writes/name| dropped                                                               |
 *
 * The result computes what the blocks computed (docs/semantics.md, "Blocks"); the domain check
 * of iteration values (INTERP_ITER_OUT_OF_DOMAIN) is an assertion of well-formed input, not kept.
 *
 * @module
 */
import { and, eq, type PrimExpr, type Var } from "../expr.ts";
import { isExpr, isStmt, mapChildren } from "../node.ts";
import { allocate, type Block, ifThenElse, seq, type Stmt, TRUE } from "../stmt.ts";
import { type Pass, withBody } from "./pass.ts";
import { substitute } from "./substitute.ts";

type Env = ReadonlyMap<Var, PrimExpr>;

function realize(b: Block, values: readonly PrimExpr[], predicate: PrimExpr, env: Env): Stmt {
  const inner = new Map(env);
  b.iterVars.forEach((iv, k) => inner.set(iv.v, values[k]));
  let body = lowerStmt(b.body, inner);
  if (b.init) {
    let atMin: PrimExpr = TRUE;
    b.iterVars.forEach((iv, k) => {
      if (iv.iterKind === "reduce") atMin = and(atMin, eq(values[k], substitute(iv.dom.min, env)));
    });
    const init = lowerStmt(b.init, inner);
    // A constant condition folds: true → init always runs first; false → never.
    const guarded = atMin.kind === "IntImm" ? (atMin.value ? [init] : []) : [
      ifThenElse(atMin, init),
    ];
    body = seq([...guarded, body]);
  }
  for (let k = b.allocBuffers.length - 1; k >= 0; k--) body = allocate(b.allocBuffers[k], body);
  if (predicate.kind === "IntImm" && predicate.value) return body;
  return ifThenElse(predicate, body);
}

function lowerStmt(s: Stmt, env: Env): Stmt {
  switch (s.kind) {
    case "BlockRealize":
      return realize(
        s.block,
        s.iterValues.map((v) => substitute(v, env)),
        substitute(s.predicate, env),
        env,
      );
    case "Block":
      return realize(s, [], TRUE, env);
  }
  return mapChildren(s, (c) => isStmt(c) ? lowerStmt(c, env) : isExpr(c) ? substitute(c, env) : c);
}

/**
 * The pass. Functions without blocks are returned unchanged.
 *
 * @example
 * ```ts
 * import { convertBlocksToLoops } from "./convert_blocks_to_loops.ts";
 * import { compute, createPrimFunc, placeholder } from "../te.ts";
 * import { add } from "../expr.ts";
 * const A = placeholder([4], "float32", "A");
 * const B = compute([4], ([i]) => add(A.at(i), 1), "B");
 * const f = convertBlocksToLoops.run(createPrimFunc([A, B]), { options: {} });
 * console.assert(f.body.kind === "For");
 * ```
 */
export const convertBlocksToLoops: Pass = {
  name: "convert-blocks-to-loops",
  summary: "substitute block iter vars, guard predicates and reduction inits, allocate buffers",
  run: (f) => withBody(f, lowerStmt(f.body, new Map())),
};
