/**
 * Data types: a dtype is a string such as `"float32"`, `"int8"`, `"bool"` or, with vector lanes,
 * `"float32x4"`. Strings read well in printed IR and traces and compare with `===`.
 *
 * This file also holds the exact numeric semantics every part of Tessera shares: integer
 * wrap-around and float16/bfloat16 rounding (`normalize`).
 *
 * @module
 */
import { IRTypeError } from "./errors.ts";

/** A dtype string: `<kind><bits>` with an optional `x<lanes>` suffix, or `bool`. */
export type DType = string;

/** The scalar kinds of dtypes. */
export type DTypeKind = "float" | "bfloat" | "int" | "uint" | "bool" | "handle";

/** A dtype taken apart. */
export interface DTypeInfo {
  /** Scalar kind. */
  readonly kind: DTypeKind;
  /** Bits of one lane. */
  readonly bits: number;
  /** Number of vector lanes (1 for scalars). */
  readonly lanes: number;
}

/** The element dtypes tensors may hold. */
export const TENSOR_DTYPES: readonly DType[] = [
  "float32",
  "float16",
  "bfloat16",
  "float64",
  "int8",
  "uint8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "bool",
];

const VALID_BITS: Record<DTypeKind, readonly number[]> = {
  float: [16, 32, 64],
  bfloat: [16],
  int: [8, 16, 32, 64],
  uint: [8, 16, 32, 64],
  bool: [1],
  handle: [64],
};

const cache = new Map<string, DTypeInfo>();

/**
 * Take a dtype string apart; throws `IRTypeError` (`DTYPE_UNKNOWN`) for anything else.
 *
 * @example
 * ```ts
 * import { parseDType } from "./dtype.ts";
 * const t = parseDType("float32x4");
 * console.assert(t.kind === "float" && t.bits === 32 && t.lanes === 4);
 * ```
 */
export function parseDType(dtype: string): DTypeInfo {
  const hit = cache.get(dtype);
  if (hit) return hit;
  const m = /^(bool|handle|float|bfloat|int|uint)(\d*)(?:x(\d+))?$/.exec(dtype);
  let info: DTypeInfo | undefined;
  if (m) {
    const kind = m[1] as DTypeKind;
    const bits = m[2] === "" ? (kind === "bool" ? 1 : kind === "handle" ? 64 : NaN) : Number(m[2]);
    const lanes = m[3] === undefined ? 1 : Number(m[3]);
    if (VALID_BITS[kind].includes(bits) && lanes >= 1 && lanes <= 64) {
      info = { kind, bits, lanes };
    }
  }
  if (!info) {
    throw new IRTypeError("DTYPE_UNKNOWN", `Unknown dtype "${dtype}"`, {
      hint: `expected one of ${TENSOR_DTYPES.join(", ")}, optionally with lanes such as float32x4`,
    });
  }
  cache.set(dtype, info);
  return info;
}

/**
 * Build a dtype string from its parts.
 *
 * @example
 * ```ts
 * import { makeDType } from "./dtype.ts";
 * console.assert(makeDType("int", 8, 16) === "int8x16");
 * ```
 */
export function makeDType(kind: DTypeKind, bits: number, lanes = 1): DType {
  const base = kind === "bool" ? "bool" : kind === "handle" ? "handle" : `${kind}${bits}`;
  const d = lanes === 1 ? base : `${base}x${lanes}`;
  parseDType(d);
  return d;
}

/** True if the dtype is a float (incl. bfloat16). @example `isFloat("float16") === true` */
export function isFloat(d: DType): boolean {
  const k = parseDType(d).kind;
  return k === "float" || k === "bfloat";
}

/** True for signed or unsigned integers (not bool). @example `isInt("uint8") === true` */
export function isInt(d: DType): boolean {
  const k = parseDType(d).kind;
  return k === "int" || k === "uint";
}

/** True for unsigned integers. @example `isUInt("uint8") === true` */
export function isUInt(d: DType): boolean {
  return parseDType(d).kind === "uint";
}

/** True for bool (any lanes). @example `isBool("boolx4") === true` */
export function isBool(d: DType): boolean {
  return parseDType(d).kind === "bool";
}

/** Lanes of a dtype. @example `lanesOf("float32x4") === 4` */
export function lanesOf(d: DType): number {
  return parseDType(d).lanes;
}

/** Bits of one lane. @example `bitsOf("int16") === 16` */
export function bitsOf(d: DType): number {
  return parseDType(d).bits;
}

/** The scalar dtype of a vector dtype. @example `elementOf("float32x4") === "float32"` */
export function elementOf(d: DType): DType {
  const t = parseDType(d);
  return makeDType(t.kind, t.bits, 1);
}

/** The same element type with other lanes. @example `withLanes("int8", 16) === "int8x16"` */
export function withLanes(d: DType, lanes: number): DType {
  const t = parseDType(d);
  return makeDType(t.kind, t.bits, lanes);
}

/** Bytes one element (all lanes) occupies in memory; bool takes one byte per lane. */
export function byteSize(d: DType): number {
  const t = parseDType(d);
  return (t.kind === "bool" ? 1 : t.bits / 8) * t.lanes;
}

