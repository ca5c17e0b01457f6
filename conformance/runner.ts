/**
 * Runs conformance cases on a target: for each case, build (compile), run, compare with the
 * reference interpreter under the dtype's tolerance, and time. A case that fails to compile,
 * crashes or differs is reported and the run goes on.
 *
 * @module
 */
import { TesseraError } from "../ir/errors.ts";
import { runFunc } from "../ir/interp/mod.ts";
import type { NDArray } from "../ir/ndarray.ts";
import { build, type KernelStats, type Target } from "../sdk/mod.ts";
import type { KernelCase } from "./case.ts";
import type { CaseResult } from "./result.ts";
import { compareArrays, type Comparison } from "./tolerance.ts";

export type { CaseResult, Verdict } from "./result.ts";

/** Options of a run. */
export interface RunOptions {
  /** Timed repetitions per case after one warm-up run (default 3). */
  readonly repeats?: number;
  /** Seed for the inputs (default 1). */
  readonly seed?: number;
  /** Called before each case starts (for progress display). */
  readonly onCase?: (c: KernelCase, index: number, total: number) => void;
  /** Called after each case ends. */
  readonly onResult?: (r: CaseResult, index: number, total: number) => void;
}

function describe(e: unknown): string {
  if (e instanceof TesseraError) return e.render();
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
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

/** The target-reported figures a result carries (those the device gives). */
function targetStats(s: KernelStats | undefined): Partial<CaseResult> {
  if (!s) return {};
  const out: Record<string, unknown> = {};
  if (typeof s.cycles === "number") out.cycles = s.cycles;
  if (typeof s.utilization === "number") out.utilization = s.utilization;
  if (typeof s.intrinsicShare === "number") out.intrinsicShare = s.intrinsicShare;
  if (Array.isArray(s.hostOps)) out.hostOps = [...s.hostOps];
  return out as Partial<CaseResult>;
}

/**
 * Run one case on a target.
 *
 * @example
 * ```ts ignore
 * import { runCase } from "./runner.ts";
 * import cpu from "../targets/cpu/mod.ts";
 * const r = await runCase(myCase, cpu);
 * console.log(r.verdict);
 * ```
 */
export async function runCase(
  c: KernelCase,
  target: Target,
  options: RunOptions = {},
): Promise<CaseResult> {
  const base = { id: c.id, op: c.op, dtype: c.dtype, note: c.note };
  let f, kernel;
  const t0 = performance.now();
  try {
    f = c.func();
    kernel = await build(f, target);
  } catch (e) {
    return { ...base, verdict: "compile-error", detail: describe(e) };
  }
  const compileMs = performance.now() - t0;
  const inputs = c.inputs(options.seed ?? 1);
  let want: NDArray[];
  try {
    want = runFunc(f, inputs, c.outputShapes);
  } catch (e) {
    return { ...base, verdict: "run-error", compileMs, detail: `reference: ${describe(e)}` };
  }
  let got: NDArray[];
  const times: number[] = [];
  try {
    got = await kernel.run(inputs, { outputShapes: c.outputShapes });
    for (let r = 0; r < (options.repeats ?? 3); r++) {
      const s = performance.now();
      await kernel.run(inputs, { outputShapes: c.outputShapes });
      times.push(performance.now() - s);
    }
  } catch (e) {
    return { ...base, verdict: "run-error", compileMs, detail: describe(e) };
  }
  const runMs = times.length ? median(times) : undefined;
  const stats = targetStats(kernel.stats?.());
  const gflops = c.flops && runMs ? c.flops / (runMs * 1e6) : undefined;
  const { cmp, bad } = compareAll(got, want);
  if (bad) {
    return { ...base, verdict: "mismatch", compileMs, runMs, gflops, ...stats, detail: bad };
  }
  return {
    ...base,
    verdict: "passed",
    compileMs,
    runMs,
    gflops,
    maxUlps: cmp?.maxUlps ?? 0,
    ...stats,
  };
}

/** Run cases one after another; never throws for a case's failure. */
export async function runCases(
  cases: readonly KernelCase[],
  target: Target,
  options: RunOptions = {},
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (let k = 0; k < cases.length; k++) {
    options.onCase?.(cases[k], k, cases.length);
    const r = await runCase(cases[k], target, options);
    results.push(r);
    options.onResult?.(r, k, cases.length);
  }
  return results;
}
