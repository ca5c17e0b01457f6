/**
 * Numerical bisection of a graph: run it layer by layer against an oracle and find the first
 * kernel whose output diverges. The graph runs once on the oracle backend (the interpreter by
 * default), recording every `callTIR`'s inputs and outputs; then each kernel runs alone on the
 * backend under test, **on the oracle's inputs**, and is compared with the oracle's outputs.
 * Feeding each kernel the oracle's inputs keeps an early error from spreading, so the first
 * kernel that fails is wrong by itself — the reproducer to write (`conformance/bisect/`).
 *
 * Browser-safe: the comparison is a parameter (the conformance kit passes its tolerances).
 *
 * @module
 */
import type { PrimFunc } from "../func.ts";
import { type NDArray, ndarray } from "../ndarray.ts";
import { type Backend, type BackendTensor, interpreterBackend } from "./backend.ts";
import { GraphExecutor } from "./executor.ts";
import { bindingsOf, type GraphModule } from "./ir.ts";
import { type GraphPass, runPasses } from "./pass.ts";
import { DEFAULT_PASSES } from "./pipelines.ts";

/** How two arrays compare: ok, or why not. */
export interface BisectComparison {
  /** Within tolerance. */
  readonly ok: boolean;
  /** A line on the difference (empty when ok). */
  readonly detail: string;
}

/** Options of `bisectGraph`. */
export interface BisectOptions {
  /** The backend under test. */
  readonly backend: Backend;
  /** The oracle (default: the reference interpreter). */
  readonly oracle?: Backend;
  /** Compare an output with the oracle's (e.g. the conformance tolerances). */
  readonly compare: (actual: NDArray, expected: NDArray) => BisectComparison;
  /** Passes that make the kernels (default `DEFAULT_PASSES`: one kernel per op). */
  readonly passes?: readonly GraphPass[];
  /** The graph function (default `main`). */
  readonly entry?: string;
  /** Check every kernel instead of stopping at the first divergence. */
  readonly all?: boolean;
}

/** One kernel as the oracle ran it. */
export interface KernelRecord {
  /** Position in call order (0-based). */
  readonly index: number;
  /** The binding. */
  readonly binding: string;
  /** The callee. */
  readonly func: string;
  /** The tensor-level function. */
  readonly prim: PrimFunc;
  /** Its inputs, as the oracle computed them. */
  readonly inputs: readonly NDArray[];
  /** The oracle's outputs. */
  readonly expected: readonly NDArray[];
}

/** The verdict on one kernel. */
export interface KernelVerdict extends KernelRecord {
  /** The backend's outputs (empty if it failed to run). */
  readonly actual: readonly NDArray[];
  /** Whether every output is within tolerance. */
  readonly ok: boolean;
  /** Why not (the first bad output, or the error). */
  readonly detail: string;
}

/** What `bisectGraph` found. */
export interface BisectResult {
  /** The module after the passes (the kernels checked). */
  readonly module: GraphModule;
  /** Verdicts in call order, up to the first divergence (every kernel with `all`). */
  readonly kernels: readonly KernelVerdict[];
  /** The first kernel that diverged, if any. */
  readonly first?: KernelVerdict;
}

const copy = (a: NDArray): NDArray => ndarray(a.dtype, a.shape, a.data.slice());

/** Record every kernel call of one oracle run. */
async function record(
  mod: GraphModule,
  inputs: readonly NDArray[],
  oracle: Backend,
  entry?: string,
): Promise<KernelRecord[]> {
  const calls: { prim: PrimFunc; args: NDArray[] }[] = [];
  const recording: Backend = {
    ...oracle,
    prepare: async (f) => {
      const run = await oracle.prepare(f);
      return async (args) => {
        await run(args);
        const host: NDArray[] = [];
        for (const t of args) host.push(copy(await oracle.download(t)));
        calls.push({ prim: f, args: host });
      };
    },
  };
  const ex = new GraphExecutor(mod, { backend: recording, passes: [], profile: true });
  await ex.run(inputs, entry);
  ex.dispose();
  const profile = ex.lastProfile();
  const types = new Map(
    [...mod.graphs.values()].flatMap((g) => bindingsOf(g)).map((b) => [b.v.name, b.v.type]),
  );
  return calls.map((c, index) => {
    const t = types.get(profile[index].binding);
    const outs = t?.kind === "TupleType" ? t.fields.length : 1;
    return {
      index,
      binding: profile[index].binding,
      func: profile[index].func,
      prim: c.prim,
      inputs: c.args.slice(0, c.args.length - outs),
      expected: c.args.slice(c.args.length - outs),
    };
  });
}

/** Run one recorded kernel alone on a backend. */
async function runAlone(backend: Backend, r: KernelRecord): Promise<NDArray[]> {
  const run = await backend.prepare(r.prim);
  const ins = r.inputs.map((a) => backend.upload(copy(a)));
  const outs: BackendTensor[] = r.expected.map((e) => backend.allocate(e.shape, e.dtype));
  try {
    await run([...ins, ...outs]);
    const got: NDArray[] = [];
    for (const o of outs) got.push(copy(await backend.download(o)));
    return got;
  } finally {
    for (const t of [...ins, ...outs]) backend.free(t);
  }
}

/**
 * Find the first kernel of a graph whose output on `backend` diverges from the oracle's, each
 * kernel fed the oracle's inputs (see the module doc).
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { bisectGraph } from "./bisect.ts";
 * import { interpreterBackend } from "./backend.ts";
 * import { type NDArray, ndarray, toNumbers } from "../ndarray.ts";
 * const b = new GraphBuilder("main");
 * b.output(b.relu(b.input("x", [2])));
 * const same = (a: NDArray, e: NDArray) =>
 *   ({ ok: toNumbers(a).join() === toNumbers(e).join(), detail: "" });
 * const r = await bisectGraph(b.finish(), [ndarray("float32", [2], [1, -1])], {
 *   backend: interpreterBackend(),
 *   compare: same,
 * });
 * console.assert(r.first === undefined && r.kernels.length === 1);
 * ```
 */
export async function bisectGraph(
  mod: GraphModule,
  inputs: readonly NDArray[],
  options: BisectOptions,
): Promise<BisectResult> {
  const module = runPasses(mod, options.passes ?? DEFAULT_PASSES);
  const records = await record(
    module,
    inputs,
    options.oracle ?? interpreterBackend(),
    options.entry,
  );
  const kernels: KernelVerdict[] = [];
  let first: KernelVerdict | undefined;
  for (const r of records) {
    let actual: NDArray[] = [];
    let detail = "";
    try {
      actual = await runAlone(options.backend, r);
      for (let k = 0; k < actual.length && !detail; k++) {
        const c = options.compare(actual[k], r.expected[k]);
        if (!c.ok) detail = `output ${k}: ${c.detail}`;
      }
    } catch (e) {
      detail = `failed to run: ${e instanceof Error ? e.message : String(e)}`;
    }
    const v: KernelVerdict = { ...r, actual, ok: detail === "", detail };
    kernels.push(v);
    if (!v.ok && !first) {
      first = v;
      if (!options.all) break;
    }
  }
  return { module, kernels, first };
}
