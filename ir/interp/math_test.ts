import { assert, assertEquals } from "../test_util.ts";
import { erf } from "./erf.ts";
import { fma64, fmaNarrow } from "./fma.ts";
import { callFn, powC, roundHalfAway } from "./math.ts";
import { exact, roundExact } from "./testing.ts";
import { rng } from "../ndarray.ts";

// ---- erf against an independent 200-bit fixed-point evaluation --------------------------------

const FRAC = 200n;
const ONE = 1n << FRAC;

function atanInv(k: bigint): bigint {
  // atan(1/k) = Σ (-1)^n / ((2n+1) k^(2n+1))
  let term = ONE / k;
  let sum = 0n;
  for (let n = 0n; term !== 0n; n++) {
    sum += (n % 2n === 0n ? 1n : -1n) * (term / (2n * n + 1n));
    term /= k * k;
  }
  return sum;
}

function sqrtFixed(v: bigint): bigint {
  // floor(sqrt(v · 2^FRAC)) by Newton's method on integers
  const n = v << FRAC;
  let x = 1n << ((BigInt(n.toString(2).length) + 1n) / 2n);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

const PI = 4n * (4n * atanInv(5n) - atanInv(239n)); // Machin
const TWO_OVER_SQRT_PI = (2n * ONE * ONE) / sqrtFixed(PI);

/** erf(x) by its Taylor series in 200-bit fixed point, rounded to double. */
function erfReference(x: number): number {
  const [m, e] = exact(x);
  const X = e >= 0 ? m << (FRAC + BigInt(e)) : (m << FRAC) >> BigInt(-e);
  const X2 = (X * X) >> FRAC;
  let power = X; // x^(2n+1)/n!
  let sum = 0n;
  for (let n = 0n; power !== 0n; n++) {
    sum += (n % 2n === 0n ? 1n : -1n) * (power / (2n * n + 1n));
    power = (power * X2) >> FRAC;
    power /= n + 1n;
  }
  const r = (sum * TWO_OVER_SQRT_PI) >> FRAC;
  return roundExact(r, -Number(FRAC), "float64");
}

Deno.test("erf matches a 200-bit reference to 1e-15 relative over the line", () => {
  const r = rng(7);
  const xs = [1e-20, 1e-8, 0.001, 0.1, 0.5, 0.84375, 1, 1.5, 2, 2.4999, 2.5, 3, 4, 5.5];
  for (let k = 0; k < 150; k++) xs.push(6.2 * r());
  let worst = 0;
  for (const x of xs) {
    for (const s of [x, -x]) {
      const ref = erfReference(s);
      const err = Math.abs(erf(s) - ref) / Math.abs(ref);
      worst = Math.max(worst, err);
      assert(err < 1e-15, `erf(${s}) = ${erf(s)}, reference ${ref}`);
    }
  }
  assert(worst > 0, "the comparison must be able to fail");
});

Deno.test("erf at known values and special inputs", () => {
  const known: [number, number][] = [
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [3, 0.9999779095030014],
  ];
  for (const [x, v] of known) assert(Math.abs(erf(x) - v) <= 2.3e-16, `erf(${x})`);
  assertEquals(erf(Infinity), 1);
  assertEquals(erf(-Infinity), -1);
  assert(Object.is(erf(-0), -0));
  assert(Number.isNaN(erf(NaN)));
  assertEquals(erf(7), 1);
  assertEquals(erf(1e-300), 1.1283791670955126e-300); // 2x/√π, the x³ term is far below an ulp
});

// ---- fma ---------------------------------------------------------------------------------------

Deno.test("fmaNarrow is a single rounding for float32 even where double rounding would fail", () => {
  const a = Math.fround(1 + 2 ** -12);
  // exact a·a + 2⁻⁶⁰ = 1 + 2⁻¹¹ + 2⁻²⁴ + 2⁻⁶⁰: just above a float32 midpoint → rounds up.
  // Computing a·a + c in double first loses 2⁻⁶⁰ and the tie then rounds to even (down).
  assertEquals(Math.fround(a * a + 2 ** -60), 1 + 2 ** -11);
  assertEquals(Math.fround(fmaNarrow(a, a, 2 ** -60)), 1 + 2 ** -11 + 2 ** -23);
  assertEquals(Math.fround(fmaNarrow(a, a, -(2 ** -60))), 1 + 2 ** -11);
});

Deno.test("fmaNarrow equals the exactly rounded value on random float32 and float16 inputs", () => {
  const r = rng(3);
  for (const dtype of ["float32", "float16"] as const) {
    const R = dtype === "float32" ? Math.fround : Math.f16round;
    for (let k = 0; k < 3000; k++) {
      const scale = 2 ** Math.floor(r() * 20 - 10);
      const a = R((r() - 0.5) * scale);
      const b = R((r() - 0.5) * 4);
      // c close to −a·b so that cancellation exposes the low bits of the product
      const c = R(-a * b * (1 + (r() - 0.5) * 2 ** -10));
      const [ma, ea] = exact(a);
      const [mb, eb] = exact(b);
      const [mc, ec] = exact(c);
      const e = Math.min(ea + eb, ec);
      const m = ((ma * mb) << BigInt(ea + eb - e)) + (mc << BigInt(ec - e));
      const want = roundExact(m, e, dtype);
      const got = R(fmaNarrow(a, b, c));
      assert(Object.is(got, want) || (got === 0 && want === 0), `${dtype} fma(${a}, ${b}, ${c})`);
    }
  }
});

Deno.test("fma64 is the correctly rounded double fma", () => {
  const r = rng(11);
  for (let k = 0; k < 2000; k++) {
    const a = (r() - 0.5) * 2 ** Math.floor(r() * 40 - 20);
    const b = (r() - 0.5) * 2 ** Math.floor(r() * 40 - 20);
    // The exact product error (Veltkamp/Dekker TwoProduct) is fma(a, b, −a·b).
    const p = a * b;
    const split = (x: number) => {
      const t = 134217729 * x;
      const hi = t - (t - x);
      return [hi, x - hi];
    };
    const [ah, al] = split(a);
    const [bh, bl] = split(b);
    const err = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    assertEquals(fma64(a, b, -p), err);
    // For float32 inputs the double product is exact, so fma64 = a·b + c in double.
    const fa = Math.fround(a);
    const fb = Math.fround(b);
    const c = r() - 0.5;
    assertEquals(fma64(fa, fb, c), fa * fb + c);
  }
  assertEquals(fma64(1e308, 10, -Infinity), -Infinity);
  assertEquals(fma64(2 ** 600, 2 ** 600, -Infinity), -Infinity);
  assertEquals(fma64(2 ** -600, 2 ** -600, 0), 0); // underflow to +0
  assertEquals(fma64(2 ** -537, 2 ** -537, 0), 2 ** -1074); // smallest subnormal, exact
  assertEquals(fma64(2 ** 512, 2 ** 512, -(2 ** 1023)), 2 ** 1023); // product overflows alone
  assert(Number.isNaN(fma64(Infinity, 0, 1)));
});

// ---- rounding, pow, calls on dtypes -------------------------------------------------------------

Deno.test("round is half away from zero and keeps the sign of zero", () => {
  assertEquals([2.5, -2.5, 0.5, -0.5, 1.4999999999999998].map(roundHalfAway), [3, -3, 1, -1, 1]);
  assertEquals(roundHalfAway(0.49999999999999994), 0);
  assert(Object.is(roundHalfAway(-0.3), -0));
  assertEquals(roundHalfAway(2 ** 53 + 2), 2 ** 53 + 2);
});

Deno.test("pow follows C on the cases where Math.pow differs", () => {
  assertEquals(powC(1, NaN), 1);
  assertEquals(powC(NaN, 0), 1);
  assertEquals(powC(-1, Infinity), 1);
  assertEquals(powC(2, 10), 1024);
  assert(Number.isNaN(powC(-2, 0.5)));
});

Deno.test("calls round their double result to the dtype", () => {
  assertEquals(callFn("exp", "float32", "float32")(1), Math.fround(Math.E));
  assertEquals(callFn("exp", "float16", "float16")(1), Math.f16round(Math.E));
  assertEquals(callFn("sigmoid", "float64", "float64")(0), 0.5);
  assertEquals(callFn("rsqrt", "float32", "float32")(4), 0.5);
  assertEquals(callFn("isnan", "float32", "bool")(NaN), 1);
  assertEquals(callFn("isinf", "float32", "bool")(-Infinity), 1);
  assertEquals(callFn("isinf", "int32", "bool")(5), 0);
  assertEquals(callFn("abs", "int8", "int8")(-128), -128); // wraps like C's (int8_t)abs
  assertEquals(callFn("abs", "int64", "int64")(-(2n ** 63n)), -(2n ** 63n));
  assertEquals(callFn("fma", "int32", "int32")(65536, 65536, 7), 7); // product wraps
  assertEquals(callFn("sqrt", "int32", "int32")(17), 4); // via double, truncated
  assertEquals(callFn("exp", "int8", "int8")(10), 127); // saturates like a float→int cast
  assertEquals(callFn("floor", "int32", "int32")(-7), -7);
});
