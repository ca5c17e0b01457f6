/**
 * `transformBlockLayout(block, indexMap)`: remap a block's iteration space (TVM's
 * `transform_block_layout`). The map takes the block's iteration variables; its outputs become
 * the new iteration variables, each over its own new loop (`ax0, ax1, …`, serial), and the body
 * reads the old variables through the map's inverse.
 *
 * ```text
 * for i in 0..4 { for j in 0..8 {               for ax0 in 0..32 {
 *   block B(vi = i, vj = j) { B[vi, vj] … }  →    block B(v0 = ax0) { B[v0 // 8, v0 %% 8] … }
 * ```
 * with the map `(i, j) => [i * 8 + j]`.
 *
 * Legality: the block's bindings are its own loops one to one (each loop binds one variable,
 * ranges equal, minimum 0, no predicate) and those loops hold only this block
 * (`SCHEDULE_BLOCK_LAYOUT_LOOPS`); the map is a bijection of the iteration box
 * (`SCHEDULE_INDEX_MAP`); no output mixes spatial and reduction variables
 * (`SCHEDULE_BLOCK_LAYOUT_MIXED`).
 *
 * @module
 */
import { type PrimExpr, type Var, variable } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { blockRealize, forLoop, type IterVar, iterVar, range, type Stmt } from "../../ir/stmt.ts";
import { substitute } from "../../ir/transform/mod.ts";
import { usesVar } from "../analysis/affine.ts";
import { analyzerFor } from "../analysis/bindings.ts";
import { simplifyAccesses } from "../analysis/buffers.ts";
import { blocksUnder, findBlock, loopsAbove, replaceStmt } from "../analysis/find.ts";
import { scheduleError } from "../errors.ts";
import type { IndexMap, IndexMapLike } from "../index_map.ts";
import { indexMapText } from "../index_map.ts";
import { type InstructionKind, literal, registerInstruction, scriptCall } from "../instruction.ts";
import { Schedule } from "../schedule.ts";
import type { BlockRV } from "../rv.ts";
import { asBlock } from "./inputs.ts";
import { mapAt, mapError } from "./transform_layout.ts";

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface TransformBlockLayoutMethods {
  /**
   * Remap the iteration space of `block` by an index map over its iteration variables.
   *
   * @example
   * ```ts ignore
   * sch.transformBlockLayout(b0, "(i, j) => [i * 8 + j]");
   * ```
   */
  transformBlockLayout(block: BlockRV, map: IndexMapLike): void;
}

/** Remap the iteration space of block `blockName` of `f` (pure). */
export function transformBlockLayout(f: PrimFunc, blockName: string, map: IndexMap): PrimFunc {
  const loc = findBlock(f, blockName);
  if (!loc) throw scheduleError(f, "SCHEDULE_NO_BLOCK", `Cannot find block "${blockName}"`);
  const { realize, block: blk, path } = loc;
  const action = `Cannot transform the iteration space of block "${blockName}"`;
  const fail = (code: string, why: string, hint?: string) =>
    scheduleError(f, code, `${action}: ${why}`, { block: blockName, hint });
  const ana = analyzerFor(f, path);
  const loops = loopsAbove(path);
  const bound = realize.iterValues.map((e) => loops.find((l) => l.loopVar === e));
  const trivial = realize.predicate.kind === "IntImm" && realize.predicate.value === 1 &&
    bound.every((l, k) =>
      l !== undefined && bound.indexOf(l) === k && ana.canProveEqual(l.min, 0) &&
      ana.canProveEqual(blk.iterVars[k].dom.min, 0) &&
      ana.canProveEqual(l.extent, blk.iterVars[k].dom.extent)
    );
  const mine = loops.filter((l) => bound.includes(l));
  const outermost = mine[0];
  if (
    !trivial || !outermost || mine.length !== loops.slice(loops.indexOf(outermost)).length ||
    blocksUnder(outermost).length !== 1
  ) {
    throw fail(
      "SCHEDULE_BLOCK_LAYOUT_LOOPS",
      "its bindings are not its own loops one to one, or those loops hold other blocks",
      "apply it before splitting, fusing or moving the block's loops",
    );
  }
  if (map.inputRank !== blk.iterVars.length) {
    throw fail(
      "SCHEDULE_INDEX_MAP",
      `the map ${map} takes ${map.inputRank} indices, the block has ${blk.iterVars.length} iteration variables`,
    );
  }
  const extents = blk.iterVars.map((iv) => iv.dom.extent);
  let inverse: IndexMap;
  let shape: readonly PrimExpr[];
  try {
    const r = map.nonSurjectiveInverse(extents, ana);
    inverse = map.inverse(extents, ana);
    shape = r.shape;
  } catch (e) {
    throw mapError(f, blockName, e);
  }
  const ivs: IterVar[] = map.indices.map((e, k) => {
    const used = blk.iterVars.filter((_, j) => usesVar(e, map.vars[j]));
    const kinds = new Set(used.map((iv) => iv.iterKind));
    if (kinds.size > 1) {
      throw fail(
        "SCHEDULE_BLOCK_LAYOUT_MIXED",
        `output ${k} of ${map} mixes spatial and reduction variables`,
      );
    }
    const name = e.kind === "Var" ? used[0].v.name : `v${k}`;
    return iterVar(variable(name, e.dtype), range(0, shape[k]), used[0]?.iterKind ?? "spatial");
  });
  const newVals = inverse.apply(ivs.map((iv) => iv.v), ana);
  const subst = new Map<Var, PrimExpr>(blk.iterVars.map((iv, k) => [iv.v, newVals[k]]));
  for (const iv of ivs) ana.bind(iv.v, iv.dom);
  const sub = <T extends Stmt>(s: T): T => simplifyAccesses(substitute(s, subst), ana);
  const nb = {
    ...blk,
    iterVars: ivs,
    reads: blk.reads.map((r) => simplifyAccesses(substitute(r, subst), ana)),
    writes: blk.writes.map((r) => simplifyAccesses(substitute(r, subst), ana)),
    body: sub(blk.body),
    ...(blk.init ? { init: sub(blk.init) } : {}),
  };
  const axes = ivs.map((iv, k) => variable(`ax${k}`, iv.v.dtype));
  let s: Stmt = blockRealize(axes, realize.predicate, nb);
  for (let k = axes.length - 1; k >= 0; k--) s = forLoop(axes[k], 0, shape[k], s);
  return replaceStmt(f, outermost, s);
}

/** `sch.transformBlockLayout(block, map)`. */
export const TRANSFORM_BLOCK_LAYOUT: InstructionKind<{ map: string }> = registerInstruction<
  { map: string }
>({
  name: "TransformBlockLayout",
  apply(sch, inputs, attrs) {
    const name = sch.blockOf(asBlock(sch, inputs[0])).block.name;
    const f = sch.func;
    const map = mapAt(f, name, attrs.map);
    sch.setFunc(transformBlockLayout(f, name, map));
    return [];
  },
  toScript: (p) => scriptCall("transformBlockLayout", [p.inputs[0], literal(p.attrs.map)], []),
});

Schedule.prototype.transformBlockLayout = function (
  this: Schedule,
  block: BlockRV,
  map: IndexMapLike,
): void {
  this.apply(TRANSFORM_BLOCK_LAYOUT, [block], { map: indexMapText(map) });
};
