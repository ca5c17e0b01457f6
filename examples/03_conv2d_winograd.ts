/**
 * # 03b — conv2d by Winograd F(2×2, 3×3) on `cpu` (NCHW and NHWC)
 *
 * Example 03 schedules the direct convolution: 9 multiply-adds per input channel and output.
 * Winograd's minimal filtering computes a 2 × 2 output tile from a 4 × 4 input tile with 16
 * products instead of 36 — 2.25× fewer multiplies — at the price of cheap linear transforms
 * (additions) before and after (Lavin & Gray 2015; what cuDNN, NNPACK and TVM's
 * `conv2d_winograd` do for 3 × 3, stride 1). It is another *algorithm*, written as a tensor
 * expression, whose heavy part is then scheduled like example 02's matmul:
 *
 * ```text
 * P = pad(X)                                           [N, C, H+2, W+2]
 * U[e, c, o]      = (G · W[o, c] · Gᵀ)[ξ, ν]            kernel transform, e = 4ξ + ν
 * V[e, b, c, i]   = (Bᵀ · P[tile t] · B)[ξ, ν]          input transform, t = 4b + i a 2 × 2 tile
 * M[e, b, i, o]   = Σ_c V[e, b, c, i] · U[e, c, o]      16 matmuls [T × C] · [C × O]
 * Y[n, o, y, x]   = (Aᵀ · M[·, tile of (y, x), o] · A)[y % 2, x % 2]   output transform
 * ```
 *
 * with `Bᵀ = [[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]]`, `G = [[1,0,0],[½,½,½],[½,-½,½],[0,0,1]]`,
 * `Aᵀ = [[1,1,1,0],[0,1,-1,-1]]` (the constants are exact in fp32, so the result differs from the
 * direct sum only by rounding). The transforms are `select`s over the constant index `ξ` (or
 * `ν`); the schedule unrolls those loops, so every select folds away and each stage becomes a
 * handful of additions per element. The 16 matmuls (`M`) carry 44% of the direct convolution's
 * multiplies and get the matmul micro-kernel: `V` is computed directly in 4-row panels
 * (`[e, t / 4, c, t % 4]`, the packed `A` of example 02), `o` is the vector axis (8 columns, two
 * `f32x4`), a `local` 4 × 8 accumulator tile, `fma`, `c` unrolled by 2.
 *
 * In NHWC (HWIO weights) the same stages read and write channels-last, and the kernel and output
 * transforms become vector code over 8 output channels.
 *
 * GFLOP/s of this kernel in the bench count the direct convolution's `2·N·O·H·W·C·9` operations
 * (the same work, fewer multiplies), as for every impl of the case.
 *
 * Run it: `deno run -A examples/03_conv2d_winograd.ts`.
 *
 * @module
 */
import { add, eq, type ExprLike, floordiv, floormod, mul, select, sub } from "../ir/expr.ts";
import type { PrimFunc } from "../ir/func.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../ir/te.ts";
import { pad } from "../ir/ops/mod.ts";
import { opError } from "../ir/ops/errors.ts";
import { analyzerFor } from "../tensorize/analysis/bindings.ts";
import { findBlock, replaceStmt } from "../tensorize/analysis/find.ts";
import { withAccessRegions } from "../tensorize/analysis/regions.ts";
import { Schedule } from "../tensorize/mod.ts";
import "../tensorize/default/contract_fma.ts";
import { type ConvScheduleOptions, vectorizeLast } from "./03_conv2d_nchw.ts";

type Row = (k: number) => ExprLike;

/** Floats in 4 KiB (the span of addresses the L1 sets and the store buffer's alias check see). */
const PAGE_FLOATS = 1024;
/** Floats in a 64-byte cache line. */
const LINE_FLOATS = 16;

/** `ξ`-th entry of `Bᵀ · d` for a column `d` of 4 (`ξ` a constant after unrolling). */
function bt(xi: ExprLike, d: Row): ExprLike {
  const rows = [sub(d(0), d(2)), add(d(1), d(2)), sub(d(2), d(1)), sub(d(1), d(3))];
  return pick(xi, rows);
}

/** `ξ`-th entry of `G · w` for a column `w` of 3. */
function g(xi: ExprLike, w: Row): ExprLike {
  const rows = [
    w(0),
    mul(add(add(w(0), w(1)), w(2)), 0.5),
    mul(add(sub(w(0), w(1)), w(2)), 0.5),
    w(2),
  ];
  return pick(xi, rows);
}

/** `i`-th entry of `Aᵀ · m` for a column `m` of 4. */
function at(i: ExprLike, m: Row): ExprLike {
  return pick(i, [add(add(m(0), m(1)), m(2)), sub(sub(m(1), m(2)), m(3))]);
}

/** `rows[k]` as a select chain (folds to one entry when `k` is a constant). */
function pick(k: ExprLike, rows: ExprLike[]): ExprLike {
  let e = rows[rows.length - 1];
  for (let r = rows.length - 2; r >= 0; r--) e = select(eq(k, r), rows[r], e);
  return e;
}

