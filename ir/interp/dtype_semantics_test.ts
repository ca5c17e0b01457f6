import { assert, assertEquals } from "../test_util.ts";
import { type BinaryOp, call, cast, max } from "../expr.ts";
import { ndarray, randomNDArray, rng, toNumbers } from "../ndarray.ts";
import { decl } from "../stmt.ts";
import { interpret } from "./interpret.ts";
import { elementwise, refRound, unary } from "./testing.ts";

/** Run `C = float64(A op B)` elementwise on the given values (see `elementwise`). */
function run(op: BinaryOp, dtype: string, a: readonly number[], b: readonly number[]): number[] {
  const f = elementwise(op, dtype, a.length, true);
  const A = ndarray(dtype, [a.length], a);
  const B = ndarray(dtype, [b.length], b);
  const C = ndarray(f.params[2].kind === "Buffer" ? f.params[2].dtype : dtype, [a.length]);
  interpret(f, [A, B, C]);
  return toNumbers(C);
}

Deno.test("integer add/sub wrap around for every width", () => {
  assertEquals(run("add", "int8", [127, -128], [1, -1]), [-128, 127]);
  assertEquals(run("add", "uint8", [255, 0], [1, 0]), [0, 0]);
  assertEquals(run("sub", "uint8", [0], [1]), [255]);
  assertEquals(run("add", "int16", [32767], [1]), [-32768]);
  assertEquals(run("sub", "uint16", [0], [1]), [65535]);
  assertEquals(run("add", "int32", [2147483647], [1]), [-2147483648]);
  assertEquals(run("sub", "uint32", [0], [1]), [4294967295]);
});

Deno.test("integer multiply wraps, including 32-bit products beyond 2^53", () => {
  assertEquals(run("mul", "int8", [16, -128], [16, -1]), [0, -128]);
  assertEquals(run("mul", "uint16", [65535], [65535]), [1]);
  assertEquals(run("mul", "int32", [65536, 2147483647, 123456789], [65536, 2, 987654321]), [
    0,
    -2,
    Math.imul(123456789, 987654321),
  ]);
  // 0xffffffff² = 2^64 − 2^33 + 1: a double would lose the low bits.
  assertEquals(run("mul", "uint32", [4294967295], [4294967295]), [1]);
});

Deno.test("int64 and uint64 are exact beyond 2^53 (BigInt)", () => {
  const f = elementwise("add", "int64", 3);
  const A = ndarray("int64", [3], new BigInt64Array([2n ** 53n, 2n ** 63n - 1n, -(2n ** 62n)]));
  const B = ndarray("int64", [3], new BigInt64Array([1n, 1n, -(2n ** 62n)]));
  const C = ndarray("int64", [3]);
  interpret(f, [A, B, C]);
  assertEquals([...(C.data as BigInt64Array)], [2n ** 53n + 1n, -(2n ** 63n), -(2n ** 63n)]);
  const g = elementwise("mul", "uint64", 1);
  const U = ndarray("uint64", [1], new BigUint64Array([2n ** 32n + 3n]));
  const V = ndarray("uint64", [1]);
  interpret(g, [U, U, V]);
  assertEquals(V.data[0], (2n ** 33n * 3n + 9n) % 2n ** 64n);
  const h = elementwise("floordiv", "int64", 1);
  const X = ndarray("int64", [1], new BigInt64Array([-(2n ** 60n) - 1n]));
  const Y = ndarray("int64", [1], new BigInt64Array([2n]));
  const Z = ndarray("int64", [1]);
  interpret(h, [X, Y, Z]);
  assertEquals(Z.data[0], -(2n ** 59n) - 1n);
});

Deno.test("div/mod truncate, floordiv/floormod floor, for ints and int64", () => {
  for (const d of ["int8", "int32"]) {
    assertEquals(run("div", d, [-7, 7, -7], [2, -2, -2]), [-3, -3, 3]);
    assertEquals(run("mod", d, [-7, 7, -7], [2, -2, -2]), [-1, 1, -1]);
    assertEquals(run("floordiv", d, [-7, 7, -7], [2, -2, -2]), [-4, -4, 3]);
    assertEquals(run("floormod", d, [-7, 7, -7], [2, -2, -2]), [1, -1, -1]);
  }
  assertEquals(run("div", "int32", [-2147483648], [-1]), [-2147483648]); // wraps
  assertEquals(run("mod", "int32", [-2147483648], [-1]), [0]);
  assert(!Object.is(run("mod", "int32", [-4], [2])[0], -0), "integer results are never −0");
  assertEquals(run("div", "uint32", [4294967295], [2]), [2147483647]);
});

