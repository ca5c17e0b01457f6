/**
 * # 03 — conv2d NCHW on `cpu`
 *
 * The library's `conv2d` (NCHW data, OIHW weights, zero padding) is two blocks: a padding stage
 * `P = pad(X)` and the convolution `Y[n, o, y, x] += P[n, c, y + r, x + s] · W[o, c, r, s]`, a
 * multiply-accumulate like a matmul whose "columns" are output pixels `x` and "rows" output
 * channels `o`. The schedule is the micro-kernel of example 02 in those terms:
 *
 * - `x` split by `cols` (8) and vectorized: two vector loads of `P` cover 8 neighbouring pixels
 *   (unaligned loads at `x + s`);
 * - `o` split by `rows` (8) and unrolled: each vector of `P` is multiplied by `rows` weights, packed
 *   by `cacheRead` + `transformLayout` as `Wp[o / rows, c, r, s, o % rows]` so the `rows` scalars
 *   of one step are adjacent;
 * - the reduction `c, r, s` runs inside the tile, on a `local` accumulator tile
 *   (`cacheWrite` + `reverseComputeAt` + `decomposeReduction`), with `fma` and `s` unrolled;
 * - the padding stays a stage (one cheap pass, vectorized), so the inner loop loads without
 *   bounds selects; with threads, the outer loops of both run `parallel`;
 * - the loop order is `n, y, o / rows, x / cols`: all output channels of one output row before
 *   the next row, so a row's input band (3 rows × 64 channels × 58 floats, 45 KiB) and the packed
 *   weights (144 KiB) stay in the core's L2 while every tile passes over them; with `o / rows`
 *   outermost the whole padded input (841 KiB) would stream through L2 once per channel block.
 *
 * Why an 8 × 8 tile. It holds 16 accumulators, more than the ~13 `v128` values PERF_NOTES
 * advises, and V8 spills some — yet it measured fastest of the tiles tried (32.8 GFLOP/s against
 * 26.6 for 4 × 8, 26.2 for 16 × 4 and 8 × 4, 22.4 with `r` unrolled too, preempted runs set aside,
 * variants interleaved in one process). With `s` unrolled clang chains the three taps of each
 * accumulator, so a spilled accumulator is loaded and stored once per three `fma`s; and eight
 * accumulators (4 × 8) are just the FMA latency × throughput of the core, with no slack.
 *
 * The timing of this kernel used to swing between runs (7.4 to 16 ms), which looked like a
 * sensitivity to where the heap placed the tensors. It is not: shifting the buffers by 0 to
 * 3.5 KiB, calling from different stack depths or on different memories of one process changes
 * nothing; the swings are preemptions — `/proc/thread-self/schedstat` shows the thread waiting
 * for a core during the slow calls (8 ms of a 14 ms call) while its on-CPU speed stays at
 * 29–33 GFLOP/s. `deno task bench` now sets such runs aside (`bench/preemption.ts`).
 *
 * Run it: `deno run -A examples/03_conv2d_nchw.ts`.
 *
 * @module
 */
import type { PrimFunc } from "../ir/func.ts";
import { createPrimFunc, placeholder } from "../ir/te.ts";
import { conv2d } from "../ir/ops/mod.ts";
import { type NDArray, randomNDArray } from "../ir/ndarray.ts";
import { Schedule } from "../tensorize/mod.ts";
import "../tensorize/default/contract_fma.ts";
import type { LoopRV } from "../tensorize/rv.ts";
import { convBlocks } from "./conv_blocks.ts";

/** Options of the conv2d schedules. */
export interface ConvScheduleOptions {
  /** Threads the kernel is meant for: above 1, outer loops are `parallel` (default 1). */
  readonly threads?: number;
  /** Register tile rows: output channels (NCHW, default 8) or pixels (NHWC, default 4). */
  readonly rows?: number;
  /** Register tile columns, a multiple of 4: pixels (NCHW) or channels (NHWC) (default 8). */
  readonly cols?: number;
  /** NHWC: unroll factor of the input-channel reduction (default 2). */
  readonly unroll?: number;
}

/**
 * Schedule a `conv2d` in NCHW layout (stride 1) for the cpu target.
 *
 * @example
 * ```ts
 * import { conv2dFunction, scheduleConv2dNCHW } from "./03_conv2d_nchw.ts";
 * const g = scheduleConv2dNCHW(conv2dFunction("NCHW", 1, 4, 8, 8));
 * console.assert(g.params.length === 3);
 * ```
 */