/** Typed array constructors that hold each scalar dtype in memory. */
export type TypedArray =
  | Float32Array
  | Float64Array
  | Float16Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/**
 * Allocate a typed array for `n` elements of a scalar dtype. bfloat16 is held as raw `Uint16Array`
 * bits; bool as `Uint8Array`; float16 as `Float16Array`.
 *
 * @example
 * ```ts
 * import { allocTyped } from "./dtype.ts";
 * console.assert(allocTyped("int64", 2) instanceof BigInt64Array);
 * ```
 */
export function allocTyped(d: DType, n: number): TypedArray {
  switch (elementOf(d)) {
    case "float32":
      return new Float32Array(n);
    case "float64":
      return new Float64Array(n);
    case "float16":
      return new Float16Array(n);
    case "bfloat16":
    case "uint16":
      return new Uint16Array(n);
    case "int8":
      return new Int8Array(n);
    case "uint8":
    case "bool":
      return new Uint8Array(n);
    case "int16":
      return new Int16Array(n);
    case "int32":
      return new Int32Array(n);
    case "uint32":
      return new Uint32Array(n);
    case "int64":
      return new BigInt64Array(n);
    case "uint64":
      return new BigUint64Array(n);
  }
  throw new IRTypeError("DTYPE_UNKNOWN", `Cannot hold dtype "${d}" in a typed array`);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Round a number to the nearest bfloat16 (ties to even) and return it as a number. */
export function bf16Round(x: number): number {
  return bf16FromBits(bf16Bits(x));
}

/**
 * The 16 bits of the bfloat16 nearest to `x` (ties to even; NaN stays NaN). A double that is not
 * a float32 goes through float32 rounded to odd (truncate, set the sticky last bit), so the result
 * is the correctly rounded bfloat16 of `x` itself — plain float32 rounding first would round twice
 * (1 + 2⁻⁸ + 2⁻³⁰ would become 1 instead of 1 + 2⁻⁷).
 */
export function bf16Bits(x: number): number {
  f32[0] = x;
  let b = u32[0];
  if (Number.isNaN(x)) return (b >>> 16) | 0x40;
  const r = f32[0];
  if (r !== x && Number.isFinite(x)) {
    if (Math.abs(r) > Math.abs(x)) b -= 1; // rounded away from zero (maybe to inf): truncate
    b |= 1; // sticky: x lies strictly between two float32s
  }
  const rounded = b + 0x7fff + ((b >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** The number a bfloat16 bit pattern stands for. */
export function bf16FromBits(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0];
}

/**
 * Bring a number into the value set of a scalar dtype: integers wrap around (two's complement),
 * floats round to their precision, bool becomes 0 or 1. int64/uint64 wrap through BigInt and are
 * exact up to 2^53 in a number.
 *
 * @example
 * ```ts
 * import { normalize } from "./dtype.ts";
 * console.assert(normalize("int8", 130) === -126);
 * console.assert(normalize("float16", 1 / 3) === Math.f16round(1 / 3));
 * ```
 */
export function normalize(d: DType, v: number): number {
  const t = parseDType(d);
  switch (t.kind) {
    case "float":
      return t.bits === 32 ? Math.fround(v) : t.bits === 16 ? Math.f16round(v) : v;
    case "bfloat":
      return bf16Round(v);
    case "bool":
      return v ? 1 : 0;
    case "int":
    case "uint":
      return wrapInt(t.kind === "int", t.bits, v);
  }
  return v;
}

function wrapInt(signed: boolean, bits: number, v: number): number {
  if (!Number.isFinite(v)) return 0;
  v = Math.trunc(v);
  if (bits === 32) return signed ? v | 0 : v >>> 0;
  if (bits < 32) {
    const s = 32 - bits;
    return signed ? (v << s) >> s : (v << s) >>> s;
  }
  if (Number.isSafeInteger(v) && Math.abs(v) < 2 ** 62) {
    return signed ? v : v < 0 ? Number(BigInt.asUintN(64, BigInt(v))) : v;
  }
  const b = BigInt(v);
  return Number(signed ? BigInt.asIntN(64, b) : BigInt.asUintN(64, b));
}

/** Smallest and largest value of an integer dtype (as numbers; int64 is approximate). */
export function intRange(d: DType): [number, number] {
  const t = parseDType(d);
  if (t.kind === "bool") return [0, 1];
  if (t.kind === "uint") return [0, 2 ** t.bits - 1];
  if (t.kind === "int") return [-(2 ** (t.bits - 1)), 2 ** (t.bits - 1) - 1];
  return [-Infinity, Infinity];
}

/**
 * The largest finite value of a float dtype, or the largest value of an integer dtype; used as the
 * identity of min-reductions.
 */
export function maxValue(d: DType): number {
  const t = parseDType(d);
  if (t.kind === "float") {
    return t.bits === 16 ? 65504 : t.bits === 32 ? 3.4028234663852886e38 : Number.MAX_VALUE;
  }
  if (t.kind === "bfloat") return 3.3895313892515355e38;
  return intRange(d)[1];
}

/** The smallest finite value (negated `maxValue` for floats); identity of max-reductions. */
export function minValue(d: DType): number {
  return isFloat(d) ? -maxValue(d) : intRange(d)[0];
}
