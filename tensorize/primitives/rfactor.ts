/**
 * `rfactor(loop, factorAxis)`: turn a reduction over `loop` into a spatial axis of partial
 * results (TVM's rfactor). The block under `loop` becomes `<block>_rf`, which reduces into a
 * new buffer `<buffer>_rf` with an extra dimension at `factorAxis` indexed by `loop`; the block
 * itself (same name) follows as the write-back, reducing `<buffer>_rf` over that dimension.
 *
 * ```text
 * for i, k_0, k_1:                              for i, k_0, k_1:
 *   block B(vi = i, vk = k_0*4 + k_1) {           block B_rf(vi = i, vk_0 = k_0, vk_1 = k_1) {
 *     init { B[vi] = 0 }                   →        init { B_rf[vi, vk_0] = 0 }
 *     B[vi] += A[vi, vk] }                          B_rf[vi, vk_0] += A[vi, vk_0*4 + vk_1] }
 *   (rfactor(k_0, 1))                           for i, k_0:
 *                                                 block B(vi = i, vk_0: reduce = k_0) {
 *                                                   init { B[vi] = 0 }  B[vi] += B_rf[vi, vk_0] }
 * ```
 *
 * The rf block has one iteration variable per loop of its nest (the reduction variables'
 * bindings become expressions of them); the write-back runs over copies of the spatial loops
 * and of `loop`. Conjuncts of the predicate over the copied loops guard the write-back as they
 * are; those that also use the other reduction loops guard it with these at their minimum, so it
 * reads only partials some rf instance initialised (a non-dividing split of the reduction).
 *
 * Legality: a single block under the loop, alone in its loop nest (`SCHEDULE_RFACTOR_NEST`); a
 * reduction block (`SCHEDULE_NOT_REDUCTION`) with affine bindings (`SCHEDULE_NOT_AFFINE`);
 * `loop` drives reduction variables only, and no loop drives both kinds
 * (`SCHEDULE_RFACTOR_LOOP`); the update is `x = x ∘ e` with ∘ ∈ {+, ·, min, max} and the init
 * its identity (`SCHEDULE_RFACTOR_REDUCER`); predicate conjuncts over the other reduction loops are
 * bounds increasing in them (`SCHEDULE_RFACTOR_PREDICATE`); `factorAxis` in `[-(r+1), r]` for a buffer of rank
 * r (`SCHEDULE_BAD_ARGUMENT`).
 *
 * @module
 */
import type { Analyzer } from "../../ir/arith/mod.ts";
import { intRange, isFloat } from "../../ir/dtype.ts";
import {
  binary,
  type BinaryOp,
  bufferLoad,
  ge,
  int,
  type PrimExpr,
  sub,
  type Var,
  variable,
} from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import {
  block as makeBlock,
  type BlockRealize,
  blockRealize,
  type Buffer,
  bufferRegion,
  bufferStore,
  decl,
  type For,
  forLoop,
  type IterVar,
  iterVar,
  range,
  seq,
  type Stmt,
  TRUE,
} from "../../ir/stmt.ts";
import { structuralEqual } from "../../ir/structural.ts";
import { substitute } from "../../ir/transform/mod.ts";
import { and } from "../../ir/expr.ts";
import { bindingProblem, iterKindsOf, usesVar } from "../analysis/affine.ts";
import { analyzerFor } from "../analysis/bindings.ts";
import { reductionProblem, scopeBlocks, scopeOf } from "../analysis/dataflow.ts";
import { blocksUnder, findBlock, findLoop, loopsAbove } from "../analysis/find.ts";
import { uniqueBlockName, uniqueBufferName } from "../analysis/stages.ts";
import { hullRegion, loadsOf } from "../analysis/read_regions.ts";
import { replaceStmts } from "../analysis/tree.ts";
import { scheduleError } from "../errors.ts";
import { type InstructionKind, literal, registerInstruction, scriptCall } from "../instruction.ts";
import type { BlockRV, LoopRV } from "../rv.ts";
import { Schedule } from "../schedule.ts";
import { asLoop } from "./inputs.ts";

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface RfactorMethods {
  /**
   * Factor the reduction over `loop` into partial results along a new axis of a new buffer
   * (at `factorAxis`); returns the block computing the partial results.
   *
   * @example
   * ```ts ignore
   * const rf = sch.rfactor(k0, 0);
   * ```
   */
  rfactor(loop: LoopRV, factorAxis: number): BlockRV;
}

