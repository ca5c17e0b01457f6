/**
 * How dtypes look in the generated C: the type a value is computed in, the type an element is
 * stored in, vector typedefs (clang `ext_vector_type`), and exact literals.
 *
 * | dtype              | value type (C)  | storage type | vector lane type |
 * | ------------------ | --------------- | ------------ | ---------------- |
 * | bool               | uint8_t (0/1)   | uint8_t      | uint8_t (0/1)    |
 * | int8 … uint64      | int8_t … uint64_t | same       | same             |
 * | float32            | float           | float        | float            |
 * | float16, bfloat16  | float (holding a value of the dtype, exactly) | uint16_t bits | float |
 * | float64            | double          | double       | double           |
 *
 * float16/bfloat16 values are floats that always hold a value of their dtype: loads decode, every
 * arithmetic result is rounded back (float32 has ≥ 2p + 2 bits for both, so computing +−×÷√ in
 * float32 and rounding once equals the exact rounded result), stores encode.
 *
 * @module
 */
import { InternalError } from "../../ir/errors.ts";
import { bitsOf, type DType, elementOf, isBool, isFloat, isUInt, lanesOf } from "../../ir/dtype.ts";

interface ScalarInfo {
  /** C type a value is computed in. */
  readonly value: string;
  /** C type of an element in memory. */
  readonly storage: string;
  /** Short name used in typedef and helper names. */
  readonly short: string;
}

const SCALARS: Readonly<Record<string, ScalarInfo>> = {
  bool: { value: "uint8_t", storage: "uint8_t", short: "u8" },
  int8: { value: "int8_t", storage: "int8_t", short: "i8" },
  uint8: { value: "uint8_t", storage: "uint8_t", short: "u8" },
  int16: { value: "int16_t", storage: "int16_t", short: "i16" },
  uint16: { value: "uint16_t", storage: "uint16_t", short: "u16" },
  int32: { value: "int32_t", storage: "int32_t", short: "i32" },
  uint32: { value: "uint32_t", storage: "uint32_t", short: "u32" },
  int64: { value: "int64_t", storage: "int64_t", short: "i64" },
  uint64: { value: "uint64_t", storage: "uint64_t", short: "u64" },
  float16: { value: "float", storage: "uint16_t", short: "f32" },
  bfloat16: { value: "float", storage: "uint16_t", short: "f32" },
  float32: { value: "float", storage: "float", short: "f32" },
  float64: { value: "double", storage: "double", short: "f64" },
};

/** Facts about a scalar dtype's C representation; undefined for dtypes C kernels cannot hold. */
export function scalarInfo(d: DType): ScalarInfo | undefined {
  return SCALARS[elementOf(d)];
}

function info(d: DType): ScalarInfo {
  const s = SCALARS[elementOf(d)];
  if (!s) throw new InternalError(`no C type for ${d}`); // callers check scalarInfo first
  return s;
}

/** The C type a scalar value of `d` (its element type, for vectors) is computed in. */
export function cValue(d: DType): string {
  return info(d).value;
}

/** The C type an element of a buffer of `d` is stored as. */
export function cStorage(d: DType): string {
  return info(d).storage;
}

/** Short element name (`f32`, `i8`, …) of the value type of `d`. */
export function cShort(d: DType): string {
  return info(d).short;
}

/** True if `d` is float16 or bfloat16 (kept as float values, stored as 16 bits). */
export function isHalf(d: DType): boolean {
  const e = elementOf(d);
  return e === "float16" || e === "bfloat16";
}

/** Size in bytes of one lane of the C value type of `d`. */
export function valueBytes(d: DType): number {
  const s = cShort(d);
  return Number(s.slice(1)) / 8;
}

/** True if the C value type of `d` is a signed integer. */
export function isSignedInt(d: DType): boolean {
  return cShort(d).startsWith("i");
}

/** The unsigned C type integer arithmetic of `d` wraps in (no UB on overflow). */
export function cWrap(d: DType): string {
  return bitsOf(d) > 32 ? "uint64_t" : "uint32_t";
}

/** Name of the ext_vector typedef with `lanes` lanes of short element `short`. */
export function vecName(short: string, lanes: number): string {
  return `__tsr_${short}x${lanes}`;
}

