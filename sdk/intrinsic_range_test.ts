/**
 * Operand preconditions of intrinsics (`operandRanges`): validated at definition against the
 * description (a buffer parameter, a range inside its dtype), and honoured by validation's
 * inputs — every trial kind draws a ranged operand inside its range (its bounds included),
 * the other operands over their whole dtype.
 */
import { TargetError } from "../ir/errors.ts";
import { cast, mul } from "../ir/expr.ts";
import { toNumbers } from "../ir/ndarray.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../ir/te.ts";
import { assert, assertEquals, assertThrows } from "../ir/test_util.ts";
import type { ValueRange } from "../ir/value_range.ts";
import { defineIntrinsic, type Intrinsic } from "./intrinsic.ts";
import { listTrials, trialTiles } from "./validate_inputs.ts";

function dot(dtype = "int8"): Intrinsic {
  const A = placeholder([4, 4], dtype, "A"), B = placeholder([4, 4], dtype, "B");
  const k = reduceAxis(4, "k");
  const C = compute(
    [4, 4],
    ([i, j]) => sum(mul(cast("int32", A.at(i, k)), cast("int32", B.at(k, j))), [k]),
    "C",
  );
  return defineIntrinsic({
    name: "u7_gemm4",
    description: createPrimFunc([A, B, C], "u7_gemm4"),
    implementation: null,
    operandScopes: {},
    operandRanges: { B: [0, 127] },
    cost: { cycles: 1 },
  });
}

Deno.test("operandRanges: kept frozen on the intrinsic", () => {
  const x = dot();
  assertEquals(x.operandRanges, { B: [0, 127] });
  assert(Object.isFrozen(x.operandRanges));
});

Deno.test("operandRanges: a range of no buffer parameter or outside its dtype is TARGET_BAD_FIELD", () => {
  const x = dot();
  const bad: [Record<string, ValueRange>, string][] = [
    [{ D: [0, 1] }, `"D" is not a buffer parameter`],
    [{ B: [0, 128] }, "not inside int8's [-128, 127]"],
    [{ B: [9, 1] }, "is empty"],
    [{ B: [0, 1.5] }, "not integral"],
  ];
  for (const [operandRanges, why] of bad) {
    const e = assertThrows(() => defineIntrinsic({ ...x, operandRanges }), TargetError);
    assertEquals(e.code, "TARGET_BAD_FIELD");
    assert(e.message.includes(why), e.message);
    assert(e.path!.startsWith(`intrinsic "u7_gemm4" / operandRanges.`), e.path);
  }
});

Deno.test("validation inputs: a ranged operand stays in its range in every trial, others do not", () => {
  const x = dot();
  const seen = { A: new Set<number>(), B: new Set<number>() };
  for (const trial of listTrials(x, { seed: 5 })) {
    const [a, b] = trialTiles(x, trial);
    const inside = (t: typeof a) => {
      const all = toNumbers(t.data);
      // elements of the tile (strided trials hold random gaps, which are never read)
      return Array.from(
        { length: 16 },
        (_, q) => all[t.offset + Math.floor(q / 4) * t.strides[0] + (q % 4) * t.strides[1]],
      );
    };
    for (const v of inside(b)) {
      assert(v >= 0 && v <= 127, `${trial.kind}: B holds ${v}`);
      seen.B.add(v);
    }
    for (const v of inside(a)) seen.A.add(v);
  }
  // the range's bounds are drawn (max, min, extremes), and A still covers all of int8
  assert(seen.B.has(0) && seen.B.has(127) && seen.B.has(1) && seen.B.has(126));
  assert(seen.A.has(-128) && seen.A.has(127) && [...seen.A].some((v) => v < 0));
});
