/**
 * Int8 GEMMs on `gpu.dot4_i8` (WGSL `dot4I8Packed`): auto-tensorization (`tensorize/auto`)
 * pads k to a multiple of 4 and turns each group of four multiply-accumulates into the
 * intrinsic's marker; the tensorized nest's spatial loops are then fused and bound to threads
 * like any block (the padding and write-back blocks go through the ordinary rules).
 *
 * @module
 */
import "../../tensorize/auto/mod.ts";
import "../../tensorize/primitives/get.ts";
import "../../tensorize/primitives/split.ts";
import "../../tensorize/primitives/fuse.ts";
import "../../tensorize/primitives/for_kind.ts";
import type { Var } from "../../ir/expr.ts";
import { visit } from "../../ir/node.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import { blocksUnder } from "../../tensorize/analysis/find.ts";
import { autoTensorize } from "../../tensorize/auto/auto_tensorize.ts";
import type { BlockInfo } from "../../tensorize/default/block_info.ts";
import type { Schedule } from "../../tensorize/schedule.ts";

function uses(e: Parameters<typeof visit>[0], v: Var): boolean {
  let found = false;
  visit(e, (n) => {
    if (n === v) found = true;
    return !found;
  });
  return found;
}

/**
 * Tensorize an int8 GEMM block with the target's intrinsics and bind the tensorized nest;
 * undefined (and `sch` untouched) when no intrinsic matches.
 *
 * @example
 * ```ts ignore
 * const g = tensorizeInt8(sch, info, gpu.intrinsics, 64);
 * ```
 */
export function tensorizeInt8(
  sch: Schedule,
  b: BlockInfo,
  intrinsics: readonly Intrinsic[],
  threads: number,
): Schedule | undefined {
  if (!b.mac || !intrinsics.length || b.mac.a.dtype !== "int8" || b.mac.b.dtype !== "int8") {
    return undefined;
  }
  const t = sch.copy();
  const r = autoTensorize(t, t.getBlock(b.name), intrinsics);
  if (!r.applied) return undefined;
  const realize = blocksUnder(t.func.body).find((x) =>
    x.block.annotations.tensorized !== undefined
  );
  if (!realize) return undefined;
  const blk = t.getBlock(realize.block.name);
  const loops = t.getLoops(blk);
  const reduceValues = realize.iterValues.filter((_, k) =>
    realize.block.iterVars[k].iterKind === "reduce"
  );
  let s = 0;
  while (s < loops.length && !reduceValues.some((e) => uses(e, t.get(loops[s]).loopVar))) s++;
  if (s === 0) return t;
  const extents = loops.slice(0, s).map((l) => t.get(l).extent);
  const fused = s === 1 ? loops[0] : t.fuse(...loops.slice(0, s));
  const f = extents.every((e) => e.kind === "IntImm")
    ? alignedFactor(extents.map((e) => (e as { value: number }).value), threads)
    : threads;
  const [bx, tx] = t.split(fused, [undefined, f]);
  t.bind(bx, "blockIdx.x");
  t.bind(tx, "threadIdx.x");
  return t;
}

/**
 * The largest split factor ≤ `threads` of loops of `extents` (outermost first) fused into one
 * that keeps every block's bindings affine: a product of the innermost loops' extents times a
 * divisor of the next one (`[1, 3, 6, 6]` → 36 of 64; 54 would split the loop of 3 into
 * overlapping pieces, and the init block that decomposition left beside the tensorized one
 * could not be bound — int8 conv2d NCHW).
 *
 * @example
 * ```ts
 * import { alignedFactor } from "./schedule_intrin.ts";
 * console.assert(alignedFactor([1, 3, 6, 6], 64) === 36);
 * console.assert(alignedFactor([33, 17], 64) === 51);
 * ```
 */
export function alignedFactor(extents: readonly number[], threads: number): number {
  let best = 1, inner = 1;
  for (let k = extents.length - 1; k >= 0 && inner <= threads; k--) {
    const e = extents[k];
    for (let d = 1; d <= e; d++) {
      if (e % d === 0 && inner * d <= threads) best = Math.max(best, inner * d);
    }
    inner *= e;
  }
  return best;
}
