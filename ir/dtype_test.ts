import { assert, assertEquals, assertThrows } from "./test_util.ts";
import {
  bf16Bits,
  bf16FromBits,
  bf16Round,
  byteSize,
  elementOf,
  makeDType,
  normalize,
  parseDType,
  withLanes,
} from "./dtype.ts";
import { IRTypeError } from "./errors.ts";

Deno.test("dtype strings take apart and rebuild", () => {
  assertEquals(parseDType("float32x4"), { kind: "float", bits: 32, lanes: 4 });
  assertEquals(parseDType("bool"), { kind: "bool", bits: 1, lanes: 1 });
  assertEquals(makeDType("int", 8, 16), "int8x16");
  assertEquals(elementOf("uint8x16"), "uint8");
  assertEquals(withLanes("bfloat16", 8), "bfloat16x8");
  assertEquals(byteSize("float16x8"), 16);
  assertEquals(byteSize("bool"), 1);
});

Deno.test("unknown dtypes are typed errors", () => {
  for (const bad of ["float33", "int7", "f32", "", "int32x0", "bfloat32"]) {
    const e = assertThrows(() => parseDType(bad), IRTypeError);
    assertEquals(e.code, "DTYPE_UNKNOWN");
  }
});

Deno.test("integers wrap around to their width", () => {
  assertEquals(normalize("int8", 127 + 1), -128);
  assertEquals(normalize("uint8", -1), 255);
  assertEquals(normalize("int16", 40000), 40000 - 65536);
  assertEquals(normalize("uint16", 70000), 70000 - 65536);
  assertEquals(normalize("int32", 2 ** 31), -(2 ** 31));
  assertEquals(normalize("uint32", -1), 2 ** 32 - 1);
  assertEquals(normalize("int64", 2 ** 63), Number(BigInt.asIntN(64, 2n ** 63n)));
  assertEquals(normalize("bool", 5), 1);
});

Deno.test("float16 and bfloat16 round to nearest even", () => {
  assertEquals(normalize("float16", 1 + 2 ** -11), 1); // tie -> even (1.0)
  assertEquals(normalize("float16", 1 + 3 * 2 ** -11), 1 + 2 ** -9); // tie -> even (up)
  assertEquals(normalize("float16", 70000), Infinity);
  assertEquals(bf16Round(1 + 2 ** -8), 1); // tie -> even
  assertEquals(bf16Round(1 + 3 * 2 ** -8), 1 + 2 ** -6);
  assertEquals(bf16FromBits(bf16Bits(-2.5)), -2.5);
  assert(Number.isNaN(bf16Round(NaN)));
  assertEquals(normalize("float32", 0.1), Math.fround(0.1));
});
