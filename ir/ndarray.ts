/**
 * `NDArray`: host data for a tensor — dtype, concrete shape and a typed array in row-major order.
 * The interpreter, the op references and the targets' runtimes exchange data in this form.
 *
 * @module
 */
import {
  allocTyped,
  bf16Bits,
  bf16FromBits,
  type DType,
  elementOf,
  isFloat,
  normalize,
  type TypedArray,
} from "./dtype.ts";
import { CallError } from "./errors.ts";

/** A host tensor: dtype, shape and row-major data. */
export interface NDArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TypedArray;
}

/** Number of elements of a shape. @example `numel([2, 3]) === 6` */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A host tensor, zero-filled or wrapping `data` (which must have the right length and type).
 *
 * @example
 * ```ts
 * import { ndarray } from "./ndarray.ts";
 * const a = ndarray("float32", [2, 3]);
 * console.assert(a.data.length === 6);
 * ```
 */
export function ndarray(
  dtype: DType,
  shape: readonly number[],
  data?: TypedArray | readonly number[],
): NDArray {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new CallError(
        "BAD_SHAPE",
        `Cannot make a tensor of shape [${shape.join(", ")}]: dimensions must be integers ≥ 0`,
      );
    }
  }
  const n = numel(shape);
  const store = allocTyped(dtype, n);
  if (data !== undefined) {
    if (data.length !== n) {
      throw new CallError(
        "BAD_SHAPE",
        `Cannot make a tensor of shape [${
          shape.join(", ")
        }] from ${data.length} elements: need ${n}`,
      );
    }
    if (ArrayBuffer.isView(data) && data.constructor === store.constructor) {
      return { dtype: elementOf(dtype), shape: [...shape], data: data as TypedArray };
    }
    for (let i = 0; i < n; i++) {
      setElement(store, dtype, i, Number((data as ArrayLike<number | bigint>)[i]));
    }
  }
  return { dtype: elementOf(dtype), shape: [...shape], data: store };
}

/** Read element `i` of a typed array holding `dtype`, as a number (bfloat16 decoded). */
export function getElement(data: TypedArray, dtype: DType, i: number): number {
  const v = data[i];
  if (typeof v === "bigint") return Number(v);
  return elementOf(dtype) === "bfloat16" ? bf16FromBits(v) : v;
}

/** Write element `i` of a typed array holding `dtype`, normalizing the value to the dtype. */
export function setElement(data: TypedArray, dtype: DType, i: number, v: number): void {
  const d = elementOf(dtype);
  if (d === "bfloat16") data[i] = bf16Bits(v);
  else if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    data[i] = BigInt(normalize(d, isFloat(d) ? v : Math.trunc(v)));
  } else data[i] = normalize(d, v);
}

/** Deterministic pseudo-random numbers (mulberry32), so test inputs are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A tensor of reproducible random values: floats uniform in `[lo, hi)`, integers uniform over
 * `[lo, hi]` (defaults: floats −1..1, integers −8..8 or 0..8 for unsigned, bool 0/1).
 *
 * @example
 * ```ts
 * import { randomNDArray } from "./ndarray.ts";
 * const a = randomNDArray("int8", [4], 1);
 * console.assert(a.data.length === 4);
 * ```
 */
export function randomNDArray(
  dtype: DType,
  shape: readonly number[],
  seed = 1,
  lo?: number,
  hi?: number,
): NDArray {
  const a = ndarray(dtype, shape);
  const r = rng(seed);
  const float = isFloat(dtype);
  const d = elementOf(dtype);
  const low = lo ?? (float ? -1 : d === "bool" || d.startsWith("uint") ? 0 : -8);
  const high = hi ?? (float ? 1 : d === "bool" ? 1 : 8);
  for (let i = 0; i < a.data.length; i++) {
    const v = float ? low + (high - low) * r() : Math.floor(low + (high - low + 1) * r());
    setElement(a.data, dtype, i, v);
  }
  return a;
}

/** All elements as numbers (bfloat16 decoded, int64 converted). */
export function toNumbers(a: NDArray): number[] {
  const out = new Array<number>(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = getElement(a.data, a.dtype, i);
  return out;
}
