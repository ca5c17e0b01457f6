import { assert, assertEquals, assertThrows } from "./test_util.ts";
import {
  add,
  and,
  binary,
  bool,
  broadcast,
  bufferLoad,
  call,
  cast,
  constant,
  float,
  floordiv,
  floormod,
  int,
  lt,
  max,
  mul,
  not,
  or,
  ramp,
  select,
  sub,
  variable,
} from "./expr.ts";
import { decl } from "./stmt.ts";
import { IRTypeError } from "./errors.ts";

Deno.test("constructors fold integer constants with wrap-around", () => {
  assertEquals(add(int(2), int(3)), int(5));
  assertEquals(mul(int(100, "int8"), int(3, "int8")), int(44, "int8"));
  assertEquals(floordiv(int(-7), int(2)), int(-4));
  assertEquals(floormod(int(-7), int(2)), int(1));
  assertEquals(binary("div", int(-7), int(2)), int(-3));
  assertEquals(binary("mod", int(-7), int(2)), int(-1));
  assertEquals(mul(int(65536), int(65536)), int(0)); // int32 wraps
  assertEquals(lt(int(1), int(2)), bool(true));
});

Deno.test("constructors fold float constants with the dtype's rounding", () => {
  assertEquals(add(float(0.1), float(0.2)).kind, "FloatImm");
  assertEquals(
    (add(float(0.1), float(0.2)) as { value: number }).value,
    Math.fround(Math.fround(0.1) + Math.fround(0.2)),
  );
  assertEquals((max(float(NaN), float(1)) as { value: number }).value, NaN);
  assertEquals(
    (add(float(1, "float16"), float(2 ** -11, "float16")) as { value: number }).value,
    1,
  );
});

Deno.test("identities hold only where they hold for every value", () => {
  const x = variable("x");
  assert(add(x, 0) === x); // x + 0 -> x
  assert(mul(x, 1) === x); // x * 1 -> x
  assertEquals(mul(x, 0), int(0)); // integer x * 0 -> 0
  const f = variable("f", "float32");
  assertEquals(mul(f, 0).kind, "Binary"); // float x*0 is not 0 (NaN, inf, -0)
  assertEquals(add(f, 0).kind, "Binary"); // -0 + 0 = +0
  const b = variable("b", "bool");
  assert(and(bool(true), b) === b);
  assertEquals(or(b, bool(true)), bool(true));
  assert(not(not(b)) === b);
  assert(select(bool(true), x, int(1)) === x);
});

Deno.test("casts fold: float to int truncates and saturates, int to int wraps", () => {
  assertEquals(cast("int8", float(300.7)), int(127, "int8"));
  assertEquals(cast("int8", float(-2.9)), int(-2, "int8"));
  assertEquals(cast("int32", float(NaN)), int(0));
  assertEquals(cast("int8", int(300)), int(44, "int8"));
  assertEquals(cast("float16", int(2049)), float(2048, "float16"));
  const x = variable("x");
  assert(cast("int32", x) === x);
});

Deno.test("numbers take the other operand's dtype", () => {
  const f = variable("f", "float16");
  const e = add(f, 1);
  assertEquals(e.dtype, "float16");
  assertEquals(sub(2, variable("i")).dtype, "int32");
  assertEquals(constant(3, "uint8"), int(3, "uint8"));
});

Deno.test("dtype mismatches are typed errors with hints", () => {
  const e = assertThrows(() => add(variable("i"), variable("f", "float32")), IRTypeError);
  assertEquals(e.code, "DTYPE_MISMATCH");
  assert(e.hint?.includes("cast"));
  assertEquals(
    assertThrows(() => and(variable("i"), variable("j")), IRTypeError).code,
    "DTYPE_MISMATCH",
  );
  assertEquals(assertThrows(() => floordiv(variable("i"), 0), IRTypeError).code, "DIVIDE_BY_ZERO");
  assertEquals(assertThrows(() => call("exp", []), IRTypeError).code, "CALL_ARITY");
  assertEquals(assertThrows(() => call("frobnicate", [1]), IRTypeError).code, "CALL_UNKNOWN");
  const A = decl("A", [4, 4]);
  assertEquals(assertThrows(() => bufferLoad(A, [0]), IRTypeError).code, "INDEX_RANK");
});

Deno.test("vectors: ramp, broadcast and vector loads", () => {
  const i = variable("i");
  const r = ramp(mul(i, 4), 1, 4);
  assertEquals(r.dtype, "int32x4");
  const A = decl("A", [64], "float32");
  const v = bufferLoad(A, [r]);
  assertEquals(v.dtype, "float32x4");
  assertEquals(add(v, broadcast(float(1), 4)).dtype, "float32x4");
  assertEquals(add(v, 1).dtype, "float32x4");
  assertEquals(call("isnan", [v]).dtype, "boolx4");
});
