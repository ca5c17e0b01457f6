/**
 * Exact syntactic equality: variables and buffers by identity (unlike `structuralEqual`, which
 * pairs free variables and would call `i` and `j` equal). Used to merge like terms and to compare
 * store and load indices.
 *
 * @module
 */
import { type Node, NODE_FIELDS } from "../node.ts";

type Fields = Record<string, unknown>;

/**
 * True if `a` and `b` are the same tree, with variables and buffers compared by identity.
 *
 * @example
 * ```ts
 * import { sameExpr } from "./same_expr.ts";
 * import { add, variable } from "../expr.ts";
 * const i = variable("i");
 * console.assert(sameExpr(add(i, 1), add(i, 1)) && !sameExpr(i, variable("i")));
 * ```
 */
export function sameExpr(a: Node, b: Node): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind || a.kind === "Var" || a.kind === "Buffer") return false;
  for (const [field, role] of NODE_FIELDS[a.kind]) {
    const x = (a as unknown as Fields)[field];
    const y = (b as unknown as Fields)[field];
    switch (role) {
      case "data":
        if (!Object.is(x, y)) return false;
        break;
      case "def":
        if (x !== y) return false;
        break;
      case "node":
        if (!sameExpr(x as Node, y as Node)) return false;
        break;
      case "optNode":
        if (x === undefined || y === undefined ? x !== y : !sameExpr(x as Node, y as Node)) {
          return false;
        }
        break;
      case "nodes": {
        const xs = x as Node[];
        const ys = y as Node[];
        if (xs.length !== ys.length || xs.some((c, k) => !sameExpr(c, ys[k]))) return false;
        break;
      }
      case "record":
        if (JSON.stringify(x) !== JSON.stringify(y)) return false;
        break;
    }
  }
  return true;
}
