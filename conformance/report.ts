/**
 * The human-readable report: a table of cases (failures first) and the final line
 * `N passed, M failed`; and the JSON form of the same results.
 *
 * @module
 */
import type { CaseResult } from "./result.ts";

/** Version of the JSON report's schema (documented in `docs/conformance.md`). */
export const REPORT_SCHEMA_VERSION = "0.1.0";

/** Counts of a run. */
export interface Summary {
  readonly passed: number;
  readonly failed: number;
}

/** Count passes and failures. @example `summarize([]).passed === 0` */
export function summarize(results: readonly CaseResult[]): Summary {
  const passed = results.filter((r) => r.verdict === "passed").length;
  return { passed, failed: results.length - passed };
}

/** The final line of every run. @example `finalLine({ passed: 3, failed: 0 }) === "3 passed, 0 failed"` */
export function finalLine(s: Summary): string {
  return `${s.passed} passed, ${s.failed} failed`;
}

const fmt = (x: number | undefined, digits: number): string =>
  x === undefined ? "-" : x.toFixed(digits);

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
  const order = [...results].sort((a, b) =>
    Number(a.verdict === "passed") - Number(b.verdict === "passed")
  );
  // Target figures (cycles, utilisation, MACs on intrinsics, host ops) when a target reports them.
  const device = results.some((r) => r.cycles !== undefined || r.hostOps !== undefined);
  const pct = (x: number | undefined) => (x === undefined ? "-" : `${(x * 100).toFixed(1)}%`);
  const header = [
    "case",
    "verdict",
    "compile ms",
    "run ms",
    "GFLOP/s",
    "ulps",
    ...(device ? ["cycles", "util", "on intrin", "host ops"] : []),
    "note",
  ];
  const rows = order.map((r) => [
    r.id,
    r.verdict,
    fmt(r.compileMs, 0),
    fmt(r.runMs, 3),
    fmt(r.gflops, 2),
    r.maxUlps === undefined ? "-" : String(r.maxUlps),
    ...(device
      ? [
        r.cycles === undefined ? "-" : String(r.cycles),
        pct(r.utilization),
        pct(r.intrinsicShare),
        r.hostOps?.length ? r.hostOps.join(",") : "-",
      ]
      : []),
    r.note ?? "",
  ]);
  const numeric = device ? 9 : 5; // right-aligned columns: compile ms … (on intrin)
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
  out.push("", finalLine(summarize(results)));
  return out.join("\n");
}

function indent(text: string): string {
  return text.split("\n").map((l) => "    " + l).join("\n");
}

/** The JSON report: schema version, target, summary and every case. */
export interface JsonReport {
  readonly schemaVersion: string;
  readonly target: string;
  readonly summary: Summary;
  readonly cases: readonly CaseResult[];
}

/** Build the JSON report. @example `jsonReport("cpu", []).schemaVersion === REPORT_SCHEMA_VERSION` */
export function jsonReport(target: string, results: readonly CaseResult[]): JsonReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    target,
    summary: summarize(results),
    cases: results,
  };
}
