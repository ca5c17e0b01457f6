import { assert, assertEquals } from "../../ir/test_util.ts";
import { Rng } from "../rng.ts";
import { int } from "../../ir/expr.ts";
import { divisors, samplePerfectTileFactors, Schedule, Trace } from "../mod.ts";
import {
  assertEquivalent,
  assertScheduleError,
  assertTraceRoundTrip,
  elementwiseFunc,
} from "../testing.ts";

Deno.test("divisors and perfect tiles: products are the extent, innermost bounded", () => {
  assertEquals(divisors(12), [1, 2, 3, 4, 6, 12]);
  assertEquals(divisors(1), [1]);
  const rng = new Rng(3);
  const seen = new Set<string>();
  for (let t = 0; t < 300; t++) {
    const n = 1 + (t % 4);
    const d = samplePerfectTileFactors(rng, 96, n, 16);
    assertEquals(d.length, n);
    assertEquals(d.reduce((a, b) => a * b, 1), 96);
    if (n > 1) assert(d[n - 1] <= 16, `innermost ${d[n - 1]}`);
    seen.add(d.join("x"));
  }
  assert(seen.size > 20, `only ${seen.size} distinct tilings`);
});

Deno.test("samplePerfectTile + split: seeded, recorded, replayed, overridable", () => {
  const f = elementwiseFunc(4, 64);
  const draw = (seed: number) => {
    const sch = new Schedule(f, { seed });
    const [, j] = sch.getLoops(sch.getBlock("B"));
    const vs = sch.samplePerfectTile(j, { n: 3, maxInnermostFactor: 8 });
    sch.split(j, vs);
    return sch;
  };
  const a = draw(5), b = draw(5);
  assertEquals(a.trace.toJSON(), b.trace.toJSON());
  const decisions = new Set<string>();
  for (let seed = 1; seed < 30; seed++) {
    const sch = draw(seed);
    const d = sch.trace.instructions[2].decision as number[];
    assertEquals(d.reduce((x, y) => x * y, 1), 64);
    assert(d[2] <= 8);
    decisions.add(JSON.stringify(d));
    assertEquivalent(f, sch.func, 1, { seeds: [seed] });
  }
  assert(decisions.size > 3);
  assertTraceRoundTrip(a, f);
  assert(a.trace.toScript().includes("decision: ["), a.trace.toScript());
  // the tuner replaces a decision
  const other = a.trace.replay(f, { decisions: new Map([[2, [2, 4, 8]]]) });
  const loops = other.getLoops(other.getBlock("B"));
  assertEquals(loops.map((l) => other.get(l).extent), [4, 2, 4, 8].map((e) => int(e)));
  const withDecision = a.trace.withDecision(2, [1, 8, 8]).replay(f);
  const wl = withDecision.getLoops(withDecision.getBlock("B"));
  assertEquals(wl.map((l) => withDecision.get(l).extent), [4, 1, 8, 8].map((e) => int(e)));
});

Deno.test("sampleCategorical follows its probabilities and never picks a zero one", () => {
  const sch = new Schedule(elementwiseFunc(2, 2), { seed: 11 });
  const counts = [0, 0, 0];
  for (let t = 0; t < 600; t++) {
    const v = sch.sampleCategorical([10, 20, 30], [1, 0, 3]);
    counts[[10, 20, 30].indexOf(sch.get(v) as number)]++;
  }
  assertEquals(counts[1], 0);
  assert(counts[2] > 2 * counts[0], counts.join());
  const replay = Trace.fromJSON(sch.trace.toJSON()).replay(elementwiseFunc(2, 2));
  assertEquals(replay.trace.toJSON(), sch.trace.toJSON());
});

Deno.test("sampling errors: symbolic extent, bad decisions, bad probabilities", () => {
  const sch = new Schedule(elementwiseFunc("n", 12));
  const [i, j] = sch.getLoops(sch.getBlock("B"));
  assertScheduleError(sch, () => sch.samplePerfectTile(i, { n: 2 }), "SCHEDULE_SAMPLE_EXTENT");
  for (const decision of [[3, 3], [12, 1, 1], [1, 12], [0, 12]]) {
    assertScheduleError(
      sch,
      () => sch.samplePerfectTile(j, { n: 2, maxInnermostFactor: 6, decision }),
      "SCHEDULE_BAD_DECISION",
    );
  }
  assertScheduleError(
    sch,
    () => sch.sampleCategorical([1, 2], [1, 0], { decision: 1 }),
    "SCHEDULE_BAD_DECISION",
  );
  assertScheduleError(sch, () => sch.sampleCategorical([1, 2], [1]), "SCHEDULE_BAD_ARGUMENT");
  assertScheduleError(sch, () => sch.sampleCategorical([1], [0]), "SCHEDULE_BAD_ARGUMENT");
  const state = sch.rng.state;
  assertScheduleError(sch, () => sch.sampleCategorical([1, 2], [-1, 2]), "SCHEDULE_BAD_ARGUMENT");
  assertEquals(sch.rng.state, state);
});
