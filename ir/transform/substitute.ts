/**
 * Variable substitution that re-folds constants on the way up, so that replacing `i` by `0` in
 * `i*4 + j` leaves `j`, not `0*4 + j`. Buffers are not entered (their shapes use only
 * function-level variables). Unchanged subtrees keep their identity.
 *
 * @module
 */
import { binary, cast, type PrimExpr, select, type Var } from "../expr.ts";
import { not } from "../expr.ts";
import { mapChildren, type Node } from "../node.ts";

/** Rebuild one node through its constructor, so constants fold; other kinds are returned as is. */
export function refoldNode<T extends Node>(n: T): T {
  switch (n.kind) {
    case "Binary":
      return binary(n.op, n.a, n.b) as unknown as T;
    case "Select":
      return select(n.cond, n.t, n.f) as unknown as T;
    case "Cast":
      return cast(n.dtype, n.value) as unknown as T;
    case "Not":
      return not(n.a) as unknown as T;
  }
  return n;
}

/**
 * Replace variables by expressions everywhere under `root` (expressions and statements), folding
 * constants in the rebuilt nodes. Returns `root` itself when no variable of the map occurs.
 *
 * @example
 * ```ts
 * import { substitute } from "./substitute.ts";
 * import { add, int, mul, variable } from "../expr.ts";
 * const i = variable("i");
 * const j = variable("j");
 * console.assert(substitute(add(mul(i, 4), j), new Map([[i, int(0)]])) === j);
 * ```
 */
export function substitute<T extends Node>(root: T, map: ReadonlyMap<Var, PrimExpr>): T {
  if (map.size === 0) return root;
  const memo = new Map<Node, Node>();
  const go = (n: Node): Node => {
    if (n.kind === "Var") return map.get(n) ?? n;
    if (n.kind === "Buffer") return n;
    const hit = memo.get(n);
    if (hit) return hit;
    const m = mapChildren(n, go);
    const out = m === n ? n : refoldNode(m);
    memo.set(n, out);
    return out;
  };
  return go(root) as T;
}
