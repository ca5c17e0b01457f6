/**
 * `onnxruntime-node`: ONNX Runtime's native CPU execution provider (MLAS kernels, AVX-512 here)
 * through its Node-API addon, the one adapter file for `onnxruntime-node` 1.30.0. Not wasm: it
 * shows what the hardware does natively, next to the wasm peers. Each row sets
 * `intraOpNumThreads` (1 or 2): the addon gives every session its own thread pool.
 *
 * It is also the bench's trusted fast reference for the cases too big for `ts-loop`
 * (`reference.ts`), after a spot check in fp64.
 *
 * @module
 */
import type { BenchCase } from "../cases.ts";
import { type OrtCase, ortCase, ortSupports, sessionOptions } from "./ort_common.ts";
import { type Impl, PeerUnavailable, type Prepared, reasonOf } from "./peer.ts";

type Ort = typeof import("npm:onnxruntime-node@1.30.0");
type Session = Awaited<ReturnType<Ort["InferenceSession"]["create"]>>;
type Tensor = InstanceType<Ort["Tensor"]>;

const NAME = "onnxruntime-node";
let ort: Ort | undefined;

async function load(): Promise<void> {
  if (ort) return;
  try {
    ort = await import("npm:onnxruntime-node@1.30.0");
  } catch (e) {
    throw new PeerUnavailable(NAME, `cannot load the native addon: ${reasonOf(e)}`);
  }
}

async function session(o: OrtCase, threads: number): Promise<Session> {
  try {
    return await ort!.InferenceSession.create(o.model, sessionOptions(threads));
  } catch (e) {
    throw new PeerUnavailable(NAME, `the session was not created: ${reasonOf(e)}`);
  }
}

/**
 * ONNX Runtime native on `threads` intra-op threads.
 *
 * @example
 * ```ts ignore
 * import { ortNode } from "./ort_node.ts";
 * const impl = ortNode(2);
 * await impl.init();
 * ```
 */
export function ortNode(threads: number): Impl {
  return {
    name: NAME,
    role: "peer",
    init: load,
    threads: () => threads,
    supports: ortSupports,
    async prepare(c: BenchCase, inputs: Float32Array[]): Promise<Prepared> {
      if (!ort) throw new PeerUnavailable(NAME, "not initialised");
      const o = ortCase(c, inputs, NAME);
      const s = await session(o, threads);
      const feeds: Record<string, Tensor> = {};
      for (const i of o.inputs) feeds[i.name] = new ort.Tensor("float32", i.data, i.dims);
      let last: Tensor | undefined;
      return {
        async run() {
          last = (await s.run(feeds))[o.output] as Tensor;
        },
        result() {
          if (!last) throw new PeerUnavailable(NAME, "result() before run()");
          return (last.data as Float32Array).slice();
        },
        dispose: () => s.release(),
      };
    },
  };
}