/**
 * The 3 × 3, stride 1, pad 1 `conv2d` by Winograd F(2×2, 3×3), as `conv(X, W, Y)` with the
 * stages above: NCHW data with OIHW weights, or NHWC data with HWIO weights (the library's
 * `conv2d` layouts); `size` must be a multiple of 8 (panels of 4 tiles along a row).
 *
 * @example
 * ```ts
 * import { conv2dWinogradFunction } from "./03_conv2d_winograd.ts";
 * console.assert(conv2dWinogradFunction(1, 4, 8, 8).params.length === 3);
 * ```
 */
export function conv2dWinogradFunction(
  batch: number,
  inC: number,
  size: number,
  outC: number,
  layout: "NCHW" | "NHWC" = "NCHW",
): PrimFunc {
  const half = size / 2, nchw = layout === "NCHW";
  if (size % 8 !== 0) {
    throw opError(
      "OP_BAD_PARAM",
      "conv2d_winograd",
      "size",
      `${size} must be a multiple of 8 (panels of 4 tiles of 2 along a row)`,
      "use the direct schedule (examples/03_conv2d_nchw.ts) for other sizes",
    );
  }
  const X = placeholder(nchw ? [batch, inC, size, size] : [batch, size, size, inC], "float32", "X");
  const W = placeholder(nchw ? [outC, inC, 3, 3] : [3, 3, inC, outC], "float32", "W");
  const pads = nchw ? [0, 0, 1, 1] : [0, 1, 1, 0];
  const P = pad(X, pads, pads, 0, { name: "P" });
  const w = (o: ExprLike, c: ExprLike, r: ExprLike, s: ExprLike) =>
    nchw ? W.at(o, c, r, s) : W.at(r, s, c, o);
  const p = (n: ExprLike, c: ExprLike, y: ExprLike, x: ExprLike) =>
    nchw ? P.at(n, c, y, x) : P.at(n, y, x, c);
  const U = compute([16, inC, outC], ([e, c, o]) => {
    const [xi, nu] = [floordiv(e, 4), floormod(e, 4)];
    return g(xi, (r) => g(nu, (s) => w(o, c, r, s)));
  }, "U");
  // Tiles by image n, tile row ty and column tx = 4·xb + i: 4 neighbouring tiles per panel.
  // The 4 × 4 input tile of each output tile, gathered (computed at the input transform, where
  // it shrinks to one tile in registers).
  const D = compute([batch, half, half / 4, inC, 4, 4, 4], ([n, ty, xb, c, i, a, b]) => {
    return p(n, c, add(mul(ty, 2), a), add(add(mul(xb, 8), mul(i, 2)), b));
  }, "D");
  const V = compute([16, batch, half, half / 4, inC, 4], ([e, n, ty, xb, c, i]) => {
    const [xi, nu] = [floordiv(e, 4), floormod(e, 4)];
    return bt(xi, (a) => bt(nu, (b) => D.at(n, ty, xb, c, i, a, b)));
  }, "V");
  const rc = reduceAxis(inC, "rc");
  const M = compute(
    [16, batch, half, half / 4, 4, outC],
    ([e, n, ty, xb, i, o]) => sum(mul(V.at(e, n, ty, xb, rc, i), U.at(e, rc, o)), [rc]),
    "M",
  );
  const Y = compute(nchw ? [batch, outC, size, size] : [batch, size, size, outC], (idx) => {
    const [n, o, y, x] = nchw ? idx : [idx[0], idx[3], idx[1], idx[2]];
    const [ty, tx] = [floordiv(y, 2), floordiv(x, 2)];
    const [xb, i] = [floordiv(tx, 4), floormod(tx, 4)];
    return at(
      floormod(y, 2),
      (xi) => at(floormod(x, 2), (nu) => M.at(xi * 4 + nu, n, ty, xb, i, o)),
    );
  }, "Y");
  return tightenReads(createPrimFunc([X, W, Y], "conv"), ["V", "Y"]);
}

/**
 * `f` with the read regions of the named blocks recomputed from their bodies. A tensor
 * expression that reads one buffer at several places (the 16 entries of a tile) is declared as
 * reading the whole buffer; the hull of its accesses lets `computeAt` shrink the producer to
 * what one iteration reads.
 */
function tightenReads(f: PrimFunc, names: readonly string[]): PrimFunc {
  for (const name of names) {
    const at = findBlock(f, name);
    if (!at) continue;
    const ana = analyzerFor(f, [...at.path, at.realize]);
    const tight = withAccessRegions(at.block, ana);
    f = replaceStmt(f, at.realize, { ...at.realize, block: tight });
  }
  return f;
}

/**
 * Schedule `conv2dWinogradFunction` for the cpu target (`threads` > 1: the outer loops of every
 * stage `parallel`); returns the `Schedule`.
 *
 * @example
 * ```ts
 * import { conv2dWinogradFunction, winogradSchedule } from "./03_conv2d_winograd.ts";
 * const s = winogradSchedule(conv2dWinogradFunction(1, 4, 8, 8));
 * console.assert(s.func.params.length === 3);
 * ```
 */
