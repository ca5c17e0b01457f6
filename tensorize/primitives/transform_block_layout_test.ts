import { parseFunc } from "../../ir/script/mod.ts";
import { findOp } from "../../ir/ops/mod.ts";
import { verify } from "../../ir/verify.ts";
import { assert } from "../../ir/test_util.ts";
import { Schedule } from "../mod.ts";
import {
  assertEquivalent,
  assertSameFunc,
  assertScheduleError,
  assertTraceRoundTrip,
} from "../testing.ts";

const EW = `func f(A: buffer<float32>[4, 8], B: buffer<float32>[4, 8]) {
  block root() {
    for i in 0..4 {
      for j in 0..8 {
        block B(vi: spatial(0..4) = i, vj: spatial(0..8) = j) {
          reads(A[vi, vj])
          writes(B[vi, vj])
          B[vi, vj] = A[vi, vj] * 2.0
        }
      }
    }
  }
}`;

Deno.test("transformBlockLayout: fusing the iteration space of an elementwise block", () => {
  const f = parseFunc(EW);
  const sch = new Schedule(f);
  sch.transformBlockLayout(sch.getBlock("B"), "(i, j) => [i * 8 + j]");
  assertSameFunc(
    sch.func,
    parseFunc(`func f(A: buffer<float32>[4, 8], B: buffer<float32>[4, 8]) {
  block root() {
    for ax0 in 0..32 {
      block B(v0: spatial(0..32) = ax0) {
        reads(A[v0 // 8, v0 %% 8])
        writes(B[v0 // 8, v0 %% 8])
        B[v0 // 8, v0 %% 8] = A[v0 // 8, v0 %% 8] * 2.0
      }
    }
  }
}`),
  );
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
});

Deno.test("transformBlockLayout on matmul and conv2d: permuted and split iteration spaces", () => {
  const mm = findOp("matmul");
  const f = mm.build(mm.cases[0]);
  const sch = new Schedule(f);
  sch.transformBlockLayout(sch.getBlock("T_matmul"), "(i, j, k) => [j, k, i]");
  verify(sch.func);
  assertEquivalent(f, sch.func, 2);
  assertTraceRoundTrip(sch, f);
  const conv = findOp("conv2d");
  const c = conv.cases[0];
  const g = conv.build(c);
  const s2 = new Schedule(g);
  s2.transformBlockLayout(
    s2.getBlock("T_conv2d_nchw"),
    "(n, f, y, x, rc, ry, rx) => [n, f // 4, y, x, f %% 4, rc, ry * 3 + rx]",
  );
  assert(s2.show().includes("reduce(0..9)"), s2.show());
  verify(s2.func);
  assertEquivalent(g, s2.func, 2, { seeds: [1] });
  assertTraceRoundTrip(s2, g);
});

Deno.test("transformBlockLayout errors: loops, maps, mixed kinds", () => {
  const mm = findOp("matmul");
  const f = mm.build(mm.cases[0]);
  const sch = new Schedule(f);
  const b = sch.getBlock("T_matmul");
  assertScheduleError(
    sch,
    () => sch.transformBlockLayout(b, "(i, j, k) => [i, j * 13 + k]"),
    "SCHEDULE_BLOCK_LAYOUT_MIXED",
  );
  assertScheduleError(
    sch,
    () => sch.transformBlockLayout(b, "(i, j) => [i, j]"),
    "SCHEDULE_INDEX_MAP",
  );
  assertScheduleError(
    sch,
    () => sch.transformBlockLayout(b, "(i, j, k) => [i // 2, j, k, i %% 2]"),
    "SCHEDULE_INDEX_MAP",
  );
  const [i] = sch.getLoops(b);
  sch.split(i, [undefined, 2]);
  assertScheduleError(
    sch,
    () => sch.transformBlockLayout(b, "(i, j, k) => [j, i, k]"),
    "SCHEDULE_BLOCK_LAYOUT_LOOPS",
  );
});
