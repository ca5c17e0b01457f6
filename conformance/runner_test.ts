import { assert, assertEquals } from "../ir/test_util.ts";
import { clearBuildCache } from "../sdk/mod.ts";
import { withArtifactCache } from "./artifact_cache.ts";
import { kernelCases } from "./kernel_cases.ts";
import { runCases, withTimeout } from "./runner.ts";
import { interpTarget } from "./testing.ts";
import { BUILTIN_DEFAULTS } from "./load_target.ts";

const IDS = ["relu/float32/7x13x5", "add/float32/7x13x5_13x5", "matmul/float32/7x13_13x5"];
const cases = () => kernelCases().filter((c) => IDS.includes(c.id));

Deno.test("a case that crashes the target is a run-error and the run goes on", async () => {
  const { target } = interpTarget({ crashOn: /add/ });
  const rs = await runCases(cases(), target, { repeats: 1 });
  assertEquals(rs.map((r) => r.verdict), ["passed", "run-error", "passed"]);
  assert(rs[1].detail!.includes("crashed in kernel"), rs[1].detail);
  assertEquals(rs[1].verdicts?.compiled.ok, true);
  assertEquals(rs[1].verdicts?.correct?.ok, false);
});

Deno.test("wrong answers are mismatches; compile errors carry code and location", async () => {
  const { target } = interpTarget({ wrongOn: /relu/, refuseOn: /matmul/ });
  const rs = await runCases(cases(), target, { repeats: 0 });
  assertEquals(rs.map((r) => r.verdict), ["mismatch", "passed", "compile-error"]);
  assert(rs[0].detail!.startsWith("output 0: 1 elements differ; first at 0"), rs[0].detail);
  assertEquals(rs[0].verdicts?.correct?.tolerance, "64 ulps or 0.00001 abs");
  const err = rs[2].verdicts?.compiled.error;
  assertEquals([err?.code, err?.location], ["INTERP_REFUSED", 'func "matmul"']);
});

Deno.test("each case carries four verdicts: roofline from simulated cycles, no intrinsics", async () => {
  const { target } = interpTarget({ cycles: 1000 }); // 1 µs at 1 GHz
  const [r] = await runCases(cases().slice(2), target, { repeats: 1 });
  const f = r.verdicts!.fast!;
  assertEquals([f.timeSource, f.timeMs, f.cycles], ["simulated", 1e-3, 1000]);
  assertEquals([f.flops, f.bytes], [2 * 7 * 13 * 5, 4 * (7 * 13 + 13 * 5 + 7 * 5)]);
  // peaks 1 GFLOP/s and 1 GB/s: the roof time is max(910 ns, 764 ns) = 910 ns of 1000 ns
  assertEquals(f.bound, "compute");
  assert(Math.abs(f.roofline! - 0.91) < 1e-9, String(f.roofline));
  assertEquals(f.ok, undefined, "no floor, no performance verdict");
  const t = r.verdicts!.tensorized!;
  assertEquals([t.share, t.diagnostic], [0, 'target "interp" declares no intrinsics']);
});

Deno.test("floors: under the floor is slow (not a mismatch); wall-clock floors are opt-in", async () => {
  const { target } = interpTarget({ cycles: 1e6 }); // 1 ms: far under the roof
  const c = cases().slice(2);
  const [slow] = await runCases(c, target, { repeats: 0, defaultFloor: { roofline: 0.5 } });
  assertEquals(slow.verdict, "slow");
  assertEquals(slow.verdicts?.correct?.ok, true);
  assertEquals(slow.verdicts?.fast?.ok, false);
  assert(slow.detail!.includes("of the roofline, floor 50.0%"), slow.detail);
  const [ok] = await runCases(c, target, { repeats: 0, defaultFloor: { roofline: 1e-4 } });
  assertEquals([ok.verdict, ok.verdicts?.fast?.ok], ["passed", true]);
  const [ratio] = await runCases(c, target, {
    repeats: 0,
    baselines: new Map([[c[0].id, 0.5]]),
    defaultFloor: { baseline: 0.9 },
  });
  assertEquals([ratio.verdict, ratio.verdicts?.fast?.baselineRatio], ["slow", 0.5]);

  const wall = interpTarget().target; // no cycles: wall-clock time only
  const [w] = await runCases(c, wall, { repeats: 1, defaultFloor: { roofline: 0.99 } });
  assertEquals([w.verdict, w.verdicts?.fast?.ok, w.verdicts?.fast?.timeSource], [
    "passed",
    undefined,
    "wall",
  ]);
  assert(w.verdicts!.fast!.detail!.includes("not enforced on wall-clock time"));
  const [enforced] = await runCases(c, wall, {
    repeats: 1,
    defaultFloor: { roofline: 0.99 },
    wallClockFloors: true,
  });
  assertEquals(enforced.verdict, "slow");
});

