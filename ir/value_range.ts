/**
 * Declared value ranges of a function's buffer parameters: "every element of `B` lies in
 * [0, 127]". A kernel author states one with `placeholder(shape, dtype, name, { range })`
 * (`ir/te.ts`); it is a precondition of the function, kept as the `PrimFunc` attribute
 * `tessera.value_range` (a string such as `"B:[0,127]"`, so it survives the script form,
 * scheduling and lowering, which all keep `attrs`). Intrinsics whose result is only defined on
 * part of an operand's range (`operandRanges`, `sdk/intrinsic.ts`) are chosen by
 * auto-tensorization only where a declared range proves the precondition. The reference
 * interpreter and the cpu kernels check inputs against the declared ranges at call time
 * (`checkArgumentRanges`, `CALL_VALUE_RANGE`); see docs/semantics.md.
 *
 * @example
 * ```ts
 * import { formatValueRanges, parseValueRanges } from "./value_range.ts";
 * const s = formatValueRanges(new Map([["B", [0, 127]]]));
 * console.assert(s === "B:[0,127]" && parseValueRanges(s).get("B")![1] === 127);
 * ```
 *
 * @module
 */
import {
  type DType,
  elementOf,
  isBool,
  isFloat,
  maxValue,
  minValue,
  type TypedArray,
} from "./dtype.ts";
import { CallError, IRTypeError } from "./errors.ts";
import type { PrimFunc } from "./func.ts";
import { getElement } from "./ndarray.ts";

/** A closed interval `[lo, hi]` of element values. */
export type ValueRange = readonly [number, number];

/** The `PrimFunc` attribute holding the declared ranges (`formatValueRanges`' text). */
export const VALUE_RANGE_ATTR = "tessera.value_range";

function badRange(message: string, path?: string): IRTypeError {
  return new IRTypeError("BAD_VALUE_RANGE", message, {
    path,
    hint: "a range is [lo, hi] with lo ≤ hi inside the dtype (integers for integer dtypes)",
  });
}

/**
 * Check that `range` is a valid range of `dtype` values (lo ≤ hi, inside the dtype, integral for
 * integer dtypes); returns it frozen. Throws `IRTypeError` `BAD_VALUE_RANGE` naming `what`.
 *
 * @example
 * ```ts
 * import { checkValueRange } from "./value_range.ts";
 * console.assert(checkValueRange([0, 127], "int8", "B")[1] === 127);
 * ```
 */
