/**
 * Stages of a scope: the statement of a scope block's body (an element of its sequence, or the
 * whole body) that holds a given block, inserting new stages before or after it, unique block
 * and buffer names, and a fresh loop nest around a one-instance-per-point block over a shape.
 *
 * @module
 */
import { type PrimExpr, type Var, variable } from "../../ir/expr.ts";
import { bufferParams, type PrimFunc } from "../../ir/func.ts";
import {
  type Block,
  blockRealize,
  type Buffer,
  forLoop,
  type IterVar,
  iterVar,
  range,
  seq,
  type Stmt,
  TRUE,
} from "../../ir/stmt.ts";
import { blockNamesOf, replaceStmt, walkStmts } from "./find.ts";

/** The scope block above a path's end and the statement of its body that leads there. */
export interface StageLocation {
  /** The nearest block above (the scope). */
  readonly scope: Block;
  /** The statement of `scope.body` (a sequence element, or the body) on the path. */
  readonly stage: Stmt;
}

/** The stage holding the statement at the end of `path` (statements from the function body). */
export function stageOf(path: readonly Stmt[], target: Stmt): StageLocation | undefined {
  for (let k = path.length - 1; k >= 0; k--) {
    const s = path[k];
    if (s.kind !== "Block") continue;
    const next = path[k + 1] ?? target;
    if (s.body.kind === "SeqStmt") {
      const after = path[k + 2] ?? target;
      return { scope: s, stage: s.body === next ? after : next };
    }
    return { scope: s, stage: next };
  }
  return undefined;
}

/**
 * `f` with `before` and `after` placed around `stage` in `scope`'s body, and `alloc` added to the
 * scope's allocations.
 */
export function insertStages(
  f: PrimFunc,
  at: StageLocation,
  before: readonly Stmt[],
  after: readonly Stmt[],
  alloc: readonly Buffer[] = [],
): PrimFunc {
  const { scope, stage } = at;
  const items = scope.body.kind === "SeqStmt" ? scope.body.seq : [scope.body];
  const k = items.indexOf(stage);
  const body = seq([...items.slice(0, k), ...before, stage, ...after, ...items.slice(k + 1)]);
  return replaceStmt(f, scope, {
    ...scope,
    body,
    allocBuffers: [...scope.allocBuffers, ...alloc],
  });
}

/** `base`, or `base_1`, `base_2`, … : the first of these not in `taken`. */
export function freshName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let k = 1;; k++) if (!taken.has(`${base}_${k}`)) return `${base}_${k}`;
}

/** `base`, or `base_1`, `base_2`, … : a block name `f` does not use yet (nor `taken`). */
export function uniqueBlockName(f: PrimFunc, base: string, taken: readonly string[] = []): string {
  return freshName(base, new Set([...blockNamesOf(f), ...taken]));
}

/** Names of the buffers of `f`: its parameters and every block's allocations. */
export function bufferNamesOf(f: PrimFunc): Set<string> {
  const out = new Set(bufferParams(f).map((b) => b.name));
  walkStmts(f.body, (s) => {
    if (s.kind === "Block") { for (const b of s.allocBuffers) out.add(b.name); }
  });
  return out;
}

/** `base`, or `base_1`, `base_2`, … : a buffer name `f` does not use yet. */
export function uniqueBufferName(f: PrimFunc, base: string): string {
  return freshName(base, bufferNamesOf(f));
}

/**
 * A loop nest `for ax0, ax1, … over shape` around one instance of a spatial block whose
 * iteration variables `v0, v1, …` are bound to the loops; `make` builds the block from its
 * iteration variables (and gets the loop variables for the predicate).
 */
export function pointwiseNest(
  shape: readonly PrimExpr[],
  make: (iters: readonly Var[], loops: readonly Var[]) => {
    block: Block;
    predicate?: PrimExpr;
  },
): Stmt {
  const loops = shape.map((d, k) => variable(`ax${k}`, d.dtype));
  const ivs: IterVar[] = shape.map((d, k) =>
    iterVar(variable(`v${k}`, d.dtype), range(0, d), "spatial")
  );
  const { block, predicate } = make(ivs.map((iv) => iv.v), loops);
  let s: Stmt = blockRealize(loops, predicate ?? TRUE, { ...block, iterVars: ivs });
  for (let k = shape.length - 1; k >= 0; k--) s = forLoop(loops[k], 0, shape[k], s);
  return s;
}