Deno.test("a second run through the artifact cache compiles nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = interpTarget();
    const a = withArtifactCache(first.target, { dir, fingerprint: "test" });
    clearBuildCache();
    const r1 = await runCases(cases(), a.target, { repeats: 0, cache: a.counters });
    assertEquals(first.compiles.count, 3);
    assertEquals(r1.map((r) => r.cache), ["miss", "miss", "miss"]);
    // a fresh process in effect: new target object, empty in-memory caches, same disk
    clearBuildCache();
    const second = interpTarget();
    const b = withArtifactCache(second.target, { dir, fingerprint: "test" });
    const r2 = await runCases(cases(), b.target, { repeats: 0, cache: b.counters });
    assertEquals(second.compiles.count, 0, "no compile on the second run");
    assertEquals(r2.map((r): string[] => [r.verdict, r.cache!]), IDS.map(() => ["passed", "hit"]));
    // another fingerprint (the target's code changed) misses
    clearBuildCache();
    const third = interpTarget();
    const c = withArtifactCache(third.target, { dir, fingerprint: "changed" });
    await runCases(cases().slice(0, 1), c.target, { repeats: 0, cache: c.counters });
    assertEquals([third.compiles.count, c.counters.misses], [1, 1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the npu's default floor is checked on its simulated cycles", async () => {
  const target = (await import("../targets/npu/mod.ts")).default; // loadTarget validates: slow
  const defaults = BUILTIN_DEFAULTS.npu;
  assertEquals(defaults.floor, { roofline: 0.01 });
  const c = kernelCases().filter((x) => x.id === "matmul/int8/6x19_19x5");
  const [r] = await runCases(c, target, { repeats: 0, defaultFloor: defaults.floor });
  const f = r.verdicts!.fast!;
  assertEquals([r.verdict, f.timeSource, f.ok], ["passed", "simulated", true]);
  assertEquals(f.timeMs, (f.cycles! / 1e9) * 1e3, "cycles at the reference NPU's 1 GHz");
  assertEquals(r.verdicts!.tensorized!.share, 1);
  const [strict] = await runCases(c, target, { repeats: 0, defaultFloor: { roofline: 0.9 } });
  assertEquals(strict.verdict, "slow", "the same case under a 90% floor");
});

Deno.test("bytes: the device's DMA bytes only when the whole kernel ran on it", async () => {
  const { fastVerdict } = await import("./fast.ts");
  const { target } = interpTarget();
  const work = { flops: 100, macs: 0, bytes: 400 };
  const on = fastVerdict(target, {
    dtype: "float32",
    work,
    stats: { seconds: 1e-6, dmaBytes: 800 },
  });
  assertEquals([on.bytes, on.timeSource], [800, "simulated"]);
  const host = fastVerdict(target, {
    dtype: "float32",
    work,
    wallMs: 0.01,
    stats: { seconds: 0, cycles: 0, dmaBytes: 0, hostOps: ["T_add"] },
  });
  assertEquals([host.bytes, host.timeSource, host.gbps], [400, "wall", 0.04]);
});

Deno.test("a case whose run never settles is a timeout and the run goes on", async () => {
  const { target } = interpTarget({ hangOn: /relu/ });
  const rs = await runCases(cases(), target, { repeats: 0, caseTimeoutMs: 300 });
  assertEquals(rs.map((r) => r.verdict), ["timeout", "passed", "passed"]);
  assert(rs[0].detail!.includes("0.3 s"), rs[0].detail);
  const none = await withTimeout(() => Promise.resolve(1), 0, () => 2);
  assertEquals(none, 1, "0: no limit");
});
