/**
 * Runs conformance cases on a target: for each case, build (compiled?), run and compare with the
 * reference interpreter under the dtype's tolerance (correct?), time and place on the roofline
 * (fast?), and measure the share of arithmetic on the target's intrinsics (tensorized?). A case
 * that fails to compile, crashes the target or differs is reported and the run goes on.
 *
 * @module
 */
import { TesseraError } from "../ir/errors.ts";
import { runFunc } from "../ir/interp/mod.ts";
import type { NDArray } from "../ir/ndarray.ts";
import {
  build,
  type DeviceTensor,
  type Kernel,
  type KernelStats,
  type Target,
} from "../sdk/mod.ts";
import type { CacheCounters } from "./artifact_cache.ts";
import type { KernelCase } from "./case.ts";
import { fastVerdict } from "./fast.ts";
import type { CacheOutcome, CaseResult, CompiledVerdict, Floor, Verdict } from "./result.ts";
import { tensorizedVerdict } from "./tensorized.ts";
import { compareArrays, type Comparison, EXACT, toleranceOf } from "./tolerance.ts";
import { bindSizes, countWork } from "./work.ts";

export type { CaseResult, Verdict } from "./result.ts";

/** Options of a run. */
export interface RunOptions {
  /** Timed repetitions per case after one warm-up run (default 3; 0 skips wall timing). */
  readonly repeats?: number;
  /** Seed for the inputs (default 1). */
  readonly seed?: number;
  /** Called before each case starts (for progress display). */
  readonly onCase?: (c: KernelCase, index: number, total: number) => void;
  /** Called after each case ends. */
  readonly onResult?: (r: CaseResult, index: number, total: number) => void;
  /** The artifact cache's counters, when the target goes through one (per-case hit or miss). */
  readonly cache?: CacheCounters;
  /** Baseline times (ms) by case id, e.g. from an earlier report (`--baseline`). */
  readonly baselines?: ReadonlyMap<string, number>;
  /** The floor of cases that declare none (the target-level default). */
  readonly defaultFloor?: Floor;
  /** Enforce floors on wall-clock time (off by default: it is noisy). */
  readonly wallClockFloors?: boolean;
  /** Run auto-tensorization for a diagnostic when no intrinsic ran (default true). */
  readonly diagnose?: boolean;
  /**
   * Per-case time limit in milliseconds for build + run + timing (default none; `--case-timeout`
   * gives 120 s). A case past it is a `timeout` and the run goes on; see `runCases`.
   */
  readonly caseTimeoutMs?: number;
}

