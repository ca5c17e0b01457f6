/**
 * Block bindings after loop rewrites: simplify the iteration values and predicates of the blocks
 * under a statement with the analyzer knowing every loop range on the way down, add a predicate
 * to the blocks under a statement, and an analyzer primed with a function's sizes and the loops
 * of a path.
 *
 * @module
 */
import { Analyzer } from "../../ir/arith/mod.ts";
import { and, type PrimExpr } from "../../ir/expr.ts";
import { type PrimFunc, sizeVars } from "../../ir/func.ts";
import { ifThenElse, type Stmt } from "../../ir/stmt.ts";
import { mapChildren, type Node } from "../../ir/node.ts";

/**
 * An analyzer that knows the function's size variables are non-negative, the ranges of the
 * loops in `path` (statements from the function body down) and the domains of the iteration
 * variables of the blocks on it (a block realize on the path is one the path enters).
 */
export function analyzerFor(f: PrimFunc, path: readonly Stmt[] = []): Analyzer {
  const ana = new Analyzer();
  for (const v of sizeVars(f)) ana.markNonNegative(v);
  for (const s of path) {
    if (s.kind === "For") ana.bind(s.loopVar, { min: s.min, extent: s.extent });
    if (s.kind === "BlockRealize") { for (const iv of s.block.iterVars) ana.bind(iv.v, iv.dom); }
  }
  return ana;
}

/**
 * `s` with the iteration values and predicates of its blocks simplified, each under the ranges of
 * the loops above it (within `s`, plus what `ana` already knows). Nested blocks are left alone:
 * their bindings use their parent's iteration variables.
 */
export function simplifyBindings(s: Stmt, ana: Analyzer): Stmt {
  const go = (n: Node): Node => {
    if (n.kind === "For") {
      return ana.withBinding(n.loopVar, { min: n.min, extent: n.extent }, () => mapChildren(n, go));
    }
    if (n.kind === "BlockRealize") {
      const iterValues = n.iterValues.map((e) => ana.simplify(e));
      const predicate = ana.simplify(n.predicate);
      const same = predicate === n.predicate && iterValues.every((e, k) => e === n.iterValues[k]);
      return same ? n : { ...n, iterValues, predicate };
    }
    if (
      n.kind === "SeqStmt" || n.kind === "IfThenElse" || n.kind === "LetStmt" ||
      n.kind === "Allocate" || n.kind === "AssertStmt"
    ) {
      return mapChildren(n, go);
    }
    return n;
  };
  return go(s) as Stmt;
}

/**
 * `s` with `cond` conjoined to the predicate of each block directly under it (not nested in
 * another block); without any block, `s` guarded by `if (cond)`.
 */
export function addPredicate(s: Stmt, cond: PrimExpr): Stmt {
  let found = false;
  const go = (n: Node): Node => {
    if (n.kind === "BlockRealize") {
      found = true;
      return { ...n, predicate: and(n.predicate, cond) };
    }
    if (
      n.kind === "For" || n.kind === "SeqStmt" || n.kind === "IfThenElse" ||
      n.kind === "LetStmt" || n.kind === "Allocate" || n.kind === "AssertStmt"
    ) {
      return mapChildren(n, go);
    }
    return n;
  };
  const out = go(s) as Stmt;
  return found ? out : ifThenElse(cond, s);
}
