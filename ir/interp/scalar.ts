/**
 * Exact scalar semantics of binary operators, one function per (operator, dtype). Every result
 * is brought back into the dtype's value set at once:
 *
 * | dtype kind          | add sub mul div                 | mod            | floordiv / floormod                     |
 * | ------------------- | ------------------------------- | -------------- | --------------------------------------- |
 * | float32/16/bfloat16 | R(x ∘ y), R = fround/f16round/bf16Round; IEEE ±inf/NaN on /0 | R(x % y) = C fmod | R(⌊x/y⌋), R(x − ⌊x/y⌋·y), in double |
 * | float64             | x ∘ y                           | x % y (fmod)   | ⌊x/y⌋, x − ⌊x/y⌋·y                      |
 * | int8…int32, uint8…uint32 | W(x ∘ y), W wraps two's complement; mul 32-bit via Math.imul; div truncates | W(x % y), sign of x | floor quotient; remainder has the sign of y |
 * | int64, uint64       | BigInt, W = BigInt.asIntN/asUintN(64) | likewise | likewise                             |
 *
 * Integer div/mod/floordiv/floormod by zero are not defined here: callers check the divisor first
 * and raise INTERP_DIVIDE_BY_ZERO. min/max: Math.min/Math.max for numbers (NaN propagates, −0 <
 * +0); comparisons yield bool 0/1; `and`/`or` on bools.
 *
 * @module
 */
import { bf16Round, type DType, elementOf, isFloat, parseDType } from "../dtype.ts";
import type { BinaryOp } from "../expr.ts";
import { InternalError } from "../errors.ts";
import type { Scalar } from "./values.ts";

/** A binary operation on two lanes. */
export type BinFn = (x: Scalar, y: Scalar) => Scalar;
/** A binary operation on numbers. */
export type NumBinFn = (x: number, y: number) => number;

const identity = (x: number): number => x;

/**
 * The function that brings a number into a (non-64-bit) scalar dtype: float rounding or integer
 * wrap-around. Integer wraps also turn −0 into 0.
 *
 * @example
 * ```ts
 * import { roundFn } from "./scalar.ts";
 * console.assert(roundFn("int8")(128) === -128 && roundFn("uint8")(-1) === 255);
 * ```
 */
export function roundFn(dtype: DType): (x: number) => number {
  switch (elementOf(dtype)) {
    case "float32":
      return Math.fround;
    case "float16":
      return Math.f16round;
    case "bfloat16":
      return bf16Round;
    case "float64":
      return identity;
    case "int8":
      return (x) => (x << 24) >> 24;
    case "uint8":
      return (x) => x & 0xff;
    case "int16":
      return (x) => (x << 16) >> 16;
    case "uint16":
      return (x) => x & 0xffff;
    case "int32":
      return (x) => x | 0;
    case "uint32":
      return (x) => x >>> 0;
    case "bool":
      return (x) => (x ? 1 : 0);
  }
  throw new InternalError(`roundFn of ${dtype}`);
}

/** Wrap a bigint to int64 or uint64. */
export function wrapBigFn(dtype: DType): (x: bigint) => bigint {
  return elementOf(dtype) === "uint64" ? (x) => BigInt.asUintN(64, x) : (x) => BigInt.asIntN(64, x);
}

/** True for operators that raise INTERP_DIVIDE_BY_ZERO on an integer zero divisor. */
export function isDivision(op: BinaryOp): boolean {
  return op === "div" || op === "mod" || op === "floordiv" || op === "floormod";
}

function compare(op: BinaryOp): BinFn | undefined {
  switch (op) {
    case "eq":
      return (x, y) => (x === y ? 1 : 0);
    case "ne":
      return (x, y) => (x !== y ? 1 : 0);
    case "lt":
      return (x, y) => (x < y ? 1 : 0);
    case "le":
      return (x, y) => (x <= y ? 1 : 0);
    case "gt":
      return (x, y) => (x > y ? 1 : 0);
    case "ge":
      return (x, y) => (x >= y ? 1 : 0);
    case "and":
      return (x, y) => (x && y ? 1 : 0);
    case "or":
      return (x, y) => (x || y ? 1 : 0);
  }
  return undefined;
}

