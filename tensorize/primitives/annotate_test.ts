import { assertEquals } from "../../ir/test_util.ts";
import { Schedule } from "../mod.ts";
import { assertScheduleError, assertTraceRoundTrip, matmulFunc } from "../testing.ts";

Deno.test("annotate and unannotate a loop and a block; a sampled value as annotation", () => {
  const f = matmulFunc();
  const sch = new Schedule(f);
  const c = sch.getBlock("C");
  const [i, j] = sch.getLoops(c);
  sch.annotate(i, "pragma_unroll_explicit", 1);
  sch.annotate(c, "schedule_rule", "matmul");
  const v = sch.sampleCategorical([0, 16, 64], [1, 1, 1], { decision: 2 });
  sch.annotate(j, "auto_unroll", v);
  assertEquals(sch.get(i).annotations, { pragma_unroll_explicit: 1 });
  assertEquals(sch.get(c).annotations, { schedule_rule: "matmul" });
  assertEquals(sch.get(j).annotations, { auto_unroll: 64 });
  assertTraceRoundTrip(sch, f);
  sch.unannotate(c, "schedule_rule");
  sch.unannotate(i, "pragma_unroll_explicit");
  assertEquals(sch.get(c).annotations, {});
  assertEquals(sch.get(i).annotations, {});
  assertTraceRoundTrip(sch, f);
  assertEquals(
    sch.trace.toScript().split("\n").slice(2, 6),
    [
      `sch.annotate(l1, "pragma_unroll_explicit", 1);`,
      `sch.annotate(b0, "schedule_rule", "matmul");`,
      `const v4 = sch.sampleCategorical([0, 16, 64], [1, 1, 1], { decision: 2 });`,
      `sch.annotate(l2, "auto_unroll", v4);`,
    ],
  );
});

Deno.test("unannotate of a missing key fails and changes nothing", () => {
  const sch = new Schedule(matmulFunc());
  const c = sch.getBlock("C");
  const [i] = sch.getLoops(c);
  sch.annotate(i, "a", true);
  assertScheduleError(sch, () => sch.unannotate(i, "b"), "SCHEDULE_NO_ANNOTATION");
  assertScheduleError(sch, () => sch.unannotate(c, "a"), "SCHEDULE_NO_ANNOTATION");
});