const COMBINERS: readonly BinaryOp[] = ["add", "mul", "min", "max"];

/** Whether `v` is the identity of `op` (0, 1, +∞ or the dtype's maximum, −∞ or its minimum). */
function isIdentity(op: BinaryOp, v: PrimExpr): boolean {
  if (v.kind !== "IntImm" && v.kind !== "FloatImm") return false;
  const x = v.value;
  if (op === "add") return x === 0;
  if (op === "mul") return x === 1;
  const [lo, hi] = isFloat(v.dtype) ? [-Infinity, Infinity] : intRange(v.dtype).map(Number);
  return x === (op === "min" ? hi : lo);
}

function conjuncts(e: PrimExpr): PrimExpr[] {
  if (e.kind === "Binary" && e.op === "and") return [...conjuncts(e.a), ...conjuncts(e.b)];
  return e.kind === "IntImm" && e.value === 1 ? [] : [e];
}

/**
 * `lhs < rhs` (or `≤`, or the mirrored `>`/`≥`) with the loops `others` at their minimum, when
 * `rhs` does not use them and `lhs` provably does not decrease in them (so the conjunct holds for
 * some of their values iff it holds at the minimum); undefined otherwise.
 */
function atMinimum(c: PrimExpr, others: readonly For[], ana: Analyzer): PrimExpr | undefined {
  if (c.kind !== "Binary") return undefined;
  const flip = c.op === "gt" || c.op === "ge";
  if (!flip && c.op !== "lt" && c.op !== "le") return undefined;
  const lhs = flip ? c.b : c.a, rhs = flip ? c.a : c.b;
  if (others.some((l) => usesVar(rhs, l.loopVar))) return undefined;
  const min = new Map<Var, PrimExpr>(others.map((l) => [l.loopVar, l.min]));
  const lhsMin = substitute(lhs, min);
  if (!ana.canProve(ge(sub(lhs, lhsMin), int(0, lhs.dtype)))) return undefined;
  const op = c.op === "gt" ? "lt" : c.op === "ge" ? "le" : c.op;
  return binary(op, lhsMin, rhs);
}

