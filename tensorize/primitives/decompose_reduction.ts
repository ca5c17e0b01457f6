/**
 * `decomposeReduction(block, loop)`: split a reduction block's `init` into a block of its own,
 * placed right before `loop`, over copies of the loops between `loop` and the block that drive
 * its spatial variables; the reduction block keeps only the update.
 *
 * ```text
 * for i, j, k:                                 for i:
 *   block C(vi = i, vj = j, vk = k) {     →       for j: block C_init(vi = i, vj = j) { C[vi, vj] = 0 }
 *     init { C[vi, vj] = 0 }                      for j, k: block C(vi = i, vj = j, vk = k) {
 *     C[vi, vj] += A[vi, vk] * B[vk, vj] }          C[vi, vj] += A[vi, vk] * B[vk, vj] }
 * ```
 * (decomposed at `j`). Conjuncts of the block's predicate that use only the copied (or outer)
 * loops guard the init too; those that use only the others are dropped.
 *
 * Legality: a reduction block (`SCHEDULE_NOT_REDUCTION`); `loop` an ancestor of it within its
 * scope (`SCHEDULE_LOOP_NOT_ANCESTOR`); affine bindings and a predicate that separates
 * (`SCHEDULE_NOT_AFFINE`); no loop above `loop` drives a reduction variable
 * (`SCHEDULE_LOOP_TOO_LOW` — the init would run again on each of its iterations); no loop from
 * `loop` down repeats the block without binding a variable (`SCHEDULE_REPEATING_LOOP` — the
 * update would run again on each of its iterations after a single init).
 *
 * @module
 */
import { and, type PrimExpr, type Var, variable } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import {
  block as makeBlock,
  blockRealize,
  bufferRegion,
  forLoop,
  iterVar,
  range,
  seq,
  type Stmt,
  TRUE,
} from "../../ir/stmt.ts";
import { substitute } from "../../ir/transform/mod.ts";
import { bindingProblem, iterKindsOf, repeatsBlock, usesVar } from "../analysis/affine.ts";
import { analyzerFor } from "../analysis/bindings.ts";
import { reductionProblem, scopeBlocks, scopeOf } from "../analysis/dataflow.ts";
import { findBlock, findLoop, loopsAbove, replaceStmt } from "../analysis/find.ts";
import { uniqueBlockName } from "../analysis/stages.ts";
import { hullRegion, loadsOf } from "../analysis/read_regions.ts";
import { replaceStmts } from "../analysis/tree.ts";
import { scheduleError } from "../errors.ts";
import { type InstructionKind, registerInstruction, scriptCall } from "../instruction.ts";
import type { BlockRV, LoopRV } from "../rv.ts";
import { Schedule } from "../schedule.ts";
import { asBlock, asLoop } from "./inputs.ts";

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface DecomposeReductionMethods {
  /**
   * Move a reduction block's init into a new block right before `loop`; returns the new block.
   *
   * @example
   * ```ts ignore
   * const init = sch.decomposeReduction(sch.getBlock("C"), k0);
   * ```
   */
  decomposeReduction(block: BlockRV, loop: LoopRV): BlockRV;
}

function conjuncts(e: PrimExpr): PrimExpr[] {
  if (e.kind === "Binary" && e.op === "and") return [...conjuncts(e.a), ...conjuncts(e.b)];
  return e.kind === "IntImm" && e.value === 1 ? [] : [e];
}

