/**
 * Row fusion (after TVM DLight's `GeneralReduction`): a function whose blocks all work row by row
 * — softmax, layer norm, the `reduce_mean → sub` chains the graph fuser makes — runs as one loop
 * nest over the rows, each row's reductions and elementwise stages one after the other while the
 * row is in L1, instead of one pass over the whole tensor per stage:
 *
 * ```text
 * for i, k: M[i] = max(M[i], X[i, k])              for i {                       (parallel …)
 * for i, k: E[i, k] = exp(X[i, k] − M[i])            for k₀ { for k₁ (vectorized) { M_rf[k₁] = max(…) } }
 * for i, k: S[i] += E[i, k]                   →      for k₁ { M = max(M, M_rf[k₁]) }
 * for i, k: Y[i, k] = E[i, k] / S[i]                 for k (vectorized) { E[k] = exp(X[i, k] − M) }
 *                                                    for k₀ { for k₁ (vectorized) { S_rf[k₁] += E[k] } }
 *                                                    for k₁ { S += S_rf[k₁] }
 *                                                    for k (vectorized) { Y[i, k] = E[k] / S } }
 * ```
 *
 * The rows are the leading `p` axes that every block shares (same extents) and that index every
 * intermediate buffer at the block's own row variables, so each row of an intermediate is made
 * and used within one row iteration — no element is computed twice. Row reductions are first
 * split and rfactored into vectors of partial results (`rfactorRow`), then every block moves
 * under the last block's row loop (`computeAt`, last producer first), where the intermediates
 * shrink to one row (`compact-buffer-allocation`); the partial-result loops and the contiguous
 * innermost loops of the elementwise stages are vectorized, and the row loops fused and
 * parallelized when the work is large enough.
 *
 * Symbolic extents (`[batch, 4, seq, seq]`) work too: the regions of the guarded vector tails
 * are exact (block predicates bound them), the row loops tell the analyzer `batch, seq ≥ 1`, so
 * each row's intermediates still shrink to one row, and a row of symbolic length is allocated
 * once, outside the serial row loops (`compact-buffer-allocation`).
 *
 * Applies when every block is plain, at least one is a `reduction`, none is another reduction
 * class, the last block writes a parameter and has an axis past the rows, and no other block
 * writes a parameter.
 *
 * @module
 */
import "../primitives/compute_at.ts";
import type { PrimFunc } from "../../ir/func.ts";
import type { Buffer } from "../../ir/stmt.ts";
import { sameExpr } from "../../ir/transform/same_expr.ts";
import { blocksUnder } from "../analysis/find.ts";
import type { Schedule } from "../schedule.ts";
import { accessUse, analyzeBlock, type BlockInfo } from "./block_info.ts";
import { parallelizeOuter, vectorFactor, workEstimate, workOf } from "./loops.ts";
import { rfactorRow } from "./reduction.ts";
import { type RuleContext, vectorLanes } from "./rule.ts";

const isParam = (f: PrimFunc, buf: Buffer) => f.params.some((p) => p === buf);

/**
 * The number of row axes the blocks share: the longest prefix of the last block's axes that
 * every block has as spatial axes of the same extents, and at which every block stores and
 * loads every intermediate buffer with its own row variables. 0 when there is none.
 */
export function rowAxes(f: PrimFunc, blocks: readonly BlockInfo[]): number {
  const anchor = blocks[blocks.length - 1];
  const rowAt = (b: BlockInfo, d: number) =>
    d < b.axes.length && !b.axes[d].reduce &&
    sameExpr(b.axes[d].loop.extent, anchor.axes[d].loop.extent);
  const indexed = (b: BlockInfo, d: number) =>
    [b.store, ...b.loads].every((a) =>
      isParam(f, a.buffer) || (d < a.indices.length && a.indices[d] === b.axes[d].iter.v)
    );
  let p = 0;
  while (p < anchor.axes.length && blocks.every((b) => rowAt(b, p) && indexed(b, p))) p++;
  return p;
}

/** Whether every axis of a reduction past the rows reduces or has extent 1 (one output a row). */
function oneOutputPerRow(b: BlockInfo, p: number): boolean {
  return b.axes.slice(p).every((a) => a.reduce || a.extent === 1);
}

