/**
 * Fused multiply-add `a·b + c` with a single rounding, for every float dtype.
 *
 * - float32, float16, bfloat16: the product of two such values is exact in double (at most
 *   2·24 bits, far from double's exponent limits); the sum is computed with TwoSum, which yields
 *   the rounded sum s and its exact error e; s is then rounded to odd (if e ≠ 0 and s's last bit is
 *   even, step s one ulp toward e). Rounding a round-to-odd value with ≥ p+2 bits to p bits gives
 *   the correctly rounded result of the exact value (Boldo & Melquiond), and double has
 *   53 ≥ 24 + 2 bits. So the result is exactly the fused operation, not merely "computed in
 *   double".
 * - float64: no wider float exists, so the exact value m·2^e is formed with BigInt and rounded
 *   once (ties to even), subnormals and overflow included.
 *
 * @module
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of the low 32-bit word of a double in `u32` (little- or big-endian hosts). */
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

/** `s` rounded to odd given the exact error `err` of `s` (TwoSum): step toward err if s is even. */
function roundToOdd(s: number, err: number): number {
  if (err === 0) return s;
  f64[0] = s;
  if ((u32[LO] & 1) === 1) return s;
  if ((err > 0) === (s > 0)) {
    u32[LO] += 1; // magnitude up; the low word is even, so no carry
  } else if (u32[LO] === 0) {
    u32[LO] = 0xffffffff; // magnitude down with a borrow from the high word
    u32[HI] -= 1;
  } else {
    u32[LO] -= 1;
  }
  return f64[0];
}

/**
 * `a·b + c` for a, b, c values of a float type of at most 24 bits of precision (float32,
 * float16, bfloat16), rounded to odd in double; round the result to the type to get the exact FMA.
 *
 * @example
 * ```ts
 * import { fmaNarrow } from "./fma.ts";
 * const a = Math.fround(1 + 2 ** -12);
 * // a·a = 1 + 2⁻¹¹ + 2⁻²⁴: the fused result keeps the 2⁻²⁴ that a·a in float32 rounds away.
 * console.assert(Math.fround(fmaNarrow(a, a, -1)) === 2 ** -11 + 2 ** -24);
 * ```
 */
export function fmaNarrow(a: number, b: number, c: number): number {
  const p = a * b; // exact
  const s = p + c;
  if (!Number.isFinite(s)) return s;
  const bb = s - p;
  const err = (p - (s - bb)) + (c - bb); // TwoSum: p + c = s + err exactly
  return roundToOdd(s, err);
}

/** 2^k as a double for -1022 ≤ k ≤ 1023, built from its bits (exact by construction). */
function pow2(k: number): number {
  u32[HI] = (k + 1023) << 20;
  u32[LO] = 0;
  return f64[0];
}

/** A finite nonzero double as sign·m·2^e with integer m. */
function decompose(x: number): [bigint, number] {
  f64[0] = x;
  const hi = u32[HI];
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(u32[LO]);
  let e = -1074;
  if (biased !== 0) {
    m |= 1n << 52n;
    e = biased - 1075;
  }
  return [x < 0 ? -m : m, e];
}

function bitLength(v: bigint): number {
  return v.toString(2).length;
}

/** The double nearest to m·2^e (m > 0), ties to even, with subnormals and overflow. */
function roundBig(m: bigint, e: number): number {
  const msb = e + bitLength(m) - 1;
  if (msb > 1023) return Infinity;
  const ulp = Math.max(msb - 52, -1074);
  let q = m;
  if (ulp > e) {
    const shift = BigInt(ulp - e);
    q = m >> shift;
    const rem = m - (q << shift);
    const half = 1n << (shift - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  } else {
    // exact: m fits in 53 bits at exponent e ≥ ulp
    return scale(Number(m), e);
  }
  return scale(Number(q), ulp);
}

/** v·2^k for an integer v < 2^54 whose result is representable (or overflows to infinity). */
function scale(v: number, k: number): number {
  if (k < -1000) return v * pow2(k + 1000) * pow2(-1000);
  if (k > 1000) return v * pow2(k - 1000) * pow2(1000);
  return v * pow2(k);
}

/**
 * The correctly rounded double `a·b + c` (IEEE 754 fusedMultiplyAdd, round to nearest even).
 *
 * @example
 * ```ts
 * import { fma64 } from "./fma.ts";
 * const a = 1 + 2 ** -30;
 * console.assert(fma64(a, a, -1) === 2 ** -29 + 2 ** -60); // a·a − 1 without rounding a·a
 * ```
 */
export function fma64(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a * b + c; // product exactly ±inf/NaN
  if (!Number.isFinite(c)) return c;
  if (a === 0 || b === 0 || c === 0) return a * b + c; // one rounding at most, IEEE zero signs
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  const sum = ((ma * mb) << BigInt(ep - e)) + (mc << BigInt(ec - e));
  if (sum === 0n) return 0; // exact cancellation rounds to +0
  return sum < 0n ? -roundBig(-sum, e) : roundBig(sum, e);
}
