/**
 * The worker side of `--isolate` (`isolate.ts`): loads the target module and the case sources
 * once, then runs the cases it is sent by id with `runCase` and posts each result back. The main
 * thread terminates it when a case overruns its time limit, so a case stuck in a synchronous
 * loop cannot stall the run.
 *
 * Protocol: `{ kind: "init", ...WorkerInit }` answered by `{ kind: "ready" }` or
 * `{ kind: "failed", message }`; then `{ kind: "run", id, options }` answered by
 * `{ kind: "result", result }`.
 *
 * @module
 */
import { defineTarget, type Target, type TargetSpec } from "../sdk/mod.ts";
import { type CacheCounters, withArtifactCache } from "./artifact_cache.ts";
import type { KernelCase } from "./case.ts";
import { kernelCases } from "./kernel_cases.ts";
import { loadCaseFile } from "./load_cases.ts";
import type { Floor } from "./result.ts";
import { runCase } from "./runner.ts";

/** What a case worker is started with. */
export interface WorkerInit {
  /** The target module's URL (already loaded and validated by the main thread). */
  readonly targetUrl: string;
  /** Case sources: `builtin` or case-file specifiers, resolved against `cwd`. */
  readonly cases: readonly string[];
  /** Directory case files resolve against. */
  readonly cwd: string;
  /** The artifact cache, when the run uses one. */
  readonly cache?: { readonly dir: string; readonly fingerprint: string };
}

/** The run options that cross to the worker (plain data). */
export interface WorkerRunOptions {
  /** As `RunOptions.repeats`. */
  readonly repeats?: number;
  /** As `RunOptions.seed`. */
  readonly seed?: number;
  /** `RunOptions.baselines` as entries (case id, ms). */
  readonly baselines?: readonly (readonly [string, number])[];
  /** As `RunOptions.defaultFloor`. */
  readonly defaultFloor?: Floor;
  /** As `RunOptions.wallClockFloors`. */
  readonly wallClockFloors?: boolean;
  /** As `RunOptions.diagnose`. */
  readonly diagnose?: boolean;
}

interface State {
  readonly target: Target;
  readonly counters?: CacheCounters;
  readonly cases: ReadonlyMap<string, KernelCase>;
}

async function init(m: WorkerInit): Promise<State> {
  const mod = await import(m.targetUrl);
  const t = mod.default as Target | TargetSpec;
  let target = (t as Target).type === "Target" ? t as Target : defineTarget(t as TargetSpec);
  let counters: CacheCounters | undefined;
  if (m.cache) {
    const c = withArtifactCache(target, m.cache);
    [target, counters] = [c.target, c.counters];
  }
  const cases = new Map<string, KernelCase>();
  for (const src of m.cases) {
    const list = src === "builtin" ? kernelCases() : (await loadCaseFile(src, m.cwd)).kernels;
    for (const c of list) cases.set(c.id, c);
  }
  return { target, counters, cases };
}

let state: Promise<State> | undefined;

// deno-lint-ignore no-explicit-any
const scope = self as any;
scope.onmessage = async (ev: MessageEvent) => {
  const m = ev.data;
  if (m.kind === "init") {
    state = init(m);
    try {
      await state;
      scope.postMessage({ kind: "ready" });
    } catch (e) {
      scope.postMessage({ kind: "failed", message: e instanceof Error ? e.message : String(e) });
    }
    return;
  }
  if (m.kind === "run") {
    try {
      const s = await state!;
      const c = s.cases.get(m.id);
      if (!c) throw new Error(`no case "${m.id}" in the worker's case sources`);
      const o = m.options as WorkerRunOptions;
      const result = await runCase(c, s.target, {
        ...o,
        baselines: o.baselines ? new Map(o.baselines) : undefined,
        cache: s.counters,
      });
      scope.postMessage({ kind: "result", id: m.id, result });
    } catch (e) {
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      scope.postMessage({ kind: "result", id: m.id, error: message });
    }
  }
};
