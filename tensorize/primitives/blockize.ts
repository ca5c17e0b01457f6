/**
 * `blockize(loop)`: the loop nest under `loop` (a chain of loops around exactly one block)
 * becomes the body of a new outer block, whose iteration variables cover the loops outside
 * `loop`; the block keeps the loops inside and iterates only their part of each binding. This
 * is the form `tensorize` matches: the inner block is one instance of an intrinsic. TVM's
 * `blockize`.
 *
 * ```text
 * for i_0 in 0..4 {                          for i_0 in 0..4 {
 *   for i_1 in 0..16 {                         block C_o(vi_o: spatial(0..4) = i_0) {
 *     block C(vi: spatial(0..64)        →        reads(A[vi_o * 16 +: 16]) writes(C[vi_o * 16 +: 16])
 *           = i_0 * 16 + i_1) { … }              for i_1 in 0..16 {
 *                                                  block C(vi_i: spatial(0..16) = i_1) { …vi_o * 16 + vi_i… }
 * ```
 *
 * Each binding is divided (`analysis/subspace.ts`) into `outer · E + inner`: bindings over only
 * outer (inner) loops go whole to the outer (inner) block. The outer block's regions are the
 * inner block's relaxed over the inner iteration variables; an outer value that may leave its
 * domain (a non-dividing split) guards the outer block too. The predicate's conjuncts over
 * outer loops only go to the outer block; the others stay on the inner one, with outer loop
 * variables rewritten in terms of the outer block's variables. With a reduction whose outer
 * part is non-trivial, the init moves to the outer block (as a loop nest over the inner spatial
 * loops, block `<name>_init`) and the inner block reads what it writes; when all of the
 * reduction is inside, the inner block keeps its init (the outer block then has no reduction
 * variable to carry one).
 *
 * Legality: exactly one block under the loop, reached through loops only
 * (`SCHEDULE_BLOCKIZE_BLOCKS`); every binding divisible (`SCHEDULE_BLOCKIZE_NOT_DIVISIBLE`).
 *
 * @module
 */
import { detectIterMap, inverseIterMap } from "../../ir/arith/mod.ts";
import type { Analyzer } from "../../ir/arith/mod.ts";
import { add, and, ge, lt, mul, type PrimExpr, type Var, variable } from "../../ir/expr.ts";
import { type Node, visit } from "../../ir/node.ts";
import type { PrimFunc } from "../../ir/func.ts";
import {
  block,
  type BlockRealize,
  blockRealize,
  type For,
  type IterVar,
  iterVar,
  type Range,
  range,
  type Stmt,
  TRUE,
} from "../../ir/stmt.ts";
import { substitute } from "../../ir/transform/mod.ts";
import { structuralEqual } from "../../ir/structural.ts";
import { usesVar } from "../analysis/affine.ts";
import { analyzerFor } from "../analysis/bindings.ts";
import { simplifyAccesses } from "../analysis/buffers.ts";
import { childBlocks, findLoop, loopsAbove, replaceStmt } from "../analysis/find.ts";
import { relaxRegion } from "../../ir/transform/relax.ts";
import { uniqueBlockName } from "../analysis/stages.ts";
import { divideBinding, NotDivisible } from "../analysis/subspace.ts";
import { scheduleError } from "../errors.ts";
import { type InstructionKind, registerInstruction, scriptCall } from "../instruction.ts";
import { Schedule } from "../schedule.ts";
import type { BlockRV, LoopRV } from "../rv.ts";
import { asLoop } from "./inputs.ts";

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface BlockizeMethods {
  /**
   * Make the loop nest under `loop` the body of a new outer block; returns the outer block.
   *
   * @example
   * ```ts ignore
   * const b5 = sch.blockize(l3);
   * ```
   */
  blockize(loop: LoopRV): BlockRV;
}

function conjuncts(e: PrimExpr): PrimExpr[] {
  if (e.kind === "Binary" && e.op === "and") return [...conjuncts(e.a), ...conjuncts(e.b)];
  return e.kind === "IntImm" && e.value === 1 ? [] : [e];
}

function conjoin(es: readonly PrimExpr[]): PrimExpr {
  return es.reduce<PrimExpr>((a, b) => and(a, b), TRUE);
}

