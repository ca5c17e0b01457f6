/**
 * `reorder(...loops)`: put loops of one perfect nest in the given order; loops of the nest that
 * are not named keep their places.
 *
 * ```text
 * for i in 0..4 {              for j in 0..8 {
 *   for j in 0..8 {     →        for i in 0..4 {
 *     block B(vi = i, vj = j)      block B(vi = i, vj = j)
 * ```
 *
 * Legality: no loop twice (`SCHEDULE_DUPLICATE_LOOP`); the loops on one nest
 * (`SCHEDULE_NOT_NESTED`); every loop from the outermost to the innermost given has exactly one
 * loop as its body (`SCHEDULE_NOT_PERFECT_NEST`); no range depends on another loop of the nest
 * (`SCHEDULE_DEPENDENT_EXTENT`); the blocks under have affine bindings (`SCHEDULE_NOT_AFFINE`);
 * and no loop of the nest is bound to both a spatial and a reduction variable of a reduction
 * block (`SCHEDULE_REORDER_ITER_TYPE`) — the init of a reduction runs when its reduction
 * variables are at their minimum, which is the first iteration for its spatial point in any loop
 * order only if no loop mixes the two; a loop that repeats a reduction block without binding a
 * variable stays outside the loops driving its reduction (`SCHEDULE_REPEATING_LOOP`).
 *
 * @module
 */
import type { Var } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import type { For, Stmt } from "../../ir/stmt.ts";
import { bindingProblem, iterKindsOf, repeatInsideReduction, usesVar } from "../analysis/affine.ts";
import {
  blocksUnderWithLoops,
  findLoop,
  type LoopLocation,
  loopsAbove,
  replaceStmt,
} from "../analysis/find.ts";
import { scheduleError } from "../errors.ts";
import { type InstructionKind, registerInstruction, scriptCall } from "../instruction.ts";
import { Schedule } from "../schedule.ts";
import type { LoopRV } from "../rv.ts";
import { checkDistinct } from "./fuse.ts";
import { asLoops } from "./inputs.ts";

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface ReorderMethods {
  /**
   * Reorder loops of one perfect nest into the given order (unnamed loops keep their places).
   *
   * @example
   * ```ts ignore
   * sch.reorder(l3, l1);
   * ```
   */
  reorder(...loops: LoopRV[]): void;
}

/** Reorder the loops with variables `vars` of `f` into that order (pure). */
export function reorderLoops(f: PrimFunc, vars: readonly Var[]): PrimFunc {
  checkDistinct(f, vars, "reorder loops");
  const locs = vars.map((v) => {
    const loc = findLoop(f, v);
    if (!loc) throw scheduleError(f, "SCHEDULE_UNKNOWN_RV", `Cannot find loop "${v.name}"`);
    return loc;
  });
  const byDepth = [...locs].sort((a, b) => a.path.length - b.path.length);
  const top = byDepth[0], bottom = byDepth[byDepth.length - 1];
  for (let k = 1; k < byDepth.length; k++) {
    if (!byDepth[k].path.includes(byDepth[k - 1].loop)) {
      throw scheduleError(
        f,
        "SCHEDULE_NOT_NESTED",
        `Cannot reorder loops "${byDepth[k - 1].loop.loopVar.name}" and "${
          byDepth[k].loop.loopVar.name
        }": neither is inside the other`,
        { loop: byDepth[k].loop.loopVar, hint: "reorder loops of one loop nest" },
      );
    }
  }
  const chain = nestChain(f, top, bottom);
  checkNest(f, chain);
  const given = new Set(vars);
  const order = [...vars];
  const loops = chain.map((l) => (given.has(l.loopVar) ? order.shift()! : l.loopVar));
  if (loops.every((v, k) => v === chain[k].loopVar)) return f;
  checkRepeats(f, chain, loops);
  const byVar = new Map(chain.map((l) => [l.loopVar, l]));
  let body: Stmt = chain[chain.length - 1].body;
  for (let k = loops.length - 1; k >= 0; k--) body = { ...byVar.get(loops[k])!, body };
  return replaceStmt(f, top.loop, body);
}

