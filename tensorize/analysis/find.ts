/**
 * Finding things in a scheduled function: blocks by name, loops by variable, the loop nest above
 * a block, the blocks under a statement, and replacing one statement by identity.
 *
 * Paths are the statements from the function body down to (not including) the node found.
 *
 * @module
 */
import type { Var } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { children, isStmt, rewrite } from "../../ir/node.ts";
import type { Block, BlockRealize, For, Stmt } from "../../ir/stmt.ts";

/** A block found in a function, with its realize and the statements above it. */
export interface BlockLocation {
  /** The block's realize (its instance: bindings and predicate). */
  readonly realize: BlockRealize;
  /** The block. */
  readonly block: Block;
  /** Statements from the function body down to the realize (exclusive). */
  readonly path: readonly Stmt[];
}

/** A loop found in a function, with the statements above it. */
export interface LoopLocation {
  /** The loop. */
  readonly loop: For;
  /** Statements from the function body down to the loop (exclusive). */
  readonly path: readonly Stmt[];
}

/**
 * Visit the statements under `root` (itself included) in pre-order with their paths; return
 * `false` from `fn` to skip a statement's children, `"stop"` to end the walk.
 */
export function walkStmts(
  root: Stmt,
  fn: (s: Stmt, path: readonly Stmt[]) => boolean | "stop" | void,
): void {
  const path: Stmt[] = [];
  let stopped = false;
  const go = (s: Stmt) => {
    const r = fn(s, path);
    if (r === "stop") stopped = true;
    if (r === false || stopped) return;
    path.push(s);
    for (const c of children(s)) {
      if (isStmt(c)) go(c);
      if (stopped) break;
    }
    path.pop();
  };
  go(root);
}

/**
 * The block named `name` in `f`, or undefined.
 *
 * @example
 * ```ts
 * import { findBlock } from "./find.ts";
 * import { parseFunc } from "../../ir/script/mod.ts";
 * const f = parseFunc(`func f(A: buffer<float32>[4]) {
 *   block root() {
 *     for i in 0..4 {
 *       block B(vi: spatial(0..4) = i) {
 *         reads()
 *         writes(A[vi])
 *         A[vi] = 0.0
 *       }
 *     }
 *   }
 * }`);
 * console.assert(findBlock(f, "B")?.path.length === 3);
 * ```
 */
export function findBlock(f: PrimFunc, name: string): BlockLocation | undefined {
  let found: BlockLocation | undefined;
  walkStmts(f.body, (s, path) => {
    if (s.kind === "BlockRealize" && s.block.name === name) {
      found = { realize: s, block: s.block, path: [...path] };
      return "stop";
    }
  });
  return found;
}

/** The loop of `f` whose variable is `v`, or undefined. */
export function findLoop(f: PrimFunc, v: Var): LoopLocation | undefined {
  let found: LoopLocation | undefined;
  walkStmts(f.body, (s, path) => {
    if (s.kind === "For" && s.loopVar === v) {
      found = { loop: s, path: [...path] };
      return "stop";
    }
  });
  return found;
}

/** The loops of a path below its last block (the loop nest of the thing the path leads to). */
export function loopsAbove(path: readonly Stmt[]): For[] {
  const out: For[] = [];
  for (const s of path) {
    if (s.kind === "Block" || s.kind === "BlockRealize") out.length = 0;
    else if (s.kind === "For") out.push(s);
  }
  return out;
}

/**
 * The block realizes directly under `s` — not nested in another block. For a block (or its
 * realize), the realizes in its body (and init).
 */
export function childBlocks(s: Stmt): BlockRealize[] {
  const out: BlockRealize[] = [];
  const start = s.kind === "BlockRealize" ? s.block : s;
  for (const c of children(start)) {
    if (!isStmt(c)) continue;
    walkStmts(c, (t) => {
      if (t.kind === "BlockRealize") {
        out.push(t);
        return false;
      }
    });
  }
  return out;
}

/** Every block realize under `s` (itself included), nested ones too, in pre-order. */
export function blocksUnder(s: Stmt): BlockRealize[] {
  const out: BlockRealize[] = [];
  walkStmts(s, (t) => {
    if (t.kind === "BlockRealize") out.push(t);
  });
  return out;
}

/** Every block realize under `s` with the loops between `s` and it (outermost first). */
export function blocksUnderWithLoops(s: Stmt): { realize: BlockRealize; loops: For[] }[] {
  const out: { realize: BlockRealize; loops: For[] }[] = [];
  walkStmts(s, (t, path) => {
    if (t.kind === "BlockRealize") out.push({ realize: t, loops: loopsAbove([...path]) });
  });
  return out;
}

/** The loop variables of `f`. */
export function loopVarsOf(f: PrimFunc): Set<Var> {
  const out = new Set<Var>();
  walkStmts(f.body, (s) => {
    if (s.kind === "For") out.add(s.loopVar);
  });
  return out;
}

/** The block names of `f`. */
export function blockNamesOf(f: PrimFunc): Set<string> {
  const out = new Set<string>();
  walkStmts(f.body, (s) => {
    if (s.kind === "Block") out.add(s.name);
  });
  return out;
}

/** `f` with the statement `target` (found by identity) replaced by `replacement`. */
export function replaceStmt(f: PrimFunc, target: Stmt, replacement: Stmt): PrimFunc {
  if (target === replacement) return f;
  const body = rewrite(f.body, { pre: (n) => (n === target ? replacement : undefined) });
  return body === f.body ? f : { ...f, body };
}