/** Rfactor the loop with variable `loopVar` of `f` at `factorAxis` (pure). */
export function rfactorLoop(
  f: PrimFunc,
  loopVar: Var,
  factorAxis: number,
): { func: PrimFunc; block: string } {
  const lloc = findLoop(f, loopVar);
  if (!lloc) throw scheduleError(f, "SCHEDULE_UNKNOWN_RV", `Cannot find loop "${loopVar.name}"`);
  const L = lloc.loop;
  const under = blocksUnder(L);
  const fail = (code: string, why: string, block?: string, hint?: string) =>
    scheduleError(f, code, `Cannot rfactor loop "${loopVar.name}": ${why}`, {
      loop: loopVar,
      block,
      hint,
    });
  if (under.length !== 1) {
    throw fail("SCHEDULE_RFACTOR_NEST", `${under.length} blocks are under it, need exactly one`);
  }
  const loc = findBlock(f, under[0].block.name)!;
  const blk = loc.block, realize = loc.realize, name = blk.name;
  const scope = scopeOf(loc);
  const problem = scope ? reductionProblem(scopeBlocks(scope), blk) : "it is the root block";
  if (problem) {
    throw fail("SCHEDULE_NOT_REDUCTION", `block "${name}" is not a reduction: ${problem}`, name);
  }
  const nest = loopsAbove(loc.path);
  if (blocksUnder(nest[0]).length !== 1) {
    throw fail(
      "SCHEDULE_RFACTOR_NEST",
      `the loop nest of block "${name}" holds other blocks too`,
      name,
    );
  }
  const bad = bindingProblem(f, realize, nest);
  if (bad) {
    throw fail(
      "SCHEDULE_NOT_AFFINE",
      `block "${name}" has bindings that are not affine: ${bad}`,
      name,
    );
  }
  for (const l of nest) {
    const kinds = iterKindsOf(realize, l.loopVar);
    if (l === L && (!kinds.reduce || kinds.spatial)) {
      throw fail("SCHEDULE_RFACTOR_LOOP", "it does not drive only reduction variables", name);
    }
    if (kinds.reduce && kinds.spatial) {
      throw fail(
        "SCHEDULE_RFACTOR_LOOP",
        `loop "${l.loopVar.name}" drives both spatial and reduction variables`,
        name,
      );
    }
  }
  // the reducer: x = x ∘ rhs, init x = identity(∘)
  const body = blk.body, init = blk.init;
  const v = body.kind === "BufferStore" ? body.value : undefined;
  const store = body.kind === "BufferStore" ? body : undefined;
  const isSelf = (e: PrimExpr) =>
    e.kind === "BufferLoad" && e.buffer === store?.buffer &&
    e.indices.every((x, k) => structuralEqual(x, store!.indices[k]));
  const rhs = v?.kind === "Binary" && COMBINERS.includes(v.op)
    ? isSelf(v.a) ? v.b : isSelf(v.b) ? v.a : undefined
    : undefined;
  const op = v?.kind === "Binary" ? v.op : "add";
  if (
    !store || !rhs || !init || init.kind !== "BufferStore" || init.buffer !== store.buffer ||
    !isIdentity(op, init.value)
  ) {
    throw fail(
      "SCHEDULE_RFACTOR_REDUCER",
      `block "${name}" is not "x = x ∘ e" with ∘ one of +, ·, min, max and init its identity`,
      name,
    );
  }
  const X = store.buffer, rank = store.indices.length;
  const axis = factorAxis < 0 ? factorAxis + rank + 1 : factorAxis;
  if (!Number.isInteger(axis) || axis < 0 || axis > rank) {
    throw fail(
      "SCHEDULE_BAD_ARGUMENT",
      `factor axis ${factorAxis} is outside [${-(rank + 1)}, ${rank}] for buffer "${X.name}"`,
    );
  }
  const rfName = uniqueBlockName(f, `${name}_rf`);
  const rfShape = [...X.shape];
  rfShape.splice(axis, 0, L.extent);
  const XR = decl(uniqueBufferName(f, `${X.name}_rf`), rfShape, X.dtype, { scope: X.scope });
  const at = (idx: readonly PrimExpr[], r: PrimExpr) => {
    const out = [...idx];
    out.splice(axis, 0, r);
    return out;
  };
  const ana = analyzerFor(f);

  // rf block: spatial variables renamed, one variable per reduction loop (L spatial)
  const spatial = blk.iterVars.map((iv, k) => ({ iv, k })).filter((x) =>
    x.iv.iterKind === "spatial"
  );
  const rename = new Map<Var, PrimExpr>();
  const rfVars: IterVar[] = [];
  const rfValues: PrimExpr[] = [];
  for (const { iv, k } of spatial) {
    const nv = iterVar(variable(iv.v.name, iv.v.dtype), iv.dom, "spatial");
    rename.set(iv.v, nv.v);
    rfVars.push(nv);
    rfValues.push(realize.iterValues[k]);
  }
  const reduceLoops = nest.filter((l) => iterKindsOf(realize, l.loopVar).reduce);
  const loopToVar = new Map<Var, PrimExpr>();
  for (const l of reduceLoops) {
    const nv = iterVar(
      variable(`v${l.loopVar.name}`, l.loopVar.dtype),
      range(l.min, l.extent),
      l === L ? "spatial" : "reduce",
    );
    loopToVar.set(l.loopVar, nv.v);
    rfVars.push(nv);
    rfValues.push(l.loopVar);
  }
  blk.iterVars.forEach((iv, k) => {
    if (iv.iterKind === "reduce") rename.set(iv.v, substitute(realize.iterValues[k], loopToVar));
  });
  const rIdx = at(store.indices.map((e) => substitute(e, rename)), loopToVar.get(L.loopVar)!);
  const rRhs = substitute(rhs, rename);
  const acc = bufferLoad(XR, rIdx);
  const rfBody = bufferStore(XR, binary(op, acc, rRhs), rIdx);
  const rfBlock = makeBlock({
    name: rfName,
    iterVars: rfVars,
    reads: [
      bufferRegion(XR, rIdx.map((e) => range(e, 1))),
      ...[...loadsOf([bufferStore(XR, rRhs, rIdx)])]
        .filter(([b]) => b !== XR).map(([b, list]) => hullRegion(b, list, ana)),
    ],
    writes: [bufferRegion(XR, rIdx.map((e) => range(e, 1)))],
    init: bufferStore(XR, init.value, rIdx),
    body: rfBody,
    annotations: { ...blk.annotations },
  });
  const rfRealize = blockRealize(rfValues, realize.predicate, rfBlock);

  // write-back: copies of the spatial loops and of L
  const copied = nest.filter((l) => l === L || iterKindsOf(realize, l.loopVar).spatial);
  const copy = new Map<Var, PrimExpr>(
    copied.map((l) => [l.loopVar, variable(l.loopVar.name, l.loopVar.dtype)]),
  );
  const wbVars: IterVar[] = [], wbValues: PrimExpr[] = [];
  const wbRename = new Map<Var, PrimExpr>();
  for (const { iv, k } of spatial) {
    const nv = iterVar(variable(iv.v.name, iv.v.dtype), iv.dom, "spatial");
    wbRename.set(iv.v, nv.v);
    wbVars.push(nv);
    wbValues.push(substitute(realize.iterValues[k], copy));
  }
  const vr = iterVar(
    variable(`v${L.loopVar.name}`, L.loopVar.dtype),
    range(L.min, L.extent),
    "reduce",
  );
  wbVars.push(vr);
  wbValues.push(copy.get(L.loopVar)!);
  const wIdx = store.indices.map((e) => substitute(e, wbRename));
  const partial = bufferLoad(XR, at(wIdx, vr.v));
  const wb = makeBlock({
    name,
    iterVars: wbVars,
    reads: [
      bufferRegion(X, wIdx.map((e) => range(e, 1))),
      bufferRegion(XR, at(wIdx, vr.v).map((e) => range(e, 1))),
    ],
    writes: [bufferRegion(X, wIdx.map((e) => range(e, 1)))],
    init: bufferStore(X, init.value, wIdx),
    body: bufferStore(X, binary(op, bufferLoad(X, wIdx), partial), wIdx),
    annotations: { ...blk.annotations },
  });
  // Conjuncts over the copied loops guard the write-back as they are; one that also uses other
  // loops guards it at their minimum: a partial is read only if some instance of the rf block
  // wrote (initialised) it, which holds at the minimum for a bound increasing in those loops.
  const copiedVars = new Set(copied.map((l) => l.loopVar));
  const others = nest.filter((l) => !copiedVars.has(l.loopVar));
  const nestAna = analyzerFor(f, loc.path);
  let predicate: PrimExpr = TRUE;
  for (const c of conjuncts(realize.predicate)) {
    if (others.every((l) => !usesVar(c, l.loopVar))) {
      predicate = and(predicate, substitute(c, copy));
      continue;
    }
    const g = atMinimum(c, others, nestAna);
    if (!g) {
      throw fail(
        "SCHEDULE_RFACTOR_PREDICATE",
        `the predicate of block "${name}" is not a bound increasing in the loops it reduces over, so which partial results are written is unknown`,
        name,
      );
    }
    predicate = and(predicate, substitute(g, copy));
  }
  let wbNest: Stmt = blockRealize(wbValues, predicate, wb);
  for (let k = copied.length - 1; k >= 0; k--) {
    const l = copied[k];
    wbNest = forLoop(copy.get(l.loopVar) as Var, l.min, l.extent, wbNest);
  }
  const top: For = nest[0];
  const newTop =
    replaceStmts({ ...f, body: top }, new Map<Stmt, Stmt>([[realize, rfRealize]])).body;
  let func = replaceStmts(f, new Map<Stmt, Stmt>([[top, seq([newTop, wbNest])]]));
  func = allocIn(func, scope!.block.name, XR);
  return { func, block: rfName };
}

function allocIn(f: PrimFunc, blockName: string, buf: Buffer): PrimFunc {
  const s = findBlock(f, blockName)!;
  const r: BlockRealize = {
    ...s.realize,
    block: { ...s.block, allocBuffers: [...s.block.allocBuffers, buf] },
  };
  return replaceStmts(f, new Map<Stmt, Stmt>([[s.realize, r]]));
}

/** `sch.rfactor(loop, factorAxis)`. */
export const RFACTOR: InstructionKind<{ factorAxis: number }> = registerInstruction<
  { factorAxis: number }
>({
  name: "RFactor",
  apply(sch, inputs, attrs) {
    const loop = sch.loopOf(asLoop(sch, inputs[0])).loop.loopVar;
    const { func, block } = rfactorLoop(sch.func, loop, attrs.factorAxis);
    sch.setFunc(func);
    return [sch.newBlockRV(block)];
  },
  toScript: (p) =>
    scriptCall("rfactor", [p.inputs[0], literal(p.attrs.factorAxis)], p.outputs, true),
});

Schedule.prototype.rfactor = function (this: Schedule, loop: LoopRV, factorAxis: number): BlockRV {
  return this.apply(RFACTOR, [loop], { factorAxis })[0] as BlockRV;
};