export function winogradSchedule(f: PrimFunc, options: ConvScheduleOptions = {}): Schedule {
  const threads = options.threads ?? 1, NR = 8;
  const nhwc = convLayout(f) === "NHWC";
  const sch = new Schedule(f);
  const par = (loop: ReturnType<Schedule["getLoops"]>[number]) => {
    if (threads > 1) sch.parallel(loop);
  };
  // Padding: a vectorized pass (example 03).
  vectorizeLast(sch, sch.getLoops(sch.getBlock("P")));
  // Kernel transform: the 16 entries of one (c, o) at once (e innermost, unrolled).
  const u = sch.getBlock("U");
  const [ue, uc, uo] = sch.getLoops(u);
  if (nhwc) {
    // HWIO weights are contiguous in o: vectors of 8 output channels.
    const [uoo, uoi] = sch.split(uo, [undefined, NR]);
    sch.reorder(uc, uoo, ue, uoi);
    sch.vectorize(uoi);
  } else sch.reorder(uc, uo, ue);
  sch.unroll(ue);
  par(uc);
  // Input transform: one 4 × 4 input tile → its 16 entries.
  const v = sch.getBlock("V");
  const [ve, vn, vr, vxb, vc, vi] = sch.getLoops(v);
  sch.reorder(vn, vr, vxb, vc, vi, ve);
  sch.unroll(ve);
  // The gathered tile at the transform, in registers: 16 loads of P per tile. (Reading P in
  // the transform directly, clang takes the stores to V for possible aliases of P and reloads
  // the 16 values for every one of the 16 entries.)
  const d = sch.getBlock("D");
  sch.computeAt(d, vi);
  sch.setScope(d, 0, "local");
  for (const l of sch.getLoops(d).slice(-2)) sch.unroll(l);
  // The 16 planes of V and M are 196 KiB apart, a multiple of 4 KiB: the 16 stores of one input
  // tile (and the 16 loads of one output tile) would all fall in one L1 set and alias each other
  // in the store buffer. Planes 64 bytes further apart spread them over 16 sets.
  sch.storageAlign(v, 0, 0, PAGE_FLOATS, LINE_FLOATS);
  // The 16 matmuls: example 02's 4 × 8 micro-kernel (rows i, vector columns o).
  const m = sch.getBlock("M");
  const [me, mn, mr, mxb, mi, mo, mc] = sch.getLoops(m);
  const [moo, moi] = sch.split(mo, [undefined, NR]);
  const [mco, mci] = sch.split(mc, [undefined, 2]);
  sch.reorder(me, mn, mr, mxb, moo, mco, mci, mi, moi);
  const back = sch.cacheWrite(m, 0, "local");
  sch.reverseComputeAt(back, moo);
  sch.decomposeReduction(m, mco);
  sch.storageAlign(back, 0, 0, PAGE_FLOATS, LINE_FLOATS);
  const bl = sch.getLoops(back);
  sch.vectorize(bl[bl.length - 1]);
  sch.contractFma(m);
  sch.unroll(mci);
  sch.unroll(mi);
  sch.vectorize(moi);
  par(me);
  // Output transform: one 2 × 2 output tile per (tile, o), from its 16 entries.
  const y = sch.getBlock("Y");
  const yl = sch.getLoops(y);
  const [yn, yo, yy, yx] = nhwc ? [yl[0], yl[3], yl[1], yl[2]] : yl;
  const [yt, yi] = sch.split(yy, [undefined, 2]);
  const [xt, xi] = sch.split(yx, [undefined, 2]);
  if (nhwc) {
    // Output channels innermost in Y and M: vectors of 8 channels, the 2 × 2 outputs unrolled.
    const [yoo, yoi] = sch.split(yo, [undefined, NR]);
    sch.reorder(yn, yt, xt, yoo, yi, xi, yoi);
    sch.vectorize(yoi);
  } else sch.reorder(yn, yt, xt, yo, yi, xi);
  sch.unroll(yi);
  sch.unroll(xi);
  par(yt);
  return sch;
}

/**
 * The layout of a `conv2dWinogradFunction`: NCHW when the output's axis 1 is the weights' axis 0
 * (output channels in both; in NHWC axis 1 is the height, at least 8, against a kernel of 3).
 */
function convLayout(f: PrimFunc): "NCHW" | "NHWC" {
  const [, w, y] = f.params;
  if (w.kind !== "Buffer" || y.kind !== "Buffer") throw new TypeError("conv(X, W, Y) expected");
  const [a, b] = [y.shape[1], w.shape[0]];
  return a.kind === "IntImm" && b.kind === "IntImm" && a.value === b.value ? "NCHW" : "NHWC";
}

/** `winogradSchedule(f, options).func`. */
export function scheduleConv2dWinograd(f: PrimFunc, options: ConvScheduleOptions = {}): PrimFunc {
  return winogradSchedule(f, options).func;
}
