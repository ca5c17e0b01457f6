/**
 * `deno task bench`: every case × every impl in one process run, each impl checked against the
 * case's reference (`reference.ts`) before it is timed, then a table, the ratios (`ratios.ts`),
 * the verdict on issue 3's targets (`targets.ts`) and with `--json FILE` the records and verdicts.
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
  measureRuns,
  median,
  NORMAL_TIMING,
  QUICK_TIMING,
  relativeError,
  type Row,
  type TimingOptions,
} from "./harness.ts";
import { formatRatios } from "./ratios.ts";
import { formatVerdicts, verdicts } from "./targets.ts";
import { loopReference, spotError } from "./reference.ts";
import type { Impl, Prepared } from "./peers/peer.ts";
import { reasonOf } from "./peers/peer.ts";
import { GPU_IMPLS } from "./peers/gpu.ts";
import { ortNode } from "./peers/ort_node.ts";
import { ortWeb } from "./peers/ort_web.ts";
import { tessera } from "./peers/tessera.ts";
import { tesseraHand } from "./peers/tessera_hand.ts";
import { tesseraModel } from "./peers/tessera_model.ts";
import { modelBenchCases } from "./models.ts";
import { tfjsWasm } from "./peers/tfjs_wasm.ts";
import { tsLoop } from "./peers/ts_loop.ts";
import { wasmPeak, wasmPeakFma } from "./peers/wasm_peak.ts";

/** The trusted fast reference of the big cases: onnxruntime native, one thread. */
const ORT_NODE_1: Impl = ortNode(1);

/** Every impl, in table order within a case (`tesseraHand` stands for one impl per thread count). */
export const IMPLS: readonly Impl[] = [
  tesseraHand,
  tessera,
  tesseraModel(1),
  tesseraModel(2),
  tsLoop,
  tfjsWasm,
  ortWeb(1),
  ortWeb(2),
  ORT_NODE_1,
  ortNode(2),
  wasmPeak,
  wasmPeakFma,
];

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
  const own = await prepared.run();
  const firstMs = typeof own === "number" ? own : own ? own.ms : performance.now() - t0;
  return { prepared, firstMs };
}

/** A case's reference output: which impl made it, and its run (reused if that impl is timed). */
interface Reference {
  readonly impl: Impl;
  readonly out: Float32Array;
  readonly started: Started;
}

/**
 * The reference of a case: ts-loop for small cases; for big ones onnxruntime-node (1 thread)
 * once it passes an fp64 spot check, else ts-loop after all.
 */
async function reference(
  c: BenchCase,
  inputs: Float32Array[],
  down: ReadonlyMap<Impl, string>,
): Promise<Reference | undefined> {
  // whole models: onnxruntime-node is the oracle (as in the conformance kit's models suite)
  const model = c.kind === "model";
  if ((model || !loopReference(c)) && ORT_NODE_1.supports(c) && !down.has(ORT_NODE_1)) {
    try {
      const started = await start(ORT_NODE_1, c, inputs);
      const out = await started.prepared.result();
      const err = model ? 0 : spotError(c, inputs, out);
      if (err <= FP32_RTOL) return { impl: ORT_NODE_1, out, started };
      log(`${c.id}: onnxruntime-node fails the fp64 spot check (${err}); ts-loop is the reference`);
      await started.prepared.dispose();
    } catch (e) {
      log(`${c.id}: onnxruntime-node cannot be the reference (${reasonOf(e)}); ts-loop is`);
    }
  }
  if (!tsLoop.supports(c)) return undefined;
  const started = await start(tsLoop, c, inputs);
  return { impl: tsLoop, out: await started.prepared.result(), started };
}

