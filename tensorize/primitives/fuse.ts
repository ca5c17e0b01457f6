/**
 * `fuse(...loops)`: a perfect nest of loops (each the whole body of the previous, outermost
 * first) becomes one loop over the product of their extents; each old variable is recovered with
 * `floordiv`/`floormod` of the fused one.
 *
 * ```text
 * for i in 0..4 {                    for i_j_fused in 0..32 {
 *   for j in 0..8 {           →        block B(vi = i_j_fused // 8, vj = i_j_fused % 8) …
 *     block B(vi = i, vj = j) …
 * ```
 *
 * Legality: no loop twice (`SCHEDULE_DUPLICATE_LOOP`); each loop the whole body of the one
 * before (`SCHEDULE_NOT_ADJACENT`); no loop's range using another's variable
 * (`SCHEDULE_DEPENDENT_EXTENT`).
 *
 * @module
 */
import { add, floordiv, floormod, mul, type PrimExpr, type Var, variable } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { type For, forLoop } from "../../ir/stmt.ts";
import { substitute } from "../../ir/transform/mod.ts";
import { analyzerFor, simplifyBindings } from "../analysis/bindings.ts";
import { usesVar } from "../analysis/affine.ts";
import { findLoop, replaceStmt } from "../analysis/find.ts";
import { scheduleError } from "../errors.ts";
import { type InstructionKind, registerInstruction, scriptCall } from "../instruction.ts";
import { Schedule } from "../schedule.ts";
import type { LoopRV } from "../rv.ts";
import { asLoops } from "./inputs.ts";

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface FuseMethods {
  /**
   * Fuse a perfect nest of loops (outermost first) into one loop; returns it.
   *
   * @example
   * ```ts ignore
   * const l3 = sch.fuse(l1, l2);
   * ```
   */
  fuse(...loops: LoopRV[]): LoopRV;
}

/** Check `vars` are distinct; `SCHEDULE_DUPLICATE_LOOP` otherwise. */
export function checkDistinct(f: PrimFunc, vars: readonly Var[], action: string): void {
  const seen = new Set<Var>();
  for (const v of vars) {
    if (seen.has(v)) {
      throw scheduleError(
        f,
        "SCHEDULE_DUPLICATE_LOOP",
        `Cannot ${action}: loop "${v.name}" is given twice`,
        { loop: v },
      );
    }
    seen.add(v);
  }
}

/** Fuse the loops with variables `vars` (outermost first) of `f` (pure). */
export function fuseLoops(f: PrimFunc, vars: readonly Var[]): { func: PrimFunc; loop: Var } {
  checkDistinct(f, vars, "fuse loops");
  const first = findLoop(f, vars[0]);
  if (!first) throw scheduleError(f, "SCHEDULE_UNKNOWN_RV", `Cannot find loop "${vars[0].name}"`);
  const loops: For[] = [first.loop];
  for (let k = 1; k < vars.length; k++) {
    const prev = loops[k - 1], body = prev.body;
    if (body.kind !== "For" || body.loopVar !== vars[k]) {
      throw scheduleError(
        f,
        "SCHEDULE_NOT_ADJACENT",
        `Cannot fuse loops "${prev.loopVar.name}" and "${vars[k].name}": "${
          vars[k].name
        }" is not the whole body of "${prev.loopVar.name}"`,
        { loop: prev.loopVar, hint: "fuse loops that are directly nested, outermost first" },
      );
    }
    loops.push(body);
  }
  for (const l of loops) {
    for (const o of loops) {
      if (o !== l && (usesVar(l.min, o.loopVar) || usesVar(l.extent, o.loopVar))) {
        throw scheduleError(
          f,
          "SCHEDULE_DEPENDENT_EXTENT",
          `Cannot fuse loop "${l.loopVar.name}": its range depends on loop "${o.loopVar.name}"`,
          { loop: l.loopVar },
        );
      }
    }
  }
  const ana = analyzerFor(f, first.path);
  const dtype = vars[0].dtype;
  const fv = variable(`${vars.map((v) => v.name).join("_")}_fused`, dtype);
  const map = new Map<Var, PrimExpr>();
  let stride: PrimExpr | undefined;
  for (let k = loops.length - 1; k >= 0; k--) {
    const l = loops[k];
    const q = stride === undefined ? fv : floordiv(fv, stride);
    map.set(l.loopVar, add(l.min, k === 0 ? q : floormod(q, l.extent)));
    stride = stride === undefined ? l.extent : mul(stride, l.extent);
  }
  const extent = ana.simplify(stride!);
  const body = substitute(loops[loops.length - 1].body, map);
  const fused = simplifyBindings(forLoop(fv, 0, extent, body), ana);
  return { func: replaceStmt(f, first.loop, fused), loop: fv };
}

/** `sch.fuse(...loops)`. */
export const FUSE: InstructionKind<Record<string, never>> = registerInstruction<
  Record<string, never>
>({
  name: "Fuse",
  apply(sch, inputs) {
    const vars = asLoops(sch, inputs[0]).map((rv) => sch.loopOf(rv).loop.loopVar);
    const { func, loop } = fuseLoops(sch.func, vars);
    sch.setFunc(func);
    return [sch.newLoopRV(loop)];
  },
  toScript: (p) => scriptCall("fuse", [p.inputs[0].slice(1, -1)], p.outputs, true),
});

Schedule.prototype.fuse = function (this: Schedule, ...loops: LoopRV[]): LoopRV {
  return this.apply(FUSE, [loops], {})[0] as LoopRV;
};
