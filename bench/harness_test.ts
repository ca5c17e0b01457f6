import { assert, assertEquals } from "../ir/test_util.ts";
import {
  formatTable,
  gflops,
  jsonRecords,
  MAX_ATTEMPTS_PER_SAMPLE,
  measureRuns,
  median,
  NORMAL_TIMING,
  QUICK_TIMING,
  ratiosOf,
  relativeError,
  repsFor,
  type Row,
  timeRuns,
  type TimingOptions,
} from "./harness.ts";

/** Timing options whose slow-pair rule never triggers. */
const FAST: TimingOptions = {
  warmupMs: 0,
  minWarmup: 1,
  budgetMs: 100,
  minReps: 1,
  maxReps: 100,
  slowMs: Infinity,
  slowReps: 1,
};

Deno.test("median: odd, even, unsorted, single, empty", () => {
  assertEquals(median([5, 1, 3]), 3);
  assertEquals(median([4, 1, 3, 2]), 2.5);
  assertEquals(median([7]), 7);
  assert(Number.isNaN(median([])));
  const xs = [3, 1, 2];
  median(xs);
  assertEquals(xs, [3, 1, 2], "median must not sort its argument in place");
});

Deno.test("gflops: flops over milliseconds", () => {
  assertEquals(gflops(2 * 1024 ** 3, 100), 2 * 1024 ** 3 / 1e8);
  assertEquals(gflops(1e9, 1000), 1);
  assertEquals(gflops(3e6, 1), 3);
});

Deno.test("repsFor: fits the budget, clamped to [minReps, maxReps]", () => {
  const o: TimingOptions = {
    warmupMs: 0,
    minWarmup: 1,
    budgetMs: 100,
    minReps: 4,
    maxReps: 50,
    slowMs: 500,
    slowReps: 2,
  };
  assertEquals(repsFor(10, o), 10);
  assertEquals(repsFor(60, o), 4);
  assertEquals(repsFor(0.5, o), 50);
  assertEquals(repsFor(0, o), 50);
  assertEquals(repsFor(499, o), 4);
  assertEquals(repsFor(500, o), 2, "a slow run gets slowReps");
  assert(QUICK_TIMING.budgetMs < NORMAL_TIMING.budgetMs);
});

Deno.test("timeRuns: warms up by count and time, then measures the fitted number of runs", async () => {
  let t = 0, calls = 0;
  const clock = () => t;
  const run = () => {
    calls++;
    t += 10; // every run takes 10 fake ms
  };
  const o: TimingOptions = { ...FAST, warmupMs: 25, minWarmup: 2, budgetMs: 60, minReps: 3 };
  const samples = await timeRuns(run, o, clock);
  assertEquals(samples, [10, 10, 10, 10, 10, 10]); // 60 ms budget / 10 ms per run
  assertEquals(calls, 3 + 6); // 3 warm-up runs to pass 25 ms
});

Deno.test("timeRuns: runs already made count towards the warm-up", async () => {
  let t = 0, calls = 0;
  const run = () => {
    calls++;
    t += 100;
  };
  const o: TimingOptions = { ...FAST, warmupMs: 150, budgetMs: 250, minReps: 3, maxReps: 9 };
  const samples = await timeRuns(run, o, () => t, { runs: 1, ms: 100, lastMs: 100 });
  assertEquals(samples, [100, 100, 100]); // 250 / 100 → 2, raised to minReps
  assertEquals(calls, 1 + 3); // one more warm-up run to pass 150 ms, then three measured
});

Deno.test("timeRuns: awaits asynchronous runs", async () => {
  let t = 0;
  const run = async () => {
    await Promise.resolve();
    t += 40;
  };
  const o: TimingOptions = { ...FAST, warmupMs: 0, budgetMs: 10, minReps: 2, maxReps: 9 };
  assertEquals(await timeRuns(run, o, () => t), [40, 40]);
});

