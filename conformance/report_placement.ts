/**
 * What ran where in model cases, for the table, HTML and JUnit reports: a one-line summary per
 * model (share of MACs offloaded, kernels per target, copies) and the kernels one per line.
 *
 * @module
 */
import type { CaseResult, ModelPlacement } from "./result.ts";

/** Escape text for HTML (no import of junit.ts, which imports this module). */
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * One line: the share of MACs offloaded, MACs and kernels per target, copies per run.
 *
 * @example
 * ```ts
 * import { placementSummary } from "./report_placement.ts";
 * const line = placementSummary({
 *   fallback: "cpu", offloadTarget: "npu", copies: 2, flops: 0, offloadedMacShare: 0.75,
 *   macsByTarget: { npu: 3, cpu: 1 },
 *   kernels: [
 *     { func: "dense", target: "npu", calls: 1, macs: 3, reason: "" },
 *     { func: "softmax", target: "cpu", calls: 1, macs: 1, reason: "" },
 *   ],
 * });
 * console.assert(line.startsWith("75.0% of MACs on npu"), line);
 * ```
 */
export function placementSummary(p: ModelPlacement): string {
  const count = new Map<string, number>();
  for (const k of p.kernels) count.set(k.target, (count.get(k.target) ?? 0) + 1);
  const per = [...count].map(([t, n]) =>
    `${t}: ${n} kernel${n === 1 ? "" : "s"}, ${p.macsByTarget[t] ?? 0} MACs`
  );
  const head = p.offloadTarget
    ? `${(p.offloadedMacShare * 100).toFixed(1)}% of MACs on ${p.offloadTarget}`
    : `all on ${p.fallback}`;
  return `${head} (${per.join("; ")}; ${p.copies} cop${p.copies === 1 ? "y" : "ies"} per run)`;
}

/** The kernels of a placement, one per line: `func → target  MACs  (reason)`. */
function kernelLines(p: ModelPlacement): string[] {
  const w = Math.max(0, ...p.kernels.map((k) => k.func.length));
  return p.kernels.map((k) =>
    `${k.func.padEnd(w)}  ${k.target.padEnd(6)} ${String(k.macs).padStart(9)} MACs  ${k.reason}`
  );
}

/**
 * The placement section of the text table (empty without model placements).
 *
 * @example
 * ```ts
 * import { placementText } from "./report_placement.ts";
 * console.assert(placementText([]) === "");
 * ```
 */
export function placementText(results: readonly CaseResult[]): string {
  const placed = results.filter((r) => r.placement);
  if (placed.length === 0) return "";
  const out = ["Placement (what ran where):"];
  for (const r of placed) {
    out.push(`- ${r.id}: ${placementSummary(r.placement!)}`);
    out.push(...kernelLines(r.placement!).map((l) => `    ${l}`));
  }
  return out.join("\n");
}

/**
 * The placement section of the HTML report: per model its summary and kernel table (empty
 * without model placements).
 *
 * @example
 * ```ts
 * import { placementHtml } from "./report_placement.ts";
 * console.assert(placementHtml([]) === "");
 * ```
 */
export function placementHtml(results: readonly CaseResult[]): string {
  const placed = results.filter((r) => r.placement);
  if (placed.length === 0) return "";
  const models = placed.map((r) => {
    const p = r.placement!;
    const rows = p.kernels.map((k) =>
      `<tr><td>${esc(k.func)}</td><td>${
        esc(k.target)
      }</td><td>${k.calls}</td><td>${k.macs}</td><td>${esc(k.reason)}</td></tr>`
    ).join("\n");
    return `<h3>${esc(r.id)}</h3>
<p class="placement-summary" data-id="${esc(r.id)}">${esc(placementSummary(p))}</p>
<table class="placement"><thead><tr><th>kernel</th><th>target</th><th>calls</th><th>MACs</th><th>why</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
  });
  return `<h2>Placement (what ran where)</h2>\n${models.join("\n")}\n`;
}

/**
 * The placement for a JUnit `<system-out>`: the summary, then the kernels (empty without one).
 *
 * @example
 * ```ts
 * import { placementFigures } from "./report_placement.ts";
 * console.assert(placementFigures({ id: "a", op: "a", dtype: "float32", verdict: "passed" }) === "");
 * ```
 */
export function placementFigures(r: CaseResult): string {
  if (!r.placement) return "";
  return [`placement: ${placementSummary(r.placement)}`, ...kernelLines(r.placement)].join("\n");
}
