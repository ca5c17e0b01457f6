/**
 * The HTML report: one self-contained file (inline CSS and SVG, no scripts, nothing fetched) with
 * the summary, a roofline plot with every timed case as a point (operations per byte against
 * GFLOP/s on log scales, under the target's compute roofs per dtype and its bandwidth slope),
 * per-case bars of the roofline fraction, and the table of cases with failures first.
 *
 * @module
 */
import { xmlEscape as esc } from "./junit.ts";
import { failuresFirst, finalLine, type JsonReport } from "./report.ts";
import { placementHtml } from "./report_placement.ts";
import type { CaseResult } from "./result.ts";

const COLORS: Readonly<Record<string, string>> = {
  passed: "#2e7d32",
  slow: "#ef6c00",
  mismatch: "#c62828",
  "run-error": "#6a1b9a",
  timeout: "#ad1457",
  "compile-error": "#37474f",
};

const W = 640, H = 400, L = 60, R = 20, T = 20, B = 44;

function logScale(lo: number, hi: number, from: number, to: number): (x: number) => number {
  const a = Math.log10(lo), b = Math.log10(hi);
  return (x) => from + ((Math.log10(x) - a) / (b - a)) * (to - from);
}

const decade = (x: number, up: boolean) =>
  10 ** (up ? Math.ceil(Math.log10(x)) : Math.floor(Math.log10(x)));

/** The roofline plot: an SVG with one `circle.point` per case that has an intensity and a rate. */
export function rooflineSvg(report: JsonReport): string {
  const pts = report.cases.filter((r) => {
    const f = r.verdicts?.fast;
    return f?.intensity !== undefined && f.intensity > 0 && f.gflops !== undefined && f.gflops > 0;
  });
  const peaks = Object.entries(report.target.peak?.flopsPerSecond ?? {});
  const bw = report.target.peak?.bytesPerSecond.global;
  const xs = pts.map((r) => r.verdicts!.fast!.intensity!);
  const ys = [...pts.map((r) => r.verdicts!.fast!.gflops!), ...peaks.map(([, v]) => v / 1e9)];
  const xlo = decade(Math.min(0.01, ...xs), false), xhi = decade(Math.max(100, ...xs), true);
  const ylo = decade(Math.min(1e-3, ...ys), false), yhi = decade(Math.max(1, ...ys) * 1.5, true);
  const x = logScale(xlo, xhi, L, W - R), y = logScale(ylo, yhi, H - B, T);
  const out: string[] = [
    `<svg id="roofline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="roofline">`,
    `<rect x="${L}" y="${T}" width="${W - L - R}" height="${
      H - T - B
    }" fill="#fafafa" stroke="#999"/>`,
  ];
  for (let d = xlo; d <= xhi * 1.001; d *= 10) {
    out.push(
      `<line x1="${x(d)}" y1="${T}" x2="${x(d)}" y2="${H - B}" stroke="#e0e0e0"/>`,
      `<text x="${x(d)}" y="${H - B + 14}" font-size="10" text-anchor="middle">${d}</text>`,
    );
  }
  for (let d = ylo; d <= yhi * 1.001; d *= 10) {
    out.push(
      `<line x1="${L}" y1="${y(d)}" x2="${W - R}" y2="${y(d)}" stroke="#e0e0e0"/>`,
      `<text x="${L - 4}" y="${y(d) + 3}" font-size="10" text-anchor="end">${d}</text>`,
    );
  }
  out.push(
    `<text x="${(L + W - R) / 2}" y="${
      H - 8
    }" font-size="11" text-anchor="middle">operations per byte</text>`,
    `<text x="14" y="${
      (T + H - B) / 2
    }" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${
      (T + H - B) / 2
    })">GFLOP/s</text>`,
  );
  // Roofs: min(peak, bw · intensity), one per distinct peak (dtypes sharing a peak share a roof).
  const roofs = new Map<number, string[]>();
  for (const [dtype, peak] of peaks) roofs.set(peak, [...(roofs.get(peak) ?? []), dtype]);
  for (const [peak, dtypes] of roofs) {
    const g = peak / 1e9;
    const knee = bw ? g / (bw / 1e9) : xlo;
    const k = Math.min(Math.max(knee, xlo), xhi);
    const start = bw ? Math.max(xlo, ylo / (bw / 1e9)) : xlo;
    const path = bw && k > start
      ? `M${x(start)},${y((bw / 1e9) * start)} L${x(k)},${y(g)} L${x(xhi)},${y(g)}`
      : `M${x(xlo)},${y(g)} L${x(xhi)},${y(g)}`;
    out.push(
      `<path class="roof" d="${path}" fill="none" stroke="#1565c0" stroke-width="1.5"/>`,
      `<text x="${W - R - 4}" y="${y(g) - 4}" font-size="10" text-anchor="end" fill="#1565c0">${
        esc(dtypes.join(", "))
      }: ${g.toPrecision(3)} GFLOP/s</text>`,
    );
  }
  // Legend: one swatch per verdict present.
  const present = Object.keys(COLORS).filter((v) => pts.some((r) => r.verdict === v));
  present.forEach((v, k) => {
    out.push(
      `<circle cx="${L + 12}" cy="${T + 12 + k * 14}" r="4" fill="${COLORS[v]}"/>`,
      `<text x="${L + 20}" y="${T + 16 + k * 14}" font-size="10">${esc(v)}</text>`,
    );
  });
  for (const r of pts) {
    const f = r.verdicts!.fast!;
    out.push(
      `<circle class="point ${esc(r.verdict)}" data-id="${esc(r.id)}" cx="${
        x(f.intensity!).toFixed(1)
      }" cy="${y(f.gflops!).toFixed(1)}" r="4" fill="${
        COLORS[r.verdict]
      }" fill-opacity="0.75"><title>${esc(r.id)}: ${f.gflops!.toPrecision(3)} GFLOP/s at ${
        f.intensity!.toPrecision(3)
      } op/B${
        f.roofline !== undefined ? `, ${(f.roofline * 100).toFixed(1)}% of roofline` : ""
      }</title></circle>`,
    );
  }
  out.push(`</svg>`);
  return out.join("\n");
}

