/**
 * Test helpers for the interpreter: reference rounding written independently of the code under
 * test (exact BigInt arithmetic), and small IR builders.
 *
 * @module
 */
import type { DType } from "../dtype.ts";
import { binary, type BinaryOp, bufferLoad, cast, type PrimExpr } from "../expr.ts";
import { type PrimFunc, primFunc } from "../func.ts";
import { type Buffer, bufferStore, decl, forLoop, loopVar } from "../stmt.ts";

/** Float formats: precision p (bits incl. the implicit one), smallest ulp, largest finite. */
export const FORMATS: Record<string, { p: number; minUlp: number; max: number }> = {
  float64: { p: 53, minUlp: -1074, max: Number.MAX_VALUE },
  float32: { p: 24, minUlp: -149, max: 3.4028234663852886e38 },
  float16: { p: 11, minUlp: -24, max: 65504 },
  bfloat16: { p: 8, minUlp: -133, max: 3.3895313892515355e38 },
};

/** A finite double as m·2^e exactly (m a signed bigint). */
export function exact(x: number): [bigint, number] {
  if (x === 0) return [0n, 0];
  let e = 0;
  let m = Math.abs(x);
  while (!Number.isInteger(m)) {
    m *= 2; // exact: doubling a double is exact while finite
    e--;
  }
  while (m > Number.MAX_SAFE_INTEGER) {
    m /= 2;
    e++;
  }
  return [BigInt(x < 0 ? -m : m), e];
}

/** The value m·2^e rounded to nearest even in a format (±Infinity past the largest finite). */
export function roundExact(m: bigint, e: number, dtype: DType): number {
  const { p, minUlp, max } = FORMATS[dtype];
  if (m === 0n) return 0;
  const neg = m < 0n;
  let a = neg ? -m : m;
  const bits = a.toString(2).length;
  const ulp = Math.max(e + bits - p, minUlp);
  if (ulp > e) {
    const s = BigInt(ulp - e);
    let q = a >> s;
    const rem = a - (q << s);
    const half = 1n << (s - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
    a = q;
    e = ulp;
  }
  let v = Number(a);
  for (let k = 0; k < Math.abs(e); k++) v = e > 0 ? v * 2 : v / 2; // exact steps
  // The halving loop could round at the very bottom of double's range; formats here stay above.
  if (v > max) v = Infinity;
  return neg ? -v : v;
}

/** A double rounded to a format, by exact arithmetic. NaN and infinities pass through. */
export function refRound(x: number, dtype: DType): number {
  if (!Number.isFinite(x)) return x;
  const [m, e] = exact(x);
  const r = roundExact(m, e, dtype);
  return r === 0 && Object.is(x, -0) ? -0 : r === 0 && x < 0 ? -0 : r;
}

/**
 * `C[i] = A[i] <op> B[i]` over `[n]` with a plain loop. With `widen`, C is float64 and holds
 * `cast(float64, A[i] <op> B[i])`: a store into a narrow typed array would round or wrap by itself
 * and hide an operation that forgot to, a cast to float64 (exact for every type up to 32 bits)
 * does not.
 */
export function elementwise(op: BinaryOp, dtype: DType, n: number, widen = false): PrimFunc {
  const A = decl("A", [n], dtype);
  const B = decl("B", [n], dtype);
  const compare = ["eq", "ne", "lt", "le", "gt", "ge"].includes(op);
  const outType = compare ? "bool" : widen ? "float64" : dtype;
  const C = decl("C", [n], outType);
  const i = loopVar("i");
  const v = binary(op, bufferLoad(A, [i]), bufferLoad(B, [i]));
  const body = bufferStore(C, compare || !widen ? v : cast("float64", v), [i]);
  return primFunc(`ew_${op}`, [A, B, C], forLoop(i, 0, n, body));
}

/** `B[i] = f(A[i])` over `[n]`. */
export function unary(
  name: string,
  A: Buffer,
  B: Buffer,
  f: (x: PrimExpr) => PrimExpr,
): PrimFunc {
  const i = loopVar("i");
  const n = A.shape[0];
  return primFunc(name, [A, B], forLoop(i, 0, n, bufferStore(B, f(bufferLoad(A, [i])), [i])));
}
