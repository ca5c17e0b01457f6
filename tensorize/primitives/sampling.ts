/**
 * Sampling instructions, the tuner's knobs: `samplePerfectTile(loop, { n, maxInnermostFactor })`
 * draws `n` factors whose product is the loop's (constant) extent, the innermost at most
 * `maxInnermostFactor`; `sampleCategorical(candidates, probs)` draws one candidate. Both draw
 * from the schedule's seeded generator, record their decision in the trace, and take a given
 * decision instead (from the caller, a replayed trace or the tuner), checked
 * (`SCHEDULE_BAD_DECISION`).
 *
 * @module
 */
import type { Rng } from "../rng.ts";
import {
  type InstructionKind,
  type Json,
  literal,
  registerInstruction,
  scriptCall,
} from "../instruction.ts";
import { Schedule } from "../schedule.ts";
import type { ExprRV, LoopRV } from "../rv.ts";
import { asLoop } from "./inputs.ts";

/** Options of `samplePerfectTile`. */
export interface PerfectTileOptions {
  /** Number of factors. */
  readonly n: number;
  /** Largest innermost factor allowed (default: no limit). */
  readonly maxInnermostFactor?: number;
  /** Use these factors instead of drawing. */
  readonly decision?: readonly number[];
}

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface SamplingMethods {
  /**
   * Draw `n` factors multiplying to the loop's constant extent (innermost at most
   * `maxInnermostFactor`), for `split`.
   *
   * @example
   * ```ts ignore
   * const [v4, v5] = sch.samplePerfectTile(l1, { n: 2, maxInnermostFactor: 16 });
   * const [l6, l7] = sch.split(l1, [v4, v5]);
   * ```
   */
  samplePerfectTile(loop: LoopRV, options: PerfectTileOptions): ExprRV[];
  /** Draw one of `candidates` with probabilities `probs` (which need not sum to 1). */
  sampleCategorical(
    candidates: readonly number[],
    probs: readonly number[],
    options?: { readonly decision?: number },
  ): ExprRV;
}

/** The divisors of `n`, ascending. */
export function divisors(n: number): number[] {
  const small: number[] = [], large: number[] = [];
  for (let d = 1; d * d <= n; d++) {
    if (n % d !== 0) continue;
    small.push(d);
    if (d * d !== n) large.unshift(n / d);
  }
  return [...small, ...large];
}

/**
 * Random factors of `extent` into `n` parts with the innermost at most `maxInnermost`: the
 * innermost uniformly among the allowed divisors, then each prime factor of the rest to a
 * uniformly chosen outer part (as TVM's sampler does).
 */
export function samplePerfectTileFactors(
  rng: Rng,
  extent: number,
  n: number,
  maxInnermost: number,
): number[] {
  const parts = new Array<number>(n).fill(1);
  const allowed = divisors(extent).filter((d) => d <= maxInnermost);
  const inner = n === 1 ? extent : allowed[rng.int(allowed.length)];
  parts[n - 1] = inner;
  let rest = extent / inner;
  for (let p = 2; rest > 1; p++) {
    if (p * p > rest) p = rest;
    while (rest % p === 0) {
      parts[rng.int(n - 1)] *= p;
      rest /= p;
    }
  }
  return parts;
}

/** Attributes of `SamplePerfectTile`. */
export type TileAttrs = { n: number; maxInnermostFactor: number | null };

/** `sch.samplePerfectTile(loop, options)`. */
export const SAMPLE_PERFECT_TILE: InstructionKind<TileAttrs> = registerInstruction<TileAttrs>({
  name: "SamplePerfectTile",
  sample(sch, inputs, attrs) {
    const extent = tileExtent(sch, inputs[0] as LoopRV);
    return samplePerfectTileFactors(sch.rng, extent, attrs.n, attrs.maxInnermostFactor ?? extent);
  },
  apply(sch, inputs, attrs, decision) {
    const extent = tileExtent(sch, asLoop(sch, inputs[0]));
    const max = attrs.maxInnermostFactor ?? extent;
    const d = decision as number[];
    const ok = Array.isArray(d) && d.length === attrs.n &&
      d.every((x) => Number.isInteger(x) && x >= 1) && d.reduce((a, b) => a * b, 1) === extent &&
      d[d.length - 1] <= max;
    if (!ok) {
      throw sch.error(
        "SCHEDULE_BAD_DECISION",
        `Cannot tile extent ${extent} into ${attrs.n} factors as ${
          JSON.stringify(decision)
        }: need ${attrs.n} positive integers multiplying to ${extent}, the last at most ${max}`,
      );
    }
    return d.map((x) => sch.newExprRV(x));
  },
  toScript: (p) =>
    scriptCall("samplePerfectTile", [
      p.inputs[0],
      literal({
        n: p.attrs.n,
        maxInnermostFactor: p.attrs.maxInnermostFactor ?? undefined,
        decision: p.decision,
      }),
    ], p.outputs),
});