export function checkValueRange(range: unknown, dtype: DType, what: string): ValueRange {
  const r = range as number[];
  if (!Array.isArray(r) || r.length !== 2 || r.some((x) => typeof x !== "number" || isNaN(x))) {
    throw badRange(`Cannot declare the value range of ${what}: it is not [lo, hi]`, what);
  }
  const [lo, hi] = r;
  const [min, max] = [minValue(dtype), maxValue(dtype)];
  const float = isFloat(dtype);
  if (!float && !(Number.isInteger(lo) && Number.isInteger(hi))) {
    throw badRange(
      `Cannot declare the value range of ${what}: [${lo}, ${hi}] is not integral for ${dtype}`,
      what,
    );
  }
  const lowest = float ? -Infinity : isBool(dtype) ? 0 : min;
  const highest = float ? Infinity : isBool(dtype) ? 1 : max;
  if (lo > hi || lo < lowest || hi > highest) {
    throw badRange(
      `Cannot declare the value range of ${what}: [${lo}, ${hi}] is ${
        lo > hi ? "empty" : `not inside ${dtype}'s [${lowest}, ${highest}]`
      }`,
      what,
    );
  }
  return Object.freeze([lo, hi] as const);
}

/**
 * The attribute text of ranges by parameter name: `"A:[-8,7];B:[0,127]"` (sorted by name).
 *
 * @example
 * ```ts
 * import { formatValueRanges } from "./value_range.ts";
 * console.assert(formatValueRanges(new Map([["B", [0, 127]], ["A", [-8, 7]]])) === "A:[-8,7];B:[0,127]");
 * ```
 */
export function formatValueRanges(ranges: ReadonlyMap<string, ValueRange>): string {
  return [...ranges].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, [lo, hi]]) => `${name}:[${lo},${hi}]`).join(";");
}

const ENTRY = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*:\s*\[\s*([^,\]]+)\s*,\s*([^\]]+)\s*\]\s*$/;

/**
 * Parse `formatValueRanges`' text. Throws `IRTypeError` `BAD_VALUE_RANGE` on malformed text.
 *
 * @example
 * ```ts
 * import { parseValueRanges } from "./value_range.ts";
 * console.assert(parseValueRanges("B:[0,127]").get("B")![0] === 0);
 * ```
 */
export function parseValueRanges(text: string): Map<string, ValueRange> {
  const out = new Map<string, ValueRange>();
  for (const part of text.split(";")) {
    if (!part.trim()) continue;
    const m = ENTRY.exec(part);
    const lo = m ? Number(m[2]) : NaN, hi = m ? Number(m[3]) : NaN;
    if (!m || isNaN(lo) || isNaN(hi)) {
      throw badRange(
        `Cannot read the value ranges "${text}": "${part.trim()}" is not name:[lo,hi]`,
        VALUE_RANGE_ATTR,
      );
    }
    out.set(m[1], Object.freeze([lo, hi] as const));
  }
  return out;
}

/**
 * The declared ranges of `f`'s buffer parameters, by name (empty when none), each checked
 * against its parameter's dtype. Throws `IRTypeError` `BAD_VALUE_RANGE` for a range of no
 * buffer parameter or outside the dtype.
 *
 * @example
 * ```ts
 * import { valueRanges } from "./value_range.ts";
 * import { compute, createPrimFunc, placeholder } from "./te.ts";
 * const B = placeholder([4], "int8", "B", { range: [0, 127] });
 * const C = compute([4], ([i]) => B.at(i), "C");
 * console.assert(valueRanges(createPrimFunc([B, C], "f")).get("B")![1] === 127);
 * ```
 */
export function valueRanges(f: PrimFunc): ReadonlyMap<string, ValueRange> {
  const text = f.attrs[VALUE_RANGE_ATTR];
  if (text === undefined) return new Map();
  if (typeof text !== "string") {
    throw badRange(`Cannot read the value ranges of "${f.name}": the attribute is not a string`);
  }
  const out = new Map<string, ValueRange>();
  for (const [name, range] of parseValueRanges(text)) {
    const p = f.params.find((x) => x.kind === "Buffer" && x.name === name);
    if (!p || p.kind !== "Buffer") {
      throw badRange(
        `Cannot read the value ranges of "${f.name}": "${name}" is no buffer parameter`,
        `func "${f.name}" / attrs["${VALUE_RANGE_ATTR}"]`,
      );
    }
    out.set(name, checkValueRange(range, p.dtype, `buffer "${name}" of "${f.name}"`));
  }
  return out;
}

/**
 * `f` with the ranges of `ranges` declared (merged over those it has).
 *
 * @example
 * ```ts
 * import { valueRanges, withValueRanges } from "./value_range.ts";
 * import { compute, createPrimFunc, placeholder } from "./te.ts";
 * const B = placeholder([4], "int8", "B");
 * const f = createPrimFunc([B, compute([4], ([i]) => B.at(i), "C")], "f");
 * console.assert(valueRanges(withValueRanges(f, { B: [0, 9] })).get("B")![1] === 9);
 * ```
 */
export function withValueRanges(
  f: PrimFunc,
  ranges: Readonly<Record<string, ValueRange>>,
): PrimFunc {
  const all = new Map(valueRanges(f));
  for (const [name, r] of Object.entries(ranges)) all.set(name, r);
  if (all.size === 0) return f;
  const out = { ...f, attrs: { ...f.attrs, [VALUE_RANGE_ATTR]: formatValueRanges(all) } };
  valueRanges(out);
  return out;
}

/** One argument to check: its parameter name, dtype, shape and elements. */
export interface RangeArgument {
  /** The buffer parameter's name. */
  readonly name: string;
  /** Element dtype of `data`. */
  readonly dtype: DType;
  /** Shape (row-major `data`). */
  readonly shape: readonly number[];
  /** The elements. */
  readonly data: TypedArray;
}

/**
 * Check arguments against `f`'s declared ranges: throws `CallError` `CALL_VALUE_RANGE` naming the
 * buffer and its first element outside the range (index and value). Arguments of parameters
 * without a declared range are not read. One pass over each ranged argument.
 *
 * @example
 * ```ts
 * import { checkArgumentRanges } from "./value_range.ts";
 * import { compute, createPrimFunc, placeholder } from "./te.ts";
 * const B = placeholder([2], "int8", "B", { range: [0, 127] });
 * const f = createPrimFunc([B, compute([2], ([i]) => B.at(i), "C")], "f");
 * let code = "";
 * try {
 *   checkArgumentRanges(f, [{ name: "B", dtype: "int8", shape: [2], data: Int8Array.of(3, -1) }]);
 * } catch (e) { code = (e as { code: string }).code; }
 * console.assert(code === "CALL_VALUE_RANGE");
 * ```
 */
export function checkArgumentRanges(f: PrimFunc, args: readonly RangeArgument[]): void {
  const ranges = valueRanges(f);
  if (ranges.size === 0) return;
  for (const a of args) {
    const r = ranges.get(a.name);
    if (!r) continue;
    const at = firstOutside(a.data, elementOf(a.dtype), r);
    if (at < 0) continue;
    const index: number[] = [];
    let rest = at;
    for (let d = a.shape.length - 1; d >= 0; d--) {
      index.unshift(rest % a.shape[d]);
      rest = Math.floor(rest / a.shape[d]);
    }
    const v = getElement(a.data, elementOf(a.dtype), at);
    throw new CallError(
      "CALL_VALUE_RANGE",
      `Cannot call "${f.name}": ${a.name}[${
        index.join(", ")
      }] = ${v} is outside its declared range [${r[0]}, ${r[1]}]`,
      {
        path: `func "${f.name}" / buffer "${a.name}"`,
        hint: `the function was compiled for inputs in [${r[0]}, ${
          r[1]
        }] (attrs["${VALUE_RANGE_ATTR}"]); quantize or clamp the input`,
      },
    );
  }
}

/** Index of the first element outside `[lo, hi]` (NaN counts as outside), or -1. */
function firstOutside(data: TypedArray, dtype: DType, [lo, hi]: ValueRange): number {
  if (dtype === "bfloat16" || typeof data[0] === "bigint") {
    for (let i = 0; i < data.length; i++) {
      const v = getElement(data, dtype, i);
      if (!(v >= lo && v <= hi)) return i;
    }
    return -1;
  }
  const d = data as Exclude<TypedArray, BigInt64Array | BigUint64Array>;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!(v >= lo && v <= hi)) return i;
  }
  return -1;
}