export function scheduleConv2dNCHW(f: PrimFunc, options: ConvScheduleOptions = {}): PrimFunc {
  return conv2dNCHWSchedule(f, options).func;
}

/** `scheduleConv2dNCHW`, returning the `Schedule` (function and trace). */
export function conv2dNCHWSchedule(f: PrimFunc, options: ConvScheduleOptions = {}): Schedule {
  const MR = options.rows ?? 8, NR = options.cols ?? 8, threads = options.threads ?? 1;
  const { conv, pad, weightRead } = convBlocks(f);
  const sch = new Schedule(f);
  const c = sch.getBlock(conv);
  // Weights packed so the MR output channels of one step are adjacent.
  const wp = sch.cacheRead(c, weightRead, "global");
  sch.transformLayout(wp, ["write", 0], `(o, c, r, s) => [o // ${MR}, c, r, s, o %% ${MR}]`, {
    padValue: 0,
  });
  const [n, o, y, x, rc, ry, rx] = sch.getLoops(c);
  const [oo, oi] = sch.split(o, [undefined, MR]);
  const [xo, xi] = sch.split(x, [undefined, NR]);
  sch.reorder(n, y, oo, xo, rc, ry, rx, oi, xi);
  const back = sch.cacheWrite(c, 0, "local");
  sch.reverseComputeAt(back, xo);
  sch.decomposeReduction(c, rc);
  vectorizeLast(sch, sch.getLoops(back));
  sch.contractFma(c);
  sch.unroll(rx);
  sch.unroll(oi);
  sch.vectorize(xi);
  if (pad) vectorizeLast(sch, sch.getLoops(sch.getBlock(pad)));
  if (threads > 1) {
    sch.parallel(sch.fuse(n, y));
    if (pad) sch.parallel(sch.getLoops(sch.getBlock(pad))[1]);
  }
  return sch;
}

/** Vectorize the innermost of `loops` (split by 8 first when it is longer). */
export function vectorizeLast(sch: Schedule, loops: readonly LoopRV[]): void {
  const last = loops[loops.length - 1];
  const extent = sch.get(last).extent;
  if (extent.kind === "IntImm" && extent.value > 16) {
    const [, inner] = sch.split(last, [undefined, 8]);
    sch.vectorize(inner);
  } else sch.vectorize(last);
}

/**
 * The library's `conv2d` with a `k × k` kernel, stride 1 and "same" padding, as
 * `conv(X, W, Y)`: NCHW data with OIHW weights, or NHWC data with HWIO weights.
 */
export function conv2dFunction(
  layout: "NCHW" | "NHWC",
  batch: number,
  inC: number,
  size: number,
  outC: number,
  k = 3,
): PrimFunc {
  const nchw = layout === "NCHW";
  const X = placeholder(nchw ? [batch, inC, size, size] : [batch, size, size, inC], "float32", "X");
  const W = placeholder(nchw ? [outC, inC, k, k] : [k, k, inC, outC], "float32", "W");
  const Y = conv2d(X, W, { layout, padding: (k - 1) / 2, name: "Y" });
  return createPrimFunc([X, W, Y], "conv");
}

/** Random operands of a conv2d function (its first two parameters' shapes). */
export function conv2dInputs(f: PrimFunc, seed = 1): NDArray[] {
  return f.params.slice(0, 2).map((p, k) => {
    if (p.kind !== "Buffer") throw new Error("conv2d parameters are buffers");
    const shape = p.shape.map((d) => (d.kind === "IntImm" ? d.value : 0));
    return randomNDArray("float32", shape, seed + k);
  });
}

if (import.meta.main) {
  const { build } = await import("../sdk/mod.ts");
  const { default: cpu } = await import("../targets/cpu/mod.ts");
  const f = conv2dFunction("NCHW", 1, 64, 56, 64);
  const sch = conv2dNCHWSchedule(f);
  console.log(sch.trace.toScript());
  const kernel = await build(sch.func, cpu);
  const dev = kernel.device;
  const args = [
    ...conv2dInputs(f).map((a) => dev.fromArray(a)),
    dev.allocate([1, 64, 56, 56], "float32"),
  ];
  const t = await kernel.time(args, { repeat: 10 });
  const flops = 2 * 64 * 56 * 56 * 64 * 9;
  console.log(`conv2d NCHW: ${(flops / (t.medianMs / 1e3) / 1e9).toFixed(1)} GFLOP/s`);
}
