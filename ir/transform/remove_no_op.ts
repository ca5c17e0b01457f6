/**
 * `remove-no-op`: statements that do nothing go, trivial loops and branches are opened.
 *
 * | statement                                   | becomes                                  |
 * | ------------------------------------------- | ---------------------------------------- |
 * | `for v in [m, +e)` with constant e ≤ 0      | nothing                                  |
 * | `for v in [m, +1)` (not a thread loop)      | the body with v := m                     |
 * | a loop, allocation or let around nothing    | nothing                                  |
 * | `if (true) a else b` / `if (false) a else b`| a / b                                    |
 * | `evaluate(constant)` in a sequence          | dropped (a lone one stands for "nothing")|
 *
 * @module
 */
import { isExpr, mapChildren, type Node } from "../node.ts";
import { ifThenElse, seq, type Stmt } from "../stmt.ts";
import { not } from "../expr.ts";
import { NOOP, type Pass, withBody } from "./pass.ts";
import { substitute } from "./substitute.ts";

/** True if the statement does nothing (`evaluate` of a constant). */
export function isNoOp(s: Stmt): boolean {
  return s.kind === "Evaluate" && (s.value.kind === "IntImm" || s.value.kind === "FloatImm");
}

function clean(s: Stmt): Stmt {
  const m = mapChildren(s, (c: Node) => (isExpr(c) || c.kind === "Buffer" ? c : clean(c as Stmt)));
  switch (m.kind) {
    case "SeqStmt": {
      const kept = m.seq.filter((c) => !isNoOp(c));
      if (kept.length === m.seq.length) return m;
      return kept.length === 0 ? NOOP : seq(kept);
    }
    case "For": {
      if (isNoOp(m.body)) return NOOP;
      if (m.extent.kind !== "IntImm" || m.forKind === "thread") return m;
      if (m.extent.value <= 0) return NOOP;
      if (m.extent.value === 1) return clean(substitute(m.body, new Map([[m.loopVar, m.min]])));
      return m;
    }
    case "IfThenElse": {
      if (m.cond.kind === "IntImm") return m.cond.value ? m.then : m.otherwise ?? NOOP;
      const other = m.otherwise && !isNoOp(m.otherwise) ? m.otherwise : undefined;
      if (isNoOp(m.then)) return other ? ifThenElse(not(m.cond), other) : NOOP;
      return other === m.otherwise ? m : ifThenElse(m.cond, m.then, other);
    }
    case "Allocate":
    case "LetStmt":
      return isNoOp(m.body) ? NOOP : m;
  }
  return m;
}

/**
 * The pass.
 *
 * @example
 * ```ts
 * import { removeNoOp } from "./remove_no_op.ts";
 * import { primFunc } from "../func.ts";
 * import { bufferStore, decl, forLoop } from "../stmt.ts";
 * import { variable } from "../expr.ts";
 * const A = decl("A", [4], "int32");
 * const i = variable("i");
 * const f = primFunc("f", [A], forLoop(i, 2, 1, bufferStore(A, i, [i])));
 * console.assert(removeNoOp.run(f, { options: {} }).body.kind === "BufferStore");
 * ```
 */
export const removeNoOp: Pass = {
  name: "remove-no-op",
  summary: "drop statements that do nothing; open loops of extent 1 and constant branches",
  run: (f) => withBody(f, clean(f.body)),
};
