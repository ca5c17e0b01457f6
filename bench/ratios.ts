/**
 * The ratios issue 3 sets its targets in, from the rows of one run: per case, our best kernel
 * against each peer (at no more threads than the peer uses), against the wasm SIMD ceiling
 * (fraction of peak, one thread), and our multi-thread speed-up over our single thread.
 *
 * "Ours" is every row of role `ours` (`tessera`, the hand schedules, and `tessera-default`).
 *
 * @module
 */
import type { Row } from "./harness.ts";

/** Our best row against one peer row. */
export interface PeerRatio {
  /** The peer's impl name. */
  readonly peer: string;
  /** Threads the peer used. */
  readonly threads: number;
  /** Our best row with at most that many threads. */
  readonly ours: Row;
  /** Our GFLOP/s over the peer's. */
  readonly ratio: number;
}

/** The ratios of one case. */
export interface CaseRatios {
  /** Case id. */
  readonly case: string;
  /** Our fastest single-thread row. */
  readonly best1?: Row;
  /** Our fastest row on two or more threads. */
  readonly bestN?: Row;
  /** Against every measured peer row, in row order. */
  readonly peers: readonly PeerRatio[];
  /** `best1` over each ceiling row (`wasm-peak`, `wasm-peak-fma`): fraction of peak. */
  readonly ofPeak: readonly { readonly ceiling: string; readonly fraction: number }[];
  /** `bestN` over `best1`. */
  readonly scaling?: number;
}

const ok = (r: Row): boolean => r.status === "ok" && r.gflops !== undefined && r.gflops > 0;
const threadsOf = (r: Row): number => r.threads || 1;

function fastest(rows: readonly Row[]): Row | undefined {
  return rows.reduce<Row | undefined>((b, r) => (!b || r.gflops! > b.gflops! ? r : b), undefined);
}

/**
 * The ratios of one case; ceilings come from their own case's rows (all rows are searched).
 *
 * @example
 * ```ts
 * import { caseRatios } from "./ratios.ts";
 * const rows = [
 *   { case: "mm", impl: "tessera", role: "ours", threads: 1, status: "ok", gflops: 30 },
 *   { case: "mm", impl: "tfjs-wasm", role: "peer", threads: 1, status: "ok", gflops: 20 },
 * ] as const;
 * console.assert(caseRatios("mm", rows).peers[0].ratio === 1.5);
 * ```
 */
export function caseRatios(caseId: string, rows: readonly Row[]): CaseRatios {
  const here = rows.filter((r) => r.case === caseId && ok(r));
  const ours = here.filter((r) => r.role === "ours");
  const best1 = fastest(ours.filter((r) => threadsOf(r) === 1));
  const bestN = fastest(ours.filter((r) => threadsOf(r) > 1));
  const peers: PeerRatio[] = [];
  for (const p of here.filter((r) => r.role === "peer")) {
    const o = fastest(ours.filter((r) => threadsOf(r) <= threadsOf(p)));
    if (o) peers.push({ peer: p.impl, threads: p.threads, ours: o, ratio: o.gflops! / p.gflops! });
  }
  const ceilings = rows.filter((r) => r.role === "ceiling" && ok(r));
  const ofPeak = best1
    ? ceilings.map((c) => ({ ceiling: c.impl, fraction: best1.gflops! / c.gflops! }))
    : [];
  const scaling = best1 && bestN ? bestN.gflops! / best1.gflops! : undefined;
  return { case: caseId, best1, bestN, peers, ofPeak, scaling };
}

function name(r: Row): string {
  return r.variant ? `${r.impl} [${r.variant}]` : r.impl;
}

function oursLine(q: CaseRatios): string {
  const one = (r: Row | undefined) =>
    r
      ? `${name(r)} ${r.gflops!.toFixed(2)} GFLOP/s${threadsOf(r) > 1 ? ` (${r.threads}T)` : ""}`
      : "—";
  return `  ours 1T: ${one(q.best1)}; multi-thread: ${one(q.bestN)}`;
}

/**
 * The ratio report of a run: one block per case that has any of our rows or peer rows.
 *
 * @example
 * ```ts
 * import { formatRatios } from "./ratios.ts";
 * const rows = [
 *   { case: "mm", impl: "tessera", role: "ours", threads: 1, status: "ok", gflops: 30 },
 *   { case: "mm", impl: "tfjs-wasm", role: "peer", threads: 1, status: "ok", gflops: 20 },
 * ] as const;
 * console.assert(formatRatios(rows).includes("tfjs-wasm 1T 1.50×"));
 * ```
 */
export function formatRatios(rows: readonly Row[]): string {
  const ids = [...new Set(rows.filter((r) => r.role !== "ceiling").map((r) => r.case))];
  const out = ["ratios (ours = our fastest kernel on at most the peer's threads):"];
  for (const id of ids) {
    const q = caseRatios(id, rows);
    out.push(id, oursLine(q));
    if (q.peers.length) {
      const vs = q.peers.map((p) => `${p.peer} ${p.threads || 1}T ${p.ratio.toFixed(2)}×`);
      out.push(`  vs ${vs.join(", ")}`);
    } else out.push("  vs peers: — (no measured pair)");
    const peak = q.ofPeak.map((p) => `${(100 * p.fraction).toFixed(0)}% of ${p.ceiling}`);
    const scale = q.scaling === undefined ? "—" : `${q.scaling.toFixed(2)}×`;
    out.push(
      `  1T: ${peak.length ? peak.join(", ") : "of peak —"}; multi-thread over 1T: ${scale}`,
    );
  }
  return out.join("\n");
}
