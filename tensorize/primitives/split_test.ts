import { assert, assertEquals } from "../../ir/test_util.ts";
import { parseFunc } from "../../ir/script/mod.ts";
import { int } from "../../ir/expr.ts";
import { Schedule } from "../mod.ts";
import {
  assertEquivalent,
  assertSameFunc,
  assertScheduleError,
  assertTraceRoundTrip,
} from "../testing.ts";

const ELEMWISE = `func f(A: buffer<float32>[n, 10], B: buffer<float32>[n, 10]) {
  block root() {
    for i in 0..n {
      for j in 0..10 {
        block B(vi: spatial(0..n) = i, vj: spatial(0..10) = j) {
          reads(A[vi, vj])
          writes(B[vi, vj])
          B[vi, vj] = A[vi, vj] * 2.0
        }
      }
    }
  }
}`;

Deno.test("split: a dividing constant split rebinds the block, no predicate", () => {
  const f = parseFunc(ELEMWISE.replaceAll("10", "12"));
  const sch = new Schedule(f);
  const b = sch.getBlock("B");
  const [, j] = sch.getLoops(b);
  const [jo, ji] = sch.split(j, [3, 4]);
  assertSameFunc(
    sch.func,
    parseFunc(`func f(A: buffer<float32>[n, 12], B: buffer<float32>[n, 12]) {
  block root() {
    for i in 0..n {
      for j_0 in 0..3 {
        for j_1 in 0..4 {
          block B(vi: spatial(0..n) = i, vj: spatial(0..12) = j_0 * 4 + j_1) {
            reads(A[vi, vj])
            writes(B[vi, vj])
            B[vi, vj] = A[vi, vj] * 2.0
          }
        }
      }
    }
  }
}`),
  );
  assertEquals(sch.getLoops(b).length, 3);
  assertEquals(sch.get(jo).extent, sch.get(sch.getLoops(b)[1]).extent);
  assert(sch.get(ji).extent.kind === "IntImm");
  assertEquivalent(f, sch.func, 1, { sizes: { n: 3 } });
  assertTraceRoundTrip(sch, f);
});

Deno.test("split: a non-dividing split guards the block with a predicate", () => {
  const f = parseFunc(ELEMWISE);
  const sch = new Schedule(f);
  const [, j] = sch.getLoops(sch.getBlock("B"));
  sch.split(j, [undefined, 4]);
  assertSameFunc(
    sch.func,
    parseFunc(`func f(A: buffer<float32>[n, 10], B: buffer<float32>[n, 10]) {
  block root() {
    for i in 0..n {
      for j_0 in 0..3 {
        for j_1 in 0..4 {
          block B(vi: spatial(0..n) = i, vj: spatial(0..10) = j_0 * 4 + j_1) where j_0 * 4 + j_1 < 10 {
            reads(A[vi, vj])
            writes(B[vi, vj])
            B[vi, vj] = A[vi, vj] * 2.0
          }
        }
      }
    }
  }
}`),
  );
  assertEquivalent(f, sch.func, 1, { sizes: { n: 2 } });
  assertTraceRoundTrip(sch, f);
});

Deno.test("split: a symbolic extent by a constant, and a symbolic factor", () => {
  const f = parseFunc(ELEMWISE);
  const sch = new Schedule(f);
  const [i] = sch.getLoops(sch.getBlock("B"));
  const [io] = sch.split(i, [undefined, 4]);
  assertEquals(sch.show().includes("where"), true);
  sch.split(io, [sch.expr("n"), undefined]);
  for (const n of [1, 5, 8]) assertEquivalent(f, sch.func, 1, { sizes: { n } });
  assertTraceRoundTrip(sch, f);
  assert(sch.trace.toScript().includes(`sch.expr("n")`), sch.trace.toScript());
});

Deno.test("split: three factors and -1 to infer", () => {
  const f = parseFunc(ELEMWISE.replaceAll("10", "30"));
  const sch = new Schedule(f);
  const [, j] = sch.getLoops(sch.getBlock("B"));
  const loops = sch.split(j, [2, -1, 5]);
  assertEquals(loops.map((l) => sch.get(l).extent), [2, 3, 5].map((v) => int(v)));
  assertEquivalent(f, sch.func, 1, { sizes: { n: 2 } });
  assertTraceRoundTrip(sch, f);
});

Deno.test("split errors: too small, two holes, non-positive; the schedule is unchanged", () => {
  const f = parseFunc(ELEMWISE);
  const sch = new Schedule(f);
  const [i, j] = sch.getLoops(sch.getBlock("B"));
  const e = assertScheduleError(sch, () => sch.split(j, [2, 4]), "SCHEDULE_SPLIT_FACTORS");
  assertEquals(e.message, `Cannot split loop "j": factors multiply to 8, less than its extent 10`);
  assert(e.render().includes("for j in 0..10"), e.render());
  assertScheduleError(sch, () => sch.split(j, [undefined, undefined]), "SCHEDULE_SPLIT_FACTORS");
  assertScheduleError(sch, () => sch.split(j, [0, 10]), "SCHEDULE_SPLIT_FACTORS");
  assertScheduleError(sch, () => sch.split(i, [4, 4]), "SCHEDULE_SPLIT_FACTORS");
  assertScheduleError(sch, () => sch.getBlock("nope"), "SCHEDULE_NO_BLOCK");
});

Deno.test("a split loop's random variable is stale afterwards", () => {
  const f = parseFunc(ELEMWISE);
  const sch = new Schedule(f);
  const [, j] = sch.getLoops(sch.getBlock("B"));
  sch.split(j, [5, 2]);
  const e = assertScheduleError(sch, () => sch.split(j, [5, 2]), "SCHEDULE_STALE_RV");
  assert(e.message.includes("Split"), e.message);
});