/** Check, then time one impl on one case (`started`: already prepared and run once). */
async function measure(
  impl: Impl,
  c: BenchCase,
  inputs: Float32Array[],
  ref: Reference | undefined,
  timing: TimingOptions,
): Promise<Row> {
  const base = {
    case: c.id,
    impl: impl.name,
    variant: impl.variant,
    role: impl.role,
    threads: impl.threads(),
  };
  let s: Started;
  try {
    s = ref?.impl === impl ? ref.started : await start(impl, c, inputs);
  } catch (e) {
    return { ...base, status: "unavailable", note: reasonOf(e) };
  }
  const { prepared, firstMs } = s;
  try {
    if (ref && ref.impl !== impl) {
      const err = relativeError(await prepared.result(), ref.out);
      if (!(err <= FP32_RTOL)) {
        const note = `relative error ${err.toExponential(2)} vs ${ref.impl.name}`;
        return { ...base, status: "wrong", note };
      }
    }
    const done = { runs: 1, ms: firstMs, lastMs: firstMs };
    const m = await measureRuns(() => prepared.run(), timing, undefined, done);
    const ms = median(m.samples);
    const flops = gflops(caseFlops(c), ms);
    const notes = [
      ...(m.onCpu ? ["on-CPU time: too few runs were not preempted"] : []),
      ...(prepared.note ? [prepared.note] : []),
    ];
    const extra = {
      ...(m.onCpu ? { onCpu: true } : {}),
      ...(notes.length ? { note: notes.join("; ") } : {}),
    };
    return {
      ...base,
      status: "ok",
      ms,
      gflops: flops,
      reps: m.samples.length,
      preempted: m.preempted,
      ...extra,
    };
  } catch (e) {
    return { ...base, status: "failed", note: reasonOf(e) };
  } finally {
    await Promise.resolve(prepared.dispose()).catch((e) =>
      log(`${c.id} / ${impl.name}: dispose failed: ${reasonOf(e)}`)
    );
  }
}

function rowLine(row: Row): string {
  const who = `${row.case} / ${row.impl}${row.variant ? ` [${row.variant}]` : ""}` +
    (row.threads ? ` ${row.threads}T` : "");
  return row.status === "ok"
    ? `${who}: ${row.ms!.toFixed(3)} ms (${row.reps} runs${
      row.onCpu
        ? `; ${row.preempted} preempted: on-CPU time`
        : row.preempted
        ? `; ${row.preempted} preempted runs set aside`
        : ""
    })${intrinsicNote(row).replace(",", "")}`
    : `${who}: ${row.status}: ${row.note ?? ""}`;
}

/** Initialise the impls; returns the concrete ones (families expanded) and the reasons of those down. */
async function initAll(used: readonly Impl[]): Promise<[Impl[], Map<Impl, string>]> {
  const down = new Map<Impl, string>();
  const concrete: Impl[] = [];
  for (const impl of used) {
    try {
      await impl.init();
    } catch (e) {
      down.set(impl, reasonOf(e));
      log(`${impl.name}: unavailable: ${reasonOf(e)}`);
      concrete.push(impl);
      continue;
    }
    for (const member of impl.expand?.() ?? [impl]) {
      if (member !== impl) await member.init();
      concrete.push(member);
    }
  }
  return [concrete, down];
}

/** Impls with int8 kernels: the only ones an int8 case runs on (the others compute in fp32). */
export const INT8_IMPLS: ReadonlySet<string> = new Set(["tessera-default"]);

function runsCase(c: BenchCase, i: Impl): boolean {
  // int8 cases (matmul_i8_*, matmul_u7i8_*): only impls with int8 kernels
  return !(c.kind === "matmul" && c.dtype === "int8") || INT8_IMPLS.has(i.name);
}

/**
 * Per int8 case `matmul_i8_<n>` or `matmul_u7i8_<n>`, our fastest 1-thread int8 speed over our
 * fastest 1-thread `matmul_f32_<n>` (same run), one line each, naming the kernels compared and
 * the intrinsics they ran on (the rows' `on …` notes).
 *
 * @example
 * ```ts
 * import { formatInt8Ratios } from "./main.ts";
 * const rows = [
 *   { case: "matmul_i8_8", impl: "t", role: "ours", threads: 1, status: "ok", gflops: 60 },
 *   { case: "matmul_f32_8", impl: "t", role: "ours", threads: 1, status: "ok", gflops: 30 },
 * ] as const;
 * console.assert(formatInt8Ratios(rows).includes("2.00×"));
 * ```
 */
