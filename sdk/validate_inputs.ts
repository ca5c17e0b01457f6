/**
 * Inputs for validating an intrinsic: per trial, one tile per description parameter, filled
 * from a seeded generator by the trial's *kind* — random values, or an edge case chosen to catch
 * what implementations get wrong (zeros, the dtype's extremes, int8 saturation boundaries,
 * NaN/±Inf/−0, denormals) — in a compact or a strided layout. A trial is `{ kind, seed,
 * strided }`, so its inputs can be regenerated exactly (`trialTiles`).
 *
 * An operand with a precondition (`operandRanges`) gets every kind's values inside its range
 * (`extremes`: the range's own bounds and their neighbours); the others the dtype's full range.
 *
 * Edge cases for floats are chosen so that every summation order gives the same result (an
 * implementation may add in any order): specials are sparse among small values, extremes are
 * all of one sign, denormal sums are exact.
 *
 * @module
 */
import {
  byteSize,
  type DType,
  elementOf,
  intRange,
  isBool,
  isFloat,
  maxValue,
} from "../ir/dtype.ts";
import { ndarray, rng, setElement } from "../ir/ndarray.ts";
import type { Buffer } from "../ir/stmt.ts";
import type { ValueRange } from "../ir/value_range.ts";
import type { Intrinsic } from "./intrinsic.ts";
import type { IntrinsicTile } from "./intrinsic_run.ts";

/** How a trial's values are chosen. */
export type TrialKind =
  | "random" // uniform: floats in [-1, 1), integers over their whole range (int64: ±2³¹)
  | "zeros" // every element 0
  | "max" // every element the dtype's largest finite value
  | "min" // every element the dtype's lowest finite value
  | "extremes" // integers only: each element one of min, min+1, -1, 0, 1, max-1, max
  | "specials" // floats only: random small values with NaN, ±Inf and −0 (each at least once)
  | "denormals"; // floats only: tiny subnormals in even operands, ±1 and ±2 in odd ones

/** Every edge-case kind, in the order validation runs them. */
export const EDGE_KINDS: readonly TrialKind[] = [
  "zeros",
  "max",
  "min",
  "extremes",
  "specials",
  "denormals",
];

/** One execution of an intrinsic during validation: how its inputs were made. */
export interface Trial {
  /** How values are chosen. */
  readonly kind: TrialKind;
  /** The generator's seed. */
  readonly seed: number;
  /** Tiles inside larger storages (origin offset, padded rows) instead of compact arrays. */
  readonly strided: boolean;
}

/** The description's buffer parameters (an intrinsic's operands), in order. */
export function operandBuffers(intrinsic: Intrinsic): Buffer[] {
  return intrinsic.description.params.filter((p): p is Buffer => p.kind === "Buffer");
}

/** The constant shape of an operand, or undefined when a dimension is symbolic. */
export function constantShape(b: Buffer): number[] | undefined {
  const out: number[] = [];
  for (const d of b.shape) {
    if (d.kind !== "IntImm") return undefined;
    out.push(d.value);
  }
  return out;
}

/** True if a trial kind makes sense for a dtype (else the operand gets random values). */
export function kindApplies(kind: TrialKind, dtype: DType): boolean {
  const float = isFloat(dtype);
  if (kind === "extremes") return !float && !isBool(dtype);
  if (kind === "specials" || kind === "denormals") return float;
  return true;
}

/** Smallest positive normal value of a float dtype. */
function minNormal(d: DType): number {
  switch (elementOf(d)) {
    case "float16":
      return 2 ** -14;
    case "float64":
      return 2 ** -1022;
    default: // float32, bfloat16
      return 2 ** -126;
  }
}

/** Smallest positive subnormal of a float dtype. */
function minSubnormal(d: DType): number {
  switch (elementOf(d)) {
    case "float16":
      return 2 ** -24;
    case "float64":
      return 2 ** -1074;
    case "bfloat16":
      return 2 ** -133;
    default:
      return 2 ** -149;
  }
}

function intBounds(d: DType): [number, number] {
  if (isBool(d)) return [0, 1];
  const e = elementOf(d);
  if (e === "int64") return [-(2 ** 31), 2 ** 31 - 1];
  if (e === "uint64") return [0, 2 ** 32 - 1];
  return intRange(d);
}

const SPECIALS = [NaN, Infinity, -Infinity, -0];

/**
 * A generator of one value of `dtype` for a trial kind. Denormals: operand number `operand` even
 * gets subnormals below 1/64 of the smallest normal, odd gets ±1 and ±2, so products are exact
 * and sums of a few dozen stay subnormal and exact in any order (a flush to zero shows).
 */
function valueSource(
  kind: TrialKind,
  dtype: DType,
  r: () => number,
  operand = 0,
  range?: ValueRange,
): () => number {
  const float = isFloat(dtype);
  const applies = kindApplies(kind, dtype);
  const k = applies ? kind : "random";
  if (float && range) return rangedFloats(k, range, r);
  if (float) {
    const big = maxValue(dtype);
    switch (k) {
      case "zeros":
        return () => (r() < 0.5 ? 0 : -0);
      case "max":
        return () => big;
      case "min":
        return () => -big;
      case "specials":
        return () => (r() < 1 / 16 ? SPECIALS[Math.floor(r() * 4)] : 2 * r() - 1);
      case "denormals": {
        const sign = () => (r() < 0.5 ? -1 : 1);
        if (operand % 2 === 1) return () => sign() * (r() < 0.5 ? 1 : 2);
        const lo = minSubnormal(dtype), steps = Math.max(1, minNormal(dtype) / lo / 64);
        return () => sign() * lo * (1 + Math.floor(r() * steps));
      }
      default:
        return () => 2 * r() - 1;
    }
  }
  const [lo, hi] = range ?? intBounds(dtype);
  switch (k) {
    case "zeros":
      return () => Math.min(hi, Math.max(lo, 0));
    case "max":
      return () => hi;
    case "min":
      return () => lo;
    case "extremes": {
      const pick = [lo, lo + 1, -1, 0, 1, hi - 1, hi].filter((v) => v >= lo && v <= hi);
      return () => pick[Math.floor(r() * pick.length)];
    }
    default:
      return () => lo + Math.floor(r() * (hi - lo + 1));
  }
}