function floatBinary(op: BinaryOp, R: (x: number) => number): NumBinFn | undefined {
  switch (op) {
    case "add":
      return (x, y) => R(x + y);
    case "sub":
      return (x, y) => R(x - y);
    case "mul":
      return (x, y) => R(x * y);
    case "div":
      return (x, y) => R(x / y);
    case "mod":
      return (x, y) => R(x % y); // C fmod: exact, sign of x
    case "floordiv":
      return (x, y) => R(Math.floor(x / y));
    case "floormod":
      return (x, y) => R(x - Math.floor(x / y) * y);
  }
  return undefined;
}

function intBinary(op: BinaryOp, W: (x: number) => number, bits: number): NumBinFn | undefined {
  switch (op) {
    case "add":
      return (x, y) => W(x + y);
    case "sub":
      return (x, y) => W(x - y);
    case "mul":
      // Below 32 bits the product is exact in a double; at 32 bits take the low word.
      return bits < 32 ? (x, y) => W(x * y) : (x, y) => W(Math.imul(x, y));
    case "div":
      return (x, y) => W(Math.trunc(x / y)); // exact for |x|, |y| < 2^32
    case "mod":
      return (x, y) => W(x % y);
    case "floordiv":
      return (x, y) => W(Math.floor(x / y));
    case "floormod":
      return (x, y) => {
        const r = x % y;
        return W(r !== 0 && (r < 0) !== (y < 0) ? r + y : r);
      };
  }
  return undefined;
}

function bigBinary(op: BinaryOp, W: (x: bigint) => bigint): BinFn | undefined {
  const f = ((): ((x: bigint, y: bigint) => bigint) | undefined => {
    switch (op) {
      case "add":
        return (x, y) => W(x + y);
      case "sub":
        return (x, y) => W(x - y);
      case "mul":
        return (x, y) => W(x * y);
      case "div":
        return (x, y) => W(x / y); // BigInt division truncates
      case "mod":
        return (x, y) => W(x % y);
      case "floordiv":
        return (x, y) => W(x % y !== 0n && (x < 0n) !== (y < 0n) ? x / y - 1n : x / y);
      case "floormod":
        return (x, y) => {
          const r = x % y;
          return W(r !== 0n && (r < 0n) !== (y < 0n) ? r + y : r);
        };
      case "min":
        return (x, y) => (x < y ? x : y);
      case "max":
        return (x, y) => (x > y ? x : y);
    }
    return undefined;
  })();
  return f as BinFn | undefined;
}

/**
 * The exact semantics of `op` on two lanes of scalar dtype `dtype` (the operands' dtype; the
 * result of a comparison is bool 0/1).
 *
 * @example
 * ```ts
 * import { binaryFn } from "./scalar.ts";
 * console.assert(binaryFn("add", "int8")(127, 1) === -128);
 * console.assert(binaryFn("floormod", "int32")(-7, 2) === 1);
 * console.assert(binaryFn("mul", "int64")(2n ** 40n, 2n ** 40n) === 0n);
 * ```
 */
export function binaryFn(op: BinaryOp, dtype: DType): BinFn {
  const d = elementOf(dtype);
  const f = compare(op) ??
    (d === "int64" || d === "uint64"
      ? bigBinary(op, wrapBigFn(d))
      : op === "min"
      ? Math.min
      : op === "max"
      ? Math.max
      : isFloat(d)
      ? floatBinary(op, roundFn(d))
      : intBinary(op, roundFn(d), parseDType(d).bits));
  if (!f) throw new InternalError(`no semantics for "${op}" on ${dtype}`);
  return f as BinFn;
}
