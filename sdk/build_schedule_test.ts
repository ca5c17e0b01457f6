/**
 * The default-schedule hook of `build` (`codegen.schedule`): applied to functions nobody
 * scheduled, skipped with `{ schedule: false }`, never applied to a function a `Schedule`
 * produced or one that says `attrs.scheduled`, and part of the cache key. The target here is a
 * minimal interpreter-backed one written with the public SDK only.
 */
import { TargetError } from "../ir/errors.ts";
import { mul } from "../ir/expr.ts";
import { isScheduled, type PrimFunc } from "../ir/func.ts";
import { ndarray, toNumbers } from "../ir/ndarray.ts";
import { compute, createPrimFunc, placeholder } from "../ir/te.ts";
import { assert, assertEquals, assertThrows } from "../ir/test_util.ts";
import { Schedule } from "../tensorize/mod.ts";
import {
  build,
  buildStats,
  clearBuildCache,
  defineMemoryScope,
  defineTarget,
  SDK_VERSION,
  type TargetSpec,
} from "./mod.ts";
import { InterpDevice } from "./testing.ts";

/** Functions the hook saw. */
const seen: PrimFunc[] = [];

/** The hook: split the inner loop by 2 and annotate the new loop (observable in `lowered`). */
function splitInner(f: PrimFunc): PrimFunc {
  seen.push(f);
  const sch = new Schedule(f);
  const loops = sch.getLoops(sch.getBlock("B"));
  const [, inner] = sch.split(loops[loops.length - 1], [undefined, 2]);
  sch.annotate(inner, "hooked", true);
  return sch.func;
}

const spec: TargetSpec = {
  name: "sched",
  kind: "cpu",
  sdkVersion: SDK_VERSION,
  scopes: [defineMemoryScope({ name: "global", alignmentBytes: 16 })],
  codegen: {
    schedule: splitInner,
    compile: (lowered) =>
      Promise.resolve({ target: "sched", entry: lowered.name, source: "", lowered }),
  },
  runtime: { createDevice: () => Promise.resolve(new InterpDevice("sched", 1)) },
  limits: {},
  peak: { flopsPerSecond: { float32: 1e9 }, bytesPerSecond: { global: 1e9 } },
};
const target = defineTarget(spec);

function double(): PrimFunc {
  const A = placeholder([3, 4], "float32", "A");
  const B = compute([3, 4], ([i, j]) => mul(A.at(i, j), 2), "B");
  return createPrimFunc([A, B], "double");
}

const hooked = (f: PrimFunc) => JSON.stringify(f.body).includes('"hooked":true');

Deno.test("build applies the target's default schedule to an unscheduled function", async () => {
  clearBuildCache();
  seen.length = 0;
  const f = double();
  assert(!isScheduled(f));
  const k = await build(f, target);
  assert(hooked(k.lowered), "the lowered function comes from the hook's schedule");
  assertEquals(seen, [f]);
  assertEquals(buildStats().schedules, 1);
  const a = ndarray("float32", [3, 4], Array.from({ length: 12 }, (_, i) => i));
  assertEquals(toNumbers((await k.run([a]))[0]), toNumbers(a).map((x) => 2 * x));
  await build(f, target); // a cache hit schedules nothing
  assertEquals(buildStats().schedules, 1);
});

Deno.test("{ schedule: false } skips the hook, under its own cache key", async () => {
  clearBuildCache();
  const f = double();
  const plain = await build(f, target, { schedule: false });
  assert(!hooked(plain.lowered));
  assertEquals(buildStats().schedules, 0);
  const scheduled = await build(f, target);
  assert(hooked(scheduled.lowered));
  assertEquals(buildStats().compiles, 2);
});

Deno.test("functions a Schedule produced, or marked scheduled, are left alone", async () => {
  clearBuildCache();
  seen.length = 0;
  const sch = new Schedule(double());
  sch.unroll(sch.getLoops(sch.getBlock("B"))[0]);
  assert(isScheduled(sch.func));
  const k = await build(sch.func, target);
  assert(!hooked(k.lowered));
  const marked = { ...double(), attrs: { scheduled: true } };
  assert(!hooked((await build(marked, target)).lowered));
  assertEquals(seen, []);
  assertEquals(buildStats().schedules, 0);
});

Deno.test("defineTarget refuses a codegen.schedule that is not a function", () => {
  const bad = { ...spec, codegen: { ...spec.codegen, schedule: 3 } } as unknown as TargetSpec;
  const e = assertThrows(() => defineTarget(bad), TargetError);
  assertEquals((e as TargetError).code, "TARGET_BAD_FIELD");
  assertEquals((e as TargetError).path, 'target "sched" / codegen.schedule');
});
