/**
 * `deno task bisect <model> --target <target>`: run a model layer by layer against the reference
 * interpreter on a target, find the first kernel whose output diverges beyond the conformance
 * tolerance (`conformance/tolerance.ts`), and write it as a standalone case file for
 * `deno task conformance --cases <file> --target <target>`.
 *
 * The model is an ONNX file (`.onnx`) or a graph module in script form (any other extension).
 * Exit codes: 0 no kernel diverged, 1 a reproducer was written, 2 bad usage or input.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { basename, dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TesseraError } from "../../ir/errors.ts";
import { type NDArray, randomNDArray, toNumbers } from "../../ir/ndarray.ts";
import { GraphExecutor } from "../../ir/graph/executor.ts";
import { bisectGraph, type BisectResult } from "../../ir/graph/bisect.ts";
import type { GraphModule } from "../../ir/graph/ir.ts";
import { parseGraphModule } from "../../ir/graph/parse.ts";
import { DEFAULT_PASSES, FUSED_PASSES } from "../../ir/graph/pipelines.ts";
import { sizeVarsByName } from "../../ir/graph/rewrite.ts";
import { evalDim } from "../../ir/graph/shape_eval.ts";
import { importOnnx } from "../../ir/graph/onnx/mod.ts";
import { targetBackend } from "../../sdk/graph_backend.ts";
import type { Backend } from "../../ir/graph/backend.ts";
import { loadTarget } from "../load_target.ts";
import { compareArrays } from "../tolerance.ts";
import { reproducerSource } from "./reproducer.ts";

const USAGE = `usage: deno task bisect <model.onnx | graph script> [options]
  --target <name|path>  target to check (default cpu)
  --out <file>          reproducer case file (default bisect_<model>.ts)
  --size <name=value>   a size variable of the inputs (repeatable; default 1)
  --seed <n>            input seed (default 1)
  --fused               bisect the fused kernels (default: one kernel per op)
  --all                 check every kernel, not only up to the first divergence
  --ort                 (ONNX) first check the oracle itself: the interpreter against onnxruntime
  --cwd <dir>           resolve paths against this directory`;

/** Random inputs for a graph's `main`, size variables bound from `sizes` (default 1). */
export function graphInputs(
  mod: GraphModule,
  sizes: Readonly<Record<string, number>>,
  seed: number,
): NDArray[] {
  const f = mod.graphs.get("main") ?? [...mod.graphs.values()][0];
  const env = new Map([...sizeVarsByName(f)].map(([name, v]) => [v, sizes[name] ?? 1]));
  return f.params.map((p, k) => {
    if (p.type.kind !== "TensorType") throw new TypeError(`input "${p.name}" is a tuple`);
    const shape = p.type.shape.map((d) => evalDim(d, env) ?? 1);
    return randomNDArray(p.type.dtype, shape, seed + k);
  });
}

/** Bisect a graph module on a backend with the conformance tolerances. */
export function bisectWithTolerance(
  mod: GraphModule,
  inputs: readonly NDArray[],
  backend: Backend,
  options: { fused?: boolean; all?: boolean } = {},
): Promise<BisectResult> {
  return bisectGraph(mod, inputs, {
    backend,
    passes: options.fused ? FUSED_PASSES : DEFAULT_PASSES,
    all: options.all,
    compare: (a, e) => {
      const c = compareArrays(a, e);
      return {
        ok: c.ok,
        detail: c.reason ??
          (c.first
            ? `${c.mismatches} elements differ; first at ${c.first.index}: got ${c.first.actual}, expected ${c.first.expected} (max |diff| ${c.maxAbsDiff})`
            : ""),
      };
    },
  });
}

/** Largest |a − b| relative to the largest |b|. */
function relError(a: NDArray, b: NDArray): number {
  const x = toNumbers(a), y = toNumbers(b);
  const scale = Math.max(...y.map(Math.abs), 1e-6);
  return Math.max(0, ...x.map((v, i) => Math.abs(v - y[i]))) / scale;
}

/**
 * Check the oracle: the graph on the interpreter against onnxruntime on the ONNX bytes (inputs
 * fed by parameter name). True (and a message) if they disagree: then the importer or the op
 * library is at fault, and bisecting the target against the interpreter would mislead.
 */
