/**
 * `computeAt(block, loop)` and `reverseComputeAt(block, loop)`: move a producer under a loop of
 * its consumers (or a consumer under a loop of its producers), computing in each iteration of
 * the loop exactly the region the other side needs there.
 *
 * ```text
 * for i, j: block B(vi = i, vj = j) { B[vi, vj] = A[vi, vj] * 2 }
 * for i_0 in 0..4 {                              for i_0 in 0..4 {
 *   for i_1, j: block C(...) { C = B[..] + 1 }  →    for ax0 in 0..4, ax1 in 0..16:
 *                                                     block B(vi = i_0 * 4 + ax0, vj = ax1) …
 *                                                   for i_1, j: block C(...) …
 * ```
 *
 * Region analysis (as TVM): the consumers' read regions (producers' write regions for the
 * reverse) under the loop are relaxed over the loops below it — symbolic intervals in the loops
 * above (`ir/transform/relax.ts`) — and clipped to the buffer; the moved block's write (read)
 * indices must be iteration variables, `v + c` or `v · c`, which gives each variable its new
 * range; other variables keep their domain. New loops `ax0, ax1, …` run over these ranges (a
 * range of extent 1 binds directly unless `preserveUnitLoops`); a range that overruns the
 * variable's domain or has no constant extent gets a predicate, so iteration stays exact.
 *
 * Legality: not the root block (`SCHEDULE_ROOT_BLOCK`); neither the block nor the loop inside a
 * block's init (`SCHEDULE_IN_INIT`); the loop is not an ancestor of the
 * block (`SCHEDULE_LOOP_IS_ANCESTOR`) and is in the block's scope (`SCHEDULE_NOT_SAME_SCOPE`);
 * no block that depends on the moved one (or that it depends on: read-after-write, write-after-read,
 * write-after-write) changes sides (`SCHEDULE_DEPENDENCY_ORDER`); the block is complete or a reduction (`SCHEDULE_NOT_COMPLETE_OR_REDUCTION`); compute_at of a
 * block writing a function parameter is refused (`SCHEDULE_OUTPUT_BLOCK`); every consumer
 * (producer) is under the loop (`SCHEDULE_CONSUMERS_NOT_UNDER_LOOP`,
 * `SCHEDULE_PRODUCERS_NOT_UNDER_LOOP`); for the reverse, neither the loop nor one above it drives
 * a reduction variable of a producer (`SCHEDULE_LOOP_TOO_LOW`); a place exists after the producers and before the
 * consumers under the loop (which block order guarantees); regions can be bounded
 * (`SCHEDULE_REGION_UNBOUNDED`) and mapped back (`SCHEDULE_REGION_PATTERN`); for the reverse,
 * the iterations over the loop cover the whole original domain (`SCHEDULE_REGION_NOT_COVERED`);
 * the block's predicate, unless its domains imply it, is rewritten over its iteration variables
 * and kept (`SCHEDULE_PREDICATE_NOT_MOVABLE` when it names a loop left behind otherwise); a
 * reduction block is not put where a loop binding none of its variables would repeat its update
 * inside a loop driving a reduction variable (`SCHEDULE_REPEATING_LOOP`).
 *
 * @module
 */
import type { Analyzer } from "../../ir/arith/mod.ts";
import { add, floordiv, ge, int, le, type PrimExpr, sub, type Var } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { visit } from "../../ir/node.ts";
import {
  type Block,
  type BlockRealize,
  type Buffer,
  type For,
  seq,
  type Stmt,
} from "../../ir/stmt.ts";
import { type Interval, relaxExpr, unionInterval } from "../../ir/transform/mod.ts";
import { iterKindsOf, predicateOverIterVars, repeatInsideReduction } from "../analysis/affine.ts";
import { analyzerFor, simplifyBindings } from "../analysis/bindings.ts";
import {
  blocksWithPaths,
  type Box,
  completeProblem,
  consumersOf,
  contains,
  enclosingInit,
  loopsBelow,
  producersOf,
  rangesOf,
  reads,
  reductionProblem,
  relaxRegion,
  scopeBlocks,
  scopeOf,
  scopeOutputProblem,
  writes,
} from "../analysis/dataflow.ts";
import { findBlock, findLoop } from "../analysis/find.ts";
import { nestOver } from "../analysis/nest.ts";
import { removalRoot, replaceStmts, stmtsOf } from "../analysis/tree.ts";
import { scheduleError } from "../errors.ts";
import { type InstructionKind, literal, registerInstruction, scriptCall } from "../instruction.ts";
import type { BlockRV, LoopRV } from "../rv.ts";
import { Schedule } from "../schedule.ts";
import { asBlock, asLoop } from "./inputs.ts";

