/**
 * Sliding-window parameters shared by convolution and pooling: strides, padding per side,
 * dilation, and the output size formula.
 *
 * @module
 */
import * as E from "../expr.ts";
import type { PrimExpr } from "../expr.ts";
import { opError } from "./errors.ts";

/** 2-D data layouts: batch, channels, height, width in some order. */
export type Layout2d = "NCHW" | "NHWC";

/** A number for both spatial dimensions, or `[height, width]`. */
export type Pair = number | readonly [number, number];

/** Padding: one number for every side, `[h, w]`, or `[top, left, bottom, right]`. */
export type Padding =
  | number
  | readonly [number, number]
  | readonly [number, number, number, number];

/** Window parameters after normalisation. */
export interface Window {
  readonly strides: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** `[top, left, bottom, right]`. */
  readonly padding: readonly [number, number, number, number];
}

/** A pair of positive (or, with `zeroOk`, non-negative) integers. */
export function pairOf(op: string, arg: string, v: Pair, zeroOk = false): [number, number] {
  const p: [number, number] = typeof v === "number" ? [v, v] : [v[0], v[1]];
  if (
    (typeof v !== "number" && v.length !== 2) ||
    p.some((x) => !Number.isInteger(x) || x < (zeroOk ? 0 : 1))
  ) {
    throw opError(
      "OP_BAD_PARAM",
      op,
      arg,
      `${JSON.stringify(v)} must be ${
        zeroOk ? "an integer ≥ 0" : "a positive integer"
      } or a pair of them`,
    );
  }
  return p;
}

/** Padding as `[top, left, bottom, right]`. */
export function paddingOf(op: string, v: Padding): [number, number, number, number] {
  const p: number[] = typeof v === "number"
    ? [v, v, v, v]
    : v.length === 2
    ? [v[0], v[1], v[0], v[1]]
    : [...v];
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0)) {
    throw opError(
      "OP_BAD_PARAM",
      op,
      "padding",
      `${JSON.stringify(v)} must be integers ≥ 0: one, [h, w] or [top, left, bottom, right]`,
    );
  }
  return p as [number, number, number, number];
}

/** Normalise strides, dilation and padding. */
export function windowOf(
  op: string,
  o: { strides?: Pair; dilation?: Pair; padding?: Padding },
): Window {
  return {
    strides: pairOf(op, "strides", o.strides ?? 1),
    dilation: pairOf(op, "dilation", o.dilation ?? 1),
    padding: paddingOf(op, o.padding ?? 0),
  };
}

/**
 * Output size of a window sweep: `⌊(in + padBefore + padAfter − dilation·(k − 1) − 1) / stride⌋ + 1`.
 *
 * @example
 * ```ts
 * import { outSize } from "./window.ts";
 * import { int } from "../expr.ts";
 * console.assert((outSize(int(9), int(3), 1, 1, 2, 1) as { value: number }).value === 5);
 * ```
 */
export function outSize(
  size: PrimExpr,
  kernel: PrimExpr,
  padBefore: number,
  padAfter: number,
  stride: number,
  dilation: number,
): PrimExpr {
  const span = E.add(E.mul(dilation, E.sub(kernel, 1)), 1);
  return E.add(E.floordiv(E.sub(E.add(size, padBefore + padAfter), span), stride), 1);
}

/** Where the spatial dimensions (and channels) sit in a layout. */
export function layoutAxes(op: string, layout: string): { c: number; h: number; w: number } {
  if (layout === "NCHW") return { c: 1, h: 2, w: 3 };
  if (layout === "NHWC") return { c: 3, h: 1, w: 2 };
  throw opError("OP_BAD_PARAM", op, "layout", `unknown layout "${layout}", need NCHW or NHWC`);
}
