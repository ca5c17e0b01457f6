/**
 * `writesEveryElement`: whether a tensor-level function provably stores every element of an
 * output buffer before anything reads it, so an executor may hand it an output view whose
 * memory holds garbage (a reused planned view) instead of zero-filling it on every run.
 *
 * The proof is syntactic and conservative (false when unsure): some block realized under the
 * root, through loops only (no conditions), stores `buffer[v0, ..., vn]` where each `vi` is a
 * spatial iterator over the whole of dimension `i`, bound to a distinct enclosing loop over
 * `0..shape[i]`; every other enclosing loop has a positive extent (so it runs), the
 * predicate is true, and the store does not read the buffer first (a block with reduce
 * iterators needs an `init` storing a constant at the same element, and positive reduce
 * extents, so the init runs for every element). Symbolic extents that must be positive are
 * returned as a condition on the call's argument shapes (`fullWriteCondition`). Lowering preserves a function's semantics, so the compiled
 * kernel writes every element too.
 *
 * @module
 */
import type { PrimExpr, Var } from "../expr.ts";
import { bufferParams, type PrimFunc } from "../func.ts";
import { visit } from "../node.ts";
import type { BlockRealize, Buffer, For, Stmt } from "../stmt.ts";

/** `a` and `b` are the same variable or the same integer (anything else: not provably equal). */
function sameDim(a: PrimExpr, b: PrimExpr): boolean {
  if (a === b) return true;
  return a.kind === "IntImm" && b.kind === "IntImm" && a.value === b.value;
}

const isZero = (e: PrimExpr) => e.kind === "IntImm" && e.value === 0;
const isPositive = (e: PrimExpr) => e.kind === "IntImm" && e.value > 0;
const isTrue = (e: PrimExpr) => e.kind === "IntImm" && e.value !== 0;
const isConstant = (e: PrimExpr) => e.kind === "IntImm" || e.kind === "FloatImm";

/** Whether `e` loads from `buffer`. */
function loads(e: PrimExpr, buffer: Buffer): boolean {
  let hit = false;
  visit(e, (n) => {
    if (n.kind === "BufferLoad" && n.buffer === buffer) hit = true;
    return !hit;
  });
  return hit;
}

/**
 * The realized block stores every element of `buffer`: its body stores `buffer` at its spatial
 * iterators, one per dimension, each over the whole dimension and bound to a distinct enclosing
 * loop over it; every other enclosing loop runs (positive extent, symbolic ones go to `needs`); a spatial block
 * does not read the buffer, a reduction has an init storing a constant at the same element and
 * positive reduce extents (so the init runs for every element; symbolic ones go to `needs`).
 */
function storesAll(
  r: BlockRealize,
  buffer: Buffer,
  loops: readonly For[],
  needs: PrimExpr[],
): boolean {
  const blk = r.block;
  const body = blk.body;
  if (!isTrue(r.predicate) || body.kind !== "BufferStore" || body.buffer !== buffer) return false;
  if (body.indices.length !== buffer.shape.length) return false;
  const reduce = blk.iterVars.some((iv) => iv.iterKind === "reduce");
  if (reduce) {
    const init = blk.init;
    if (!init || init.kind !== "BufferStore" || init.buffer !== buffer) return false;
    if (!isConstant(init.value) || init.indices.length !== body.indices.length) return false;
    if (!init.indices.every((e, i) => e === body.indices[i])) return false;
    for (const iv of blk.iterVars) {
      if (iv.iterKind === "reduce" && !isPositive(iv.dom.extent)) needs.push(iv.dom.extent);
    }
  } else if (blk.init !== undefined || loads(body.value, buffer)) return false;
  const used = new Set<Var>();
  for (let i = 0; i < body.indices.length; i++) {
    const ix = body.indices[i];
    const k = blk.iterVars.findIndex((iv) => iv.v === ix);
    if (k < 0) return false;
    const iv = blk.iterVars[k];
    const dim = buffer.shape[i];
    if (iv.iterKind !== "spatial" || !isZero(iv.dom.min) || !sameDim(iv.dom.extent, dim)) {
      return false;
    }
    const loop = loops.find((l) => l.loopVar === r.iterValues[k]);
    if (!loop || used.has(loop.loopVar) || !isZero(loop.min) || !sameDim(loop.extent, dim)) {
      return false;
    }
    used.add(loop.loopVar);
  }
  for (const l of loops) if (!used.has(l.loopVar) && !isPositive(l.extent)) needs.push(l.extent);
  return true;
}