/** Options of `computeAt` and `reverseComputeAt`. */
export interface ComputeAtOptions {
  /** Keep loops of extent 1 (default false: bind such variables directly). */
  readonly preserveUnitLoops?: boolean;
}

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface ComputeAtMethods {
  /**
   * Move a producer block under a loop of its consumers, computing per iteration the region
   * they need there.
   *
   * @example
   * ```ts ignore
   * const b = sch.getBlock("B");
   * const [i0] = sch.getLoops(sch.getBlock("C"));
   * sch.computeAt(b, i0);
   * ```
   */
  computeAt(block: BlockRV, loop: LoopRV, options?: ComputeAtOptions): void;
  /**
   * Move a consumer block under a loop of its producers, computing per iteration what they
   * produced there (e.g. the write-back of a `cacheWrite` under a tile loop).
   *
   * @example
   * ```ts ignore
   * sch.reverseComputeAt(sch.getBlock("C_local"), j0);
   * ```
   */
  reverseComputeAt(block: BlockRV, loop: LoopRV, options?: ComputeAtOptions): void;
}

/**
 * Move block `name` of `f` under the loop with variable `loopVar` (pure): `reverse` false is
 * compute_at (the block is a producer of blocks under the loop), true is reverse_compute_at.
 */
export function computeAtLoop(
  f: PrimFunc,
  name: string,
  loopVar: Var,
  reverse: boolean,
  preserveUnitLoops = false,
): PrimFunc {
  const what = reverse ? "reverse-compute" : "compute";
  const loc = findBlock(f, name);
  const lloc = findLoop(f, loopVar);
  if (!loc || !lloc) {
    throw scheduleError(f, "SCHEDULE_UNKNOWN_RV", `Cannot find block "${name}" or its loop`);
  }
  const loop = lloc.loop;
  const head = `Cannot ${what} block "${name}" at loop "${loopVar.name}"`;
  const fail = (code: string, why: string, hint?: string) =>
    scheduleError(f, code, `${head}: ${why}`, { block: name, loop: loopVar, hint });
  const scope = scopeOf(loc);
  if (!scope) throw fail("SCHEDULE_ROOT_BLOCK", "it is the root block");
  const init = enclosingInit(loc.path, loc.realize) ?? enclosingInit(lloc.path, loop);
  if (init) {
    throw fail(
      "SCHEDULE_IN_INIT",
      `the ${
        enclosingInit(loc.path, loc.realize) ? "block" : "loop"
      } is in the init of block "${init.name}", which runs only on its reduction's first iteration`,
      "decomposeReduction first: the init becomes a block of its own",
    );
  }
  if (loc.path.includes(loop)) {
    throw fail("SCHEDULE_LOOP_IS_ANCESTOR", "the loop is an ancestor of the block");
  }
  const loopScope = [...lloc.path].reverse().find((s) => s.kind === "Block");
  if (loopScope !== scope.block) {
    throw fail(
      "SCHEDULE_NOT_SAME_SCOPE",
      `the loop is not in the scope of block "${scope.block.name}"`,
    );
  }
  const blocks = scopeBlocks(scope);
  const block = loc.block;
  const complete = completeProblem(blocks, block), reduction = reductionProblem(blocks, block);
  if (complete && reduction) {
    throw fail(
      "SCHEDULE_NOT_COMPLETE_OR_REDUCTION",
      `it is neither a complete block (${complete}) nor a reduction block (${reduction})`,
    );
  }
  if (!reverse) {
    const out = block.writes.map((w) => scopeOutputProblem(f, scope, w.buffer)).find((p) => p);
    if (out) {
      throw fail(
        "SCHEDULE_OUTPUT_BLOCK",
        out,
        "compute_at moves producers of intermediate buffers; use reverseComputeAt on the consumer",
      );
    }
  }
  const producers = producersOf(blocks, block), consumers = consumersOf(blocks, block);
  const required = reverse ? producers : consumers;
  const outside = required.filter((r) => !contains(loop, r));
  if (outside.length > 0) {
    const role = reverse ? "producer" : "consumer";
    throw fail(
      reverse ? "SCHEDULE_PRODUCERS_NOT_UNDER_LOOP" : "SCHEDULE_CONSUMERS_NOT_UNDER_LOOP",
      `its ${role}${outside.length > 1 ? "s" : ""} ${
        outside.map((r) => `"${r.block.name}"`).join(", ")
      } ${outside.length > 1 ? "are" : "is"} not under the loop`,
    );
  }
  if (reverse) {
    // A producer whose reduction is driven by the loop (or a loop above it) is not done yet.
    const outer = [...lloc.path.slice(scope.path.length), loop].filter((s): s is For =>
      s.kind === "For"
    );
    for (const p of producers) {
      const l = outer.find((o) => iterKindsOf(p, o.loopVar).reduce);
      if (l) {
        throw fail(
          "SCHEDULE_LOOP_TOO_LOW",
          `loop "${l.loopVar.name}" drives a reduction variable of its producer "${p.block.name}", which is not finished in an iteration`,
        );
      }
    }
  }
  // Every block that depends on the moved one (or it on them) keeps its side of it: the blocks
  // outside the loop by the loop's place in the scope, those under it by the insertion point
  // (after the last earlier one, before the first later one).
  const children = stmtsOf(loop.body);
  const at = blocks.findIndex((r) => r.block === block);
  const loopAt = blocks.findIndex((r) => contains(loop, r));
  const dependents = blocks.filter((r, k) => k !== at && conflicts(block, r.block));
  for (const r of dependents) {
    if (contains(loop, r)) continue;
    const k = blocks.indexOf(r);
    if ((k < at) !== (k < loopAt)) {
      throw fail(
        "SCHEDULE_DEPENDENCY_ORDER",
        `block "${r.block.name}" ${
          k < at ? "runs before" : "runs after"
        } it and depends on it (or it on that block), but ${k < at ? "after" : "before"} the loop`,
      );
    }
  }
  const holds = (earlier: boolean) => (c: Stmt) =>
    dependents.some((r) => (blocks.indexOf(r) < at) === earlier && contains(c, r));
  const lastEarlier = children.findLastIndex(holds(true));
  let firstConsumer = children.findIndex(holds(false));
  if (firstConsumer < 0) firstConsumer = children.length;
  if (lastEarlier >= firstConsumer) {
    throw fail(
      "SCHEDULE_DEPENDENCY_ORDER",
      "under the loop, a block that must run after it precedes one that must run before it",
    );
  }
  const ana = analyzerFor(f, [...lloc.path, loop]);
  const need = requiredRegions(f, block, required, loop, reverse, ana);
  if (typeof need === "string") throw fail("SCHEDULE_REGION_UNBOUNDED", need);
  const doms = iterDomains(block, need, reverse, ana);
  if (typeof doms === "string") {
    throw fail("SCHEDULE_REGION_PATTERN", doms, "index the buffer by iteration variables");
  }
  if (reverse) {
    const gap = coverageGap(f, block, doms, lloc.path, loop, scope.path.length, ana);
    if (gap) throw fail("SCHEDULE_REGION_NOT_COVERED", gap);
  }
  // The block's own predicate (a non-dividing split, rfactor's guard) moves with it, written
  // over its iteration variables since the loops it names are left behind.
  const kept = new Set([...lloc.path, loop]);
  const gone = new Set(
    loc.path.flatMap((s) => s.kind === "For" && !kept.has(s) ? [s.loopVar] : []),
  );
  const guard = predicateOverIterVars(loc.realize, gone, ana);
  if (!guard) {
    throw fail(
      "SCHEDULE_PREDICATE_NOT_MOVABLE",
      "its predicate uses loops it leaves in a way no iteration variable's binding expresses",
    );
  }
  const nest = simplifyBindings(nestOver(block, doms, guard, preserveUnitLoops, ana), ana);
  if (block.init) {
    // A loop above the new place that binds none of its variables repeats the reduction, which
    // its init makes idempotent only from outside every loop driving a reduction variable.
    const moved = blocksWithPaths(nest)[0].realize;
    const above = [...lloc.path.slice(scope.path.length), loop].filter((s): s is For =>
      s.kind === "For"
    );
    const bad = repeatInsideReduction(moved, above);
    if (bad) {
      throw fail(
        "SCHEDULE_REPEATING_LOOP",
        `loop "${bad.repeat.loopVar.name}" would repeat its update inside loop "${bad.reduce.loopVar.name}", which drives a reduction variable`,
      );
    }
  }
  const stmts = [...children];
  stmts.splice(firstConsumer, 0, nest);
  const newLoop: For = { ...loop, body: seq(stmts) };
  return replaceStmts(f, new Map<Stmt, Stmt | null>([[loop, newLoop], [removalRoot(loc), null]]));
}