function tileExtent(sch: Schedule, loop: LoopRV): number {
  const l = sch.loopOf(asLoop(sch, loop)).loop;
  if (l.extent.kind !== "IntImm" || l.extent.value < 1) {
    throw sch.error(
      "SCHEDULE_SAMPLE_EXTENT",
      `Cannot sample a perfect tiling of loop "${l.loopVar.name}": its extent is not a positive constant`,
      { loop: l.loopVar, hint: "split by a constant factor first, or tile the constant loop" },
    );
  }
  return l.extent.value;
}

/** Attributes of `SampleCategorical`. */
export type CategoricalAttrs = { candidates: number[]; probs: number[] };

/** `sch.sampleCategorical(candidates, probs)`. */
export const SAMPLE_CATEGORICAL: InstructionKind<CategoricalAttrs> = registerInstruction<
  CategoricalAttrs
>({
  name: "SampleCategorical",
  sample(sch, _inputs, attrs) {
    checkCategorical(sch, attrs);
    const total = attrs.probs.reduce((a, b) => a + b, 0);
    let x = sch.rng.next() * total;
    for (let k = 0; k < attrs.probs.length; k++) {
      x -= attrs.probs[k];
      if (x < 0 && attrs.probs[k] > 0) return k;
    }
    return attrs.probs.findLastIndex((p) => p > 0);
  },
  apply(sch, _inputs, attrs, decision: Json | undefined) {
    checkCategorical(sch, attrs);
    const k = decision as number;
    if (!Number.isInteger(k) || k < 0 || k >= attrs.candidates.length || !(attrs.probs[k] > 0)) {
      throw sch.error(
        "SCHEDULE_BAD_DECISION",
        `Cannot take candidate ${
          JSON.stringify(decision)
        } of ${attrs.candidates.length}: need the index of a candidate with a positive probability`,
      );
    }
    return [sch.newExprRV(attrs.candidates[k])];
  },
  toScript: (p) =>
    scriptCall(
      "sampleCategorical",
      [literal(p.attrs.candidates), literal(p.attrs.probs), literal({ decision: p.decision })],
      p.outputs,
      true,
    ),
});

function checkCategorical(sch: Schedule, attrs: CategoricalAttrs): void {
  const { candidates, probs } = attrs;
  const ok = Array.isArray(candidates) && Array.isArray(probs) &&
    candidates.length === probs.length && candidates.length > 0 &&
    probs.every((p) => typeof p === "number" && p >= 0) && probs.some((p) => p > 0);
  if (!ok) {
    throw sch.error(
      "SCHEDULE_BAD_ARGUMENT",
      `Cannot sample from ${JSON.stringify(candidates)} with probabilities ${
        JSON.stringify(probs)
      }: need as many non-negative probabilities as candidates, one of them positive`,
    );
  }
}

Schedule.prototype.samplePerfectTile = function (
  this: Schedule,
  loop: LoopRV,
  options: PerfectTileOptions,
): ExprRV[] {
  const attrs = { n: options.n, maxInnermostFactor: options.maxInnermostFactor ?? null };
  return this.apply(SAMPLE_PERFECT_TILE, [loop], attrs, options.decision) as ExprRV[];
};
Schedule.prototype.sampleCategorical = function (
  this: Schedule,
  candidates: readonly number[],
  probs: readonly number[],
  options: { readonly decision?: number } = {},
): ExprRV {
  const attrs = { candidates: [...candidates], probs: [...probs] };
  return this.apply(SAMPLE_CATEGORICAL, [], attrs, options.decision)[0] as ExprRV;
};
