/**
 * Timing, statistics, correctness check and reporting for `deno task bench`: adaptive repetition
 * (warm up, then as many runs as fit a time budget, within bounds), medians, GFLOP/s, a text table
 * with ratios against the best peer and the plain-TS loop, and JSON records.
 *
 * @module
 */
import type { ImplRole } from "./peers/peer.ts";
import { isPreempted, threadWaitClock, type WaitClock } from "./preemption.ts";

/** How long to warm up and measure one (case, impl) pair. */
export interface TimingOptions {
  /** Warm up for at least this long (lets V8 tier wasm and JS up) … */
  readonly warmupMs: number;
  /** … and at least this many runs. */
  readonly minWarmup: number;
  /** Time to spend on measured runs, which sets their number … */
  readonly budgetMs: number;
  /** … but never fewer than this … */
  readonly minReps: number;
  /** … nor more than this. */
  readonly maxReps: number;
  /** A pair whose warm-up run took at least this long is slow: it stops warming up … */
  readonly slowMs: number;
  /** … and takes only this many measured runs (ts-loop and naive kernels on the big cases). */
  readonly slowReps: number;
}

/**
 * Default timing: about 2 s per pair; a pair whose run takes over a second gets one warm-up run
 * (V8 tiers wasm up between calls, not during one) and two measured runs.
 */
export const NORMAL_TIMING: TimingOptions = {
  warmupMs: 500,
  minWarmup: 1,
  budgetMs: 1500,
  minReps: 3,
  maxReps: 400,
  slowMs: 1000,
  slowReps: 2,
};

/** `--quick` timing: about 0.4 s per pair. */
export const QUICK_TIMING: TimingOptions = {
  warmupMs: 200,
  minWarmup: 1,
  budgetMs: 300,
  minReps: 3,
  maxReps: 100,
  slowMs: 300,
  slowReps: 1,
};

/**
 * Median of a non-empty list (mean of the two middle values for an even count).
 *
 * @example
 * ```ts
 * import { median } from "./harness.ts";
 * console.assert(median([3, 1, 2]) === 2 && median([4, 1, 2, 3]) === 2.5);
 * ```
 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** GFLOP/s of `flops` operations done in `ms` milliseconds. @example `gflops(2e9, 1000) === 2` */
export function gflops(flops: number, ms: number): number {
  return flops / (ms * 1e6);
}

/**
 * Number of measured runs for a run that took `msPerRun`: as many as fit the budget, clamped;
 * `slowReps` for a slow run.
 *
 * @example
 * ```ts
 * import { NORMAL_TIMING, repsFor } from "./harness.ts";
 * console.assert(repsFor(2000, NORMAL_TIMING) === NORMAL_TIMING.slowReps);
 * console.assert(repsFor(900, NORMAL_TIMING) === NORMAL_TIMING.minReps);
 * console.assert(repsFor(0.001, NORMAL_TIMING) === NORMAL_TIMING.maxReps);
 * ```
 */
export function repsFor(msPerRun: number, o: TimingOptions): number {
  if (msPerRun >= o.slowMs) return o.slowReps;
  const fit = Math.floor(o.budgetMs / Math.max(msPerRun, 1e-3));
  return Math.min(o.maxReps, Math.max(o.minReps, fit));
}

/** Runs already made before timing (e.g. the correctness check's), counted as warm-up. */
export interface WarmStart {
  /** How many. */
  readonly runs: number;
  /** Their total duration in ms. */
  readonly ms: number;
  /** The last one's duration in ms. */
  readonly lastMs: number;
}

/** A run's own timing, when the run measured itself (work in a worker). */
export interface RunTiming {
  /** Duration of the run in ms. */
  readonly ms: number;
  /** Run-queue wait of the thread that ran it, in ms, when known (`preemption.ts`). */
  readonly waitMs?: number;
}

/**
 * What one run returns: nothing (the harness times the call), or the run's own duration in ms
 * (or a `RunTiming`) when the work ran elsewhere (a worker) and the call also carries messaging
 * overhead.
 */
export type RunResult =
  | void
  | number
  | RunTiming
  | Promise<void | number | RunTiming>;

/** The measured runs of one pair. */
export interface Measured {
  /** Durations in ms of the runs that count: the clean ones (see `onCpu` otherwise). */
  readonly samples: number[];
  /** Runs during which the thread waited on a run queue (`isPreempted`). */
  readonly preempted: number;
  /**
   * True when too few runs were clean (fewer than half those wanted) and the samples are each
   * run's time less its run-queue wait instead: the time the thread spent on a core.
   */
  readonly onCpu?: boolean;
}

/** Measured runs made at most per wanted sample, to replace preempted ones. */
export const MAX_ATTEMPTS_PER_SAMPLE = 3;