export async function checkOracle(
  model: GraphModule,
  inputs: readonly NDArray[],
  bytes: Uint8Array,
  log: (s: string) => void,
  tolerance = 1e-4,
): Promise<boolean> {
  const { runOrt } = await import("../models/ort.ts"); // loads onnxruntime-node only when asked
  const f = model.graphs.get("main") ?? [...model.graphs.values()][0];
  const feeds = Object.fromEntries(f.params.map((p, k) => [p.name, inputs[k]]));
  const want = await runOrt(bytes, feeds);
  const got = await new GraphExecutor(model).run(inputs);
  let bad = got.length !== want.length;
  want.forEach((w, k) => {
    const shapeOk = got[k] && got[k].shape.join() === w.shape.join();
    const err = shapeOk ? relError(got[k], w) : Infinity;
    const ok = err <= tolerance;
    if (!ok) bad = true;
    log(
      `oracle  output ${k}: interpreter vs onnxruntime, relative error ${err.toExponential(2)}${
        ok ? "" : ` > ${tolerance}: DISAGREE — the importer or op library, not the target`
      }`,
    );
  });
  return bad;
}

/** Run the command; returns the exit code. */
export async function main(
  args: readonly string[],
  log: (s: string) => void = console.log,
): Promise<number> {
  let o;
  try {
    o = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        target: { type: "string", default: "cpu" },
        out: { type: "string" },
        size: { type: "string", multiple: true, default: [] },
        seed: { type: "string", default: "1" },
        fused: { type: "boolean", default: false },
        all: { type: "boolean", default: false },
        ort: { type: "boolean", default: false },
        cwd: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    log(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (o.values.help) return (log(USAGE), 0);
  const cwd = o.values.cwd || Deno.cwd();
  if (o.positionals.length !== 1) return (log(USAGE), 2);
  const path = resolve(cwd, o.positionals[0]);
  const sizes: Record<string, number> = {};
  for (const s of o.values.size ?? []) {
    const m = /^([A-Za-z_]\w*)=(\d+)$/.exec(s);
    if (!m) return (log(`bad --size "${s}": write name=value\n${USAGE}`), 2);
    sizes[m[1]] = Number(m[2]);
  }
  try {
    const model = path.endsWith(".onnx")
      ? importOnnx(await Deno.readFile(path))
      : parseGraphModule(await Deno.readTextFile(path));
    const target = await loadTarget(o.values.target!, cwd);
    const inputs = graphInputs(model, sizes, Number(o.values.seed));
    if (o.values.ort) {
      if (!path.endsWith(".onnx")) return (log("--ort needs an .onnx model"), 2);
      const bad = await checkOracle(model, inputs, await Deno.readFile(path), log);
      if (bad) return 1;
    }
    const r = await bisectWithTolerance(model, inputs, await targetBackend(target), {
      fused: o.values.fused,
      all: o.values.all,
    });
    for (const k of r.kernels) {
      log(
        `${k.ok ? "ok      " : "DIVERGES"} #${k.index} ${k.binding} = ${k.func}${
          k.ok ? "" : `: ${k.detail}`
        }`,
      );
    }
    if (!r.first) {
      log(`no kernel diverged on ${target.name} (${r.kernels.length} checked)`);
      return 0;
    }
    const name = basename(path).replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9_]/g, "_");
    const out = resolve(cwd, o.values.out ?? `bisect_${name}.ts`);
    const root = relative(dirname(out), fileURLToPath(new URL("../../", import.meta.url))) || ".";
    const id = `bisect/${name}/${r.first.binding}`;
    await Deno.writeTextFile(
      out,
      reproducerSource(r.first, {
        id,
        root: `${root.startsWith(".") ? root : `./${root}`}/`,
        comment: [
          `Written by \`deno task bisect ${basename(path)} --target ${o.values.target}\`:`,
          `kernel "${r.first.func}" (binding "${r.first.binding}", #${r.first.index}) diverged.`,
          r.first.detail.slice(0, 200),
          `Run: deno task conformance --cases ${relative(cwd, out)} --target ${o.values.target}`,
        ],
      }),
    );
    log(
      `first divergence: ${r.first.binding} = ${r.first.func}; reproducer ${id} written to ${out}`,
    );
    return 1;
  } catch (e) {
    log(e instanceof TesseraError ? e.render() : `error: ${(e as Error).message}`);
    return 2;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