/** Whether `a` and `b` access a common buffer and one of them writes it. */
function conflicts(a: Block, b: Block): boolean {
  return a.writes.some((w) => reads(b, w.buffer) || writes(b, w.buffer)) ||
    b.writes.some((w) => reads(a, w.buffer));
}

/**
 * Per buffer the block provides (writes; reads for the reverse), the union of what the blocks
 * under the loop require of it, relaxed over their loops below the loop and clipped to the
 * buffer. A message when a region has no bound.
 */
function requiredRegions(
  f: PrimFunc,
  block: Block,
  others: readonly BlockRealize[],
  loop: For,
  reverse: boolean,
  ana: Analyzer,
): Map<Buffer, Box> | string {
  const out = new Map<Buffer, Box>();
  const provided = reverse ? block.reads : block.writes;
  for (const other of others) {
    const loc = findBlock(f, other.block.name)!;
    const relax = rangesOf(loopsBelow(loc.path, loop));
    const regions = reverse ? other.block.writes : other.block.reads;
    for (const r of regions) {
      if (!provided.some((p) => p.buffer === r.buffer)) continue;
      const box = relaxRegion(loc.realize, r, relax, ana);
      if (!box) {
        return `the region of buffer "${r.buffer.name}" that block "${other.block.name}" accesses has no bound`;
      }
      const clipped = box.map((d, k) => clip(d, int(0, d.lo.dtype), r.buffer.shape[k], ana));
      const prev = out.get(r.buffer);
      out.set(r.buffer, prev ? prev.map((d, k) => unionInterval(d, clipped[k], ana)) : clipped);
    }
  }
  return out;
}

