/**
 * The canonical form matching compares: what a block computes as one store (and its init) over
 * a box of iteration variables, with unit variables and unit loops dropped, every variable
 * starting at 0, indices simplified and cast chains collapsed. Loop order is gone by
 * construction — the form speaks of iteration variables, not loops.
 *
 * Two views of a block:
 * - **instance**: what one execution of the block computes. For a block from `blockize`, the
 *   loops inside it around its one inner block must enumerate the inner block's iteration box
 *   once (each non-unit variable bound to its own loop); the iterators are the inner block's
 *   variables, and the outer block's variables are constants. A leaf block is one point.
 * - **domain**: what the block computes over its whole iteration domain (a leaf block's own
 *   variables are the iterators) — the view auto-tensorization tiles.
 *
 * @module
 */
import { Analyzer } from "../../ir/arith/mod.ts";
import { add, isConst, type PrimExpr, sub, type Var, variable } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { sizeVars } from "../../ir/func.ts";
import { rewrite } from "../../ir/node.ts";
import {
  type Block,
  type BlockRealize,
  type BufferStore,
  bufferStore,
  type For,
  type IterKind,
  type IterVar,
  type Stmt,
} from "../../ir/stmt.ts";
import { substitute } from "../../ir/transform/mod.ts";
import { childBlocks, findBlock } from "../analysis/find.ts";
import { normalizeValue } from "./normalize.ts";

/** An iterator of the canonical form: a variable over `[0, extent)`. */
export interface Iter {
  /** The variable (a block iteration variable, or a fresh one when its domain was shifted). */
  readonly v: Var;
  /** Its extent (constant or symbolic). */
  readonly extent: PrimExpr;
  /** Spatial or reduction. */
  readonly kind: IterKind;
  /** The block iteration variable it stands for. */
  readonly source: Var;
}

/** A block's computation in canonical form. */
export interface Einsum {
  /** The leaf block whose store this is. */
  readonly leaf: Block;
  /** Non-unit iterators, in the leaf block's order. */
  readonly iters: readonly Iter[];
  /** The store, indices simplified, value normalised. */
  readonly store: BufferStore;
  /** The init store of a reduction, normalised likewise. */
  readonly init?: BufferStore;
  /** An analyzer knowing the iterators' ranges (and sizes ≥ 0). */
  readonly ana: Analyzer;
}

/** Why a block has no canonical form. */
export interface EinsumProblem {
  /** A `TENSORIZE_*` code. */
  readonly code: string;
  /** What is wrong, to follow "Cannot tensorize block "X": ". */
  readonly message: string;
}

/** True if `x` is a problem rather than a form. */
export function isProblem(x: Einsum | EinsumProblem): x is EinsumProblem {
  return "code" in x;
}

function unsupported(message: string): EinsumProblem {
  return { code: "TENSORIZE_UNSUPPORTED_BLOCK", message };
}

/** A single `BufferStore` (an init or body), or undefined. */
function singleStore(s: Stmt | undefined): BufferStore | undefined {
  return s?.kind === "BufferStore" ? s : undefined;
}

/**
 * Build the form from a leaf block and its iterators: `subst` replaces unit and shifted
 * variables; indices are simplified under the iterators' ranges, values normalised.
 */
function formOf(
  f: PrimFunc,
  leaf: Block,
  iters: Iter[],
  subst: Map<Var, PrimExpr>,
  outer: readonly IterVar[],
): Einsum | EinsumProblem {
  const body = singleStore(leaf.body);
  if (!body) {
    return unsupported(`its body is not a single store (${leaf.body.kind}); matching needs one`);
  }
  if (leaf.init !== undefined && !singleStore(leaf.init)) {
    return unsupported(`its init is not a single store (${leaf.init.kind})`);
  }
  const ana = new Analyzer();
  for (const v of sizeVars(f)) ana.markNonNegative(v);
  for (const iv of outer) ana.bind(iv.v, iv.dom);
  for (const it of iters) ana.bind(it.v, { min: 0, extent: it.extent });
  const canon = (s: BufferStore): BufferStore => {
    const t = substitute(s, subst);
    const value = rewrite(normalizeValue(t.value), {
      post: (n) =>
        n.kind === "BufferLoad" ? { ...n, indices: n.indices.map((i) => ana.simplify(i)) } : n,
    });
    return bufferStore(t.buffer, value, t.indices.map((i) => ana.simplify(i)));
  };
  return {
    leaf,
    iters,
    store: canon(body),
    init: leaf.init ? canon(leaf.init as BufferStore) : undefined,
    ana,
  };
}