/** Per-case bars of the roofline fraction (log scale from 0.01% to 100%), failures first. */
export function barsSvg(results: readonly CaseResult[]): string {
  const rows = failuresFirst(results);
  const rowH = 14, label = 260, width = 640, h = rows.length * rowH + 24;
  const bar = (f: number) =>
    Math.max(0, (Math.log10(Math.max(f, 1e-4)) + 4) / 4) * (width - label - 60);
  const out = [
    `<svg id="bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${h}" width="${width}" height="${h}" role="img" aria-label="roofline fraction per case">`,
  ];
  rows.forEach((r, k) => {
    const yy = 16 + k * rowH;
    const f = r.roofline;
    out.push(
      `<text x="${label - 6}" y="${yy + 10}" font-size="10" text-anchor="end">${esc(r.id)}</text>`,
      f === undefined
        ? `<text class="bar none" x="${label}" y="${yy + 10}" font-size="10" fill="#777">${
          esc(r.verdict === "passed" ? "not timed" : r.verdict)
        }</text>`
        : `<rect class="bar ${esc(r.verdict)}" data-id="${esc(r.id)}" x="${label}" y="${
          yy + 2
        }" width="${bar(f).toFixed(1)}" height="${rowH - 4}" fill="${
          COLORS[r.verdict]
        }"/><text x="${label + bar(f) + 4}" y="${yy + 10}" font-size="10">${
          (f * 100).toPrecision(3)
        }%</text>`,
    );
  });
  out.push(`</svg>`);
  return out.join("\n");
}

const fmt = (x: number | undefined, d: number) => (x === undefined ? "-" : x.toFixed(d));
const pct = (x: number | undefined) => (x === undefined ? "-" : `${(x * 100).toFixed(1)}%`);

function row(r: CaseResult): string {
  const t = r.verdicts?.tensorized;
  const cls = r.verdict === "passed" ? "passed" : "failure";
  const detail = r.detail ??
    (t?.share === 0 && t.diagnostic ? `not tensorized: ${t.diagnostic}` : "");
  return `<tr class="${cls} ${esc(r.verdict)}" data-id="${esc(r.id)}"><td>${esc(r.id)}</td><td>${
    esc(r.verdict)
  }</td><td>${fmt(r.compileMs, 0)}</td><td>${esc(r.cache ?? "-")}</td><td>${
    fmt(r.runMs, 4)
  }</td><td>${fmt(r.gflops, 3)}</td><td>${fmt(r.gbps, 3)}</td><td>${pct(r.roofline)}</td><td>${
    r.maxUlps ?? "-"
  }</td><td>${pct(r.intrinsicShare)}</td><td><pre>${esc(detail)}</pre></td></tr>`;
}

/**
 * The HTML report of a JSON report.
 *
 * @example
 * ```ts
 * import { htmlReport } from "./html.ts";
 * import { jsonReport } from "./report.ts";
 * const html = htmlReport(jsonReport({ name: "cpu" }, []));
 * console.assert(html.startsWith("<!DOCTYPE html>") && !html.includes("<script"));
 * ```
 */
export function htmlReport(report: JsonReport): string {
  const s = report.summary;
  const rows = failuresFirst(report.cases).map(row).join("\n");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Tessera conformance: ${esc(report.target.name)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
tr.failure td{background:#fdecea}pre{margin:0;white-space:pre-wrap;max-width:520px}
.summary span{margin-right:16px}
</style></head><body>
<h1>Tessera conformance: ${esc(report.target.name)}</h1>
<p>${esc(report.target.description ?? "")}</p>
<p class="summary"><span id="final-line">${esc(finalLine(s))}</span>${
    Object.entries(s.verdicts).filter(([, n]) => n > 0).map(([v, n]) =>
      `<span class="count ${esc(v)}">${esc(v)}: ${n}</span>`
    ).join("")
  }</p>
<p>Schema ${esc(report.schemaVersion)}, generated ${esc(report.generatedAt)}.</p>
<h2>Roofline</h2>
${rooflineSvg(report)}
<h2>Fraction of the roofline per case</h2>
${barsSvg(report.cases)}
<h2>Cases (failures first)</h2>
<table id="cases"><thead><tr><th>case</th><th>verdict</th><th>compile ms</th><th>cache</th><th>run ms</th><th>GFLOP/s</th><th>GB/s</th><th>roofline</th><th>ulps</th><th>on intrinsics</th><th>detail</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${placementHtml(report.cases)}</body></html>
`;
}
