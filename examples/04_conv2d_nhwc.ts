/**
 * # 04 — conv2d NHWC on `cpu`
 *
 * In NHWC the channels are innermost, in the data (`X[n, y, x, c]`), the HWIO weights
 * (`W[r, s, c, o]`) and the output (`Y[n, y, x, o]`), so the micro-kernel turns around compared
 * with NCHW (example 03):
 *
 * - output channels `o` are the vector columns: `W[r, s, c, o…o+cols)` is one contiguous run;
 *   the weights are still packed into `Wp[o / cols, r, s, c, o % cols]` panels so a tile streams
 *   one block of memory through the whole reduction;
 * - output pixels `x` are the unrolled rows: each weight vector meets `rows` pixels, each a
 *   broadcast scalar `P[n, y + r, x + s, c]`;
 * - the reduction `r, s, c` runs inside the tile on a `local` accumulator tile with `fma`, the
 *   padding is a vectorized stage, and with threads the outer loops run `parallel`.
 *
 * Run it: `deno run -A examples/04_conv2d_nhwc.ts`.
 *
 * @module
 */
import type { PrimFunc } from "../ir/func.ts";
import { Schedule } from "../tensorize/mod.ts";
import "../tensorize/default/contract_fma.ts";
import {
  conv2dFunction,
  conv2dInputs,
  type ConvScheduleOptions,
  vectorizeLast,
} from "./03_conv2d_nchw.ts";
import { convBlocks } from "./conv_blocks.ts";

/**
 * Schedule a `conv2d` in NHWC layout (HWIO weights, stride 1) for the cpu target.
 *
 * @example
 * ```ts
 * import { scheduleConv2dNHWC } from "./04_conv2d_nhwc.ts";
 * import { conv2dFunction } from "./03_conv2d_nchw.ts";
 * const g = scheduleConv2dNHWC(conv2dFunction("NHWC", 1, 4, 8, 8));
 * console.assert(g.params.length === 3);
 * ```
 */
export function scheduleConv2dNHWC(f: PrimFunc, options: ConvScheduleOptions = {}): PrimFunc {
  return conv2dNHWCSchedule(f, options).func;
}

/** `scheduleConv2dNHWC`, returning the `Schedule` (function and trace). */
export function conv2dNHWCSchedule(f: PrimFunc, options: ConvScheduleOptions = {}): Schedule {
  const MR = options.rows ?? 4, NR = options.cols ?? 8, threads = options.threads ?? 1;
  const { conv, pad, weightRead } = convBlocks(f);
  const sch = new Schedule(f);
  const c = sch.getBlock(conv);
  const wp = sch.cacheRead(c, weightRead, "global");
  sch.transformLayout(wp, ["write", 0], `(r, s, c, o) => [o // ${NR}, r, s, c, o %% ${NR}]`, {
    padValue: 0,
  });
  const [n, y, x, o, ry, rx, rc] = sch.getLoops(c);
  const [xo, xi] = sch.split(x, [undefined, MR]);
  const [oo, oi] = sch.split(o, [undefined, NR]);
  const [rco, rci] = sch.split(rc, [undefined, options.unroll ?? 2]);
  sch.reorder(n, y, xo, oo, ry, rx, rco, rci, xi, oi);
  sch.unroll(rci);
  const back = sch.cacheWrite(c, 0, "local");
  sch.reverseComputeAt(back, oo);
  sch.decomposeReduction(c, ry);
  vectorizeLast(sch, sch.getLoops(back));
  sch.contractFma(c);
  sch.unroll(xi);
  sch.vectorize(oi);
  if (pad) vectorizeLast(sch, sch.getLoops(sch.getBlock(pad)));
  if (threads > 1) {
    sch.parallel(sch.fuse(n, y));
    if (pad) sch.parallel(sch.getLoops(sch.getBlock(pad))[1]);
  }
  return sch;
}

if (import.meta.main) {
  const { build } = await import("../sdk/mod.ts");
  const { default: cpu } = await import("../targets/cpu/mod.ts");
  const f = conv2dFunction("NHWC", 1, 64, 56, 64);
  const sch = conv2dNHWCSchedule(f);
  console.log(sch.trace.toScript());
  const kernel = await build(sch.func, cpu);
  const dev = kernel.device;
  const args = [
    ...conv2dInputs(f).map((a) => dev.fromArray(a)),
    dev.allocate([1, 56, 56, 64], "float32"),
  ];
  const t = await kernel.time(args, { repeat: 10 });
  const flops = 2 * 64 * 56 * 56 * 64 * 9;
  console.log(`conv2d NHWC: ${(flops / (t.medianMs / 1e3) / 1e9).toFixed(1)} GFLOP/s`);
}
