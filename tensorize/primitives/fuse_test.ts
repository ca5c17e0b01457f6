import { assertEquals } from "../../ir/test_util.ts";
import { parseFunc } from "../../ir/script/mod.ts";
import { Schedule } from "../mod.ts";
import {
  assertEquivalent,
  assertSameFunc,
  assertScheduleError,
  assertTraceRoundTrip,
  elementwiseFunc,
  matmulFunc,
} from "../testing.ts";

Deno.test("fuse: two loops become one, bindings by floordiv/floormod", () => {
  const f = parseFunc(`func f(A: buffer<float32>[4, 8], B: buffer<float32>[4, 8]) {
  block root() {
    for i in 0..4 {
      for j in 0..8 {
        block B(vi: spatial(0..4) = i, vj: spatial(0..8) = j) {
          reads(A[vi, vj])
          writes(B[vi, vj])
          B[vi, vj] = A[vi, vj] + 1.0
        }
      }
    }
  }
}`);
  const sch = new Schedule(f);
  const [i, j] = sch.getLoops(sch.getBlock("B"));
  sch.fuse(i, j);
  assertSameFunc(
    sch.func,
    parseFunc(`func f(A: buffer<float32>[4, 8], B: buffer<float32>[4, 8]) {
  block root() {
    for i_j_fused in 0..32 {
      block B(vi: spatial(0..4) = i_j_fused // 8, vj: spatial(0..8) = i_j_fused %% 8) {
        reads(A[vi, vj])
        writes(B[vi, vj])
        B[vi, vj] = A[vi, vj] + 1.0
      }
    }
  }
}`),
  );
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
});

Deno.test("fuse: symbolic extents, three loops after a split, then split again", () => {
  const f = elementwiseFunc("n", "m");
  const sch = new Schedule(f);
  const [i, j] = sch.getLoops(sch.getBlock("B"));
  const [j0, j1] = sch.split(j, [undefined, 3]);
  const fused = sch.fuse(i, j0, j1);
  assertEquals(sch.getLoops(sch.getBlock("B")).length, 1);
  sch.split(fused, [undefined, 4]);
  for (const [n, m] of [[1, 1], [3, 7], [5, 6]]) {
    assertEquivalent(f, sch.func, 1, { sizes: { n, m } });
  }
  assertTraceRoundTrip(sch, f);
});

Deno.test("fuse of a reduction nest keeps the reduction right (matmul, j with k)", () => {
  const f = matmulFunc("int32");
  const sch = new Schedule(f);
  const [, j, k] = sch.getLoops(sch.getBlock("C"));
  sch.fuse(j, k);
  assertEquivalent(f, sch.func, 2, { sizes: { n: 3 } });
  assertTraceRoundTrip(sch, f);
});

Deno.test("fuse errors: not adjacent, a loop twice, a dependent extent", () => {
  const f = matmulFunc();
  const sch = new Schedule(f);
  const [i, j, k] = sch.getLoops(sch.getBlock("C"));
  const e = assertScheduleError(sch, () => sch.fuse(i, k), "SCHEDULE_NOT_ADJACENT");
  assertEquals(e.message, `Cannot fuse loops "i" and "k": "k" is not the whole body of "i"`);
  assertScheduleError(sch, () => sch.fuse(j, i), "SCHEDULE_NOT_ADJACENT");
  assertScheduleError(sch, () => sch.fuse(i, i), "SCHEDULE_DUPLICATE_LOOP");
  const tri = new Schedule(parseFunc(`func t(A: buffer<float32>[8, 8]) {
  block root() {
    for i in 0..8 {
      for j in 0..i + 1 {
        block B(vi: spatial(0..8) = i, vj: spatial(0..8) = j) {
          reads()
          writes(A[vi, vj])
          A[vi, vj] = 1.0
        }
      }
    }
  }
}`));
  const [ti, tj] = tri.getLoops(tri.getBlock("B"));
  assertScheduleError(tri, () => tri.fuse(ti, tj), "SCHEDULE_DEPENDENT_EXTENT");
});

Deno.test("fused loops are stale afterwards; the error names the fuse", () => {
  const sch = new Schedule(elementwiseFunc(4, 4));
  const [i, j] = sch.getLoops(sch.getBlock("B"));
  sch.fuse(i, j);
  const e = assertScheduleError(sch, () => sch.parallel(i), "SCHEDULE_STALE_RV");
  assertEquals(e.message.includes("Fuse"), true);
});
