/**
 * The human-readable report — a table of cases (failures first), the details of each failure,
 * and the final line `N passed, M failed` — and the JSON report (versioned schema, documented in
 * `docs/conformance.md`).
 *
 * @module
 */
import { placementText } from "./report_placement.ts";
import { type CaseResult, type Verdict, VERDICTS } from "./result.ts";

/** Version of the JSON report's schema (documented in `docs/conformance.md`). */
export const REPORT_SCHEMA_VERSION = "1.2.0";

/** Counts of a run. */
export interface Summary {
  /** Cases run. */
  readonly total: number;
  /** Cases whose verdict is `passed`. */
  readonly passed: number;
  /** Every other case. */
  readonly failed: number;
  /** Cases by verdict. */
  readonly verdicts: Readonly<Record<Verdict, number>>;
  /** Builds answered by the artifact cache, by outcome. */
  readonly cache: Readonly<Record<string, number>>;
}

/** Count passes, failures by kind and cache outcomes. @example `summarize([]).passed === 0` */
export function summarize(results: readonly CaseResult[]): Summary {
  const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  const cache: Record<string, number> = {};
  for (const r of results) {
    verdicts[r.verdict]++;
    if (r.cache) cache[r.cache] = (cache[r.cache] ?? 0) + 1;
  }
  return {
    total: results.length,
    passed: verdicts.passed,
    failed: results.length - verdicts.passed,
    verdicts,
    cache,
  };
}

/**
 * The final line of every run.
 *
 * @example
 * ```ts
 * import { finalLine } from "./report.ts";
 * console.assert(finalLine({ passed: 3, failed: 0 }) === "3 passed, 0 failed");
 * ```
 */
export function finalLine(s: {
  readonly passed: number;
  readonly failed: number;
  readonly verdicts?: Readonly<Partial<Record<Verdict, number>>>;
}): string {
  const timeouts = s.verdicts?.timeout ?? 0;
  return `${s.passed} passed, ${s.failed} failed${timeouts ? ` (${timeouts} timed out)` : ""}`;
}

/** Results with failures first (in `VERDICTS` order), then by id. */
export function failuresFirst(results: readonly CaseResult[]): CaseResult[] {
  const rank = (r: CaseResult) => VERDICTS.indexOf(r.verdict);
  return [...results].sort((a, b) => rank(a) - rank(b));
}

const fmt = (x: number | undefined, digits: number): string =>
  x === undefined ? "-" : x.toFixed(digits);
const pct = (x: number | undefined): string => (x === undefined ? "-" : `${(x * 100).toFixed(1)}%`);
const kib = (bytes: number): string => (bytes / 1024).toFixed(1);
const memoryCell = (r: CaseResult): string =>
  r.memory
    ? `${r.memory.storages}: ${kib(r.memory.plannedBytes)}/${kib(r.memory.unplannedBytes)}`
    : "-";

/**
 * Render results as a plain-text table, failures first, then the details of each failure and
 * the final line.
 *
 * @example
 * ```ts
 * import { renderTable } from "./report.ts";
 * const text = renderTable([{ id: "a", op: "a", dtype: "float32", verdict: "passed", runMs: 1 }]);
 * console.assert(text.endsWith("1 passed, 0 failed"));
 * ```
 */