/**
 * Warm up, then time runs one by one; returns the measured durations in ms. `now` is the clock
 * (injectable so the repetition logic can be tested without real time); `done` counts runs
 * already made towards the warm-up. A run that returns a number is timed by that number.
 * Warm-up stops early once a run is slow (`slowMs`): then `slowReps` runs are measured. A slow
 * run in `done` is confirmed by one more warm-up run first (first calls are often slow).
 */
export async function timeRuns(
  run: () => RunResult,
  o: TimingOptions,
  now: () => number = () => performance.now(),
  done: WarmStart = { runs: 0, ms: 0, lastMs: 0 },
): Promise<number[]> {
  return (await measureRuns(run, o, now, done, () => undefined)).samples;
}

/**
 * `timeRuns`, setting aside preempted runs: each run's run-queue wait is read from `wait` (the
 * calling thread's, `threadWaitClock`, unless the run reports its own), and a preempted run is
 * replaced by another, up to `MAX_ATTEMPTS_PER_SAMPLE` runs per wanted sample.
 */
export async function measureRuns(
  run: () => RunResult,
  o: TimingOptions,
  now: () => number = () => performance.now(),
  done: WarmStart = { runs: 0, ms: 0, lastMs: 0 },
  wait: WaitClock = threadWaitClock(),
): Promise<Measured> {
  const once = async (): Promise<RunTiming> => {
    const w0 = wait();
    const t0 = now();
    const r = await run();
    const wall = now() - t0;
    const w1 = wait();
    if (typeof r === "number") return { ms: r };
    if (r) return r;
    return { ms: wall, waitMs: w0 === undefined || w1 === undefined ? undefined : w1 - w0 };
  };
  let warm = done.runs, warmMs = done.ms, last = done.lastMs;
  // A slow run made before (the check run, often a first call's tier-up) needs one more to confirm.
  let confirm = done.runs > 0 && done.lastMs >= o.slowMs;
  while (confirm || warm < o.minWarmup || (warmMs < o.warmupMs && last < o.slowMs)) {
    last = (await once()).ms;
    warm++;
    warmMs += last;
    confirm = false;
  }
  const reps = repsFor(last, o);
  const clean: number[] = [], all: RunTiming[] = [];
  for (let i = 0; clean.length < reps && i < reps * MAX_ATTEMPTS_PER_SAMPLE; i++) {
    const t = await once();
    all.push(t);
    if (!isPreempted(t.ms, t.waitMs)) clean.push(t.ms);
    else if (i + 1 >= reps && t.ms >= o.slowMs) break; // slow pairs do not get retries
  }
  const preempted = all.length - clean.length;
  if (2 * clean.length >= Math.min(reps, all.length)) return { samples: clean, preempted };
  // A machine too busy for enough clean runs: each run's time less its wait (its time on a
  // core), where every wait is known; else the wall times as they are.
  const known = all.every((t) => t.waitMs !== undefined);
  const samples = known ? all.map((t) => t.ms - t.waitMs!) : all.map((t) => t.ms);
  return { samples, preempted, ...(known ? { onCpu: true } : {}) };
}

/**
 * Largest absolute difference relative to the largest reference magnitude — a norm-wise error
 * that does not blow up on outputs near zero, where summation order matters most.
 *
 * @example
 * ```ts
 * import { relativeError } from "./harness.ts";
 * const e = relativeError(new Float32Array([1, 2.002]), new Float32Array([1, 2]));
 * console.assert(Math.abs(e - 0.001) < 1e-6);
 * ```
 */
export function relativeError(got: Float32Array, ref: Float32Array): number {
  if (got.length !== ref.length) return Infinity;
  let diff = 0, scale = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    if (Number.isNaN(d)) return NaN;
    if (d > diff) diff = d;
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return diff / Math.max(scale, Number.MIN_VALUE);
}

/** Tolerance of `relativeError` for fp32 kernels that only reorder their sums. */
export const FP32_RTOL = 1e-4;

/** What happened to one (case, impl) pair. */
export type RowStatus = "ok" | "unavailable" | "wrong" | "failed";

/** One line of the report. */
export interface Row {
  /** Case id. */
  readonly case: string;
  /** Impl name. */
  readonly impl: string;
  /** Which of an impl's kernels, when it has several (e.g. `NHWC`); shown, not in the JSON. */
  readonly variant?: string;
  /** How the impl's figures compare. */
  readonly role: ImplRole;
  /** Threads used (0 when unknown). */
  readonly threads: number;
  /** Outcome. */
  readonly status: RowStatus;
  /** Median ms per run (status ok). */
  readonly ms?: number;
  /** GFLOP/s at the median (status ok). */
  readonly gflops?: number;
  /** Measured runs. */
  readonly reps?: number;
  /** Runs set aside because the thread was preempted during them (`preemption.ts`). */
  readonly preempted?: number;
  /** The figure is on-CPU time (wall less run-queue wait): the machine was too busy. */
  readonly onCpu?: boolean;
  /** Why not ok, or a remark. */
  readonly note?: string;
}