/** Whether some block under `s` (reached through loops only) stores every element of `buffer`. */
function search(s: Stmt, buffer: Buffer, loops: For[], needs: PrimExpr[]): boolean {
  switch (s.kind) {
    case "For": {
      loops.push(s);
      const hit = search(s.body, buffer, loops, needs);
      loops.pop();
      return hit;
    }
    case "SeqStmt":
      for (const x of s.seq) {
        const mark = needs.length;
        if (search(x, buffer, loops, needs)) return true;
        needs.length = mark;
      }
      return false;
    case "Allocate":
    case "LetStmt":
      return search(s.body, buffer, loops, needs);
    case "BlockRealize": {
      const blk = s.block;
      if (blk.iterVars.length > 0) return storesAll(s, buffer, loops, needs);
      // an opaque (root-like) block: its body runs once when its predicate holds
      return isTrue(s.predicate) && blk.init === undefined &&
        search(blk.body, buffer, loops, needs);
    }
    default:
      return false;
  }
}

/** A dimension of a buffer parameter: `shape[dim]` of the call's argument `param`. */
export interface DimRef {
  /** Index among the function's buffer parameters. */
  readonly param: number;
  /** Dimension. */
  readonly dim: number;
}

/**
 * The condition under which `f` writes every element of `buffer` (one of its parameters)
 * whatever it held before: undefined if it cannot be shown, else the dimensions of the call's
 * arguments that must be positive (empty: always). A loop or reduction of a symbolic extent
 * runs only when it is positive; one equal to a parameter's dimension is checked at the call.
 *
 * @example
 * ```ts
 * import { compute, createPrimFunc, placeholder, reduceAxis, sizeVar, sum } from "../te.ts";
 * import { fullWriteCondition } from "./full_write.ts";
 * const n = sizeVar("n");
 * const a = placeholder([4, n], "float32", "a");
 * const k = reduceAxis(n, "k");
 * const f = createPrimFunc([a, compute([4], ([i]) => sum(a.at(i, k), [k]), "s")], "rowsum");
 * const when = fullWriteCondition(f, f.params[1] as never);
 * console.assert(when?.length === 1 && when[0].param === 0 && when[0].dim === 1);
 * ```
 */
export function fullWriteCondition(f: PrimFunc, buffer: Buffer): DimRef[] | undefined {
  const needs: PrimExpr[] = [];
  if (!search(f.body, buffer, [], needs)) return undefined;
  const buffers = bufferParams(f);
  const refs: DimRef[] = [];
  for (const e of needs) {
    if (e.kind !== "Var") return undefined;
    const param = buffers.findIndex((b) => b.shape.includes(e));
    if (param < 0) return undefined;
    const ref = { param, dim: buffers[param].shape.indexOf(e) };
    if (!refs.some((r) => r.param === ref.param && r.dim === ref.dim)) refs.push(ref);
  }
  return refs;
}

/**
 * Whether `f` provably writes every element of `buffer` (one of its parameters) whatever the
 * buffer held before, so the caller need not zero it first.
 *
 * @example
 * ```ts
 * import { compute, createPrimFunc, placeholder } from "../te.ts";
 * import { writesEveryElement } from "./full_write.ts";
 * const a = placeholder([4], "float32", "a");
 * const b = compute([4], ([i]) => a.at(i), "b");
 * const f = createPrimFunc([a, b], "copy");
 * console.assert(writesEveryElement(f, f.params[1] as never));
 * ```
 */
export function writesEveryElement(f: PrimFunc, buffer: Buffer): boolean {
  return fullWriteCondition(f, buffer)?.length === 0;
}
