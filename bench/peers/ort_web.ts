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
import type { RunTiming } from "../harness.ts";
import { ortCase, ortSupports } from "./ort_common.ts";
import { type Impl, PeerUnavailable, type Prepared } from "./peer.ts";
import type { WorkerReply, WorkerRequest } from "./ort_web_worker.ts";

const NAME = "onnxruntime-web";

/** Longest wait for the worker's answer to `init` (loads the package, compiles its wasm), ms. */
export const INIT_TIMEOUT_MS = 120_000;

/** Longest wait for any other answer (a session, one run, a result), ms. */
export const CALL_TIMEOUT_MS = 60_000;

/**
 * A worker that answers one request at a time, within a time limit: a worker that does not answer
 * in time is terminated and the call rejects with `PeerUnavailable` ("timed out"), as does every
 * later call — a hung peer becomes a row with a reason instead of a hung bench.
 */
export class WorkerRpc {
  readonly #worker: Worker;
  readonly #name: string;
  #pending: ((r: WorkerReply) => void) | undefined;
  #dead: string | undefined;

  /**
   * Start the worker module at `url`; `name` names the peer in errors.
   *
   * @example
   * ```ts ignore
   * import { WorkerRpc } from "./ort_web.ts";
   * const rpc = new WorkerRpc(new URL("./ort_web_worker.ts", import.meta.url), "onnxruntime-web");
   * rpc.close();
   * ```
   */
  constructor(url: URL, name: string) {
    this.#name = name;
    this.#worker = new Worker(url, { type: "module" });
    this.#worker.onmessage = (e: MessageEvent<WorkerReply>) => this.#settle(e.data);
    this.#worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#settle({ ok: false, error: e.message });
    };
  }

  #settle(r: WorkerReply): void {
    const p = this.#pending;
    this.#pending = undefined;
    p?.(r);
  }

  /** Send `req`; resolves to the reply's value, rejects on an error reply or after `timeoutMs`. */
  call(req: WorkerRequest, timeoutMs: number = CALL_TIMEOUT_MS): Promise<unknown> {
    if (this.#dead) return Promise.reject(new PeerUnavailable(this.#name, this.#dead));
    if (this.#pending) {
      return Promise.reject(new PeerUnavailable(this.#name, "a request is already pending"));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#dead = `its worker did not answer "${req.op}" within ${timeoutMs / 1000} s`;
        this.#pending = undefined;
        this.close();
        reject(new PeerUnavailable(this.#name, `timed out: ${this.#dead}`));
      }, timeoutMs);
      this.#pending = (r) => {
        clearTimeout(timer);
        if (r.ok) resolve(r.value);
        else reject(new PeerUnavailable(this.#name, r.error));
      };
      this.#worker.postMessage(req);
    });
  }

  /** Terminate the worker; later calls reject. */
  close(): void {
    this.#dead ??= "its worker was closed";
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
  let rpc: WorkerRpc | undefined;
  let inForce = 0;
  return {
    name: NAME,
    role: "peer",
    async init(): Promise<void> {
      if (rpc) return;
      const r = new WorkerRpc(new URL("./ort_web_worker.ts", import.meta.url), NAME);
      try {
        inForce = await r.call({ op: "init", threads }, INIT_TIMEOUT_MS) as number;
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
        run: async () => await w.call({ op: "run" }) as RunTiming,
        result: async () => await w.call({ op: "result" }) as Float32Array,
        dispose: async () => {
          // A worker that timed out is gone already: nothing left to release.
          await w.call({ op: "dispose" }).catch(() => {});
        },
      };
    },
    close(): void {
      rpc?.close();
      rpc = undefined;
    },
  };
}