/** Decompose the reduction block `name` of `f` at the loop with variable `loopVar` (pure). */
export function decomposeReductionBlock(
  f: PrimFunc,
  name: string,
  loopVar: Var,
): { func: PrimFunc; block: string } {
  const loc = findBlock(f, name), lloc = findLoop(f, loopVar);
  if (!loc || !lloc) {
    throw scheduleError(f, "SCHEDULE_UNKNOWN_RV", `Cannot find block "${name}" or its loop`);
  }
  const fail = (code: string, why: string, hint?: string) =>
    scheduleError(
      f,
      code,
      `Cannot decompose the reduction of block "${name}" at loop "${loopVar.name}": ${why}`,
      { block: name, loop: loopVar, hint },
    );
  const scope = scopeOf(loc);
  const problem = scope ? reductionProblem(scopeBlocks(scope), loc.block) : "it is the root block";
  if (problem) throw fail("SCHEDULE_NOT_REDUCTION", `it is not a reduction block: ${problem}`);
  const nest = loopsAbove(loc.path);
  const at = nest.indexOf(lloc.loop);
  if (at < 0) {
    throw fail("SCHEDULE_LOOP_NOT_ANCESTOR", "the loop is not one of the block's loops");
  }
  const bad = bindingProblem(f, loc.realize, nest);
  if (bad) throw fail("SCHEDULE_NOT_AFFINE", `its bindings are not affine: ${bad}`);
  const high = nest.slice(0, at).find((l) => iterKindsOf(loc.realize, l.loopVar).reduce);
  if (high) {
    throw fail(
      "SCHEDULE_LOOP_TOO_LOW",
      `loop "${high.loopVar.name}" above it drives a reduction variable`,
      "decompose at a loop above every reduction loop",
    );
  }
  // A loop from `loop` down that binds no variable repeats the update (after a compute-at), which
  // the init inside the block made idempotent; hoisted, the init would run once for them all.
  const repeat = nest.slice(at).find((l) => repeatsBlock(loc.realize, l));
  if (repeat) {
    throw fail(
      "SCHEDULE_REPEATING_LOOP",
      `loop "${repeat.loopVar.name}" binds none of its variables: the update runs again on each of its iterations`,
      "decompose at a loop below it",
    );
  }
  const blk = loc.block, realize = loc.realize;
  const spatial = blk.iterVars.map((iv, k) => ({ iv, value: realize.iterValues[k] }))
    .filter((x) => x.iv.iterKind === "spatial");
  // copies of the loops from `loop` down that drive spatial variables
  const inner = nest.slice(at);
  const kept = inner.filter((l) => spatial.some((s) => usesVar(s.value, l.loopVar)));
  const copy = new Map<Var, PrimExpr>(
    kept.map((l) => [l.loopVar, variable(l.loopVar.name, l.loopVar.dtype)]),
  );
  const dropped = new Set(inner.filter((l) => !kept.includes(l)).map((l) => l.loopVar));
  let predicate: PrimExpr = TRUE;
  for (const c of conjuncts(realize.predicate)) {
    const usesDropped = [...dropped].some((v) => usesVar(c, v));
    const usesKept = kept.some((l) => usesVar(c, l.loopVar));
    if (usesDropped && usesKept) {
      throw fail(
        "SCHEDULE_NOT_AFFINE",
        "a conjunct of its predicate mixes spatial and reduction loops",
      );
    }
    if (!usesDropped) predicate = and(predicate, substitute(c, copy));
  }
  const ivs = spatial.map((s) => iterVar(variable(s.iv.v.name), s.iv.dom, "spatial"));
  const rename = new Map<Var, PrimExpr>(spatial.map((s, k) => [s.iv.v, ivs[k].v]));
  // the init runs where the reduction variables are at their minimum (a blockized block's init
  // may name them, e.g. in an inner predicate): the new block has none, so bind them there
  for (const iv of blk.iterVars) if (iv.iterKind !== "spatial") rename.set(iv.v, iv.dom.min);
  const initBody = substitute(blk.init!, rename);
  const ana = analyzerFor(f);
  const initName = uniqueBlockName(f, `${name}_init`);
  const init = makeBlock({
    name: initName,
    iterVars: ivs,
    reads: [...loadsOf([initBody])].map(([b, list]) => hullRegion(b, list, ana)),
    writes: blk.writes.map((w) =>
      bufferRegion(w.buffer, w.region.map((r) => range(substitute(r.min, rename), r.extent)))
    ),
    body: initBody,
  });
  let initNest: Stmt = blockRealize(spatial.map((s) => substitute(s.value, copy)), predicate, init);
  for (let k = kept.length - 1; k >= 0; k--) {
    const l = kept[k];
    initNest = forLoop(copy.get(l.loopVar) as Var, l.min, l.extent, initNest, {
      kind: l.forKind,
      threadTag: l.threadTag,
      annotations: { ...l.annotations },
    });
  }
  const { init: _dropped, ...rest } = blk;
  const updated = { ...realize, block: { ...rest } };
  const loop = lloc.loop;
  const newLoop = replaceStmt({ ...f, body: loop }, realize, updated).body;
  const func = replaceStmts(f, new Map<Stmt, Stmt>([[loop, seq([initNest, newLoop])]]));
  return { func, block: initName };
}

/** `sch.decomposeReduction(block, loop)`. */
export const DECOMPOSE_REDUCTION: InstructionKind<Record<string, never>> = registerInstruction<
  Record<string, never>
>({
  name: "DecomposeReduction",
  apply(sch, inputs) {
    const block = sch.blockOf(asBlock(sch, inputs[0])).block.name;
    const loop = sch.loopOf(asLoop(sch, inputs[1])).loop.loopVar;
    const { func, block: out } = decomposeReductionBlock(sch.func, block, loop);
    sch.setFunc(func);
    return [sch.newBlockRV(out)];
  },
  toScript: (p) => scriptCall("decomposeReduction", p.inputs, p.outputs, true),
});

Schedule.prototype.decomposeReduction = function (
  this: Schedule,
  block: BlockRV,
  loop: LoopRV,
): BlockRV {
  return this.apply(DECOMPOSE_REDUCTION, [block, loop], {})[0] as BlockRV;
};