function describe(e: unknown): string {
  if (e instanceof TesseraError) return e.render();
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function location(e: unknown): string | undefined {
  if (!(e instanceof TesseraError)) return undefined;
  if (e.span) return `${e.span.line}:${e.span.column}${e.path ? ` (${e.path})` : ""}`;
  return e.path;
}

function compareAll(got: NDArray[], want: NDArray[]): { cmp?: Comparison; bad?: string } {
  if (got.length !== want.length) return { bad: `${got.length} outputs, expected ${want.length}` };
  let worst: Comparison | undefined;
  for (let k = 0; k < got.length; k++) {
    const cmp = compareArrays(got[k], want[k]);
    if (!cmp.ok) {
      const where = cmp.reason ??
        `${cmp.mismatches} elements differ; first at ${cmp.first!.index}: got ${
          cmp.first!.actual
        }, expected ${cmp.first!.expected} (max ${cmp.maxUlps} ulps)`;
      return { cmp, bad: `output ${k}: ${where}` };
    }
    if (!worst || cmp.maxUlps > worst.maxUlps) worst = cmp;
  }
  return { cmp: worst };
}

/** The tolerance of a dtype, in words. */
export function toleranceText(dtype: string): string {
  const t = toleranceOf(dtype);
  return t === EXACT || (t.ulps === 0 && t.atol === 0)
    ? "exact"
    : `${t.ulps} ulps or ${t.atol} abs`;
}

/** The target-reported figures a result carries (those the device gives). */
function targetStats(s: KernelStats | undefined): Partial<CaseResult> {
  if (!s) return {};
  const out: Record<string, unknown> = {};
  if (typeof s.cycles === "number") out.cycles = s.cycles;
  if (typeof s.utilization === "number") out.utilization = s.utilization;
  if (Array.isArray(s.hostOps)) out.hostOps = [...s.hostOps];
  return out as Partial<CaseResult>;
}

/** Median wall time of `repeats` runs on device tensors (copies excluded), after a warm-up. */
async function timeKernel(
  kernel: Kernel,
  inputs: readonly NDArray[],
  outputs: readonly NDArray[],
  repeats: number,
): Promise<number | undefined> {
  if (repeats <= 0) return undefined;
  const d = kernel.device;
  const args: DeviceTensor[] = [];
  try {
    for (const a of inputs) args.push(d.fromArray(a));
    for (const o of outputs) args.push(d.allocate(o.shape, o.dtype));
    return (await kernel.time(args, { warmup: 1, repeat: repeats })).medianMs;
  } finally {
    for (const t of args) d.free(t);
  }
}

/** How the artifact cache answered between two snapshots of its counters. */
export function cacheOutcome(
  counters: CacheCounters | undefined,
  before?: CacheCounters,
): CacheOutcome {
  if (!counters || !before) return "off";
  if (counters.misses > before.misses) return "miss";
  if (counters.uncacheable > before.uncacheable) return "uncacheable";
  return "hit"; // from disk, or a kernel this process had already built
}

/**
 * Run one case on a target.
 *
 * @example
 * ```ts ignore
 * import { runCase } from "./runner.ts";
 * import cpu from "../targets/cpu/mod.ts";
 * const r = await runCase(myCase, cpu);
 * console.log(r.verdict, r.verdicts?.fast?.roofline);
 * ```
 */
export async function runCase(
  c: KernelCase,
  target: Target,
  options: RunOptions = {},
): Promise<CaseResult> {
  const base = { id: c.id, op: c.op, dtype: c.dtype, suite: "kernels" as const, note: c.note };
  const before = options.cache ? { ...options.cache } : undefined;
  let f, kernel: Kernel;
  const t0 = performance.now();
  try {
    f = c.func();
    kernel = await build(f, target);
  } catch (e) {
    const compiled: CompiledVerdict = {
      ok: false,
      cache: cacheOutcome(options.cache, before),
      error: {
        code: e instanceof TesseraError ? e.code : undefined,
        message: e instanceof Error ? e.message : String(e),
        location: location(e),
      },
    };
    return { ...base, verdict: "compile-error", verdicts: { compiled }, detail: describe(e) };
  }
  const compileMs = performance.now() - t0;
  const cache = cacheOutcome(options.cache, before);
  const compiled: CompiledVerdict = { ok: true, ms: compileMs, cache };
  const tolerance = toleranceText(c.dtype);
  const inputs = c.inputs(options.seed ?? 1);
  const fail = (verdict: Verdict, detail: string): CaseResult => ({
    ...base,
    verdict,
    compileMs,
    cache,
    verdicts: { compiled, correct: { ok: false, tolerance, detail } },
    detail,
  });
  let want: NDArray[];
  try {
    want = runFunc(f, inputs, c.outputShapes);
  } catch (e) {
    return fail("run-error", `reference: ${describe(e)}`);
  }
  let got: NDArray[];
  let wallMs: number | undefined;
  try {
    got = await kernel.run(inputs, { outputShapes: c.outputShapes });
  } catch (e) {
    return fail("run-error", describe(e));
  }
  const stats = kernel.stats?.(); // of the run just compared (timing runs may not report)
  const { cmp, bad } = compareAll(got, want);
  if (bad) return { ...fail("mismatch", bad), ...targetStats(stats) };
  try {
    wallMs = await timeKernel(kernel, inputs, want, options.repeats ?? 3);
  } catch (e) {
    return fail("run-error", `while timing: ${describe(e)}`);
  }
  const args = [...inputs, ...want];
  const counted = countWork(f, args);
  const work = c.flops === undefined ? counted : { ...counted, flops: c.flops };
  const baselineMs = options.baselines?.get(c.id) ?? c.baseline?.[target.name];
  const fast = fastVerdict(target, {
    dtype: c.dtype,
    work,
    wallMs,
    stats,
    baselineMs,
    floor: c.floor ?? options.defaultFloor,
    enforceWall: options.wallClockFloors,
  });
  const tensorized = tensorizedVerdict(f, kernel, target, work, bindSizes(f, args), stats, {
    diagnose: options.diagnose,
  });
  const verdict: Verdict = fast.ok === false ? "slow" : "passed";
  return {
    ...base,
    verdict,
    verdicts: {
      compiled,
      correct: { ok: true, maxUlps: cmp?.maxUlps ?? 0, tolerance },
      fast,
      tensorized,
    },
    compileMs,
    cache,
    runMs: fast.timeMs,
    gflops: fast.gflops,
    gbps: fast.gbps,
    roofline: fast.roofline,
    maxUlps: cmp?.maxUlps ?? 0,
    ...targetStats(stats),
    intrinsicShare: tensorized.share,
    detail: fast.ok === false ? fast.detail : undefined,
  };
}

/** The result of a case that did not finish within `ms` milliseconds. */
export function timeoutResult(
  c: { readonly id: string; readonly op: string; readonly dtype: string },
  ms: number,
  suite: "kernels" | "models" = "kernels",
): CaseResult {
  const detail = `did not finish within the case timeout (${ms / 1e3} s; --case-timeout)`;
  return {
    id: c.id,
    op: c.op,
    dtype: c.dtype,
    suite,
    verdict: "timeout",
    verdicts: { compiled: { ok: false, cache: "off", error: { message: detail } } },
    detail,
  };
}

/**
 * `work()`, or `onTimeout()` if it has not settled after `ms` milliseconds (no limit when `ms` is
 * undefined or 0). The timer is cleared when `work` settles. Work that does not yield — a
 * synchronous loop — cannot be pre-empted: the timer fires only when it returns.
 */
export async function withTimeout<T>(
  work: () => Promise<T>,
  ms: number | undefined,
  onTimeout: () => T,
): Promise<T> {
  if (!ms || ms <= 0) return await work();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T>((res) => {
    timer = setTimeout(() => res(onTimeout()), ms);
  });
  try {
    return await Promise.race([work(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Run cases one after another; never throws for a case's failure (a case that throws anything,
 * even outside the steps above, is a `run-error` and the run goes on). With `caseTimeoutMs`, a case
 * still unsettled after it is a `timeout` and the next case starts; the abandoned case is not
 * cancelled (a promise cannot be), so asynchronous work it still has in flight runs on beside the
 * next cases, and a synchronous infinite loop on this thread cannot be pre-empted at all —
 * `isolatedRunner` (`--isolate`) runs cases on a worker it can terminate.
 */
export async function runCases(
  cases: readonly KernelCase[],
  target: Target,
  options: RunOptions = {},
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (let k = 0; k < cases.length; k++) {
    const c = cases[k];
    options.onCase?.(c, k, cases.length);
    let r: CaseResult;
    try {
      r = await withTimeout(
        () => runCase(c, target, options),
        options.caseTimeoutMs,
        () => timeoutResult(c, options.caseTimeoutMs!),
      );
    } catch (e) {
      r = {
        id: c.id,
        op: c.op,
        dtype: c.dtype,
        suite: "kernels",
        verdict: "run-error",
        verdicts: { compiled: { ok: false, cache: "off", error: { message: describe(e) } } },
        detail: describe(e),
      };
    }
    results.push(r);
    options.onResult?.(r, k, cases.length);
  }
  return results;
}
