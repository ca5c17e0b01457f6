/**
 * Intrinsic preconditions (`operandRanges`) in auto-tensorization: the range analysis of a
 * function's buffers (declared ranges through casts, padding and copies; wrap-around loses
 * them), and the choice of a preconditioned intrinsic only where a declared range proves it —
 * on either operand of a matmul — with a `TENSORIZE_PRECONDITION` diagnostic otherwise.
 */
import { add, cast, lt, mul, select, sub } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { randomNDArray } from "../../ir/ndarray.ts";
import type { Buffer } from "../../ir/stmt.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../../ir/te.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { valueRanges, withValueRanges } from "../../ir/value_range.ts";
import { defineIntrinsic, type Intrinsic } from "../../sdk/intrinsic.ts";
import { Schedule } from "../mod.ts";
import { autoTensorize } from "./mod.ts";
import { RangeAnalysis } from "./ranges.ts";
import { GEMM4_I8 } from "./test_intrinsics.ts";
import { assertTensorizedEquivalent } from "./testing.ts";

/** `GEMM4_I8` with `B` required in [0, 127] (the relaxed dot's precondition). */
const GEMM4_U7: Intrinsic = defineIntrinsic({
  ...GEMM4_I8,
  name: "test_gemm4_u7i8",
  operandRanges: { B: [0, 127] },
});

function matmul(m: number, n: number, k: number): PrimFunc {
  const A = placeholder([m, k], "int8", "A"), B = placeholder([k, n], "int8", "B");
  const r = reduceAxis(k, "k");
  const C = compute(
    [m, n],
    ([i, j]) => sum(mul(cast("int32", A.at(i, r)), cast("int32", B.at(r, j))), [r]),
    "C",
  );
  return createPrimFunc([A, B, C], "mm");
}

function buffer(f: PrimFunc, name: string): Buffer {
  let found: Buffer | undefined;
  const stack: unknown[] = [f.body];
  while (stack.length) {
    const n = stack.pop() as Record<string, unknown>;
    if (!n || typeof n !== "object") continue;
    if (n.kind === "Buffer" && n.name === name) found = n as unknown as Buffer;
    for (const v of Object.values(n)) if (v && typeof v === "object") stack.push(v);
  }
  return found!;
}

Deno.test("ranges: declared ranges flow through casts, select padding and copies", () => {
  const X = placeholder([8], "int8", "X", { range: [0, 127] });
  const W = placeholder([8], "int8", "W");
  const P = compute([10], ([i]) => select(lt(i, 8), X.at(i), 0), "P");
  const Q = compute([10], ([i]) => cast("int32", P.at(i)), "Q");
  const S = compute([8], ([i]) => add(X.at(i), X.at(i)), "S"); // int8: 254 wraps
  const T = compute([8], ([i]) => sub(mul(cast("int32", X.at(i)), 2), 3), "T");
  const U = compute([8], ([i]) => W.at(i), "U");
  const O = compute(
    [8],
    ([i]) =>
      add(
        add(add(Q.at(i), cast("int32", S.at(i))), T.at(i)),
        cast("int32", U.at(i)),
      ),
    "O",
  );
  const f = createPrimFunc([X, W, O], "f");
  const a = new RangeAnalysis(f);
  assertEquals(a.of(buffer(f, "P")), [0, 127]);
  assertEquals(a.of(buffer(f, "Q")), [0, 127]);
  assertEquals(a.of(buffer(f, "S")), [-128, 127]);
  assertEquals(a.of(buffer(f, "T")), [-3, 251]);
  assertEquals(a.of(buffer(f, "U")), [-128, 127]);
  // a parameter without a declared range (an output here) may hold anything of its dtype
  assertEquals(a.of(buffer(f, "O")), [-(2 ** 31), 2 ** 31 - 1]);
});