/**
 * `[lo, hi]` clipped to `[0, extent)` where an end is provably outside; an end that may or may
 * not be is kept (the moved block's predicate then guards its domain), so extents stay constant.
 */
function clip(d: Interval, lo0: PrimExpr, extent: PrimExpr, ana: Analyzer): Interval {
  const last = ana.simplify(sub(extent, int(1, extent.dtype)));
  const lo = !ana.canProve(ge(d.lo, lo0)) && ana.canProve(le(d.lo, lo0)) ? lo0 : d.lo;
  const hi = !ana.canProve(le(d.hi, last)) && ana.canProve(ge(d.hi, last)) ? last : d.hi;
  return { lo, hi };
}

/** The new range of each iteration variable (undefined: its whole domain), or a message. */
function iterDomains(
  block: Block,
  need: ReadonlyMap<Buffer, Box>,
  reverse: boolean,
  ana: Analyzer,
): (Interval | undefined)[] | string {
  const index = new Map(block.iterVars.map((iv, k) => [iv.v, k]));
  const cands: (Interval | undefined)[] = block.iterVars.map(() => undefined);
  const provided = reverse ? block.reads : block.writes;
  for (const p of provided) {
    const box = need.get(p.buffer);
    if (!box) continue;
    for (let d = 0; d < box.length; d++) {
      const r = p.region[d];
      const m = matchIndex(r.min, index);
      if (m === "none") continue;
      const point = r.extent.kind === "IntImm" && r.extent.value === 1;
      if (m === "other" || !point) {
        return `its ${
          reverse ? "read" : "write"
        } of buffer "${p.buffer.name}" is not indexed by an iteration variable (plus or times a constant) in dimension ${d}`;
      }
      const { k, offset, scale } = m;
      const { lo, hi } = box[d];
      const got: Interval = scale === 1
        ? { lo: ana.simplify(sub(lo, offset)), hi: ana.simplify(sub(hi, offset)) }
        : {
          lo: ana.simplify(floordiv(add(sub(lo, offset), scale - 1), scale)),
          hi: ana.simplify(floordiv(sub(hi, offset), scale)),
        };
      cands[k] = cands[k] ? unionInterval(cands[k]!, got, ana) : got;
    }
  }
  return cands;
}

type IndexMatch = "none" | "other" | { k: number; offset: PrimExpr; scale: number };