/** The loops from `top` down to `bottom`, each the whole body of the one before. */
function nestChain(f: PrimFunc, top: LoopLocation, bottom: LoopLocation): For[] {
  const chain: For[] = [top.loop];
  while (chain[chain.length - 1] !== bottom.loop) {
    const last = chain[chain.length - 1];
    if (last.body.kind !== "For") {
      throw scheduleError(
        f,
        "SCHEDULE_NOT_PERFECT_NEST",
        `Cannot reorder across loop "${last.loopVar.name}": its body is a ${last.body.kind}, not a single loop`,
        { loop: last.loopVar, hint: "only loops of a perfect nest can be reordered" },
      );
    }
    chain.push(last.body);
  }
  return chain;
}

function checkNest(f: PrimFunc, chain: readonly For[]): void {
  for (const l of chain) {
    for (const o of chain) {
      if (o !== l && (usesVar(l.min, o.loopVar) || usesVar(l.extent, o.loopVar))) {
        throw scheduleError(
          f,
          "SCHEDULE_DEPENDENT_EXTENT",
          `Cannot reorder loop "${l.loopVar.name}": its range depends on loop "${o.loopVar.name}"`,
          { loop: l.loopVar },
        );
      }
    }
  }
  const above = loopsAbove(findLoop(f, chain[0].loopVar)!.path);
  for (const { realize, loops } of blocksUnderWithLoops(chain[0])) {
    const inner = loops.length > 0 && loops[0] === chain[0] ? [...above, ...loops] : loops;
    const problem = bindingProblem(f, realize, inner);
    if (problem !== undefined) {
      throw scheduleError(
        f,
        "SCHEDULE_NOT_AFFINE",
        `Cannot reorder loops above block "${realize.block.name}": its bindings are not affine (${problem})`,
        { block: realize.block.name },
      );
    }
    if (!realize.block.init) continue;
    for (const l of chain) {
      const kinds = iterKindsOf(realize, l.loopVar);
      if (kinds.spatial && kinds.reduce) {
        throw scheduleError(
          f,
          "SCHEDULE_REORDER_ITER_TYPE",
          `Cannot reorder loop "${l.loopVar.name}": it binds both spatial and reduction variables of block "${realize.block.name}"`,
          { loop: l.loopVar, block: realize.block.name },
        );
      }
    }
  }
}

/**
 * A loop that binds no variable of a reduction block (left by a compute-at that recomputes the
 * whole reduction per iteration) repeats it, which its init makes idempotent only while the loop
 * stays outside every loop driving a reduction variable: moved inside one, the update would run
 * again on each repetition without the init in between.
 */
function checkRepeats(f: PrimFunc, chain: readonly For[], order: readonly Var[]): void {
  const loops = order.map((v) => chain.find((c) => c.loopVar === v)!);
  for (const { realize } of blocksUnderWithLoops(chain[0])) {
    const bad = realize.block.init && repeatInsideReduction(realize, loops);
    if (bad) {
      const v = bad.repeat.loopVar;
      throw scheduleError(
        f,
        "SCHEDULE_REPEATING_LOOP",
        `Cannot reorder loop "${v.name}" inside loop "${bad.reduce.loopVar.name}": it repeats block "${realize.block.name}" without binding a variable, and each repetition would update the reduction again`,
        { loop: v, block: realize.block.name },
      );
    }
  }
}

/** `sch.reorder(...loops)`. */
export const REORDER: InstructionKind<Record<string, never>> = registerInstruction<
  Record<string, never>
>({
  name: "Reorder",
  apply(sch, inputs) {
    const vars = asLoops(sch, inputs[0]).map((rv) => sch.loopOf(rv).loop.loopVar);
    sch.setFunc(reorderLoops(sch.func, vars));
    return [];
  },
  toScript: (p) => scriptCall("reorder", [p.inputs[0].slice(1, -1)], []),
});

Schedule.prototype.reorder = function (this: Schedule, ...loops: LoopRV[]): void {
  this.apply(REORDER, [loops], {});
};
