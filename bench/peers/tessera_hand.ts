/**
 * `tessera`: our hand-written schedules (issue 3, item 6), taken from `examples/bench.ts`, built
 * for the cpu target and run like `tessera-default`. Until that module exists the impl is one
 * row per case, unavailable, with the reason — and absent from the JSON.
 *
 * The contract `examples/bench.ts` fulfils: it exports `HAND_KERNELS`, a list of `HandKernel`s,
 * each the scheduled function of one bench case (by case id) on a number of threads. The
 * function's parameters are the inputs in order, then the output; in the canonical layouts
 * (matmul `A[m,k]`, `B[k,n]`, `C[m,n]`; conv2d NCHW/OIHW), or for conv2d with `layout: "NHWC"`
 * `X[n,h,w,c]`, `W[r,s,c,o]` (HWIO), `Y[n,oh,ow,o]` — the bench converts outside the timed loop.
 * One concrete impl (row) per (threads, label) in the list.
 *
 * @module
 */
import type { IRModule, PrimFunc } from "../../ir/func.ts";
import type { BuildOptions } from "../../sdk/mod.ts";
import { type BenchCase, inputShapes, outputShape } from "../cases.ts";
import { nchwToNhwc, oihwToHwio } from "../layout.ts";
import { type Impl, PeerUnavailable, type Prepared, reasonOf } from "./peer.ts";
import { loadCpu, prepareOnCpu } from "./tessera.ts";

/** One hand-scheduled kernel of `examples/bench.ts`. */
export interface HandKernel {
  /** The bench case it computes, e.g. `matmul_f32_1024`. */
  readonly case: string;
  /** Threads its parallel loops run on. */
  readonly threads: number;
  /** Operand layouts of a conv2d kernel (default the canonical NCHW/OIHW). */
  readonly layout?: "NCHW" | "NHWC";
  /** Tells kernels of one case and thread count apart in the table (e.g. `NHWC`). */
  readonly label?: string;
  /** The scheduled function (or a module whose entry is `build.entry`). */
  func(): PrimFunc | IRModule | Promise<PrimFunc | IRModule>;
  /** Options for `build` (e.g. `{ codegen: { relaxedSimd: true } }`). */
  readonly build?: BuildOptions;
}

/** Where the hand schedules live, relative to this file. */
export const HAND_MODULE = "../../examples/bench.ts";
const NAME = "tessera";

/**
 * The `HAND_KERNELS` of an imported module, checked for shape; throws `PeerUnavailable`.
 *
 * @example
 * ```ts
 * import { handKernelsOf } from "./tessera_hand.ts";
 * const k = handKernelsOf({ HAND_KERNELS: [{ case: "c", threads: 1, func: () => { throw 0; } }] });
 * console.assert(k.length === 1);
 * ```
 */
export function handKernelsOf(mod: Record<string, unknown>): readonly HandKernel[] {
  const list = mod.HAND_KERNELS;
  if (!Array.isArray(list) || list.length === 0) {
    throw new PeerUnavailable(NAME, "examples/bench.ts exports no HAND_KERNELS entries");
  }
  for (const [i, k] of list.entries()) {
    const good = k && typeof k.case === "string" && Number.isInteger(k.threads) &&
      k.threads >= 1 && typeof k.func === "function" &&
      (k.layout === undefined || k.layout === "NCHW" || k.layout === "NHWC");
    if (!good) {
      throw new PeerUnavailable(NAME, `HAND_KERNELS[${i}] is not a { case, threads, func } entry`);
    }
  }
  return list as HandKernel[];
}

/** A case's inputs and output shape in a kernel's layouts, and how to read its output back. */
function operands(c: BenchCase, k: HandKernel, inputs: Float32Array[]) {
  const shapes = inputShapes(c), out = outputShape(c);
  if (k.layout !== "NHWC") {
    return {
      ins: inputs.map((data, i) => ({ shape: shapes[i], data })),
      out,
      back: (y: Float32Array) => y,
    };
  }
  if (c.kind !== "conv2d") throw new PeerUnavailable(NAME, `layout NHWC on ${c.id}`);
  const [n, ci, h, w] = shapes[0], [o, , r, s] = shapes[1];
  return {
    ins: [
      { shape: [n, h, w, ci], data: nchwToNhwc(inputs[0], shapes[0]) },
      { shape: [r, s, ci, o], data: oihwToHwio(inputs[1], shapes[1]) },
    ],
    out: [out[0], out[2], out[3], out[1]],
    back: (y: Float32Array) => nchwToNhwc(y, out, true),
  };
}

/** The concrete impl of the kernels of one (threads, label) group. */
function handImpl(threads: number, label: string | undefined, ks: HandKernel[]): Impl {
  const byCase = new Map(ks.map((k) => [k.case, k]));
  return {
    name: NAME,
    variant: label,
    role: "ours",
    init: async () => {
      await loadCpu(NAME);
    },
    threads: () => threads,
    supports: (c: BenchCase) => byCase.has(c.id),
    async prepare(c: BenchCase, inputs: Float32Array[]): Promise<Prepared> {
      const k = byCase.get(c.id);
      if (!k) throw new PeerUnavailable(NAME, `no hand schedule for ${c.id}`);
      const { ins, out, back } = operands(c, k, inputs);
      const p = await prepareOnCpu(NAME, await k.func(), ins, out, k.build);
      return { ...p, result: async () => back(await p.result()) };
    },
  };
}

/**
 * One impl per (threads, label) of a kernel list, in order of first appearance.
 *
 * @example
 * ```ts
 * import { handImpls } from "./tessera_hand.ts";
 * const f = () => { throw 0; };
 * const impls = handImpls([{ case: "a", threads: 1, func: f }, { case: "a", threads: 2, func: f }]);
 * console.assert(impls.length === 2 && impls[1].threads() === 2);
 * ```
 */
export function handImpls(kernels: readonly HandKernel[]): Impl[] {
  const groups = new Map<string, HandKernel[]>();
  for (const k of kernels) {
    const key = JSON.stringify([k.threads, k.label ?? null]);
    groups.set(key, [...groups.get(key) ?? [], k]);
  }
  return [...groups.values()].map((ks) => handImpl(ks[0].threads, ks[0].label, ks));
}

let kernels: readonly HandKernel[] | undefined;

/** The hand-schedule family: unavailable until `examples/bench.ts` exists. */
export const tesseraHand: Impl = {
  name: NAME,
  role: "ours",
  async init(): Promise<void> {
    if (kernels) return;
    let mod: Record<string, unknown>;
    try {
      // A computed specifier: the module is optional, so type checking must not require it.
      mod = await import(new URL(HAND_MODULE, import.meta.url).href);
    } catch (e) {
      const missing = reasonOf(e).startsWith("Module not found");
      throw new PeerUnavailable(
        NAME,
        missing ? "no hand schedules yet (examples/bench.ts does not exist)" : reasonOf(e),
      );
    }
    kernels = handKernelsOf(mod);
    await loadCpu(NAME);
  },
  threads: () => 0,
  supports: (c: BenchCase) => c.kind === "matmul" || c.kind === "conv2d",
  prepare(): Promise<Prepared> {
    throw new PeerUnavailable(NAME, "the hand-schedule family runs through its members");
  },
  expand: () => handImpls(kernels ?? []),
};