/** C element type of a short element name. */
export function shortElem(short: string): string {
  const map: Record<string, string> = {
    f32: "float",
    f64: "double",
    i8: "int8_t",
    u8: "uint8_t",
    i16: "int16_t",
    u16: "uint16_t",
    i32: "int32_t",
    u32: "uint32_t",
    i64: "int64_t",
    u64: "uint64_t",
  };
  return map[short];
}

/** The vector typedef name of the value type of a vector dtype. */
export function cVector(d: DType): string {
  return vecName(cShort(d), lanesOf(d));
}

/** A typedef line for a vector type name built by `vecName`. */
export function vectorTypedef(name: string): string {
  const m = /^__tsr_([a-z]\d+)x(\d+)$/.exec(name)!;
  return `typedef ${shortElem(m[1])} ${name} __attribute__((ext_vector_type(${m[2]})));`;
}

/** A floating literal that parses to exactly the double `v`. */
function doubleLiteral(v: number): string {
  if (Number.isNaN(v)) return '__builtin_nan("")';
  if (v === Infinity) return "__builtin_inf()";
  if (v === -Infinity) return "(-__builtin_inf())";
  if (Object.is(v, -0)) return "(-0.0)";
  const s = String(v);
  const lit = /[.e]/.test(s) ? s : `${s}.0`;
  return v < 0 ? `(${lit})` : lit;
}

/**
 * An exact C literal of scalar dtype `d` with the dtype's value type (int32 literals are plain
 * decimals: C's `int` is `int32_t` on wasm32).
 *
 * @example
 * ```ts
 * import { cLiteral } from "./c_types.ts";
 * console.assert(cLiteral(-1, "int8") === "(int8_t)-1");
 * console.assert(cLiteral(7, "int32") === "7");
 * console.assert(cLiteral(0.5, "float32") === "0.5f");
 * ```
 */
export function cLiteral(v: number, d: DType): string {
  const e = elementOf(d);
  if (isFloat(e)) {
    if (e === "float64") return doubleLiteral(v);
    const lit = doubleLiteral(v);
    const m = /^\(?(-?[0-9][^()]*)\)?$/.exec(lit); // a finite number: a float literal is exact
    return m ? (v < 0 ? `(${m[1]}f)` : `${m[1]}f`) : `(float)${paren(lit)}`;
  }
  if (isBool(e)) return v ? "(uint8_t)1" : "(uint8_t)0";
  const big = BigInt(Math.trunc(v));
  if (e === "int32") return big === -(2n ** 31n) ? "(-2147483647 - 1)" : String(big);
  if (isUInt(e)) return `(${cValue(e)})${BigInt.asUintN(64, big)}u${bitsOf(e) > 32 ? "ll" : ""}`;
  const s = BigInt.asIntN(64, big);
  if (s === -(2n ** 63n)) return "(int64_t)(-9223372036854775807ll - 1)";
  return `(${cValue(e)})${s}${bitsOf(e) > 32 ? "ll" : ""}`;
}

/** True if the brackets opening at `start` close exactly at the end of `x`. */
function closesAtEnd(x: string, start: number): boolean {
  let depth = 0;
  for (let k = start; k < x.length; k++) {
    const c = x[k];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      depth--;
      if (depth === 0) return k === x.length - 1;
    }
  }
  return false;
}

/**
 * `x` ready to be an operand: kept as is when it is atomic (a name, a non-negative number, a
 * call, an indexed name or a parenthesized whole), else wrapped in parentheses.
 *
 * @example
 * ```ts
 * import { paren } from "./c_types.ts";
 * console.assert(paren("a + b") === "(a + b)" && paren("f(a, b)") === "f(a, b)");
 * ```
 */
export function paren(x: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(x) || /^[0-9][0-9.]*(e[+-]?[0-9]+)?[A-Za-z]*$/.test(x)) {
    return x;
  }
  const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(x);
  const start = name ? name[0].length : 0;
  if ((x[start] === "(" || x[start] === "[") && closesAtEnd(x, start)) return x;
  return `(${x})`;
}