/** A JSON record of `--json`: one measured figure. */
export interface JsonRecord {
  /** Case id, e.g. `matmul_f32_1024`. */
  readonly case: string;
  /** Impl name, e.g. `tfjs-wasm`. */
  readonly impl: string;
  /** Threads used. */
  readonly threads: number;
  /** Median milliseconds per run. */
  readonly ms: number;
  /** GFLOP/s at the median. */
  readonly gflops: number;
}

/**
 * The JSON records of the measured rows (rows without a figure are left out). Variants of one
 * impl at one thread count (e.g. NCHW and NHWC kernels) give one record: the fastest.
 *
 * @example
 * ```ts
 * import { jsonRecords } from "./harness.ts";
 * const r = jsonRecords([{ case: "c", impl: "i", role: "peer", threads: 1, status: "ok", ms: 2, gflops: 3 }]);
 * console.assert(r[0].ms === 2 && Object.keys(r[0]).length === 5);
 * ```
 */
export function jsonRecords(rows: readonly Row[]): JsonRecord[] {
  const best = new Map<string, JsonRecord>();
  for (const r of rows) {
    if (r.status !== "ok" || r.ms === undefined || r.gflops === undefined) continue;
    const key = JSON.stringify([r.case, r.impl, r.threads]);
    const prev = best.get(key);
    if (prev && prev.ms <= r.ms) continue;
    best.set(key, { case: r.case, impl: r.impl, threads: r.threads, ms: r.ms, gflops: r.gflops });
  }
  return [...best.values()];
}

/** A row's speed relative to the best peer and to `ts-loop` in the same case (if measured). */
export interface Ratios {
  /** GFLOP/s over the best `peer` row's. */
  readonly vsBestPeer?: number;
  /** GFLOP/s over the `baseline` row's. */
  readonly vsBaseline?: number;
}

/** Ratios of an ok row against the other rows of its case. */
export function ratiosOf(row: Row, rows: readonly Row[]): Ratios {
  if (row.status !== "ok" || row.gflops === undefined) return {};
  const same = rows.filter((r) => r.case === row.case && r.status === "ok" && r.gflops);
  const peers = same.filter((r) => r.role === "peer").map((r) => r.gflops!);
  const base = same.find((r) => r.role === "baseline")?.gflops;
  return {
    vsBestPeer: peers.length ? row.gflops / Math.max(...peers) : undefined,
    vsBaseline: base ? row.gflops / base : undefined,
  };
}

function fmt(x: number | undefined, digits: number, suffix = ""): string {
  if (x === undefined || !Number.isFinite(x)) return "—";
  return x.toFixed(digits) + suffix;
}

const HEAD = ["case", "impl", "threads", "ms", "GFLOP/s", "vs best peer", "vs ts-loop"];

/**
 * The human table. Rows without a figure show their status and reason in place of the numbers.
 *
 * @example
 * ```ts
 * import { formatTable } from "./harness.ts";
 * const t = formatTable([{ case: "c", impl: "x", role: "ours", threads: 0, status: "unavailable", note: "no sdk" }]);
 * console.assert(t.includes("unavailable: no sdk"));
 * ```
 */
export function formatTable(rows: readonly Row[]): string {
  const cells = rows.map((r) => {
    const impl = r.variant ? `${r.impl} [${r.variant}]` : r.impl;
    const base = [r.case, impl, r.threads ? String(r.threads) : "—"];
    if (r.status !== "ok") return [...base, `${r.status}${r.note ? ": " + r.note : ""}`];
    const q = ratiosOf(r, rows);
    return [
      ...base,
      fmt(r.ms, r.ms! < 10 ? 3 : 1, r.onCpu ? "*" : ""),
      fmt(r.gflops, 2),
      fmt(q.vsBestPeer, 2, "×"),
      fmt(q.vsBaseline, 2, "×"),
    ];
  });
  const widths = HEAD.map((h, i) =>
    Math.max(h.length, ...cells.filter((c) => c.length > i + 1).map((c) => c[i].length))
  );
  const right = (i: number) => i >= 2;
  const line = (c: string[]) =>
    c.map((s, i) =>
      i === c.length - 1 && c.length < HEAD.length
        ? s
        : right(i)
        ? s.padStart(widths[i])
        : s.padEnd(widths[i])
    ).join("  ").trimEnd();
  const sep = widths.map((w) => "-".repeat(w)).join("  ");
  const foot = rows.some((r) => r.onCpu)
    ? ["* on-CPU time (wall less run-queue wait): too few of its runs ran without preemption"]
    : [];
  return [line(HEAD), sep, ...cells.map(line), ...foot].join("\n");
}