export function formatInt8Ratios(rows: readonly Row[]): string {
  const best = (id: string) =>
    rows.filter((r) => r.case === id && r.role === "ours" && r.threads <= 1 && r.gflops)
      .reduce<Row | undefined>((b, r) => (b && b.gflops! >= r.gflops! ? b : r), undefined);
  const out: string[] = [];
  for (const id of new Set(rows.map((r) => r.case))) {
    const m = /^matmul_(?:i8|u7i8)_(.+)$/.exec(id);
    if (!m) continue;
    const i8 = best(id), f32 = best(`matmul_f32_${m[1]}`);
    const [a, b] = [i8?.gflops ?? 0, f32?.gflops ?? 0];
    const ratio = a && b ? `${(a / b).toFixed(2)}×` : "—";
    const who = (r: Row | undefined) =>
      r ? ` [${r.impl}${r.variant ? ` ${r.variant}` : ""}${intrinsicNote(r)}]` : "";
    out.push(
      `${id}: int8 over fp32 (ours, 1T): ${ratio} (${a.toFixed(1)} GOP/s${who(i8)} vs ${
        b.toFixed(1)
      }${who(f32)})`,
    );
  }
  return out.join("\n");
}

/** The intrinsics a row's kernel ran on (its `on …` note), as `, on cpu.mma_i8`. */
function intrinsicNote(r: Row): string {
  const m = /\bon ([\w., ]+)$/.exec(r.note ?? "");
  return m ? `, on ${m[1]}` : "";
}

/** Run the bench as the arguments say; returns the rows. */
export async function runBench(args: BenchArgs): Promise<Row[]> {
  const timing = args.quick ? QUICK_TIMING : NORMAL_TIMING;
  const selected = (c: BenchCase, i: Impl) =>
    i.supports(c) && runsCase(c, i) && (!args.filter || args.filter.test(`${c.id}/${i.name}`));
  const cases = [...CASES, ...await modelBenchCases()];
  const all = args.gpu ? [...IMPLS, ...GPU_IMPLS] : IMPLS;
  const used = all.filter((i) => cases.some((c) => selected(c, i)));
  if (used.length === 0) log(`no case/impl pair matches --filter ${args.filter}`);
  const [impls, down] = await initAll(used);
  // The reference impls run even when the filter leaves them out of the table.
  if (!used.includes(ORT_NODE_1)) {
    await ORT_NODE_1.init().catch((e) => down.set(ORT_NODE_1, reasonOf(e)));
  }
  const rows: Row[] = [];
  try {
    for (const c of cases) {
      const here = impls.filter((i) => selected(c, i));
      if (here.length === 0) continue;
      const inputs = caseInputs(c);
      const live = here.some((i) => !down.has(i));
      const ref = live ? await reference(c, inputs, down) : undefined;
      if (ref) log(`${c.id}: reference ${ref.impl.name}`);
      if (ref && !here.includes(ref.impl)) await ref.started.prepared.dispose();
      for (const impl of here) {
        const reason = down.get(impl);
        const row: Row = reason !== undefined
          ? {
            case: c.id,
            impl: impl.name,
            role: impl.role,
            threads: impl.threads(),
            status: "unavailable",
            note: reason,
          }
          : await measure(impl, c, inputs, ref, timing);
        rows.push(row);
        log(rowLine(row));
      }
    }
  } finally {
    for (const impl of new Set([...impls, ORT_NODE_1])) await impl.close?.();
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
  const load = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  const loadBefore = load();
  log(`deno ${v.deno}, v8 ${v.v8}, ${navigator.hardwareConcurrency} cores; fp32, median ms`);
  const t0 = performance.now();
  const rows = await runBench(args);
  const secs = ((performance.now() - t0) / 1000).toFixed(0);
  console.log(`load average (1, 5, 15 min) before: ${loadBefore}; after: ${load()}; ${secs} s`);
  console.log(formatTable(rows));
  console.log("");
  console.log(formatRatios(rows));
  const int8 = formatInt8Ratios(rows);
  if (int8) console.log(int8);
  console.log("");
  console.log(formatVerdicts(rows));
  if (args.json) {
    // `deno task` runs in the project root; a relative path means the caller's directory.
    const file = resolve(Deno.env.get("INIT_CWD") ?? Deno.cwd(), args.json);
    const records = jsonRecords(rows), targets = verdicts(rows);
    await Deno.writeTextFile(file, JSON.stringify([...records, ...targets], null, 2) + "\n");
    log(`wrote ${records.length} records and ${targets.length} target verdicts to ${file}`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
