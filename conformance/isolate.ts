/**
 * `--isolate`: run kernel cases on a Deno Worker that the main thread terminates when a case
 * overruns its time limit — the one way to stop a case stuck in a synchronous loop (a hung target
 * on the main thread cannot be pre-empted; `runCases` can only stop waiting for it). One worker
 * loads the target module and the case sources once and runs the cases in turn; after a timeout
 * it is terminated and a fresh one started for the next case, so a run pays one extra module load
 * plus one per timeout.
 *
 * @module
 */
import { ConformanceError } from "../ir/errors.ts";
import type { KernelCase } from "./case.ts";
import type { WorkerInit, WorkerRunOptions } from "./case_worker.ts";
import type { CaseResult } from "./result.ts";
import { type RunOptions, timeoutResult } from "./runner.ts";

export type { WorkerInit } from "./case_worker.ts";

type Reply =
  | { kind: "ready" }
  | { kind: "failed"; message: string }
  | { kind: "result"; id: string; result?: CaseResult; error?: string };

/** A worker with one pending request at a time. */
class CaseWorker {
  readonly #worker: Worker;
  #pending?: (r: Reply) => void;
  #crashed?: string;

  constructor() {
    this.#worker = new Worker(new URL("./case_worker.ts", import.meta.url).href, {
      type: "module",
    });
    this.#worker.onmessage = (ev: MessageEvent<Reply>) => this.#pending?.(ev.data);
    this.#worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      this.#crashed = ev.message;
      this.#pending?.({ kind: "result", id: "", error: `the case worker crashed: ${ev.message}` });
    };
  }

  request(message: unknown): Promise<Reply> {
    if (this.#crashed) {
      return Promise.resolve({ kind: "result", id: "", error: this.#crashed });
    }
    return new Promise((res) => {
      this.#pending = res;
      this.#worker.postMessage(message);
    });
  }

  terminate(): void {
    this.#worker.terminate();
  }
}

const failure = (c: KernelCase, detail: string): CaseResult => ({
  id: c.id,
  op: c.op,
  dtype: c.dtype,
  suite: "kernels",
  verdict: "run-error",
  verdicts: { compiled: { ok: false, cache: "off", error: { message: detail } } },
  detail,
});

/**
 * Run cases on a worker (see the module doc); the same results as `runCases`, except that a case
 * past `options.caseTimeoutMs` is stopped, not abandoned. Throws a `ConformanceError`
 * (`CONF_ISOLATE_FAILED`) if the worker cannot load the target or the case sources.
 *
 * @example
 * ```ts ignore
 * const rs = await runCasesIsolated(cases, { targetUrl, cases: ["builtin"], cwd }, {
 *   caseTimeoutMs: 120e3,
 * });
 * ```
 */
export async function runCasesIsolated(
  cases: readonly KernelCase[],
  init: WorkerInit,
  options: RunOptions = {},
): Promise<CaseResult[]> {
  const runOptions: WorkerRunOptions = {
    repeats: options.repeats,
    seed: options.seed,
    baselines: options.baselines ? [...options.baselines] : undefined,
    defaultFloor: options.defaultFloor,
    wallClockFloors: options.wallClockFloors,
    diagnose: options.diagnose,
  };
  let worker: CaseWorker | undefined;
  const start = async (): Promise<CaseWorker> => {
    const w = new CaseWorker();
    const r = await w.request({ kind: "init", ...init });
    if (r.kind !== "ready") {
      w.terminate();
      const why = r.kind === "failed" ? r.message : r.error;
      throw new ConformanceError(
        "CONF_ISOLATE_FAILED",
        `Cannot run cases isolated: the worker could not load ${init.targetUrl}: ${why}`,
        { hint: "run without --isolate to see the error on the main thread" },
      );
    }
    return w;
  };
  const results: CaseResult[] = [];
  try {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[k];
      options.onCase?.(c, k, cases.length);
      worker ??= await start();
      const ms = options.caseTimeoutMs;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"timeout">((res) => {
        if (ms && ms > 0) timer = setTimeout(() => res("timeout"), ms);
      });
      const reply = await Promise.race([
        worker.request({ kind: "run", id: c.id, options: runOptions }),
        late,
      ]);
      clearTimeout(timer);
      let r: CaseResult;
      if (reply === "timeout") {
        worker.terminate(); // stops it even inside a synchronous loop
        worker = undefined;
        r = { ...timeoutResult(c, ms!), note: c.note };
      } else if (reply.kind === "result" && reply.result) r = reply.result;
      else {
        r = failure(c, reply.kind === "result" ? reply.error ?? "no result" : "no result");
        if (reply.kind === "result" && reply.id === "") {
          worker.terminate(); // crashed: start afresh
          worker = undefined;
        }
      }
      results.push(r);
      options.onResult?.(r, k, cases.length);
    }
  } finally {
    worker?.terminate();
  }
  return results;
}
