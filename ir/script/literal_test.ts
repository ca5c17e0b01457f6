import { assert, assertEquals } from "../test_util.ts";
import { bf16FromBits, type DType, maxValue, minValue } from "../dtype.ts";
import { constant, float, type FloatImm, int, type IntImm, variable } from "../expr.ts";
import { primFunc } from "../func.ts";
import { type BufferStore, bufferStore, decl, seq } from "../stmt.ts";
import { dtypeSuffix, formatConstant, suffixDType } from "./literal.ts";
import { parseExpr } from "./parse.ts";
import { assertRoundTrip } from "./testing.ts";

/** Parse a printed constant back and compare dtype and value exactly (-0 and NaN included). */
function back(c: IntImm | FloatImm): void {
  const text = formatConstant(c);
  const e = parseExpr(text);
  assert(e.kind === c.kind, `${text}: kind ${e.kind}`);
  assertEquals(e.dtype, c.dtype, text);
  assert(Object.is((e as IntImm).value, c.value), `${text}: ${(e as IntImm).value} vs ${c.value}`);
}

Deno.test("suffixes name every dtype and read back", () => {
  const dtypes = ["int8", "uint16", "int64", "uint64", "float16", "bfloat16", "float64", "bool"];
  for (const d of [...dtypes, "float32x4", "int8x16", "boolx8"]) {
    assertEquals(suffixDType(dtypeSuffix(d)), d);
  }
  assertEquals(dtypeSuffix("bfloat16x4"), "bf16x4");
  assertEquals(suffixDType("i7"), undefined);
  assertEquals(suffixDType("b16"), undefined);
});

Deno.test("integer constants print with their dtype and round-trip at the range limits", () => {
  assertEquals(formatConstant(int(3)), "3");
  assertEquals(formatConstant(int(3, "int8")), "3i8");
  assertEquals(formatConstant(int(-5, "int64")), "-5i64");
  assertEquals(formatConstant(constant(1, "bool") as IntImm), "true");
  const ints: DType[] = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"];
  for (const d of ints) {
    for (const v of [0, 1, minValue(d), maxValue(d), 2 ** 53 + 2, -(2 ** 60)]) {
      const c = int(v, d);
      back(c);
    }
  }
  // int64 beyond 2^53 prints all its digits.
  assertEquals(formatConstant(int(2 ** 62, "int64")), "4611686018427387904i64");
  back({ kind: "IntImm", dtype: "int64", value: 2 ** 63 }); // what 2^63 − 1 rounds to
  back({ kind: "IntImm", dtype: "int64", value: -0 });
  back({ kind: "IntImm", dtype: "int32x4", value: 7 });
  back({ kind: "IntImm", dtype: "boolx4", value: 1 });
});

Deno.test("float constants print the shortest decimal that rounds back in their dtype", () => {
  assertEquals(formatConstant(float(0.1)), "0.1");
  assertEquals(formatConstant(float(1)), "1.0");
  assertEquals(formatConstant(float(0.1, "float16")), "0.1f16");
  assertEquals(formatConstant(float(0.1, "float64")), "0.1f64");
  assertEquals(formatConstant(float(-0)), "-0.0");
  assertEquals(formatConstant(float(NaN, "float16")), "nanf16");
  assertEquals(formatConstant(float(-Infinity, "bfloat16")), "-infbf16");
  const specials = [0, -0, NaN, Infinity, -Infinity, 1 / 3, -2.5e-8, 1e30, 5e-324, 2 ** -149];
  for (const d of ["float16", "bfloat16", "float32", "float64", "float32x4"]) {
    for (const v of [...specials, maxValue("float32"), 65504, 2 ** -24, bf16FromBits(0x0001)]) {
      back(float(v, d));
    }
  }
  // Every float16 bit pattern survives.
  const h = new Float16Array(1);
  const u = new Uint16Array(h.buffer);
  for (let bits = 0; bits < 0x10000; bits += 7) {
    u[0] = bits;
    back(float(h[0], "float16"));
  }
});

Deno.test("untyped literals adapt to the other operand; typed ones do not", () => {
  const x = variable("x", "int64");
  const y = variable("y", "float16");
  const e = parseExpr("x + 1", { vars: [x] });
  assert(e.kind === "Binary" && e.b.dtype === "int64");
  const f = parseExpr("2 * y + 0.1", { vars: [y] });
  assert(f.kind === "Binary" && f.b.kind === "FloatImm");
  assertEquals(f.b.value, Math.f16round(0.1));
  const g = parseExpr("min(y, 3)", { vars: [y] });
  assertEquals(g.dtype, "float16");
  const h = parseExpr("select(x > 0, 1, x)", { vars: [x] });
  assertEquals(h.dtype, "int64");
  assertEquals(parseExpr("1 + 2.5").dtype, "float32");
  assertEquals(parseExpr("1 + 2").dtype, "int32");
});

Deno.test("constants of every dtype round-trip inside a function", () => {
  const stmts: BufferStore[] = [];
  const values = [0, -0, 1, -1, 0.5, 100, 1 / 3, NaN, Infinity, -Infinity];
  for (
    const d of ["int8", "uint8", "int32", "int64", "float16", "bfloat16", "float32", "float64"]
  ) {
    const B = decl(`B_${d}`, [values.length], d);
    values.forEach((v, i) => {
      const integer = d.startsWith("int") || d.startsWith("uint");
      if (integer && !Number.isFinite(v)) return;
      stmts.push(bufferStore(B, constant(integer ? Math.trunc(v) : v, d), [i]));
    });
  }
  const params = stmts.map((s) => s.buffer);
  assertRoundTrip(primFunc("consts", [...new Set(params)], seq(stmts)));
});
