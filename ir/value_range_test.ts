/**
 * Declared value ranges: `placeholder(..., { range })` records them on the built function, they
 * survive the script form and lowering (scheduling: tensorize/auto/ranges_test.ts), bad ranges are typed errors, and the
 * interpreter checks inputs against them at call time.
 */
import { CallError, IRTypeError } from "./errors.ts";
import { cast, mul } from "./expr.ts";
import type { PrimFunc } from "./func.ts";
import { runFunc } from "./interp/mod.ts";
import { ndarray } from "./ndarray.ts";
import { parseFunc, printFunc } from "./script/mod.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "./te.ts";
import { assert, assertEquals, assertThrows } from "./test_util.ts";
import { lower } from "./transform/lower.ts";
import {
  checkValueRange,
  formatValueRanges,
  parseValueRanges,
  VALUE_RANGE_ATTR,
  valueRanges,
  withValueRanges,
} from "./value_range.ts";

function matmul(range?: [number, number]): PrimFunc {
  const A = placeholder([4, 8], "int8", "A");
  const B = placeholder([8, 4], "int8", "B", range ? { range } : {});
  const k = reduceAxis(8, "k");
  const C = compute(
    [4, 4],
    ([i, j]) => sum(mul(cast("int32", A.at(i, k)), cast("int32", B.at(k, j))), [k]),
    "C",
  );
  return createPrimFunc([A, B, C], "mm");
}

Deno.test("placeholder range: recorded as the tessera.value_range attribute of the function", () => {
  const f = matmul([0, 127]);
  assertEquals(f.attrs[VALUE_RANGE_ATTR], "B:[0,127]");
  assertEquals([...valueRanges(f)], [["B", [0, 127]]]);
  assertEquals(matmul().attrs[VALUE_RANGE_ATTR], undefined);
  assertEquals(valueRanges(matmul()).size, 0);
});

Deno.test("value ranges: text form round trips, several sorted by name", () => {
  const text = formatValueRanges(new Map([["W", [-8, 7]], ["B", [0, 127]]]));
  assertEquals(text, "B:[0,127];W:[-8,7]");
  assertEquals([...parseValueRanges(text)], [["B", [0, 127]], ["W", [-8, 7]]]);
  assertEquals([...parseValueRanges("x : [ -0.5 , 1.5 ]")], [["x", [-0.5, 1.5]]]);
  const e = assertThrows(() => parseValueRanges("B:[0]"), IRTypeError);
  assertEquals(e.code, "BAD_VALUE_RANGE");
});

Deno.test("value ranges: bad ranges are BAD_VALUE_RANGE naming the placeholder", () => {
  for (const r of [[0, 128], [5, 4], [0.5, 3], [-129, 0]] as [number, number][]) {
    const e = assertThrows(() => placeholder([2], "int8", "B", { range: r }), IRTypeError);
    assertEquals(e.code, "BAD_VALUE_RANGE");
    assert(e.message.includes(`placeholder "B"`), e.message);
  }
  assertEquals(checkValueRange([-0.5, 2.5], "float32", "x"), [-0.5, 2.5]);
  // a range of no buffer parameter, or outside the parameter's dtype, in the attribute
  const f = matmul();
  const e1 = assertThrows(() => withValueRanges(f, { D: [0, 1] }), IRTypeError);
  assert(e1.message.includes(`"D" is no buffer parameter`), e1.message);
  const e2 = assertThrows(
    () => valueRanges({ ...f, attrs: { [VALUE_RANGE_ATTR]: "A:[0,300]" } }),
    IRTypeError,
  );
  assertEquals(e2.code, "BAD_VALUE_RANGE");
});

Deno.test("value ranges survive printing and parsing the script form", () => {
  const f = withValueRanges(matmul([0, 127]), { A: [-64, 63] });
  const text = printFunc(f);
  assert(text.includes(`"tessera.value_range": "A:[-64,63];B:[0,127]"`), text);
  const g = parseFunc(text);
  assertEquals([...valueRanges(g)], [["A", [-64, 63]], ["B", [0, 127]]]);
});

Deno.test("value ranges survive lowering", () => {
  assertEquals(valueRanges(lower(matmul([0, 127]))).get("B"), [0, 127]);
});

Deno.test("the interpreter checks inputs against declared ranges (CALL_VALUE_RANGE)", () => {
  const f = matmul([0, 127]);
  const a = ndarray("int8", [4, 8], Array.from({ length: 32 }, (_, i) => (i % 2 ? -128 : 127)));
  const b = ndarray("int8", [8, 4], Array.from({ length: 32 }, (_, i) => i * 4 % 128));
  const [c] = runFunc(f, [a, b]);
  assertEquals(c.shape, [4, 4]);
  b.data[9] = -1; // B[2, 1]
  const e = assertThrows(() => runFunc(f, [a, b]), CallError);
  assertEquals(e.code, "CALL_VALUE_RANGE");
  assert(e.message.includes("B[2, 1] = -1 is outside its declared range [0, 127]"), e.message);
  assertEquals(e.path, `func "mm" / buffer "B"`);
  // without a declared range anything goes
  runFunc(matmul(), [a, b]);
});