Deno.test("timeRuns: a run that returns its own duration is timed by it, not the clock", async () => {
  let t = 0;
  const run = () => {
    t += 50; // messaging and waiting, as seen from the caller
    return Promise.resolve(7);
  };
  const o: TimingOptions = { ...FAST, warmupMs: 0, budgetMs: 21, minReps: 1, maxReps: 9 };
  assertEquals(await timeRuns(run, o, () => t), [7, 7, 7]); // 21 / 7 runs fit
});

Deno.test("timeRuns: slow runs stop the warm-up and take slowReps; a slow check run is confirmed", async () => {
  let t = 0, calls = 0;
  const run = () => {
    calls++;
    t += 2000;
  };
  const o: TimingOptions = { ...FAST, warmupMs: 5000, budgetMs: 1, slowMs: 1000, slowReps: 2 };
  assertEquals(await timeRuns(run, o, () => t), [2000, 2000]);
  assertEquals(calls, 1 + 2, "one warm-up run (it is slow: no more), two measured");
  calls = 0;
  const done = { runs: 1, ms: 3000, lastMs: 3000 };
  assertEquals(await timeRuns(run, o, () => t, done), [2000, 2000]);
  assertEquals(calls, 1 + 2, "the slow check run is confirmed by one run before measuring");
  // A slow check run followed by fast runs is not a slow pair: the budget sets the count.
  const quick = () => {
    t += 10;
  };
  const fast: TimingOptions = { ...o, warmupMs: 0, budgetMs: 50, minReps: 1 };
  assertEquals(await timeRuns(quick, fast, () => t, done), [10, 10, 10, 10, 10]);
});

Deno.test("relativeError: norm-wise, length mismatch and NaN are infinite or NaN", () => {
  const ref = new Float32Array([10, -20, 0]);
  assertEquals(relativeError(ref, ref), 0);
  assertEquals(relativeError(new Float32Array([10, -20, 1]), ref), 1 / 20);
  assertEquals(relativeError(new Float32Array(2), ref), Infinity);
  assert(!(relativeError(new Float32Array([NaN, -20, 0]), ref) <= 1));
});

const rows: Row[] = [
  { case: "mm", impl: "ours", role: "ours", threads: 1, status: "ok", ms: 1, gflops: 30 },
  { case: "mm", impl: "loop", role: "baseline", threads: 1, status: "ok", ms: 20, gflops: 1.5 },
  { case: "mm", impl: "p1", role: "peer", threads: 1, status: "ok", ms: 2, gflops: 15 },
  { case: "mm", impl: "p2", role: "peer", threads: 1, status: "ok", ms: 1.5, gflops: 20 },
  { case: "mm", impl: "p3", role: "peer", threads: 0, status: "unavailable", note: "no wasm" },
  { case: "cv", impl: "ours", role: "ours", threads: 1, status: "wrong", note: "error 1e-1" },
];

Deno.test("ratiosOf: against the best measured peer and the baseline of the same case", () => {
  assertEquals(ratiosOf(rows[0], rows), { vsBestPeer: 1.5, vsBaseline: 20 });
  assertEquals(ratiosOf(rows[2], rows), { vsBestPeer: 0.75, vsBaseline: 10 });
  assertEquals(ratiosOf(rows[4], rows), {});
  assertEquals(ratiosOf(rows[5], rows), {});
});

Deno.test("jsonRecords: exactly { case, impl, threads, ms, gflops } for measured rows", () => {
  const recs = jsonRecords(rows);
  assertEquals(recs.length, 4);
  assertEquals(recs[0], { case: "mm", impl: "ours", threads: 1, ms: 1, gflops: 30 });
  for (const r of recs) assertEquals(Object.keys(r), ["case", "impl", "threads", "ms", "gflops"]);
  assertEquals(JSON.parse(JSON.stringify(recs)), recs);
});

