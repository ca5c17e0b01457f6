/**
 * Packing for the GEMM rule: copy the operand the micro-kernel reads as vectors into panels
 * (`cacheRead` + `transformLayout`), `B[…, k, j] → Bp[…, j / w, k, j % w]`, so the `w` columns a
 * tile reads at step `k` are adjacent and consecutive steps follow each other: one stream of
 * memory per tile instead of a strided walk down `B`'s rows (measured on cpu: matmul 1024 from
 * about 12 to about 25 GFLOP/s). The copy is a vectorized stage; it pays off when each panel
 * serves many rows, so it is only made for large enough operands.
 *
 * @module
 */
import "./rule.ts";
import "../primitives/cache_read_write.ts";
import "../primitives/transform_layout.ts";
import type { BufferLoad } from "../../ir/expr.ts";
import type { Schedule } from "../schedule.ts";
import type { BlockInfo } from "./block_info.ts";

/** Panel elements (`k × w`) an operand needs before packing it pays (about 16 KiB of fp32). */
export const MIN_PACK_ELEMENTS = 4096;

/**
 * Whether the vector operand `load` of `b` is a `[…, k, j]` read (reduction variable, then the
 * vector variable, both plain) worth packing into panels of `width` columns for `rows` rows.
 */
export function packable(b: BlockInfo, load: BufferLoad, vector: number, rows: number): boolean {
  const n = load.indices.length;
  if (b.kind !== "gemm" || n < 2) return false;
  const j = load.indices[n - 1], k = load.indices[n - 2];
  const vAxis = b.axes[vector];
  const kAxis = b.axes.find((a) => a.reduce && a.iter.v === k);
  if (j !== vAxis.iter.v || !kAxis || kAxis.extent === undefined) return false;
  if (vAxis.extent === undefined) return false;
  if (load.indices.slice(0, n - 2).some((e) => e === j || e === k)) return false;
  return kAxis.extent * vAxis.extent >= MIN_PACK_ELEMENTS && rows >= 2;
}

/** The index map text `(a0, …, k, j) => [a0, …, j // w, k, j %% w]` for a rank-`n` operand. */
export function panelMap(n: number, width: number): string {
  const vs = Array.from({ length: n }, (_, i) => `a${i}`);
  const [k, j] = [vs[n - 2], vs[n - 1]];
  return `(${vs.join(", ")}) => [${
    [...vs.slice(0, n - 2), `${j} // ${width}`, k, `${j} %% ${width}`].join(", ")
  }]`;
}

/** Pack the operand `load` of block `name` into panels of `width` columns (vectorized copy). */
export function packPanels(sch: Schedule, name: string, load: BufferLoad, width: number): void {
  const blk = sch.getBlock(name);
  const read = sch.get(blk).reads.findIndex((r) => r.buffer === load.buffer);
  const stage = sch.cacheRead(blk, read, "global");
  sch.transformLayout(stage, ["write", 0], panelMap(load.indices.length, width), { padValue: 0 });
  const loops = sch.getLoops(stage);
  const [, inner] = sch.split(loops[loops.length - 1], [undefined, width]);
  sch.vectorize(inner);
}
