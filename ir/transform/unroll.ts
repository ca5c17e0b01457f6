/**
 * `unroll`: an `unrolled` loop with a constant extent of at most `maxUnroll` (default 64) becomes
 * one copy of its body per iteration, with the loop variable replaced by `min + k`; any other
 * `unrolled` loop becomes `serial` (unrolling is a hint; both mean the same).
 *
 * @module
 */
import { add, int } from "../expr.ts";
import { isExpr, mapChildren, type Node } from "../node.ts";
import { seq, type Stmt } from "../stmt.ts";
import { NOOP, type Pass, withBody } from "./pass.ts";
import { substitute } from "./substitute.ts";

/** Default largest extent unrolled. */
export const DEFAULT_MAX_UNROLL = 64;

function unrollStmt(s: Stmt, limit: number): Stmt {
  const m = mapChildren(
    s,
    (c: Node) => (isExpr(c) || c.kind === "Buffer" ? c : unrollStmt(c as Stmt, limit)),
  );
  if (m.kind !== "For" || m.forKind !== "unrolled") return m;
  const e = m.extent;
  if (e.kind !== "IntImm" || e.value > limit) return { ...m, forKind: "serial" };
  if (e.value <= 0) return NOOP;
  const copies: Stmt[] = [];
  for (let k = 0; k < e.value; k++) {
    copies.push(substitute(m.body, new Map([[m.loopVar, add(m.min, int(k, m.loopVar.dtype))]])));
  }
  return seq(copies);
}

/**
 * The pass.
 *
 * @example
 * ```ts
 * import { unroll } from "./unroll.ts";
 * import { primFunc } from "../func.ts";
 * import { bufferStore, decl, forLoop } from "../stmt.ts";
 * import { variable } from "../expr.ts";
 * const A = decl("A", [4], "int32");
 * const i = variable("i");
 * const f = primFunc("f", [A], forLoop(i, 0, 4, bufferStore(A, i, [i]), { kind: "unrolled" }));
 * console.assert(unroll.run(f, { options: {} }).body.kind === "SeqStmt");
 * ```
 */
export const unroll: Pass = {
  name: "unroll",
  summary: "replace unrolled loops of small constant extent by copies of their body",
  run: (f, ctx) => withBody(f, unrollStmt(f.body, ctx.options.maxUnroll ?? DEFAULT_MAX_UNROLL)),
};
