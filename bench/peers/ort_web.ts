/**
 * `onnxruntime-web`: ONNX Runtime's WebAssembly build (SIMD, threaded; MLAS kernels, no relaxed
 * SIMD), `onnxruntime-web` 1.30.0, run in a worker per row (`ort_web_worker.ts` is the only
 * file that imports the package). Its wasm threads do start under Deno (nested workers over
 * shared memory); one instance's pool size is fixed at its first session, so the 1- and 2-thread
 * rows each get their own worker and instance.
 *
 * onnxruntime-web copies every input from JS into its wasm heap on each `run` (its API keeps no
 * CPU tensor resident in the heap): that copy is part of its figures — for the GEMV case it is
 * the 64 MiB weight matrix. Runs are timed inside the worker, around `session.run` alone.
 *
 * @module
 */
import type { BenchCase } from "../cases.ts";
import { ortCase, ortSupports } from "./ort_common.ts";
import { type Impl, PeerUnavailable, type Prepared } from "./peer.ts";
import type { WorkerReply, WorkerRequest } from "./ort_web_worker.ts";

const NAME = "onnxruntime-web";

/** A worker that answers one request at a time. */
class Rpc {
  readonly #worker: Worker;
  #pending: ((r: WorkerReply) => void) | undefined;

  constructor() {
    this.#worker = new Worker(new URL("./ort_web_worker.ts", import.meta.url), { type: "module" });
    this.#worker.onmessage = (e: MessageEvent<WorkerReply>) => {
      const p = this.#pending;
      this.#pending = undefined;
      p?.(e.data);
    };
    this.#worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      const p = this.#pending;
      this.#pending = undefined;
      p?.({ ok: false, error: e.message });
    };
  }

  call(req: WorkerRequest): Promise<unknown> {
    if (this.#pending) throw new PeerUnavailable(NAME, "a request is already pending");
    return new Promise((resolve, reject) => {
      this.#pending = (r) => r.ok ? resolve(r.value) : reject(new PeerUnavailable(NAME, r.error));
      this.#worker.postMessage(req);
    });
  }

  close(): void {
    this.#worker.terminate();
  }
}

/**
 * ONNX Runtime Web (wasm backend) with a pool of `threads` threads, in its own worker.
 *
 * @example
 * ```ts ignore
 * import { ortWeb } from "./ort_web.ts";
 * const impl = ortWeb(2);
 * await impl.init();
 * impl.close?.();
 * ```
 */
export function ortWeb(threads: number): Impl {
  let rpc: Rpc | undefined;
  let inForce = 0;
  return {
    name: NAME,
    role: "peer",
    async init(): Promise<void> {
      if (rpc) return;
      const r = new Rpc();
      try {
        inForce = await r.call({ op: "init", threads }) as number;
      } catch (e) {
        r.close();
        throw e;
      }
      rpc = r;
    },
    threads: () => inForce || threads,
    supports: ortSupports,
    async prepare(c: BenchCase, inputs: Float32Array[]): Promise<Prepared> {
      if (!rpc) throw new PeerUnavailable(NAME, "not initialised");
      const w = rpc;
      const o = ortCase(c, inputs, NAME);
      await w.call({
        op: "prepare",
        model: o.model,
        inputs: o.inputs.map((i) => ({ ...i })),
        output: o.output,
      });
      return {
        run: async () => await w.call({ op: "run" }) as number,
        result: async () => await w.call({ op: "result" }) as Float32Array,
        dispose: async () => {
          await w.call({ op: "dispose" });
        },
      };
    },
    close(): void {
      rpc?.close();
      rpc = undefined;
    },
  };
}