/** The blocks of `names` as a row chain and its row count, or undefined. */
function rowChain(
  f: PrimFunc,
  names: readonly string[],
): { blocks: BlockInfo[]; p: number } | undefined {
  const blocks: BlockInfo[] = [];
  for (const n of names) {
    const b = analyzeBlock(f, n);
    if (!b) return undefined;
    blocks.push(b);
  }
  const anchor = blocks[blocks.length - 1];
  if (!anchor || anchor.kind !== "injective" || !isParam(f, anchor.store.buffer)) return undefined;
  if (blocks.slice(0, -1).some((b) => isParam(f, b.store.buffer))) return undefined;
  const reductions = blocks.filter((b) => b.axes.some((a) => a.reduce));
  if (reductions.length === 0 || reductions.some((b) => b.kind !== "reduction")) return undefined;
  const p = rowAxes(f, blocks);
  if (p === 0 || p >= anchor.axes.length) return undefined;
  if (!reductions.every((b) => oneOutputPerRow(b, p))) return undefined;
  return { blocks, p };
}

/** Split the innermost loop of an elementwise block (moved under the rows) and vectorize it. */
function vectorizeStage(sch: Schedule, b: BlockInfo, p: number, ctx: RuleContext): void {
  const n = b.axes.length;
  if (n <= p || b.axes.some((a) => a.reduce)) return;
  const v = b.axes[n - 1];
  if (v.extent === 1) return;
  const last = b.store.indices[b.store.indices.length - 1];
  if (last !== v.iter.v || b.loads.some((l) => accessUse(l.indices, v.iter.v) === "strided")) {
    return;
  }
  const loops = sch.getLoops(sch.getBlock(b.name));
  const inner = loops[loops.length - 1];
  if (loops.length <= p || !sameExpr(sch.get(inner).extent, v.loop.extent)) return;
  const factor = vectorFactor(v.extent, vectorLanes(b.store.buffer.dtype, ctx.vectorBytes));
  if (factor === undefined) return;
  const [, vi] = sch.split(inner, [undefined, factor]);
  sch.vectorize(vi);
}

/**
 * Fuse the blocks `names` (every block of the function but the root, in order) row by row as
 * described above; returns the names fused, or undefined (nothing changed) when they are not a
 * row chain. A `ScheduleError` from a step means the same; the caller discards the copy.
 *
 * @example
 * ```ts
 * import { fuseRows } from "./row_fusion.ts";
 * import { ruleContext } from "./rule.ts";
 * import { Schedule } from "../mod.ts";
 * import { OPS } from "../../ir/ops/mod.ts";
 * const op = OPS.find((o) => o.name === "layer_norm")!;
 * const sch = new Schedule(op.build(op.cases[0]));
 * const names = ["T_layer_norm_sum", "T_layer_norm_sqsum", "T_layer_norm"];
 * sch.computeInline(sch.getBlock("T_layer_norm_mean"));
 * sch.computeInline(sch.getBlock("T_layer_norm_rstd"));
 * console.assert(fuseRows(sch, names, ruleContext({}))?.length === 3);
 * ```
 */
export function fuseRows(
  sch: Schedule,
  names: readonly string[],
  ctx: RuleContext,
): string[] | undefined {
  const chain = rowChain(sch.func, names);
  if (!chain) return undefined;
  const { blocks, p } = chain;
  const anchor = blocks[blocks.length - 1];
  const rf = new Set<string>();
  for (const b of blocks) {
    if (!b.axes.some((a) => a.reduce)) continue;
    const r = rfactorRow(sch, b, ctx);
    if (r) rf.add(sch.get(r).name);
  }
  const rows = sch.getLoops(sch.getBlock(anchor.name)).slice(0, p);
  const order = blocksUnder(sch.func.body).map((r) => r.block.name)
    .filter((n) => n !== "root" && n !== anchor.name);
  for (const n of order.reverse()) sch.computeAt(sch.getBlock(n), rows[p - 1]);
  for (const n of rf) {
    const loops = sch.getLoops(sch.getBlock(n));
    sch.vectorize(loops[loops.length - 1]);
  }
  for (const b of blocks) vectorizeStage(sch, b, p, ctx);
  const extents = anchor.axes.slice(0, p).map((a) => a.extent);
  parallelizeOuter(sch, rows, extents, workOf(anchor), ctx, workEstimate(anchor));
  return blocks.map((b) => b.name);
}
