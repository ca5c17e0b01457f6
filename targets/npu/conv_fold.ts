/**
 * Folding a pad region (`pad_region.ts`) into the gather of the contraction region that reads
 * it: the conv's data view, given over the padded buffer `P` (offset and element strides after
 * lowering), is re-expressed over the unpadded `X` — the same view with X's strides, and per
 * padded dimension the coordinate of each element in `P`, so that `convProgram` turns
 * out-of-bounds pixels into DMA zero padding (`ConvFold`, per-row runs only).
 *
 * Every stride of the view must move exactly one coordinate of `P` (a conv window does), and the
 * loop variables in its offset (batch, group) only unpadded ones; otherwise there is no fold.
 *
 * @module
 */
import { add, int, mul, type PrimExpr, type Var } from "../../ir/expr.ts";
import { simplify } from "../../ir/arith/mod.ts";
import { visit } from "../../ir/node.ts";
import { substitute } from "../../ir/transform/mod.ts";
import type { ConvFold } from "./conv_program.ts";
import type { PadKey } from "./pad_region.ts";

/** The data view over X: offset (elements, loop variables allowed), strides, the fold. */
export interface FoldedView {
  /** X's element offset of the view's origin clamped into X (the call argument). */
  readonly offset: PrimExpr;
  /** Elements from that offset to the (virtual) origin: negative when the origin is padding. */
  readonly shift: number;
  /** Element strides over X along m0, m1, r0, r1, r2. */
  readonly strides: readonly number[];
  /** The padded coordinates. */
  readonly fold: ConvFold;
}

const rowMajor = (shape: readonly number[]) => {
  const s = shape.map(() => 1);
  for (let j = shape.length - 2; j >= 0; j--) s[j] = s[j + 1] * shape[j + 1];
  return s;
};

/** Coordinates of a non-negative element offset in a row-major array. */
function coords(off: number, strides: readonly number[], shape: readonly number[]): number[] {
  return strides.map((s, d) => Math.floor(off / s) % shape[d]);
}

/** The one coordinate a step moves (dimension, amount), or undefined. */
function oneCoord(
  step: number,
  strides: readonly number[],
  shape: readonly number[],
): [number, number] | undefined {
  if (step === 0) return [0, 0];
  const c = coords(step, strides, shape);
  const nz = c.map((x, d) => [d, x]).filter(([, x]) => x !== 0);
  if (nz.length !== 1 || nz[0][1] * strides[nz[0][0]] !== step) return undefined;
  return nz[0] as [number, number];
}

/**
 * The view of a conv's data (`offset`, `strides` over P, the pad key's padded buffer) over X, or
 * undefined when the fold does not apply (see the module doc).
 *
 * @example
 * ```ts
 * import { int } from "../../ir/expr.ts";
 * import { foldView } from "./conv_fold.ts";
 * // NCHW 1×2×4×4 padded by 1 → 1×2×6×6; the view D[y, x, c, ry, rx] of a 3×3 conv
 * const v = foldView(
 *   { chip: "x", dtype: "int8", shape: [1, 2, 4, 4], before: [0, 0, 1, 1], after: [0, 0, 1, 1], block: "P" },
 *   int(0),
 *   [6, 1, 36, 6, 1],
 * )!;
 * console.assert(v.strides.join() === "4,1,16,4,1" && v.shift === -5);
 * ```
 */
export function foldView(
  key: PadKey,
  offset: PrimExpr,
  strides: readonly number[],
): FoldedView | undefined {
  const P = key.shape.map((x, d) => x + key.before[d] + key.after[d]);
  const sP = rowMajor(P), sX = rowMajor(key.shape);
  const padded = P.map((_, d) => d).filter((d) => key.before[d] + key.after[d] > 0);
  // the origin: constant part and loop variables
  const vars: Var[] = [];
  visit(offset, (n) => {
    if (n.kind === "Var" && !vars.includes(n)) vars.push(n);
  });
  const zero = new Map<Var, PrimExpr>(vars.map((v) => [v, int(0, v.dtype)]));
  const o0 = simplify(substitute(offset, zero));
  if (o0.kind !== "IntImm" || o0.value < 0) return undefined;
  const base = coords(o0.value, sP, P);
  let xOff: PrimExpr = int(base.reduce((a, c, d) => a + (padded.includes(d) ? 0 : c * sX[d]), 0));
  for (const v of vars) {
    const one = new Map(zero);
    one.set(v, int(1, v.dtype));
    const k = simplify(substitute(offset, one));
    if (k.kind !== "IntImm") return undefined;
    const mv = oneCoord(k.value - o0.value, sP, P);
    if (!mv || padded.includes(mv[0])) return undefined;
    xOff = add(xOff, mul(v, int(mv[1] * sX[mv[0]], v.dtype)));
  }
  const moves = strides.map((s) => oneCoord(s, sP, P));
  if (moves.some((m) => !m)) return undefined;
  const shift = padded.reduce((a, d) => a + (base[d] - key.before[d]) * sX[d], 0);
  const coef = (d: number, j: number) => (moves[j]![0] === d ? moves[j]![1] : 0);
  return {
    offset: simplify(xOff),
    shift,
    strides: moves.map((m) => m![1] * sX[m![0]]),
    fold: {
      dims: padded.map((d) => ({
        base: base[d],
        m: [coef(d, 0), coef(d, 1)] as const,
        r: [coef(d, 2), coef(d, 3), coef(d, 4)] as const,
        lo: key.before[d],
        hi: key.before[d] + key.shape[d],
      })),
    },
  };
}
