/**
 * `deno task bench`: every case × every impl in one process run, each impl checked against
 * `ts-loop` before it is timed, then a table (and with `--json FILE` the records).
 *
 * @module
 */
import { resolve } from "node:path";
import { type BenchArgs, parseBenchArgs, USAGE } from "./args.ts";
import { BenchError } from "./errors.ts";
import { type BenchCase, caseFlops, caseInputs, CASES } from "./cases.ts";
import {
  formatTable,
  FP32_RTOL,
  gflops,
  jsonRecords,
  median,
  NORMAL_TIMING,
  QUICK_TIMING,
  relativeError,
  type Row,
  timeRuns,
  type TimingOptions,
} from "./harness.ts";
import type { Impl, Prepared } from "./peers/peer.ts";
import { reasonOf } from "./peers/peer.ts";
import { tessera } from "./peers/tessera.ts";
import { tfjsWasm } from "./peers/tfjs_wasm.ts";
import { tsLoop } from "./peers/ts_loop.ts";
import { wasmPeak, wasmPeakFma } from "./peers/wasm_peak.ts";

/** Every impl, in table order within a case. */
export const IMPLS: readonly Impl[] = [tessera, tsLoop, tfjsWasm, wasmPeak, wasmPeakFma];

function log(msg: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(msg + "\n"));
}

/** A prepared impl that already ran once (the correctness check), with that run's time. */
interface Started {
  readonly prepared: Prepared;
  readonly firstMs: number;
}

async function start(impl: Impl, c: BenchCase, inputs: Float32Array[]): Promise<Started> {
  const prepared = await impl.prepare(c, inputs);
  const t0 = performance.now();
  await prepared.run();
  return { prepared, firstMs: performance.now() - t0 };
}

/** Check, then time one impl on one case (`started`: already prepared and run once). */
async function measure(
  impl: Impl,
  c: BenchCase,
  inputs: Float32Array[],
  ref: Float32Array | undefined,
  timing: TimingOptions,
  started?: Started,
): Promise<Row> {
  const base = { case: c.id, impl: impl.name, role: impl.role, threads: impl.threads() };
  let s: Started;
  try {
    s = started ?? await start(impl, c, inputs);
  } catch (e) {
    return { ...base, status: "unavailable", note: reasonOf(e) };
  }
  const { prepared, firstMs } = s;
  try {
    if (ref && impl !== tsLoop) {
      const err = relativeError(await prepared.result(), ref);
      if (!(err <= FP32_RTOL)) {
        return {
          ...base,
          status: "wrong",
          note: `relative error ${err.toExponential(2)} vs ts-loop`,
        };
      }
    }
    const done = { runs: 1, ms: firstMs, lastMs: firstMs };
    const samples = await timeRuns(() => prepared.run(), timing, undefined, done);
    const ms = median(samples);
    return { ...base, status: "ok", ms, gflops: gflops(caseFlops(c), ms), reps: samples.length };
  } catch (e) {
    return { ...base, status: "failed", note: reasonOf(e) };
  } finally {
    prepared.dispose();
  }
}

/** Run the bench as the arguments say; returns the rows. */
export async function runBench(args: BenchArgs): Promise<Row[]> {
  const timing = args.quick ? QUICK_TIMING : NORMAL_TIMING;
  const selected = (c: BenchCase, i: Impl) =>
    i.supports(c) && (!args.filter || args.filter.test(`${c.id}/${i.name}`));
  const used = IMPLS.filter((i) => CASES.some((c) => selected(c, i)));
  if (used.length === 0) log(`no case/impl pair matches --filter ${args.filter}`);
  const down = new Map<Impl, string>();
  for (const impl of used) {
    try {
      await impl.init();
    } catch (e) {
      down.set(impl, reasonOf(e));
      log(`${impl.name}: unavailable: ${reasonOf(e)}`);
    }
  }
  const rows: Row[] = [];
  for (const c of CASES) {
    const impls = used.filter((i) => selected(c, i));
    if (impls.length === 0) continue;
    const inputs = caseInputs(c);
    // ts-loop's first run gives the reference; when ts-loop is also timed, that run warms it up.
    const needRef = impls.some((i) => !down.has(i));
    const base = needRef && tsLoop.supports(c) ? await start(tsLoop, c, inputs) : undefined;
    const ref = base ? await base.prepared.result() : undefined;
    if (base && !impls.includes(tsLoop)) base.prepared.dispose();
    for (const impl of impls) {
      const reason = down.get(impl);
      const row: Row = reason !== undefined
        ? {
          case: c.id,
          impl: impl.name,
          role: impl.role,
          threads: 0,
          status: "unavailable",
          note: reason,
        }
        : await measure(impl, c, inputs, ref, timing, impl === tsLoop ? base : undefined);
      rows.push(row);
      log(
        row.status === "ok"
          ? `${c.id} / ${impl.name}: ${row.ms!.toFixed(3)} ms (${row.reps} runs)`
          : `${c.id} / ${impl.name}: ${row.status}: ${row.note ?? ""}`,
      );
    }
  }
  return rows;
}

async function main(argv: string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (e) {
    if (e instanceof BenchError) {
      log(e.render());
      return 2;
    }
    throw e;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const v = Deno.version;
  log(`deno ${v.deno}, v8 ${v.v8}, ${navigator.hardwareConcurrency} cores; fp32, median ms`);
  const rows = await runBench(args);
  console.log(formatTable(rows));
  if (args.json) {
    // `deno task` runs in the project root; a relative path means the caller's directory.
    const file = resolve(Deno.env.get("INIT_CWD") ?? Deno.cwd(), args.json);
    await Deno.writeTextFile(file, JSON.stringify(jsonRecords(rows), null, 2) + "\n");
    log(`wrote ${jsonRecords(rows).length} records to ${file}`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