Deno.test("ranges: a preconditioned intrinsic is chosen only where a declared range proves it", () => {
  const list = [GEMM4_U7, GEMM4_I8];
  for (const [m, n, k] of [[8, 8, 8], [6, 9, 7]]) {
    const plain = matmul(m, n, k);
    const ranged = withValueRanges(plain, { B: [0, 127] });
    const narrow = withValueRanges(plain, { B: [3, 9] });
    const signed = withValueRanges(plain, { B: [-1, 127] });
    const used = (f: PrimFunc) => {
      const sch = new Schedule(f);
      const r = autoTensorize(sch, sch.getBlock("C"), list);
      assert(r.applied);
      return { name: r.intrinsic, func: sch.func };
    };
    assertEquals(used(ranged).name, "test_gemm4_u7i8", `${m}×${n}×${k}`);
    assertEquals(used(narrow).name, "test_gemm4_u7i8");
    assertEquals(used(plain).name, "test_gemm4_i8");
    assertEquals(used(signed).name, "test_gemm4_i8");
    // the declared range stays on the scheduled function, and the result is exact
    const { func } = used(ranged);
    assertEquals(valueRanges(func).get("B"), [0, 127]);
    const a = randomNDArray("int8", [m, k], 1);
    const b = randomNDArray("int8", [k, n], 2);
    b.data.forEach((v, i) => (b.data[i] = Math.abs(Number(v)) & 127));
    assertTensorizedEquivalent(ranged, func, [a, b], list, 0);
  }
});

Deno.test("ranges: a range on A lets the intrinsic's B bind to it (the transposed product)", () => {
  const f = withValueRanges(matmul(8, 12, 8), { A: [0, 127] });
  const sch = new Schedule(f);
  const r = autoTensorize(sch, sch.getBlock("C"), [GEMM4_U7]);
  assert(r.applied, r.applied ? "" : r.diagnostic.message);
  const a = randomNDArray("int8", [8, 8], 3);
  a.data.forEach((v, i) => (a.data[i] = Math.abs(Number(v)) & 127));
  assertTensorizedEquivalent(f, sch.func, [a, randomNDArray("int8", [8, 12], 4)], [GEMM4_U7], 0);
});

Deno.test("ranges: without a declared range the diagnostic names the unmet precondition", () => {
  const sch = new Schedule(matmul(8, 8, 8));
  const before = sch.func;
  const r = autoTensorize(sch, sch.getBlock("C"), [GEMM4_U7]);
  assert(!r.applied);
  assertEquals(r.diagnostic.code, "TENSORIZE_PRECONDITION");
  assert(
    r.diagnostic.message.includes(
      `requires operand "B" in [0, 127], but buffer "A" bound to it may hold values in [-128, 127]`,
    ) ||
      r.diagnostic.message.includes(
        `requires operand "B" in [0, 127], but buffer "B" bound to it may hold values in [-128, 127]`,
      ),
    r.diagnostic.message,
  );
  assert(sch.func === before, "nothing changed");
});

Deno.test("ranges: a buffer an intrinsic marker writes is unknown (a tensorized producer)", () => {
  const A = placeholder([8, 8], "int8", "A", { range: [0, 127] });
  const B = placeholder([8, 8], "int8", "B", { range: [0, 127] });
  const W = placeholder([8, 8], "int8", "W");
  const k = reduceAxis(8, "k"), k2 = reduceAxis(8, "k2");
  const C1 = compute(
    [8, 8],
    ([i, j]) => sum(mul(cast("int32", A.at(i, k)), cast("int32", B.at(k, j))), [k]),
    "C1",
  );
  const D = compute([8, 8], ([i, j]) => cast("int8", C1.at(i, j)), "D");
  const E = compute(
    [8, 8],
    ([i, j]) => sum(mul(cast("int32", W.at(i, k2)), cast("int32", D.at(k2, j))), [k2]),
    "E",
  );
  const f = createPrimFunc([A, B, W, E], "chain");
  const sch = new Schedule(f);
  const first = autoTensorize(sch, sch.getBlock("C1"), [GEMM4_I8]);
  assert(first.applied);
  // C1 is now written by markers: its values (and D's, a narrowing cast of them) are unknown
  assertEquals(new RangeAnalysis(sch.func).of(buffer(sch.func, "D")), [-128, 127]);
  const second = autoTensorize(sch, sch.getBlock("E"), [GEMM4_U7]);
  assert(!second.applied);
  assertEquals(second.diagnostic.code, "TENSORIZE_PRECONDITION");
});