Deno.test("jsonRecords: variants of one impl at one thread count give their fastest record", () => {
  const v: Row[] = [
    {
      case: "cv",
      impl: "tessera",
      variant: "NCHW",
      role: "ours",
      threads: 1,
      status: "ok",
      ms: 3,
      gflops: 10,
    },
    {
      case: "cv",
      impl: "tessera",
      variant: "NHWC",
      role: "ours",
      threads: 1,
      status: "ok",
      ms: 2,
      gflops: 15,
    },
    {
      case: "cv",
      impl: "tessera",
      variant: "NCHW",
      role: "ours",
      threads: 2,
      status: "ok",
      ms: 2.5,
      gflops: 12,
    },
  ];
  assertEquals(jsonRecords(v), [
    { case: "cv", impl: "tessera", threads: 1, ms: 2, gflops: 15 },
    { case: "cv", impl: "tessera", threads: 2, ms: 2.5, gflops: 12 },
  ]);
  assert(formatTable(v).includes("tessera [NHWC]"));
});

Deno.test("formatTable: header, aligned figures, ratios, and reasons for missing figures", () => {
  const lines = formatTable(rows).split("\n");
  assertEquals(lines.length, 2 + rows.length);
  assert(lines[0].startsWith("case") && lines[0].includes("vs best peer"));
  assert(lines[2].includes("30.00") && lines[2].includes("1.50×") && lines[2].includes("20.00×"));
  assert(lines[6].endsWith("unavailable: no wasm"));
  assert(lines[7].endsWith("wrong: error 1e-1"));
  const col = lines[0].indexOf("GFLOP/s") + "GFLOP/s".length;
  assertEquals(lines[2].indexOf("30.00") + 5, col, "GFLOP/s right-aligned under its header");
});

Deno.test("measureRuns: preempted runs are set aside and replaced, up to a bound", async () => {
  let t = 0, w = 0, calls = 0;
  // Every third run waits 5 fake ms on the run queue (and takes 5 ms longer).
  const run = () => {
    calls++;
    const pre = calls % 3 === 0;
    t += pre ? 15 : 10;
    if (pre) w += 5;
  };
  const o: TimingOptions = { ...FAST, warmupMs: 0, minWarmup: 1, budgetMs: 40, minReps: 4 };
  const m = await measureRuns(run, o, () => t, undefined, () => w);
  assertEquals(m.samples, [10, 10, 10, 10]);
  assertEquals(m.preempted, 2); // calls 3 and 6 (call 1 was the warm-up)
  // A machine that preempts every run: at most MAX_ATTEMPTS_PER_SAMPLE runs per sample, all kept.
  calls = 0;
  const always = () => {
    calls++;
    t += 20;
    w += 10;
  };
  const n = await measureRuns(always, o, () => t, undefined, () => w);
  assertEquals(calls, 1 + 4 * MAX_ATTEMPTS_PER_SAMPLE); // a warm-up run, then 4 wanted (minReps)
  // Too few clean runs: every run's time less its wait, its time on a core.
  assertEquals(n.samples, new Array(4 * MAX_ATTEMPTS_PER_SAMPLE).fill(10));
  assertEquals([n.preempted, n.onCpu], [12, true]);
  // Without wait figures nothing is known to be preempted: the wall times as they are.
  const u = await measureRuns(always, o, () => t, undefined, () => undefined);
  assertEquals([u.samples, u.preempted, u.onCpu], [[20, 20, 20, 20], 0, undefined]);
});

Deno.test("measureRuns: a run reporting { ms, waitMs } is judged by its own wait", async () => {
  let i = 0;
  const run = () => ({ ms: 10, waitMs: i++ % 2 ? 3 : 0 });
  const o: TimingOptions = { ...FAST, warmupMs: 0, minWarmup: 1, budgetMs: 30, minReps: 3 };
  const m = await measureRuns(run, o, () => 0, undefined, () => undefined);
  assertEquals(m.samples, [10, 10, 10]);
  assertEquals(m.preempted, 3); // the warm-up run waited 0; then 3, 0, 3, 0, 3, 0
});

Deno.test("formatTable: an on-CPU figure is starred and explained", () => {
  const row: Row = {
    case: "c",
    impl: "x",
    role: "ours",
    threads: 1,
    status: "ok",
    ms: 2,
    gflops: 3,
    onCpu: true,
  };
  const t = formatTable([row]);
  assert(t.includes("2.000*") && t.includes("* on-CPU time"), t);
  assert(!formatTable([{ ...row, onCpu: undefined }]).includes("on-CPU"));
});
