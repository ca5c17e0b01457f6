/**
 * Runs model cases (the `models` suite) with the verdicts of kernel cases: compiled (the case's
 * `build`), correct (outputs against the oracle's under the dtype's tolerance), fast (wall time of
 * a run, against the roofline when the case counts its operations). Tensorization is reported by
 * kernel cases only. A model built as a `BuiltModel` also says what ran where (`placement`: per
 * kernel its target and MACs, the share of MACs offloaded).
 *
 * @module
 */
import { TesseraError } from "../ir/errors.ts";
import type { NDArray } from "../ir/ndarray.ts";
import type { Target } from "../sdk/mod.ts";
import { fastVerdict } from "./fast.ts";
import type { BuiltModel, ModelCase } from "./model_cases.ts";
import type { CaseResult, CompiledVerdict } from "./result.ts";
import { cacheOutcome, toleranceText } from "./runner.ts";
import type { CacheCounters } from "./artifact_cache.ts";
import { compareArrays } from "./tolerance.ts";

function describe(e: unknown): string {
  if (e instanceof TesseraError) return e.render();
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * Run one model case.
 *
 * @example
 * ```ts ignore
 * const r = await runModelCase(modelCases()[0], cpu);
 * ```
 */
export async function runModelCase(
  c: ModelCase,
  target: Target,
  options: {
    readonly seed?: number;
    readonly repeats?: number;
    /** The artifact cache's counters (a model's outcome: `miss` if any kernel compiled). */
    readonly cache?: CacheCounters;
  } = {},
): Promise<CaseResult> {
  const base = { id: c.id, op: c.model, dtype: c.dtype, suite: "models" as const, note: c.note };
  const before = options.cache ? { ...options.cache } : undefined;
  let built: BuiltModel;
  const t0 = performance.now();
  try {
    const b = await c.build(target);
    built = typeof b === "function" ? { run: b } : b;
  } catch (e) {
    const compiled: CompiledVerdict = {
      ok: false,
      cache: "off",
      error: {
        code: (e as TesseraError).code,
        message: e instanceof Error ? e.message : String(e),
      },
    };
    return { ...base, verdict: "compile-error", verdicts: { compiled }, detail: describe(e) };
  }
  const cache = cacheOutcome(options.cache, before);
  const compiled: CompiledVerdict = { ok: true, ms: performance.now() - t0, cache };
  const tolerance = toleranceText(c.dtype);
  const inputs = c.inputs(options.seed ?? 1);
  let got: NDArray[], want: NDArray[];
  const times: number[] = [];
  try {
    want = await c.oracle(inputs);
    got = await built.run(inputs);
    for (let k = 0; k < (options.repeats ?? 3); k++) {
      const s = performance.now();
      await built.run(inputs);
      times.push(performance.now() - s);
    }
  } catch (e) {
    const detail = describe(e);
    return {
      ...base,
      verdict: "run-error",
      verdicts: { compiled, correct: { ok: false, tolerance, detail } },
      detail,
    };
  }
  const placement = built.placement?.();
  const memory = built.memory?.();
  let maxUlps = 0;
  let bad = got.length === want.length
    ? undefined
    : `${got.length} outputs, expected ${want.length}`;
  for (let k = 0; !bad && k < got.length; k++) {
    const cmp = compareArrays(got[k], want[k]);
    maxUlps = Math.max(maxUlps, cmp.maxUlps);
    if (!cmp.ok) bad = `output ${k}: ${cmp.reason ?? `${cmp.mismatches} elements differ`}`;
  }
  if (bad) {
    return {
      ...base,
      verdict: "mismatch",
      verdicts: { compiled, correct: { ok: false, tolerance, detail: bad } },
      detail: bad,
      placement,
      memory,
    };
  }
  times.sort((a, b) => a - b);
  const wallMs = times.length ? times[times.length >> 1] : undefined;
  const bytes = [...inputs, ...want].reduce((n, a) => n + a.data.byteLength, 0);
  const fast = fastVerdict(target, {
    dtype: c.dtype,
    work: { flops: c.flops ?? placement?.flops ?? 0, macs: 0, bytes },
    wallMs,
  });
  return {
    ...base,
    verdict: "passed",
    verdicts: { compiled, correct: { ok: true, maxUlps, tolerance }, fast },
    compileMs: compiled.ms,
    cache,
    runMs: fast.timeMs,
    gflops: fast.gflops,
    gbps: fast.gbps,
    roofline: fast.roofline,
    maxUlps,
    placement,
    memory,
  };
}
