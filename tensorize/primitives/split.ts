/**
 * `split(loop, factors)`: one loop becomes a nest of loops whose extents are the factors
 * (outermost first). One factor may be left out (`undefined`, or -1) and is then inferred as
 * `ceil(extent / product of the others)`. Factors may be numbers, sampled values or expressions
 * over the function's sizes. When the factors' product is not provably the extent, the blocks
 * under the loop get the predicate `fused < extent`, so iteration stays exact (as in TVM).
 *
 * ```text
 * for i in 0..10 {                         for i_0 in 0..3 {
 *   block B(vi: spatial(0..10) = i) …  →     for i_1 in 0..4 {
 *                                              block B(vi: spatial(0..10) = i_0 * 4 + i_1)
 *                                                where i_0 * 4 + i_1 < 10 …
 * ```
 *
 * Legality: at most one factor inferred; every factor positive; the product provably at least
 * the extent (`SCHEDULE_SPLIT_FACTORS`).
 *
 * @module
 */
import {
  add,
  cast,
  floordiv,
  int,
  lt,
  mul,
  type PrimExpr,
  sub,
  type Var,
  variable,
} from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { formatExpr } from "../../ir/arith/mod.ts";
import { forLoop, type Stmt } from "../../ir/stmt.ts";
import { substitute } from "../../ir/transform/mod.ts";
import { findLoop, replaceStmt } from "../analysis/find.ts";
import { addPredicate, analyzerFor, simplifyBindings } from "../analysis/bindings.ts";
import { scheduleError } from "../errors.ts";
import {
  type InstrInput,
  type InstructionKind,
  registerInstruction,
  scriptCall,
} from "../instruction.ts";
import { Schedule } from "../schedule.ts";
import type { ExprRV, LoopRV } from "../rv.ts";
import { asList, asLoop, asValue } from "./inputs.ts";

/** A split factor: a number, a sampled value, an expression, or `undefined`/-1 to infer. */
export type SplitFactor = number | ExprRV | PrimExpr | undefined | null;

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface SplitMethods {
  /**
   * Split a loop into a nest whose extents are `factors` (outermost first); one factor may be
   * `undefined` (or -1) to infer. Returns the new loops, outermost first.
   *
   * @example
   * ```ts ignore
   * const [l2, l3] = sch.split(l1, [undefined, 16]);
   * ```
   */
  split(loop: LoopRV, factors: readonly SplitFactor[]): LoopRV[];
}

/**
 * Split the loop with variable `loopVar` of `f` (pure); returns the new function and the new
 * loop variables, outermost first.
 */
export function splitLoop(
  f: PrimFunc,
  loopVar: Var,
  factors: readonly (number | PrimExpr | undefined)[],
): { func: PrimFunc; loops: Var[] } {
  const loc = findLoop(f, loopVar);
  if (!loc) throw scheduleError(f, "SCHEDULE_UNKNOWN_RV", `Cannot find loop "${loopVar.name}"`);
  const { loop, path } = loc;
  const ana = analyzerFor(f, path);
  const dtype = loopVar.dtype;
  const fail = (message: string, hint?: string) =>
    scheduleError(f, "SCHEDULE_SPLIT_FACTORS", message, { loop: loopVar, hint });
  const name = `loop "${loopVar.name}"`;
  if (factors.length === 0) throw fail(`Cannot split ${name}: no factors given`);
  const given = factors.map((x) => (x === -1 ? undefined : x));
  const holes = given.filter((x) => x === undefined).length;
  if (holes > 1) {
    throw fail(`Cannot split ${name}: ${holes} factors to infer, at most one may be`);
  }
  const exprs: (PrimExpr | undefined)[] = given.map((x) =>
    x === undefined ? undefined : typeof x === "number" ? int(x, dtype) : castTo(x, dtype)
  );
  for (const e of exprs) {
    if (e !== undefined && ana.canProve(lt(e, 1))) {
      throw fail(`Cannot split ${name}: factor ${formatExpr(e)} is not positive`);
    }
  }
  const known = exprs.filter((e): e is PrimExpr => e !== undefined)
    .reduce<PrimExpr>((p, e) => mul(p, e), int(1, dtype));
  const E = loop.extent;
  const extents = exprs.map((e) => e ?? ana.simplify(floordiv(sub(add(E, known), 1), known)));
  const product = ana.simplify(extents.reduce((p, e) => mul(p, e)));
  if (holes === 0 && !ana.canProve(lt(E, add(product, 1)))) {
    const less = ana.canProve(lt(product, E));
    throw fail(
      less
        ? `Cannot split ${name}: factors multiply to ${formatExpr(product)}, less than its extent ${
          formatExpr(E)
        }`
        : `Cannot split ${name}: cannot prove that factors multiplying to ${
          formatExpr(product)
        } cover its extent ${formatExpr(E)}`,
      "leave one factor undefined to infer it",
    );
  }
  const vars = extents.map((_, k) => variable(`${loopVar.name}_${k}`, dtype));
  let fused: PrimExpr = int(0, dtype);
  vars.forEach((v, k) => {
    fused = k === 0 ? v : add(mul(fused, extents[k]), v);
  });
  let body: Stmt = substitute(loop.body, new Map([[loopVar, add(loop.min, fused)]]));
  if (!ana.canProveEqual(product, E)) body = addPredicate(body, lt(fused, E));
  let nest: Stmt = body;
  for (let k = vars.length - 1; k >= 0; k--) {
    nest = forLoop(vars[k], int(0, dtype), extents[k], nest);
  }
  nest = simplifyBindings(nest, ana);
  return { func: replaceStmt(f, loop, nest), loops: vars };
}

function castTo(e: PrimExpr, dtype: PrimExpr["dtype"]): PrimExpr {
  return e.dtype === dtype ? e : cast(dtype, e);
}

/** `sch.split(loop, factors)`. */
export const SPLIT: InstructionKind<Record<string, never>> = registerInstruction<
  Record<string, never>
>({
  name: "Split",
  apply(sch, inputs) {
    const loop = asLoop(sch, inputs[0]);
    const factors = asList(sch, inputs[1]).map((x) => asValue(sch, x));
    const v = sch.loopOf(loop).loop.loopVar;
    const { func, loops } = splitLoop(sch.func, v, factors);
    sch.setFunc(func);
    return loops.map((l) => sch.newLoopRV(l));
  },
  toScript: (p) => scriptCall("split", p.inputs, p.outputs),
});

Schedule.prototype.split = function (
  this: Schedule,
  loop: LoopRV,
  factors: readonly SplitFactor[],
): LoopRV[] {
  const fs = factors.map((x) => (x === undefined ? null : x)) as InstrInput[];
  return this.apply(SPLIT, [loop, fs], {}) as LoopRV[];
};