/** `v`, `v + c`, `c + v`, `v - c`, `v * c` for an iteration variable v and constant c. */
function matchIndex(e: PrimExpr, index: ReadonlyMap<Var, number>): IndexMatch {
  let any = false;
  visit(e, (n) => {
    if (n.kind === "Var" && index.has(n)) any = true;
  });
  if (!any) return "none";
  const zero = int(0, e.dtype);
  if (e.kind === "Var") return { k: index.get(e)!, offset: zero, scale: 1 };
  if (e.kind !== "Binary") return "other";
  const isVar = (x: PrimExpr): x is Var => x.kind === "Var" && index.has(x);
  const isConst = (x: PrimExpr) => x.kind === "IntImm";
  if (e.op === "add" && isVar(e.a) && isConst(e.b)) {
    return { k: index.get(e.a)!, offset: e.b, scale: 1 };
  }
  if (e.op === "add" && isVar(e.b) && isConst(e.a)) {
    return { k: index.get(e.b)!, offset: e.a, scale: 1 };
  }
  if (e.op === "sub" && isVar(e.a) && isConst(e.b)) {
    return { k: index.get(e.a)!, offset: sub(zero, e.b), scale: 1 };
  }
  if (e.op === "mul" && isVar(e.a) && e.b.kind === "IntImm" && e.b.value > 0) {
    return { k: index.get(e.a)!, offset: zero, scale: e.b.value };
  }
  if (e.op === "mul" && isVar(e.b) && e.a.kind === "IntImm" && e.a.value > 0) {
    return { k: index.get(e.b)!, offset: zero, scale: e.a.value };
  }
  return "other";
}

/** For the reverse: the new ranges, over all iterations of the loops, reach the whole domain. */
function coverageGap(
  f: PrimFunc,
  block: Block,
  doms: readonly (Interval | undefined)[],
  pathToLoop: readonly Stmt[],
  loop: For,
  scopeDepth: number,
  ana: Analyzer,
): string | undefined {
  const outer = [...pathToLoop.slice(scopeDepth), loop].filter((s): s is For => s.kind === "For");
  // A loop that may run no iteration (`for ax0 in 0..2 - vi_o`) would skip the block entirely;
  // `ana` cannot tell (a bound loop is taken to be non-empty), so ask one that knows only the
  // scope and the loops above each.
  const bare = analyzerFor(f, pathToLoop.slice(0, scopeDepth));
  for (const l of outer) {
    if (!bare.canProve(ge(l.extent, 1))) {
      return `loop "${l.loopVar.name}" may run no iteration, and the block would not run at all`;
    }
    bare.bind(l.loopVar, { min: l.min, extent: l.extent });
  }
  const relax = rangesOf(outer);
  for (let k = 0; k < doms.length; k++) {
    const d = doms[k];
    if (!d) continue;
    const iv = block.iterVars[k];
    const last = sub(add(iv.dom.min, iv.dom.extent), int(1, iv.dom.min.dtype));
    const lo = relaxExpr(d.lo, relax, ana), hi = relaxExpr(d.hi, relax, ana);
    if (!lo || !hi || !ana.canProve(le(lo.lo, iv.dom.min)) || !ana.canProve(ge(hi.hi, last))) {
      return `over all iterations of the loop, its producers do not reach all of "${iv.v.name}"'s domain`;
    }
  }
  return undefined;
}

interface Attrs {
  preserveUnitLoops: boolean;
}

function instruction(name: string, method: string, reverse: boolean): InstructionKind<Attrs> {
  return registerInstruction<Attrs>({
    name,
    apply(sch, inputs, attrs) {
      const block = sch.blockOf(asBlock(sch, inputs[0])).block.name;
      const loop = sch.loopOf(asLoop(sch, inputs[1])).loop.loopVar;
      sch.setFunc(computeAtLoop(sch.func, block, loop, reverse, attrs.preserveUnitLoops));
      return [];
    },
    toScript: (p) =>
      scriptCall(
        method,
        p.attrs.preserveUnitLoops ? [...p.inputs, literal({ preserveUnitLoops: true })] : p.inputs,
        [],
      ),
  });
}

/** `sch.computeAt(block, loop, options)`. */
export const COMPUTE_AT: InstructionKind<Attrs> = instruction("ComputeAt", "computeAt", false);
/** `sch.reverseComputeAt(block, loop, options)`. */
export const REVERSE_COMPUTE_AT: InstructionKind<Attrs> = instruction(
  "ReverseComputeAt",
  "reverseComputeAt",
  true,
);

Schedule.prototype.computeAt = function (
  this: Schedule,
  block: BlockRV,
  loop: LoopRV,
  options: ComputeAtOptions = {},
): void {
  this.apply(COMPUTE_AT, [block, loop], { preserveUnitLoops: options.preserveUnitLoops ?? false });
};

Schedule.prototype.reverseComputeAt = function (
  this: Schedule,
  block: BlockRV,
  loop: LoopRV,
  options: ComputeAtOptions = {},
): void {
  this.apply(REVERSE_COMPUTE_AT, [block, loop], {
    preserveUnitLoops: options.preserveUnitLoops ?? false,
  });
};
