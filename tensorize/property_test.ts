/**
 * Property test: random sequences of loop primitives on every op of the library. Each step
 * either succeeds or fails with a `ScheduleError` that leaves the schedule unchanged; the final
 * function must match the op's reference (interpreter, conformance tolerances), and its trace
 * must round-trip. A few results are also built for `cpu`.
 */
import { assert } from "../ir/test_util.ts";
import { ScheduleError } from "../ir/errors.ts";
import { runFunc } from "../ir/interp/mod.ts";
import { OPS } from "../ir/ops/mod.ts";
import type { NDArray } from "../ir/ndarray.ts";
import { printFunc } from "../ir/script/mod.ts";
import { compareArrays } from "../conformance/tolerance.ts";
import { build } from "../sdk/mod.ts";
import cpu from "../targets/cpu/mod.ts";
import { type LoopRV, Rng, Schedule } from "./mod.ts";
import { blocksUnder } from "./analysis/find.ts";
import { assertTraceRoundTrip } from "./testing.ts";

type Step = (sch: Schedule, loops: LoopRV[], rng: Rng) => void;

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

const STEPS: readonly Step[] = [
  (sch, ls, rng) => {
    const f = pick(rng, [2, 3, 4, 8]);
    sch.split(pick(rng, ls), rng.int(2) ? [undefined, f] : [f, undefined]);
  },
  (sch, ls, rng) => {
    const k = rng.int(Math.max(1, ls.length - 1));
    sch.fuse(...ls.slice(k, k + 2));
  },
  (sch, ls, rng) => sch.reorder(pick(rng, ls), pick(rng, ls)),
  (sch, ls, rng) => sch.reorder(...[...ls].reverse().slice(0, 1 + rng.int(ls.length))),
  (sch, ls, rng) => sch.parallel(pick(rng, ls)),
  (sch, ls, rng) => sch.vectorize(pick(rng, ls)),
  (sch, ls, rng) => sch.unroll(pick(rng, ls)),
];

/** Apply `count` random steps to random blocks; returns how many succeeded. */
function randomSchedule(sch: Schedule, count: number, rng: Rng): number {
  const names = blocksUnder(sch.func.body).map((r) => r.block.name).filter((n) => n !== "root");
  let ok = 0;
  for (let t = 0; t < count; t++) {
    const loops = sch.getLoops(sch.getBlock(pick(rng, names)));
    if (loops.length === 0) continue;
    const before = sch.func, length = sch.trace.length;
    try {
      pick(rng, STEPS)(sch, loops, rng);
      ok++;
    } catch (e) {
      if (!(e instanceof ScheduleError)) throw e;
      assert(sch.func === before && sch.trace.length === length, `${e.code} changed the schedule`);
    }
  }
  return ok;
}

function check(name: string, got: NDArray[], want: NDArray[], sch: Schedule): void {
  got.forEach((g, k) => {
    const cmp = compareArrays(g, want[k]);
    assert(
      cmp.ok,
      `${name}: output ${k} ${
        cmp.reason ?? ""
      } (${cmp.mismatches} mismatches)\n${sch.trace.toScript()}\n${printFunc(sch.func)}`,
    );
  });
}

for (const op of OPS) {
  Deno.test(`random loop schedules of ${op.family}/${op.name} match the reference`, () => {
    let succeeded = 0;
    for (const [k, c] of op.cases.slice(0, 2).entries()) {
      const f = op.build(c);
      const inputs = op.makeInputs(c, 3);
      const want = op.reference(inputs, c.attrs, c.vars ?? {});
      for (const seed of [1, 2]) {
        const rng = new Rng(seed * 1000 + k * 7 + op.name.length);
        const sch = new Schedule(f, { seed });
        succeeded += randomSchedule(sch, 8, rng);
        check(`${op.name} [${c.label}] seed ${seed}`, runFunc(sch.func, inputs), want, sch);
        assertTraceRoundTrip(sch, f);
      }
    }
    assert(succeeded > 0, "no step succeeded");
  });
}

Deno.test("random loop schedules of a few ops built for cpu match the reference", async () => {
  for (const name of ["matmul", "softmax", "conv2d"]) {
    const op = OPS.find((o) => o.name === name)!;
    const c = op.cases[0];
    const f = op.build(c);
    const sch = new Schedule(f, { seed: 5 });
    randomSchedule(sch, 10, new Rng(17));
    const inputs = op.makeInputs(c, 4);
    const kernel = await build(sch.func, cpu);
    check(
      `${name} on cpu`,
      await kernel.run(inputs),
      op.reference(inputs, c.attrs, c.vars ?? {}),
      sch,
    );
  }
});
