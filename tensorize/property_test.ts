/**
 * Property test: random sequences of schedule primitives — loop primitives and block primitives
 * (inline, cache stages, compute-at, decompose, rfactor, blockize) — on every op of the library.
 * Each step either succeeds or fails with a `ScheduleError` that leaves the schedule unchanged;
 * the final function must match the op's reference (interpreter, conformance tolerances), and its
 * trace must round-trip. Every op's randomly scheduled first case is also built for `cpu`.
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
import { type BlockRV, type LoopRV, Rng, Schedule } from "./mod.ts";
import { blocksUnder } from "./analysis/find.ts";
import { assertTraceRoundTrip } from "./testing.ts";

/** A step: `loops` are the block's loops, `other` those of another (or the same) block. */
type Step = (sch: Schedule, loops: LoopRV[], rng: Rng, block: BlockRV, other: LoopRV[]) => void;

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
  // Block primitives: the block is the one whose loops the step was given.
  (sch, _ls, _rng, b) => sch.computeInline(b),
  (sch, _ls, _rng, b) => sch.reverseComputeInline(b),
  (sch, _ls, rng, b) => void sch.cacheRead(b, rng.int(2), pick(rng, ["local", "global"])),
  (sch, _ls, rng, b) => void sch.cacheWrite(b, 0, pick(rng, ["local", "global"])),
  (sch, _ls, rng, b, other) => sch.computeAt(b, pick(rng, other)),
  (sch, _ls, rng, b, other) => sch.reverseComputeAt(b, pick(rng, other)),
  (sch, ls, rng, b) => void sch.decomposeReduction(b, pick(rng, ls)),
  (sch, ls, rng) => void sch.rfactor(pick(rng, ls), 0),
  (sch, ls, rng) => void sch.blockize(pick(rng, ls)),
];

/** Apply `count` random steps to random blocks; returns how many succeeded. */
function randomSchedule(sch: Schedule, count: number, rng: Rng): number {
  let ok = 0;
  for (let t = 0; t < count; t++) {
    // Leaf blocks mostly; now and then an outer block of blockize (its loops are the ones above).
    const all = blocksUnder(sch.func.body).filter((r) => r.block.name !== "root");
    const names = all.filter((r) => blocksUnder(r.block.body).length === 0).map((r) =>
      r.block.name
    );
    if (names.length === 0) break;
    const outer = all.filter((r) => blocksUnder(r.block.body).length > 0).map((r) => r.block.name);
    const block = sch.getBlock(pick(rng, outer.length > 0 && rng.int(4) === 0 ? outer : names));
    const loops = sch.getLoops(block);
    const other = sch.getLoops(sch.getBlock(pick(rng, names)));
    if (loops.length === 0 || other.length === 0) continue;
    const before = sch.func, length = sch.trace.length;
    try {
      pick(rng, STEPS)(sch, loops, rng, block, other);
      ok++;
    } catch (e) {
      if (!(e instanceof ScheduleError)) {
        throw new Error(`a step threw ${e}\n${sch.trace.toScript()}\n${printFunc(before)}`, {
          cause: e,
        });
      }
      assert(sch.func === before && sch.trace.length === length, `${e.code} changed the schedule`);
    }
  }
  return ok;
}

/** Run `fn`; an exception (a bug, as every primitive step succeeded) names the schedule. */
function withTrace<T>(name: string, sch: Schedule, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new Error(
      `${name}: ${e instanceof Error ? e.message : e}\n${sch.trace.toScript()}\n${
        printFunc(sch.func)
      }`,
      { cause: e },
    );
  }
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

/**
 * Seeds per case: 3 by default; `TESSERA_PROPERTY_SEEDS=50 deno test -A …` searches longer, from
 * `TESSERA_PROPERTY_FIRST_SEED` (default 1).
 */
const SEEDS = envNumber("TESSERA_PROPERTY_SEEDS", 3);
const FIRST_SEED = envNumber("TESSERA_PROPERTY_FIRST_SEED", 1);
/** Steps per schedule (`TESSERA_PROPERTY_STEPS`, default 10). */
const STEP_COUNT = envNumber("TESSERA_PROPERTY_STEPS", 10);

function envNumber(name: string, fallback: number): number {
  try {
    const v = Number(Deno.env.get(name));
    return Number.isInteger(v) && v > 0 ? v : fallback;
  } catch {
    return fallback; // no env permission
  }
}

for (const op of OPS) {
  Deno.test(`random schedules of ${op.family}/${op.name} match the reference`, () => {
    let succeeded = 0;
    for (const [k, c] of op.cases.slice(0, 2).entries()) {
      const f = op.build(c);
      const inputs = op.makeInputs(c, 3);
      const want = op.reference(inputs, c.attrs, c.vars ?? {});
      for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
        const rng = new Rng(seed * 1000 + k * 7 + op.name.length);
        const sch = new Schedule(f, { seed });
        succeeded += randomSchedule(sch, STEP_COUNT, rng);
        const name = `${op.name} [${c.label}] seed ${seed}`;
        check(name, withTrace(name, sch, () => runFunc(sch.func, inputs)), want, sch);
        assertTraceRoundTrip(sch, f);
      }
    }
    assert(succeeded > 0, "no step succeeded");
  });
}

Deno.test("random schedules of every op, built for cpu, match the reference", async () => {
  for (const op of OPS) {
    const c = op.cases[0];
    const f = op.build(c);
    const sch = new Schedule(f, { seed: 5 });
    randomSchedule(sch, STEP_COUNT, new Rng(17 + op.name.length + (FIRST_SEED - 1) * 1009));
    const inputs = op.makeInputs(c, 4);
    const kernel = await build(sch.func, cpu);
    check(
      `${op.name} on cpu`,
      await kernel.run(inputs),
      op.reference(inputs, c.attrs, c.vars ?? {}),
      sch,
    );
  }
});