export function renderTable(results: readonly CaseResult[]): string {
  const order = failuresFirst(results);
  // Target figures (cycles, utilisation, host ops) when a target reports them.
  const device = results.some((r) => r.cycles !== undefined || r.hostOps !== undefined);
  // Model cases: the memory plan's storages, planned over unplanned KiB.
  const memory = results.some((r) => r.memory !== undefined);
  const header = [
    "case",
    "verdict",
    "compile ms",
    "run ms",
    "GFLOP/s",
    "GB/s",
    "roofline",
    "ulps",
    "on intrin",
    ...(device ? ["cycles", "util"] : []),
    "cache",
    ...(device ? ["host ops"] : []),
    ...(memory ? ["memory (storages: planned/unplanned KiB)"] : []),
    "note",
  ];
  const numeric = device ? 10 : 8; // right-aligned columns: compile ms … util
  const rows = order.map((r) => [
    r.id,
    r.verdict,
    fmt(r.compileMs, 0),
    fmt(r.runMs, 3),
    fmt(r.gflops, 2),
    fmt(r.gbps, 2),
    pct(r.roofline),
    r.maxUlps === undefined ? "-" : String(r.maxUlps),
    pct(r.intrinsicShare),
    ...(device ? [r.cycles === undefined ? "-" : String(r.cycles), pct(r.utilization)] : []),
    r.cache ?? "-",
    ...(device ? [r.hostOps?.length ? r.hostOps.join(",") : "-"] : []),
    ...(memory ? [memoryCell(r)] : []),
    r.note ?? "",
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((row) => row[k].length)));
  const line = (cells: string[]) =>
    cells.map((c, k) => (k >= 2 && k <= numeric ? c.padStart(widths[k]) : c.padEnd(widths[k])))
      .join("  ").trimEnd();
  const out = [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
  const failures = order.filter((r) => r.verdict !== "passed");
  if (failures.length) {
    out.push("", "Failures:");
    for (const r of failures) out.push(`- ${r.id} (${r.verdict}):`, indent(r.detail ?? ""));
  }
  const placement = placementText(results);
  if (placement) out.push("", placement);
  out.push("", finalLine(summarize(results)));
  return out.join("\n");
}

function indent(text: string): string {
  return text.split("\n").map((l) => "    " + l).join("\n");
}

/** What the report says about the target. */
export interface TargetInfo {
  /** Target name. */
  readonly name: string;
  /** Target kind (`cpu`, `gpu`, `npu`). */
  readonly kind?: string;
  /** The target's one-line description. */
  readonly description?: string;
  /** The roofline the fast verdicts were measured against. */
  readonly peak?: {
    readonly flopsPerSecond: Readonly<Record<string, number>>;
    readonly bytesPerSecond: Readonly<Record<string, number>>;
  };
  /** Intrinsic names. */
  readonly intrinsics?: readonly string[];
}

/**
 * What a report says about a target (name, kind, description, peaks, intrinsic names).
 *
 * @example
 * ```ts ignore
 * const info = targetInfo(cpu);
 * ```
 */
export function targetInfo(t: {
  readonly name: string;
  readonly kind?: string;
  readonly description?: string;
  readonly peak?: TargetInfo["peak"];
  readonly intrinsics?: readonly { readonly name: string }[];
}): TargetInfo {
  return {
    name: t.name,
    kind: t.kind,
    description: t.description,
    peak: t.peak,
    intrinsics: t.intrinsics?.map((x) => x.name),
  };
}

/** The JSON report (schema `REPORT_SCHEMA_VERSION`, see docs/conformance.md). */
export interface JsonReport {
  /** `REPORT_SCHEMA_VERSION`. */
  readonly schemaVersion: string;
  /** ISO time the report was made. */
  readonly generatedAt: string;
  /** The target the cases ran on. */
  readonly target: TargetInfo;
  /** The options of the run (suite, filter, quick, dtypes, case files). */
  readonly run: Readonly<Record<string, unknown>>;
  /** Counts of the run. */
  readonly summary: Summary;
  /** Every case, in run order. */
  readonly cases: readonly CaseResult[];
}

/**
 * Build the JSON report.
 *
 * @example
 * ```ts
 * import { jsonReport, REPORT_SCHEMA_VERSION } from "./report.ts";
 * console.assert(jsonReport({ name: "cpu" }, []).schemaVersion === REPORT_SCHEMA_VERSION);
 * ```
 */
export function jsonReport(
  target: TargetInfo,
  results: readonly CaseResult[],
  run: Readonly<Record<string, unknown>> = {},
): JsonReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    target,
    run,
    summary: summarize(results),
    cases: results,
  };
}

/**
 * Case times from an earlier JSON report, for `--baseline` (ids → ms).
 *
 * @example
 * ```ts
 * import { baselinesFromReport } from "./report.ts";
 * const m = baselinesFromReport({ cases: [{ id: "a", runMs: 2 }] });
 * console.assert(m.get("a") === 2);
 * ```
 */
export function baselinesFromReport(report: unknown): Map<string, number> {
  const out = new Map<string, number>();
  const cases = (report as { cases?: unknown })?.cases;
  if (!Array.isArray(cases)) return out;
  for (const c of cases) {
    if (typeof c?.id === "string" && typeof c.runMs === "number") out.set(c.id, c.runMs);
  }
  return out;
}