/** Iterators for a block's own variables: unit ones substituted, others shifted to start at 0. */
function ownIters(blk: Block, subst: Map<Var, PrimExpr>): Iter[] {
  const iters: Iter[] = [];
  for (const iv of blk.iterVars) {
    const { min, extent } = iv.dom;
    if (isConst(extent, 1)) {
      subst.set(iv.v, min);
      continue;
    }
    let v = iv.v;
    if (!isConst(min, 0)) {
      v = variable(`${iv.v.name}_s`, iv.v.dtype);
      subst.set(iv.v, add(v, min));
    }
    iters.push({ v, extent, kind: iv.iterKind, source: iv.v });
  }
  return iters;
}

/**
 * The domain view of leaf block `name` of `f` (its own variables iterate).
 *
 * @example
 * ```ts
 * import { domainEinsum } from "./einsum.ts";
 * import { matmulFunc } from "../testing.ts";
 * const e = domainEinsum(matmulFunc(), "C");
 * console.assert(!("code" in e) && e.iters.length === 3);
 * ```
 */
export function domainEinsum(f: PrimFunc, name: string): Einsum | EinsumProblem {
  const loc = findBlock(f, name);
  if (!loc) return unsupported(`there is no block "${name}"`);
  if (childBlocks(loc.block.body).length > 0) {
    return unsupported(`it holds other blocks; match its inner block, or tensorize it as is`);
  }
  const subst = new Map<Var, PrimExpr>();
  const iters = ownIters(loc.block, subst);
  return formOf(f, loc.block, iters, subst, []);
}

/**
 * The instance view of block `name` of `f`: what one execution computes (see the module doc).
 */
export function instanceEinsum(f: PrimFunc, name: string): Einsum | EinsumProblem {
  const loc = findBlock(f, name);
  if (!loc) return unsupported(`there is no block "${name}"`);
  const blk = loc.block;
  const outerIVs = enclosingIterVars(loc.path, blk);
  if (childBlocks(blk.body).length === 0) {
    const subst = new Map<Var, PrimExpr>();
    return formOf(f, blk, [], subst, outerIVs);
  }
  const loops: For[] = [];
  let cur: Stmt = blk.body;
  while (cur.kind === "For") {
    loops.push(cur);
    cur = cur.body;
  }
  if (cur.kind !== "BlockRealize") {
    return unsupported(
      `its body is not a loop nest around one block (found ${cur.kind} inside the loops)`,
    );
  }
  const inner: BlockRealize = cur;
  if (childBlocks(inner.block.body).length > 0) {
    return unsupported(`its inner block "${inner.block.name}" holds blocks itself`);
  }
  const subst = new Map<Var, PrimExpr>();
  const ana = new Analyzer();
  for (const v of sizeVars(f)) ana.markNonNegative(v);
  for (const iv of outerIVs) ana.bind(iv.v, iv.dom);
  const free = new Map<Var, For>();
  for (const l of loops) {
    ana.bind(l.loopVar, { min: l.min, extent: l.extent });
    if (isConst(l.extent, 1)) subst.set(l.loopVar, l.min);
    else free.set(l.loopVar, l);
  }
  const pred = ana.simplify(substitute(inner.predicate, subst));
  if (!isConst(pred, 1)) {
    return {
      code: "TENSORIZE_PREDICATE",
      message:
        `its inner block "${inner.block.name}" is guarded by a predicate, so some points of the tile do not run; an intrinsic computes whole tiles`,
    };
  }
  const bodySubst = new Map<Var, PrimExpr>();
  const iters = ownIters(inner.block, bodySubst);
  const used = new Set<Var>();
  for (let k = 0; k < inner.block.iterVars.length; k++) {
    const iv = inner.block.iterVars[k];
    if (isConst(iv.dom.extent, 1)) continue;
    const b = ana.simplify(substitute(inner.iterValues[k], subst));
    const off = ana.simplify(sub(b, iv.dom.min));
    const loop = off.kind === "Var" ? free.get(off) : undefined;
    if (
      !loop || used.has(off as Var) || !isConst(loop.min, 0) ||
      !ana.canProveEqual(loop.extent, iv.dom.extent)
    ) {
      return unsupported(
        `the binding of "${iv.v.name}" of its inner block "${inner.block.name}" is not one loop over the variable's domain`,
      );
    }
    used.add(off as Var);
  }
  const spare = [...free.keys()].find((v) => !used.has(v));
  if (spare) {
    return unsupported(
      `loop "${spare.name}" inside it drives none of its inner block's variables, so the block would run more than once per tile`,
    );
  }
  return formOf(f, inner.block, iters, bodySubst, outerIVs);
}

/** The iteration variables of the block itself and of the blocks enclosing it. */
function enclosingIterVars(path: readonly Stmt[], blk: Block): IterVar[] {
  const out: IterVar[] = [];
  for (const s of path) if (s.kind === "Block") out.push(...s.iterVars);
  out.push(...blk.iterVars);
  return out;
}
