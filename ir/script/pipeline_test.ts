/**
 * Round trips of functions as the DSL, the op library, hand schedules and every lowering pass
 * produce them: the script form must hold every stage.
 */
import { assert } from "../test_util.ts";
import { add, and, call, cast, float, ge, lt, mul, select, sub } from "../expr.ts";
import type { PrimFunc } from "../func.ts";
import {
  compute,
  createPrimFunc,
  maxReduce,
  placeholder,
  reduceAxis,
  sizeVar,
  sum,
} from "../te.ts";
import { OPS } from "../ops/catalog.ts";
import { LOWER_PASSES, runPasses } from "../transform/lower.ts";
import { setKind, split } from "../transform/schedule_testing.ts";
import { assertRoundTrip } from "./testing.ts";

/** Round-trip `f` and every stage of its lowering. */
function everyStage(f: PrimFunc): void {
  assertRoundTrip(f);
  let cur = f;
  for (const pass of LOWER_PASSES) {
    cur = runPasses(cur, [pass]);
    try {
      assertRoundTrip(cur);
    } catch (e) {
      throw new Error(`after pass ${pass.name}: ${(e as Error).message}`);
    }
  }
}

function matmul(dtype = "float32", acc = dtype) {
  const n = sizeVar("n");
  const m = sizeVar("m");
  const A = placeholder([n, 16], dtype, "A");
  const B = placeholder([16, m], dtype, "B");
  const k = reduceAxis(16, "k");
  const C = compute(
    [n, m],
    ([i, j]) => sum(mul(cast(acc, A.at(i, k)), cast(acc, B.at(k, j))), [k]),
    "C",
  );
  return createPrimFunc([A, B, C], "matmul");
}

/** A 3×3 convolution over a zero-padded input: padding as a select that guards the load. */
function convPadded() {
  const h = sizeVar("h");
  const w = sizeVar("w");
  const X = placeholder([h, w], "float32", "X");
  const K = placeholder([3, 3], "float32", "K");
  const P = compute([add(h, 2), add(w, 2)], ([i, j]) => {
    const inside = and(and(ge(i, 1), lt(i, add(h, 1))), and(ge(j, 1), lt(j, add(w, 1))));
    return select(inside, X.at(sub(i, 1), sub(j, 1)), float(0));
  }, "P");
  const r = reduceAxis(3, "r");
  const s = reduceAxis(3, "s");
  const Y = compute(
    [h, w],
    ([i, j]) => sum(mul(P.at(add(i, r), add(j, s)), K.at(r, s)), [r, s]),
    "Y",
  );
  return createPrimFunc([X, K, Y], "conv");
}

/** Row max then a softmax-like normalisation: two stages, an intermediate, exp, -inf init. */
function softmaxLike() {
  const n = sizeVar("n");
  const X = placeholder([n, 32], "float16", "X");
  const k = reduceAxis(32, "k");
  const M = compute([n], ([i]) => maxReduce(X.at(i, k), [k]), "M");
  const E = compute([n, 32], ([i, j]) => call("exp", [sub(X.at(i, j), M.at(i))]), "E");
  const k2 = reduceAxis(32, "k2");
  const S = compute([n], ([i]) => sum(E.at(i, k2), [k2]), "S");
  const Y = compute([n, 32], ([i, j]) => mul(E.at(i, j), S.at(i)), "Y");
  return createPrimFunc([X, Y], "softmaxish");
}

Deno.test("DSL functions round-trip at every stage of lowering", () => {
  for (const f of [matmul(), matmul("int8", "int32"), convPadded(), softmaxLike()]) {
    everyStage(f);
  }
});

Deno.test("hand-scheduled functions round-trip at every stage (split, vectorize, unroll, parallel)", () => {
  const base = matmul();
  const variants = [
    setKind(split(base, "j", 4), "j_i", "vectorized"),
    setKind(split(base, "k", 4), "k_i", "unrolled"),
    setKind(setKind(base, "i", "parallel"), "k", "unrolled"),
    split(convPadded(), "i", 3),
  ];
  for (const f of variants) everyStage(f);
});

Deno.test("every op of the library round-trips, built and lowered", () => {
  let count = 0;
  for (const op of OPS) {
    for (const [i, c] of op.cases.entries()) {
      const f = op.build(c);
      try {
        // Every case as built; the stages of lowering for the first case of each op.
        if (i === 0) everyStage(f);
        else assertRoundTrip(f);
      } catch (e) {
        throw new Error(`op ${op.name} (${c.label}): ${(e as Error).message}`);
      }
      count++;
    }
  }
  assert(count >= OPS.length, `${count} cases`);
});