/** Blockize the loop with variable `loopVar` of `f` (pure); returns the outer block's name. */
export function blockize(f: PrimFunc, loopVar: Var): { func: PrimFunc; block: string } {
  const loc = findLoop(f, loopVar);
  if (!loc) throw scheduleError(f, "SCHEDULE_UNKNOWN_RV", `Cannot find loop "${loopVar.name}"`);
  const { loop, path } = loc;
  const chain: For[] = [];
  let cur: Stmt = loop;
  while (cur.kind === "For") {
    chain.push(cur);
    cur = cur.body;
  }
  const fail = (code: string, message: string, hint?: string) =>
    scheduleError(f, code, `Cannot blockize loop "${loopVar.name}": ${message}`, {
      loop: loopVar,
      hint,
    });
  if (cur.kind !== "BlockRealize") {
    const names = childBlocks(loop).map((r) => `"${r.block.name}"`);
    throw fail(
      "SCHEDULE_BLOCKIZE_BLOCKS",
      names.length === 1
        ? `block ${names[0]} is not reached through loops only`
        : `it holds ${names.length} blocks${
          names.length ? ` (${names.join(", ")})` : ""
        }, blockize needs exactly one`,
      "blockize a loop whose body is a loop nest around one block",
    );
  }
  const realize: BlockRealize = cur;
  const blk = realize.block;
  const outerLoops = loopsAbove(path);
  const inner = new Set(chain.map((l) => l.loopVar));
  const domains = new Map<Var, Range>(
    [...outerLoops, ...chain].map((l) => [l.loopVar, range(l.min, l.extent)]),
  );
  const ana = analyzerFor(f, [...path, ...chain]);
  const outerIVs: IterVar[] = [], outerVals: PrimExpr[] = [];
  const innerIVs: IterVar[] = [], innerVals: PrimExpr[] = [];
  const subst = new Map<Var, PrimExpr>();
  blk.iterVars.forEach((iv, k) => {
    let d;
    try {
      d = divideBinding(realize.iterValues[k], inner, domains, ana);
    } catch (e) {
      if (!(e instanceof NotDivisible)) throw e;
      throw fail(
        "SCHEDULE_BLOCKIZE_NOT_DIVISIBLE",
        `the binding of "${iv.v.name}" of block "${blk.name}" does not divide between the loops outside and inside it: ${e.message}`,
        "reorder the loops so that the loops inside the blockized one are the low digits",
      );
    }
    const dt = iv.v.dtype;
    if (d.kind === "outer") {
      const vo = iterVar(variable(`${iv.v.name}_o`, dt), iv.dom, iv.iterKind);
      outerIVs.push(vo);
      outerVals.push(d.value);
      subst.set(iv.v, vo.v);
    } else if (d.kind === "inner") {
      const vi = iterVar(variable(`${iv.v.name}_i`, dt), iv.dom, iv.iterKind);
      innerIVs.push(vi);
      innerVals.push(d.value);
      subst.set(iv.v, vi.v);
    } else {
      const vo = iterVar(variable(`${iv.v.name}_o`, dt), range(0, d.outerExtent), iv.iterKind);
      const vi = iterVar(variable(`${iv.v.name}_i`, dt), range(0, d.innerExtent), iv.iterKind);
      outerIVs.push(vo);
      outerVals.push(d.outer);
      innerIVs.push(vi);
      innerVals.push(d.inner);
      subst.set(iv.v, ana.simplify(add(d.base, add(mul(vo.v, d.innerExtent), vi.v))));
    }
  });
  for (const iv of [...outerIVs, ...innerIVs]) ana.bind(iv.v, iv.dom);

  // predicate: conjuncts over outer loops only go out; the others stay, outer loops rewritten
  const outerPred: PrimExpr[] = [], innerPred: PrimExpr[] = [];
  let loopInv: Map<Var, PrimExpr> | undefined;
  for (const c of conjuncts(realize.predicate)) {
    const outerUsed = outerLoops.filter((l) => usesVar(c, l.loopVar));
    if (!chain.some((l) => usesVar(c, l.loopVar))) {
      outerPred.push(c);
      continue;
    }
    if (outerUsed.length === 0) {
      innerPred.push(c);
      continue;
    }
    loopInv ??= invertOuter(outerLoops, outerIVs, outerVals, ana);
    const r = ana.simplify(substitute(c, loopInv));
    if (outerUsed.some((l) => usesVar(r, l.loopVar))) {
      throw fail(
        "SCHEDULE_BLOCKIZE_NOT_DIVISIBLE",
        `the predicate of block "${blk.name}" uses outer loops in a way the outer block's variables cannot express`,
      );
    }
    innerPred.push(r);
  }

  const sub = <T extends Node>(x: T): T => simplifyAccesses(substitute(x, subst), ana);
  const reads = blk.reads.map(sub), writes = blk.writes.map(sub);
  const init = blk.init && sub(blk.init);
  const outerReduce = outerIVs.some((iv) => iv.iterKind === "reduce");
  const moveInit = init !== undefined && outerReduce;
  const innerBlock = block({
    name: blk.name,
    iterVars: innerIVs,
    reads: moveInit
      ? [...writes, ...reads.filter((r) => !writes.some((w) => structuralEqual(w, r)))]
      : reads,
    writes,
    init: moveInit ? undefined : init,
    body: sub(blk.body),
    allocBuffers: blk.allocBuffers,
    annotations: { ...blk.annotations },
  });
  const innerRealize = blockRealize(innerVals, conjoin(innerPred), innerBlock);
  let nest: Stmt = innerRealize;
  for (let k = chain.length - 1; k >= 0; k--) nest = { ...chain[k], body: nest };

  const dom = new Map(innerIVs.map((iv) => [iv.v, iv.dom]));
  const name = uniqueBlockName(f, `${blk.name}_o`);
  const outerBlock = block({
    name,
    iterVars: outerIVs,
    reads: reads.map((r) => relaxRegion(r, dom, ana)),
    writes: writes.map((r) => relaxRegion(r, dom, ana)),
    init: moveInit ? outerInit(f, init!, innerRealize, chain, name) : undefined,
    body: nest,
  });
  // An outer value past its domain (a non-dividing split: `vi_o = i_0` with i_0 in 0..8 over 7)
  // has every inner instance guarded off; guard the outer block too, so it stays in its domain.
  const outerAna = analyzerFor(f, path);
  outerIVs.forEach((iv, k) => {
    const v = outerVals[k], end = add(iv.dom.min, iv.dom.extent);
    if (!outerAna.canProve(ge(v, iv.dom.min))) outerPred.push(ge(v, iv.dom.min));
    if (!outerAna.canProve(lt(v, end))) outerPred.push(lt(v, outerAna.simplify(end)));
  });
  const outer = blockRealize(outerVals, conjoin(outerPred), outerBlock);
  return { func: replaceStmt(f, loop, outer), block: name };
}

