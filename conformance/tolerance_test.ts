import { assert, assertEquals } from "../ir/test_util.ts";
import { compareArrays, toleranceOf, ulpDistance, withinTolerance } from "./tolerance.ts";
import { ndarray } from "../ir/ndarray.ts";

Deno.test("ULP distance counts representable floats between two values", () => {
  assertEquals(ulpDistance("float32", 1, 1 + 2 ** -23), 1);
  assertEquals(ulpDistance("float32", -0, 0), 0);
  assertEquals(ulpDistance("float32", -(2 ** -149), 2 ** -149), 2);
  assertEquals(ulpDistance("float16", 1, 1 + 2 ** -10), 1);
  assertEquals(ulpDistance("bfloat16", 1, 1 + 2 ** -7), 1);
  assertEquals(ulpDistance("float32", NaN, 1), Infinity);
});

Deno.test("NaN matches only NaN, infinity only itself, integers exactly", () => {
  assert(withinTolerance("float32", NaN, NaN));
  assert(!withinTolerance("float32", NaN, 0));
  assert(!withinTolerance("float32", Infinity, 3.4e38));
  assert(withinTolerance("float32", -Infinity, -Infinity));
  assert(!withinTolerance("int32", 1, 2));
  assert(withinTolerance("int8", -3, -3));
  assertEquals(toleranceOf("uint8").ulps, 0);
});

Deno.test("array comparison reports the first differing element", () => {
  const a = ndarray("int32", [3], [1, 2, 3]);
  const b = ndarray("int32", [3], [1, 5, 3]);
  const c = compareArrays(a, b);
  assert(!c.ok);
  assertEquals(c.first, { index: 1, actual: 2, expected: 5 });
  assertEquals(compareArrays(a, ndarray("int32", [1, 3], [1, 2, 3])).reason, "shape [3] vs [1,3]");
  const f = ndarray("float32", [2], [1, 1024]);
  const g = ndarray("float32", [2], [1 + 2 ** -22, 1024 + 2 ** -12]);
  assert(compareArrays(f, g).ok);
  // 1 vs 1 + 2 ulps is within the absolute floor; 1024 vs 1024 + 2 ulps (2.4e-4) is not
  assertEquals(compareArrays(f, g).maxUlps, 2);
  const near = compareArrays(ndarray("float32", [1], [1]), ndarray("float32", [1], [1 + 2 ** -22]));
  assertEquals([near.ok, near.maxUlps], [true, 0], "excused by the absolute floor");
});
