/**
 * The JUnit XML report CI systems read (GitLab, Jenkins, GitHub test reporters): one
 * `<testsuite>` per suite (kernels, models), one `<testcase>` per case named by its id and
 * classed by target and op; a case that did not complete (compile error, crash, timeout) is an
 * `<error>`, a wrong or slow one a `<failure>`, each with the verdict as `type`; each case's
 * figures go in `<system-out>`.
 *
 * @module
 */
import { placementFigures } from "./report_placement.ts";
import type { CaseResult } from "./result.ts";

/** Escape text for XML content and attribute values. */
export function xmlEscape(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
  )
    // characters XML 1.0 cannot carry (terminal escapes in error text)
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
}

function figures(r: CaseResult): string {
  const f = r.verdicts?.fast, t = r.verdicts?.tensorized;
  const parts = [
    `compiled: ${r.verdicts?.compiled.ok ?? r.verdict !== "compile-error"}` +
    (r.cache ? ` (cache ${r.cache})` : ""),
    r.maxUlps !== undefined ? `max ulps: ${r.maxUlps}` : "",
    f?.timeMs !== undefined ? `time: ${f.timeMs.toFixed(4)} ms (${f.timeSource})` : "",
    f?.gflops !== undefined ? `GFLOP/s: ${f.gflops.toFixed(3)}` : "",
    f?.roofline !== undefined ? `roofline: ${(f.roofline * 100).toFixed(2)}%` : "",
    t?.share !== undefined ? `on intrinsics: ${(t.share * 100).toFixed(1)}%` : "",
    t?.diagnostic ? `tensorize: ${t.diagnostic}` : "",
    placementFigures(r),
  ];
  return parts.filter(Boolean).join("\n");
}

/** Verdicts reported as JUnit errors (the case did not complete); other failures are failures. */
const ERRORS: ReadonlySet<string> = new Set(["compile-error", "run-error", "timeout"]);

/**
 * The JUnit XML of a run.
 *
 * @example
 * ```ts
 * import { junitReport } from "./junit.ts";
 * const xml = junitReport("cpu", [{ id: "a", op: "a", dtype: "int8", verdict: "mismatch", detail: "x" }]);
 * console.assert(xml.includes('<failure type="mismatch"'));
 * ```
 */
export function junitReport(target: string, results: readonly CaseResult[]): string {
  const suites = new Map<string, CaseResult[]>();
  for (const r of results) {
    const s = r.suite ?? "kernels";
    suites.set(s, [...(suites.get(s) ?? []), r]);
  }
  const seconds = (r: CaseResult) => ((r.compileMs ?? 0) + (r.runMs ?? 0)) / 1e3;
  const total = (rs: readonly CaseResult[]) => rs.reduce((n, r) => n + seconds(r), 0).toFixed(3);
  const failures = (rs: readonly CaseResult[]) =>
    rs.filter((r) => r.verdict === "mismatch" || r.verdict === "slow").length;
  const errors = (rs: readonly CaseResult[]) => rs.filter((r) => ERRORS.has(r.verdict)).length;
  const out = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="tessera conformance: ${
      xmlEscape(target)
    }" tests="${results.length}" failures="${failures(results)}" errors="${
      errors(results)
    }" time="${total(results)}">`,
  ];
  for (const [name, rs] of suites) {
    out.push(
      `  <testsuite name="${xmlEscape(`${target}.${name}`)}" tests="${rs.length}" failures="${
        failures(rs)
      }" errors="${errors(rs)}" skipped="0" time="${total(rs)}">`,
    );
    for (const r of rs) {
      const head = `    <testcase classname="${xmlEscape(`${target}.${name}.${r.op}`)}" name="${
        xmlEscape(r.id)
      }" time="${seconds(r).toFixed(4)}">`;
      out.push(head);
      const detail = xmlEscape(r.detail ?? "");
      const msg = xmlEscape((r.detail ?? r.verdict).split("\n")[0].slice(0, 200));
      if (ERRORS.has(r.verdict)) {
        out.push(`      <error type="${r.verdict}" message="${msg}">${detail}</error>`);
      } else if (r.verdict !== "passed") {
        out.push(`      <failure type="${r.verdict}" message="${msg}">${detail}</failure>`);
      }
      out.push(`      <system-out>${xmlEscape(figures(r))}</system-out>`, `    </testcase>`);
    }
    out.push(`  </testsuite>`);
  }
  out.push(`</testsuites>`);
  return out.join("\n") + "\n";
}