Deno.test("float ops round every result to the dtype (float16, bfloat16, float32)", () => {
  const ops: BinaryOp[] = ["add", "sub", "mul", "div", "min", "max", "mod"];
  for (const dtype of ["float16", "bfloat16", "float32"]) {
    const r = rng(5);
    const a: number[] = [];
    const b: number[] = [];
    for (let k = 0; k < 400; k++) {
      const big = dtype === "float16" ? 2 ** 8 : 2 ** 60;
      a.push(refRound((r() - 0.5) * (k % 7 === 0 ? big : 8), dtype));
      b.push(refRound((r() - 0.5) * (k % 5 === 0 ? 1 / big : 8), dtype));
    }
    for (const op of ops) {
      const got = run(op, dtype, a, b);
      got.forEach((g, k) => {
        const x = a[k];
        const y = b[k];
        const exactDouble = op === "add"
          ? x + y
          : op === "sub"
          ? x - y
          : op === "mul"
          ? x * y
          : op === "div"
          ? x / y
          : op === "mod"
          ? x % y
          : op === "min"
          ? Math.min(x, y)
          : Math.max(x, y);
        // Double is wide enough (53 ≥ 2p+2) that rounding the double result once is exact.
        const want = refRound(exactDouble, dtype);
        assert(Object.is(g, want), `${dtype} ${op}(${x}, ${y}) = ${g}, want ${want}`);
      });
    }
  }
});

Deno.test("float16 and bfloat16 overflow to infinity and keep subnormals", () => {
  assertEquals(run("add", "float16", [65504], [32]), [Infinity]); // exact 65536 rounds to inf
  assertEquals(run("add", "float16", [65504], [8]), [65504]);
  assertEquals(run("mul", "float16", [2 ** -14], [0.5]), [2 ** -15]); // subnormal
  assertEquals(run("mul", "float16", [2 ** -24], [0.5]), [0]); // tie to even → 0
  assertEquals(run("mul", "bfloat16", [2 ** 127], [2]), [Infinity]);
  assertEquals(run("add", "bfloat16", [1], [2 ** -8]), [1]); // tie → even
  assertEquals(run("add", "bfloat16", [1], [3 * 2 ** -8]), [1 + 2 ** -6]);
});

Deno.test("float min/max propagate NaN; float division by zero gives ±inf/NaN", () => {
  for (const d of ["float32", "float16", "bfloat16", "float64"]) {
    const mx = run("max", d, [NaN, 1, 2], [1, NaN, 1]);
    assert(Number.isNaN(mx[0]) && Number.isNaN(mx[1]) && mx[2] === 2, d);
    const dv = run("div", d, [1, -1, 0], [0, 0, 0]);
    assertEquals(dv.slice(0, 2), [Infinity, -Infinity]);
    assert(Number.isNaN(dv[2]));
  }
  assert(Object.is(run("min", "float32", [0], [-0])[0], -0));
});

Deno.test("float floordiv/floormod are floor(a/b) and a − floor(a/b)·b, and mod is fmod", () => {
  assertEquals(run("floordiv", "float32", [-7, 7.5], [2, 2]), [-4, 3]);
  assertEquals(run("floormod", "float32", [-7, 7.5], [2, 2]), [1, 1.5]);
  assertEquals(run("mod", "float32", [-7, 7.5], [2, -2]), [-1, 1.5]);
  assert(Number.isNaN(run("mod", "float32", [1], [0])[0]));
});

Deno.test("comparisons yield bool; NaN compares unequal", () => {
  assertEquals(run("lt", "float32", [1, NaN], [2, 1]), [1, 0]);
  assertEquals(run("ne", "float32", [NaN], [NaN]), [1]);
  assertEquals(run("ge", "uint32", [4294967295], [0]), [1]);
});

