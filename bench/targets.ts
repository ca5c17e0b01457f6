/**
 * The verdict of a run on issue 3's performance targets, each a ratio measured in that run:
 * our fastest kernel (any `ours` row: the hand schedules or the default ones) against a peer,
 * against the wasm SIMD ceiling, or our multi-thread speed-up over our single thread. Built on
 * `caseRatios` (`ratios.ts`); printed after the ratios and appended to the `--json` records.
 *
 * @module
 */
import type { Row } from "./harness.ts";
import { type CaseRatios, caseRatios } from "./ratios.ts";

/** One target: a ratio of one case and the least value that meets it. */
export interface Target {
  /** What is compared, e.g. `matmul 1024, 1 thread, vs tfjs-wasm`. */
  readonly name: string;
  /** The case it is measured on. */
  readonly case: string;
  /** The least ratio that meets the target. */
  readonly goal: number;
  /** How the ratio reads: a speed ratio (`×`) or a fraction of a ceiling (`%`). */
  readonly unit: "×" | "%";
  /** The ratio and the row of ours it used, from the case's ratios; undefined if not measured. */
  ratio(q: CaseRatios): { value: number; ours: Row } | undefined;
}

/** The case ids the targets are set on. */
export const TARGET_CASES = {
  matmul: "matmul_f32_1024",
  conv: "conv2d_f32_1x64x56x56_k3",
} as const;

const vsPeer = (peer: string, threads: number) => (q: CaseRatios) => {
  const p = q.peers.find((x) => x.peer === peer && (x.threads || 1) === threads);
  return p && { value: p.ratio, ours: p.ours };
};

const ofCeiling = (ceiling: string) => (q: CaseRatios) => {
  const c = q.ofPeak.find((x) => x.ceiling === ceiling);
  return c && q.best1 && { value: c.fraction, ours: q.best1 };
};

/** Issue 3's targets (single-thread unless said). */
export const ISSUE3_TARGETS: readonly Target[] = [
  {
    name: "matmul 1024, 1 thread, vs tfjs-wasm",
    case: TARGET_CASES.matmul,
    goal: 1.2,
    unit: "×",
    ratio: vsPeer("tfjs-wasm", 1),
  },
  {
    name: "matmul 1024, 1 thread, vs onnxruntime-web 1T",
    case: TARGET_CASES.matmul,
    goal: 1.5,
    unit: "×",
    ratio: vsPeer("onnxruntime-web", 1),
  },
  {
    name: "matmul 1024, 1 thread, of wasm-peak",
    case: TARGET_CASES.matmul,
    goal: 0.75,
    unit: "%",
    ratio: ofCeiling("wasm-peak"),
  },
  {
    name: "matmul 1024, 2 threads over our 1 thread",
    case: TARGET_CASES.matmul,
    goal: 1.8,
    unit: "×",
    ratio: (q) => q.scaling === undefined ? undefined : { value: q.scaling, ours: q.bestN! },
  },
  {
    name: "conv2d 1x64x56x56 3x3, 1 thread, vs tfjs-wasm",
    case: TARGET_CASES.conv,
    goal: 1.2,
    unit: "×",
    ratio: vsPeer("tfjs-wasm", 1),
  },
];

/** A target's outcome in one run. */
export interface Verdict {
  /** The target's name. */
  readonly target: string;
  /** Its case. */
  readonly case: string;
  /** The least ratio that meets it. */
  readonly goal: number;
  /** The measured ratio (absent when a row it needs was not measured). */
  readonly value?: number;
  /** Whether `value ≥ goal` (absent when not measured). */
  readonly met?: boolean;
  /** Our row the ratio used, e.g. `tessera [NCHW] 1T 38.20 GFLOP/s`. */
  readonly ours?: string;
}

function rowName(r: Row): string {
  const v = r.variant ? ` [${r.variant}]` : "";
  return `${r.impl}${v} ${r.threads || 1}T ${r.gflops!.toFixed(2)} GFLOP/s`;
}

/**
 * The verdict of `rows` on each target.
 *
 * @example
 * ```ts
 * import { verdicts } from "./targets.ts";
 * const rows = [
 *   { case: "conv2d_f32_1x64x56x56_k3", impl: "tessera", role: "ours", threads: 1, status: "ok", gflops: 36 },
 *   { case: "conv2d_f32_1x64x56x56_k3", impl: "tfjs-wasm", role: "peer", threads: 1, status: "ok", gflops: 30 },
 * ] as const;
 * const conv = verdicts(rows).find((v) => v.target.startsWith("conv2d"));
 * console.assert(conv?.met === true && conv.value === 1.2);
 * ```
 */
export function verdicts(
  rows: readonly Row[],
  targets: readonly Target[] = ISSUE3_TARGETS,
): Verdict[] {
  const byCase = new Map<string, CaseRatios>();
  return targets.map((t) => {
    const q = byCase.get(t.case) ?? caseRatios(t.case, rows);
    byCase.set(t.case, q);
    const r = t.ratio(q);
    const base = { target: t.name, case: t.case, goal: t.goal };
    return r ? { ...base, value: r.value, met: r.value >= t.goal, ours: rowName(r.ours) } : base;
  });
}

function show(x: number, unit: "×" | "%"): string {
  return unit === "%" ? `${(100 * x).toFixed(0)}%` : `${x.toFixed(2)}×`;
}

/**
 * The verdict block of the human report: one line per target — goal, measured ratio, met or not,
 * and our row it used — then how many were met.
 *
 * @example
 * ```ts
 * import { formatVerdicts } from "./targets.ts";
 * console.assert(formatVerdicts([]).includes("not measured"));
 * ```
 */
export function formatVerdicts(
  rows: readonly Row[],
  targets: readonly Target[] = ISSUE3_TARGETS,
): string {
  const vs = verdicts(rows, targets);
  const width = Math.max(...targets.map((t) => t.name.length));
  const lines = vs.map((v, i) => {
    const unit = targets[i].unit;
    const goal = `≥ ${show(v.goal, unit)}`.padStart(7);
    if (v.value === undefined) return `  ${v.target.padEnd(width)}  ${goal}  —      not measured`;
    const mark = v.met ? "met" : "NOT MET";
    return `  ${v.target.padEnd(width)}  ${goal}  ${show(v.value, unit).padStart(5)}  ${
      mark.padEnd(7)
    }  (${v.ours})`;
  });
  const met = vs.filter((v) => v.met).length;
  return [`issue 3 targets (ratios of this run): ${met} of ${vs.length} met`, ...lines].join("\n");
}