/**
 * Floats of an operand with a declared range (`operandRanges`): its bounds for `max`/`min`, the
 * value nearest 0 for `zeros`, uniform inside it otherwise — never a special or a value outside.
 */
function rangedFloats(kind: TrialKind, [lo, hi]: ValueRange, r: () => number): () => number {
  switch (kind) {
    case "zeros":
      return () => Math.min(hi, Math.max(lo, 0));
    case "max":
      return () => hi;
    case "min":
      return () => lo;
    default:
      return () => lo + r() * (hi - lo);
  }
}

/** FNV-1a of a string, to give each intrinsic its own seeds. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The seed of trial number `n` of an intrinsic under a base seed. */
export function trialSeed(base: number, intrinsic: string, n: number): number {
  return (Math.imul(hashString(intrinsic) ^ (base >>> 0), 0x9e3779b1) + n * 0x85ebca6b) >>> 0;
}

/**
 * The trials validation runs: `random` trials (every other one strided), then each edge kind
 * that applies to some operand (compact, plus one strided `extremes`/`specials` trial).
 */
export function listTrials(
  intrinsic: Intrinsic,
  options: { readonly seed?: number; readonly trials?: number; readonly edgeCases?: boolean } = {},
): Trial[] {
  const base = options.seed ?? 1;
  const out: Trial[] = [];
  const n = options.trials ?? 8;
  for (let k = 0; k < n; k++) {
    out.push({ kind: "random", seed: trialSeed(base, intrinsic.name, k), strided: k % 2 === 1 });
  }
  if (options.edgeCases === false) return out;
  const dtypes = operandBuffers(intrinsic).map((b) => b.dtype);
  EDGE_KINDS.forEach((kind, j) => {
    if (!dtypes.some((d) => kindApplies(kind, d) && kind !== "random")) return;
    const seed = trialSeed(base, intrinsic.name, n + j);
    out.push({ kind, seed, strided: false });
    if (kind === "extremes" || kind === "specials") {
      out.push({ kind, seed: seed + 1, strided: true });
    }
  });
  return out;
}

function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}

/**
 * The tiles of a trial: one per operand, values from the trial's kind and seed; strided tiles sit
 * at an aligned offset inside a larger storage with padded rows, the gaps holding random values
 * (which must come back unchanged). `alignmentOf` gives each operand's scope alignment in bytes.
 *
 * @example
 * ```ts ignore
 * const tiles = trialTiles(gemm, { kind: "extremes", seed: 7, strided: true }, () => 64);
 * await target.runtime.runIntrinsic!(gemm, tiles);
 * ```
 */
export function trialTiles(
  intrinsic: Intrinsic,
  trial: Trial,
  alignmentOf: (param: string) => number = () => 1,
): IntrinsicTile[] {
  const r = rng(trial.seed);
  return operandBuffers(intrinsic).map((b, operand) => {
    const shape = constantShape(b) ?? [];
    const dtype = elementOf(b.dtype);
    const alignmentBytes = alignmentOf(b.name);
    const a = Math.max(1, Math.floor(alignmentBytes / byteSize(dtype)));
    const strides = shape.map(() => 1);
    let offset = 0, length = shape.reduce((x, y) => x * y, 1);
    if (trial.strided) {
      for (let d = shape.length - 1; d >= 0; d--) {
        if (d === shape.length - 1) strides[d] = 1;
        else if (d === shape.length - 2) strides[d] = roundUp(shape[d + 1] + 1, a);
        else strides[d] = strides[d + 1] * shape[d + 1];
      }
      offset = a * (1 + Math.floor(r() * 2));
      const last = shape.reduce((s, n, d) => s + (n - 1) * strides[d], offset);
      length = last + 1 + a;
    } else {
      for (let d = shape.length - 2; d >= 0; d--) strides[d] = strides[d + 1] * shape[d + 1];
    }
    const data = ndarray(dtype, [length]);
    const range = intrinsic.operandRanges?.[b.name];
    const fill = valueSource(trial.kind, dtype, r, operand, range);
    const gap = valueSource("random", dtype, r);
    const inside = new Set<number>();
    const count = shape.reduce((x, y) => x * y, 1);
    for (let i = 0; i < count; i++) {
      let o = offset, rest = i;
      for (let d = shape.length - 1; d >= 0; d--) {
        o += (rest % shape[d]) * strides[d];
        rest = Math.floor(rest / shape[d]);
      }
      inside.add(o);
    }
    for (let i = 0; i < length; i++) {
      setElement(data.data, dtype, i, inside.has(i) ? fill() : gap());
    }
    if (trial.kind === "specials" && kindApplies("specials", dtype) && !range) {
      // every special at least once, at distinct places (sparse sprinkling may miss one)
      const places = [...inside];
      for (const v of SPECIALS.slice(0, places.length)) {
        const at = places.splice(Math.floor(r() * places.length), 1)[0];
        setElement(data.data, dtype, at, v);
      }
    }
    return { param: b.name, dtype, shape, data, offset, strides, alignmentBytes };
  });
}