Deno.test("float→int casts truncate toward zero, saturate, and map NaN to 0", () => {
  const vals = [300.7, -300.7, -0.9, NaN, Infinity, -Infinity, 2 ** 40, 127.99];
  const want: Record<string, number[]> = {
    int8: [127, -128, 0, 0, 127, -128, 127, 127],
    uint8: [255, 0, 0, 0, 255, 0, 255, 127],
    int16: [300, -300, 0, 0, 32767, -32768, 32767, 127],
    uint16: [300, 0, 0, 0, 65535, 0, 65535, 127],
    int32: [300, -300, 0, 0, 2147483647, -2147483648, 2147483647, 127],
    uint32: [300, 0, 0, 0, 4294967295, 0, 4294967295, 127],
    int64: [300, -300, 0, 0, 2 ** 63, -(2 ** 63), 2 ** 40, 127],
  };
  const A = decl("A", [vals.length], "float32");
  for (const [d, w] of Object.entries(want)) {
    const B = decl("B", [vals.length], d);
    const f = unary("to_" + d, A, B, (x) => cast(d, x));
    const out = ndarray(d, [vals.length]);
    interpret(f, [ndarray("float32", [vals.length], vals), out]);
    assertEquals(toNumbers(out), w, d);
  }
});

Deno.test("int→int casts wrap; int64→float rounds once; bool casts are 0/1", () => {
  const A = decl("A", [3], "int32");
  const B = decl("B", [3], "int8");
  const out = ndarray("int8", [3]);
  interpret(unary("narrow", A, B, (x) => cast("int8", x)), [
    ndarray("int32", [3], [300, -129, 255]),
    out,
  ]);
  assertEquals(toNumbers(out), [44, 127, -1]);
  // 2^60 + 2^36 + 1 is just above the float32 midpoint 2^60 + 2^36; via double it would tie to even.
  const L = decl("L", [1], "int64");
  const F = decl("F", [1], "float32");
  const fo = ndarray("float32", [1]);
  const big = 2n ** 60n + 2n ** 36n + 1n;
  interpret(unary("i64f", L, F, (x) => cast("float32", x)), [
    ndarray("int64", [1], new BigInt64Array([big])),
    fo,
  ]);
  assertEquals(fo.data[0], 2 ** 60 + 2 ** 37);
  const P = decl("P", [3], "float32");
  const Q = decl("Q", [3], "bool");
  const bo = ndarray("bool", [3]);
  interpret(unary("tobool", P, Q, (x) => cast("bool", x)), [
    ndarray("float32", [3], [0, -2.5, NaN]),
    bo,
  ]);
  assertEquals(toNumbers(bo), [0, 1, 1]);
});

Deno.test("float casts round: float32→float16/bfloat16, float64→bfloat16 without double rounding", () => {
  const A = decl("A", [2], "float64");
  const B = decl("B", [2], "bfloat16");
  const out = ndarray("bfloat16", [2]);
  const x = 1 + 2 ** -8 + 2 ** -30; // above the bf16 midpoint between 1 and 1 + 2⁻⁷
  interpret(unary("tobf", A, B, (v) => cast("bfloat16", v)), [
    ndarray("float64", [2], [x, 1e39]),
    out,
  ]);
  assertEquals(toNumbers(out), [1 + 2 ** -7, Infinity]);
  const H = decl("H", [4], "float16");
  const S = decl("S", [4], "float32");
  const ho = ndarray("float16", [4]);
  const src = randomNDArray("float32", [4], 9, -70000, 70000);
  interpret(unary("toh", S, H, (v) => cast("float16", v)), [src, ho]);
  assertEquals(toNumbers(ho), toNumbers(src).map((v) => refRound(v, "float16")));
});

Deno.test("math calls run per element with the dtype's rounding", () => {
  const A = decl("A", [4], "float16");
  const B = decl("B", [4], "float16");
  const out = ndarray("float16", [4]);
  interpret(unary("ex", A, B, (x) => call("exp", [x])), [
    ndarray("float16", [4], [0, 1, -1, 12]),
    out,
  ]);
  assertEquals(toNumbers(out), [1, Math.f16round(Math.E), Math.f16round(1 / Math.E), Infinity]);
  const C = decl("C", [2], "float32");
  const D = decl("D", [2], "float32");
  const mo = ndarray("float32", [2]);
  interpret(unary("mx", C, D, (x) => max(call("erf", [x]), x)), [
    ndarray("float32", [2], [NaN, -1]),
    mo,
  ]);
  assert(Number.isNaN(mo.data[0] as number));
  assertEquals(mo.data[1], Math.fround(-0.8427007929497149));
});
