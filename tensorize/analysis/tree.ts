/**
 * Moving statements in a scheduled function: remove a block with the loops that hold only it,
 * and rebuild a function with several statements replaced at once.
 *
 * @module
 */
import { int } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { rewrite } from "../../ir/node.ts";
import { evaluate, seq, type Stmt } from "../../ir/stmt.ts";
import type { BlockLocation } from "./find.ts";

/**
 * The statement to delete to remove a block: the block's realize, or the outermost loop above it
 * whose body chain holds nothing else (`for i { for j { block } }` goes as a whole).
 */
export function removalRoot(loc: BlockLocation): Stmt {
  let top: Stmt = loc.realize;
  for (let k = loc.path.length - 1; k >= 0; k--) {
    const s = loc.path[k];
    if (s.kind === "For" && s.body === top) top = s;
    else break;
  }
  return top;
}

/** The statements of a body (a `SeqStmt`'s elements, or the statement alone). */
export function stmtsOf(s: Stmt): readonly Stmt[] {
  return s.kind === "SeqStmt" ? s.seq : [s];
}

/**
 * `f` with statements replaced by identity (`null` deletes: the statement leaves its sequence,
 * or becomes a no-op where it is not in one; a sequence put into a sequence is flattened).
 * Replacements are not searched again.
 */
export function replaceStmts(f: PrimFunc, replacements: ReadonlyMap<Stmt, Stmt | null>): PrimFunc {
  const deleted = evaluate(int(0));
  const body = rewrite(f.body, {
    pre: (n) => {
      if (!replacements.has(n as Stmt)) return undefined;
      return replacements.get(n as Stmt) ?? deleted;
    },
    post: (n) => {
      if (n.kind !== "SeqStmt") return n;
      if (!n.seq.includes(deleted) && !n.seq.some((s) => s.kind === "SeqStmt")) return n;
      const rest = n.seq.filter((s) => s !== deleted);
      return rest.length === 0 ? evaluate(int(0)) : seq(rest); // seq flattens nested sequences
    },
  });
  return body === f.body ? f : { ...f, body };
}