/** Outer loop variables in terms of the outer block's variables (for predicates). */
function invertOuter(
  loops: readonly For[],
  ivs: readonly IterVar[],
  vals: readonly PrimExpr[],
  ana: Analyzer,
): Map<Var, PrimExpr> {
  const out = new Map<Var, PrimExpr>();
  const keep = vals.map((v, k) => [v, ivs[k].v] as const).filter(([v]) =>
    loops.some((l) => usesVar(v, l.loopVar))
  );
  for (const [v, iv] of keep) if (v.kind === "Var") out.set(v, iv);
  const used = loops.filter((l) => keep.some(([v]) => usesVar(v, l.loopVar)));
  const r = detectIterMap(
    keep.map(([v]) => v),
    new Map(used.map((l) => [l.loopVar, range(l.min, l.extent)])),
    ana,
  );
  if (r.ok) {
    for (const [v, e] of inverseIterMap(r.indices, keep.map(([, iv]) => iv), ana)) {
      if (!out.has(v)) out.set(v, e);
    }
  }
  return out;
}

/**
 * The outer block's init: the original init in a block `<name>_init` over the inner spatial
 * variables it uses, in copies of the inner loops those bind.
 */
function outerInit(
  f: PrimFunc,
  init: Stmt,
  inner: BlockRealize,
  chain: readonly For[],
  outerName: string,
): Stmt {
  const ib = inner.block;
  const subst = new Map<Var, PrimExpr>();
  const ivs: IterVar[] = [], vals: PrimExpr[] = [];
  ib.iterVars.forEach((iv, k) => {
    if (iv.iterKind !== "spatial" || !usesVarStmt(init, iv.v)) return;
    const nv = variable(`${iv.v.name}_init`, iv.v.dtype);
    subst.set(iv.v, nv);
    ivs.push(iterVar(nv, iv.dom, "spatial"));
    vals.push(inner.iterValues[k]);
  });
  const used = chain.filter((l) =>
    vals.some((v) => usesVar(v, l.loopVar)) || usesVar(inner.predicate, l.loopVar)
  );
  const loopSubst = new Map<Var, PrimExpr>(
    used.map((l) => [l.loopVar, variable(`${l.loopVar.name}_init`, l.loopVar.dtype)]),
  );
  const name = uniqueBlockName(f, outerName.replace(/_o$/, "_init"), [outerName]);
  let s: Stmt = blockRealize(
    vals.map((v) => substitute(v, loopSubst)),
    substitute(inner.predicate, loopSubst),
    block({
      name,
      iterVars: ivs,
      reads: [],
      writes: ib.writes.map((w) => substitute(w, subst)),
      body: substitute(init, subst),
    }),
  );
  for (let k = used.length - 1; k >= 0; k--) {
    const l = used[k];
    s = { ...l, loopVar: loopSubst.get(l.loopVar) as Var, body: s };
  }
  return s;
}

function usesVarStmt(s: Stmt, v: Var): boolean {
  let found = false;
  visit(s, (n) => {
    if (n === v) found = true;
    return !found;
  });
  return found;
}

/** `sch.blockize(loop)`. */
export const BLOCKIZE: InstructionKind<Record<string, never>> = registerInstruction<
  Record<string, never>
>({
  name: "Blockize",
  apply(sch, inputs) {
    const v = sch.loopOf(asLoop(sch, inputs[0])).loop.loopVar;
    const { func, block } = blockize(sch.func, v);
    sch.setFunc(func);
    return [sch.newBlockRV(block)];
  },
  toScript: (p) => scriptCall("blockize", p.inputs, p.outputs, true),
});

Schedule.prototype.blockize = function (this: Schedule, loop: LoopRV): BlockRV {
  return this.apply(BLOCKIZE, [loop], {})[0] as BlockRV;
};
