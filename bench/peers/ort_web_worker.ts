/**
 * The worker side of the `onnxruntime-web` peer: one onnxruntime-web instance per worker, because
 * its wasm thread pool is sized once per instance (`env.wasm.numThreads`, read at the first
 * session; the session option `intraOpNumThreads` has no effect in its threaded build). The main
 * thread sends requests one at a time; runs are timed here, around `session.run` alone.
 *
 * Requests → replies (`{ ok: true, value }` or `{ ok: false, error }`):
 * - `init {threads}` → the thread count in force (a 2×2 model is run to start the pool);
 * - `prepare {model, inputs, output}` → nothing (creates the session and the input tensors);
 * - `run` → `{ ms, waitMs }`: ms of `session.run`, and this thread's run-queue wait meanwhile;  `result` → the last output (a Float32Array copy);
 * - `dispose` → nothing (releases the session).
 *
 * @module
 */
import { matmulModel } from "./onnx_model.ts";
import { threadWaitClock } from "../preemption.ts";

type Ort = typeof import("npm:onnxruntime-web@1.30.0");
type Session = Awaited<ReturnType<Ort["InferenceSession"]["create"]>>;
type Tensor = InstanceType<Ort["Tensor"]>;

/** A request from `ort_web.ts`. */
export type WorkerRequest =
  | { op: "init"; threads: number }
  | {
    op: "prepare";
    model: Uint8Array;
    inputs: { name: string; dims: number[]; data: Float32Array }[];
    output: string;
  }
  | { op: "run" }
  | { op: "result" }
  | { op: "dispose" };

/** A reply to `ort_web.ts`. */
export type WorkerReply = { ok: true; value?: unknown } | { ok: false; error: string };

interface Scope {
  postMessage(message: WorkerReply): void;
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
}

let ort: Ort | undefined;
let session: Session | undefined;
let feeds: Record<string, Tensor> = {};
let outName = "";
let last: Tensor | undefined;
const wait = threadWaitClock();

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case "init": {
      ort = await import("npm:onnxruntime-web@1.30.0");
      ort.env.wasm.numThreads = req.threads;
      const probe = await ort.InferenceSession.create(matmulModel(2, 2, 2));
      const x = new ort.Tensor("float32", new Float32Array(4), [2, 2]);
      await probe.run({ A: x, B: x });
      await probe.release();
      return ort.env.wasm.numThreads;
    }
    case "prepare": {
      session = await ort!.InferenceSession.create(req.model, { executionProviders: ["wasm"] });
      feeds = {};
      for (const i of req.inputs) feeds[i.name] = new ort!.Tensor("float32", i.data, i.dims);
      outName = req.output;
      last = undefined;
      return undefined;
    }
    case "run": {
      const w0 = wait();
      const t0 = performance.now();
      const out = await session!.run(feeds);
      const ms = performance.now() - t0;
      const w1 = wait();
      last = out[outName] as Tensor;
      return { ms, waitMs: w0 === undefined || w1 === undefined ? undefined : w1 - w0 };
    }
    case "result":
      return (last!.data as Float32Array).slice();
    case "dispose":
      await session?.release();
      session = undefined;
      feeds = {};
      last = undefined;
      return undefined;
  }
}

const scope = self as unknown as Scope;
scope.onmessage = (e: MessageEvent<WorkerRequest>) => {
  handle(e.data).then(
    (value) => scope.postMessage({ ok: true, value }),
    (err) => scope.postMessage({ ok: false, error: String(err?.message ?? err).split("\n")[0] }),
  );
};
