/**
 * Literals of the script form, printed and read side by side so they round-trip exactly.
 *
 * - Integers: `3` (int32), `3i8`, `200u8`, `-5i64`; int64 beyond 2^53 is written with all its
 *   digits. Booleans: `true`, `false`; vector constants: `1i32x4`, `1bx4`.
 * - Floats: `1.5` (float32), `1.5f16`, `0.1f64`, `2.0bf16`; the shortest decimal that rounds back
 *   to the same value in its dtype; `-0.0`, `inf`, `-inf`, `nan`, `nanf16`, `inff64`.
 * - A literal without a suffix is *untyped*: where an operation needs one dtype for both operands
 *   (`x + 1` with `x: int64`) it takes the other operand's dtype, as numbers do in the DSL.
 *
 * @module
 */
import { type DType, intRange, isFloat, normalize, parseDType } from "../dtype.ts";
import type { FloatImm, IntImm } from "../expr.ts";
import type { AnnotationValue } from "../stmt.ts";

/** Suffix letters of each scalar kind (`bf` before `b` so `bf16` is read as bfloat). */
const SUFFIX_KIND: Readonly<Record<string, string>> = {
  i: "int",
  u: "uint",
  f: "float",
  bf: "bfloat",
  b: "bool",
};
const KIND_SUFFIX: Readonly<Record<string, string>> = {
  int: "i",
  uint: "u",
  float: "f",
  bfloat: "bf",
  bool: "b",
};
const SUFFIX = /^(i|u|f|bf|b)(\d*)(?:x(\d+))?$/;

/**
 * The literal suffix of a dtype: `int8` → `i8`, `bfloat16x4` → `bf16x4`, `bool` → `b`.
 *
 * @example
 * ```ts
 * import { dtypeSuffix } from "./literal.ts";
 * console.assert(dtypeSuffix("float16") === "f16");
 * ```
 */
export function dtypeSuffix(dtype: DType): string {
  const t = parseDType(dtype);
  const bits = t.kind === "bool" ? "" : String(t.bits);
  return `${KIND_SUFFIX[t.kind] ?? t.kind}${bits}${t.lanes > 1 ? `x${t.lanes}` : ""}`;
}

/** The dtype a literal suffix names, or undefined. @example `suffixDType("u8") === "uint8"` */
export function suffixDType(suffix: string): DType | undefined {
  const m = SUFFIX.exec(suffix);
  if (!m) return undefined;
  const kind = SUFFIX_KIND[m[1]];
  if ((kind === "bool") !== (m[2] === "")) return undefined;
  const d = `${kind === "bool" ? "bool" : `${kind}${m[2]}`}${m[3] ? `x${m[3]}` : ""}`;
  try {
    parseDType(d);
    return d;
  } catch {
    return undefined;
  }
}

/** True for identifiers that are literals: `inf`, `nan`, optionally with a float suffix. */
export function isSpecialLiteral(ident: string): boolean {
  const m = /^(inf|nan)(.*)$/.exec(ident);
  if (!m) return false;
  if (m[2] === "") return true;
  const d = suffixDType(m[2]);
  return d !== undefined && isFloat(d);
}

/** A number token taken apart: its value as written, whether it reads as a float, its suffix. */
export interface NumberText {
  /** The value as written (not yet rounded to any dtype). */
  readonly raw: number;
  /** True if written with a fraction, an exponent, or as `inf`/`nan`. */
  readonly floatText: boolean;
  /** The dtype of the suffix, if any. */
  readonly dtype?: DType;
}

/** Read a number token; returns an error message for an unknown suffix. */
export function readNumber(text: string): NumberText | string {
  const m = /^(inf|nan|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(.*)$/.exec(text)!;
  const body = m[1];
  const raw = body === "inf" ? Infinity : body === "nan" ? NaN : Number(body);
  const floatText = !/^\d+$/.test(body);
  if (m[2] === "") return { raw, floatText };
  const dtype = suffixDType(m[2]);
  if (dtype === undefined) {
    return `Cannot read literal "${text}": "${
      m[2]
    }" is no dtype suffix (such as i8, u32, f16, bf16, f64)`;
  }
  return { raw, floatText, dtype };
}

/**
 * The constant a literal denotes in `dtype`, or an error message: a float literal cannot become
 * an integer, and an integer must fit its dtype (no silent wrap-around in text).
 */
export function makeLiteral(
  raw: number,
  floatText: boolean,
  dtype: DType,
): IntImm | FloatImm | string {
  const t = parseDType(dtype);
  if (t.kind === "handle") return `Cannot write a literal of dtype ${dtype}`;
  if (t.kind === "float" || t.kind === "bfloat") {
    return { kind: "FloatImm", dtype, value: normalize(dtype, raw) };
  }
  if (floatText) return `Cannot make a ${dtype} constant from the float literal ${raw}`;
  const [lo, hi] = intRange(dtype);
  if (raw < lo || raw > hi) return `Cannot make a ${dtype} constant of ${raw}: out of range`;
  return { kind: "IntImm", dtype, value: raw };
}

function intText(v: number): string {
  if (Object.is(v, -0)) return "-0";
  return Math.abs(v) >= 2 ** 53 ? BigInt(v).toString() : String(v);
}

/** The shortest decimal that rounds back to `v` in `dtype` (plain `String` is exact for doubles). */
function floatText(v: number, dtype: DType): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Object.is(v, -0)) return "-0.0";
  let s = String(v);
  if (parseDType(dtype).bits < 64) {
    for (let p = 1; p <= 17; p++) {
      const c = String(Number(v.toPrecision(p)));
      if (normalize(dtype, Number(c)) === v) {
        s = c;
        break;
      }
    }
  }
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/**
 * Print a constant so that it reads back to the same dtype and value (see the module doc).
 *
 * @example
 * ```ts
 * import { formatConstant } from "./literal.ts";
 * import { float, int } from "../expr.ts";
 * console.assert(formatConstant(int(3, "int8")) === "3i8");
 * console.assert(formatConstant(float(0.1)) === "0.1");
 * ```
 */
export function formatConstant(c: IntImm | FloatImm): string {
  if (c.kind === "FloatImm") {
    const s = floatText(c.value, c.dtype);
    return c.dtype === "float32" ? s : `${s}${dtypeSuffix(c.dtype)}`;
  }
  if (c.dtype === "bool") return c.value ? "true" : "false";
  const s = intText(c.value);
  return c.dtype === "int32" ? s : `${s}${dtypeSuffix(c.dtype)}`;
}

/** Print an annotation value: a JSON string, `true`/`false`, or a number (`nan`, `inf`, `-0`). */
export function formatAnnotation(v: AnnotationValue): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "boolean") return String(v);
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return Object.is(v, -0) ? "-0" : String(v);
}
