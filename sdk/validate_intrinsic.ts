/**
 * Validating one intrinsic: run its implementation (through an `IntrinsicRunner`) and its
 * description (in the reference interpreter) on the same tiles, trial after trial, and compare
 * every element of every operand's storage under the conformance tolerances — inside the tiles
 * (the results, and inputs that must not change) and outside them (nothing may be written there).
 * The first difference becomes a `TARGET_INTRINSIC_MISMATCH` naming the intrinsic, the element,
 * expected and actual values, the trial (kind, seed, layout) and the input elements it depends on.
 *
 * @module
 */
import { elementOf, isFloat } from "../ir/dtype.ts";
import { TargetError, TesseraError } from "../ir/errors.ts";
import { interpret } from "../ir/interp/mod.ts";
import { getElement, type NDArray, ndarray } from "../ir/ndarray.ts";
import { EXACT, type Tolerance, toleranceOf, withinTolerance } from "../conformance/tolerance.ts";
import type { Intrinsic } from "./intrinsic.ts";
import {
  gatherTile,
  type IntrinsicRunner,
  type IntrinsicTile,
  scatterTile,
  tileIndex,
} from "./intrinsic_run.ts";
import { type InputExcerpt, inputExcerpts } from "./validate_excerpt.ts";
import { listTrials, type Trial, trialTiles } from "./validate_inputs.ts";

/** Options of `validateIntrinsic`. */
export interface IntrinsicValidationOptions {
  /** Base seed of the generator (default 1); each trial derives its own. */
  readonly seed?: number;
  /** Random trials (default 8; every other one strided). */
  readonly trials?: number;
  /** Run the edge cases too (default true). */
  readonly edgeCases?: boolean;
  /** Alignment in bytes of each operand's scope (default 1). */
  readonly alignmentOf?: (param: string) => number;
  /** Target name, for messages. */
  readonly target?: string;
}

/** The first element where an implementation and its description disagree. */
export interface IntrinsicMismatch {
  /** The operand (description parameter). */
  readonly operand: string;
  /** The element's index in the tile, or undefined when it lies outside the tile. */
  readonly index?: readonly number[];
  /** The element's index in the operand's storage. */
  readonly storageIndex: number;
  /** What the description computes (or the untouched value outside the tile). */
  readonly expected: number;
  /** What the implementation left there. */
  readonly actual: number;
  /** The trial that produced it (regenerate its inputs with `trialTiles`). */
  readonly trial: Trial;
  /** The input elements the differing element depends on, before the run. */
  readonly inputs: readonly InputExcerpt[];
}

/** The outcome of validating one intrinsic. */
export interface IntrinsicValidation {
  /** The intrinsic's name. */
  readonly name: string;
  /** True when every trial agreed. */
  readonly ok: boolean;
  /** Trials compared. */
  readonly trials: number;
  /** Trials skipped because the description itself fails on their inputs (a division by zero …). */
  readonly skipped: number;
  /** The first disagreement, if any. */
  readonly mismatch?: IntrinsicMismatch;
  /** Why it failed (`TARGET_INTRINSIC_MISMATCH` or `TARGET_INTRINSIC_FAILED`), if it did. */
  readonly error?: TargetError;
}

/** Edge cases whose results are exact in every summation order are compared exactly. */
function toleranceFor(trial: Trial, dtype: string): Tolerance {
  if (isFloat(dtype) && (trial.kind === "zeros" || trial.kind === "denormals")) return EXACT;
  return toleranceOf(dtype);
}

function copyStorage(a: NDArray): NDArray {
  return ndarray(a.dtype, a.shape, a.data.slice());
}

/** Multi-index of tile element number `flat`. */
function unflatten(shape: readonly number[], flat: number): number[] {
  const out = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return out;
}

/** Show a value as people read it: NaN, ±Infinity, −0. */
export function showValue(v: number): string {
  return Object.is(v, -0) ? "-0" : String(v);
}

function describeTrial(t: Trial): string {
  return `${t.kind} inputs, seed ${t.seed}, ${t.strided ? "strided" : "compact"} tiles`;
}

function mismatchError(
  intrinsic: Intrinsic,
  target: string | undefined,
  m: IntrinsicMismatch,
): TargetError {
  const where = m.index
    ? `${m.operand}[${m.index.join(", ")}]`
    : `${m.operand}'s storage element ${m.storageIndex}, outside its tile,`;
  const of = target ? ` of target "${target}"` : "";
  const inputs = m.inputs.map((x) => `${x.region} = ${x.values}`).join("; ");
  return new TargetError(
    "TARGET_INTRINSIC_MISMATCH",
    `Intrinsic "${intrinsic.name}"${of} does not compute its description: ${where} is ${
      showValue(m.actual)
    }, expected ${showValue(m.expected)} (${describeTrial(m.trial)})${
      inputs ? `; inputs before the run: ${inputs}` : ""
    }`,
    {
      path: `${target ? `target "${target}" / ` : ""}intrinsic "${intrinsic.name}"`,
      hint: `regenerate the inputs with trialTiles(intrinsic, ${
        JSON.stringify(m.trial)
      }) and compare runIntrinsic with interpret(description)`,
    },
  );
}

/** The first element where `actual` differs from `expected`, tile elements first. */
function firstDifference(
  tile: IntrinsicTile,
  expected: NDArray,
  actual: NDArray,
  tol: Tolerance,
): { index?: number[]; storageIndex: number; expected: number; actual: number } | undefined {
  const dtype = tile.dtype;
  const count = tile.shape.reduce((x, y) => x * y, 1);
  const inside = new Set<number>();
  for (let i = 0; i < count; i++) {
    const s = tileIndex(tile, i);
    inside.add(s);
    const e = getElement(expected.data, dtype, s), a = getElement(actual.data, dtype, s);
    if (!withinTolerance(dtype, a, e, tol)) {
      return { index: unflatten(tile.shape, i), storageIndex: s, expected: e, actual: a };
    }
  }
  for (let s = 0; s < expected.data.length; s++) {
    if (inside.has(s)) continue;
    const e = getElement(expected.data, dtype, s), a = getElement(actual.data, dtype, s);
    if (!Object.is(e, a) && e !== a) return { storageIndex: s, expected: e, actual: a };
  }
  return undefined;
}

function failed(intrinsic: Intrinsic, target: string | undefined, trial: Trial, e: unknown) {
  const why = e instanceof TesseraError ? `${e.code}: ${e.message}` : String(e);
  const of = target ? ` of target "${target}"` : "";
  return new TargetError(
    "TARGET_INTRINSIC_FAILED",
    `Cannot run intrinsic "${intrinsic.name}"${of} for validation (${
      describeTrial(trial)
    }): ${why}`,
    { path: `${target ? `target "${target}" / ` : ""}intrinsic "${intrinsic.name}"` },
  );
}

/**
 * Validate an intrinsic's implementation against its description.
 *
 * @example
 * ```ts
 * import { validateIntrinsic } from "./validate_intrinsic.ts";
 * import { compactRunner } from "./intrinsic_run.ts";
 * import { defineIntrinsic } from "./intrinsic.ts";
 * import { compute, createPrimFunc, placeholder } from "../ir/te.ts";
 * import { add } from "../ir/expr.ts";
 * const A = placeholder([4], "int8", "A");
 * const B = compute([4], ([i]) => add(A.at(i), 1), "B");
 * const inc = defineIntrinsic({
 *   name: "inc4", description: createPrimFunc([A, B], "inc4"), implementation: null,
 *   operandScopes: {}, cost: { cycles: 1 },
 * });
 * // Saturates at 127 where the description wraps to -128: caught by the "max" edge case.
 * const run = compactRunner((_x, [a, b]) => a.data.forEach((v, i) => b.data[i] = Math.min(Number(v) + 1, 127)));
 * const r = await validateIntrinsic(inc, run);
 * console.assert(!r.ok && r.error?.code === "TARGET_INTRINSIC_MISMATCH");
 * ```
 */
export async function validateIntrinsic(
  intrinsic: Intrinsic,
  run: IntrinsicRunner,
  options: IntrinsicValidationOptions = {},
): Promise<IntrinsicValidation> {
  const trials = listTrials(intrinsic, options);
  let compared = 0, skipped = 0;
  for (const trial of trials) {
    const tiles = trialTiles(intrinsic, trial, options.alignmentOf);
    // Expected: the description on compact copies, scattered into copies of the storages.
    const arrays = tiles.map(gatherTile);
    try {
      interpret(intrinsic.description, arrays);
    } catch (e) {
      if (e instanceof TesseraError && e.code.startsWith("INTERP_")) {
        skipped++;
        continue;
      }
      throw e;
    }
    const expected = tiles.map((t, k) => {
      const view = { ...t, data: copyStorage(t.data) };
      scatterTile(view, arrays[k]);
      return view.data;
    });
    const actualTiles = tiles.map((t) => ({ ...t, data: copyStorage(t.data) }));
    try {
      await run(intrinsic, actualTiles);
    } catch (e) {
      const error = failed(intrinsic, options.target, trial, e);
      return { name: intrinsic.name, ok: false, trials: compared, skipped, error };
    }
    compared++;
    for (let k = 0; k < tiles.length; k++) {
      const tol = toleranceFor(trial, elementOf(tiles[k].dtype));
      const d = firstDifference(tiles[k], expected[k], actualTiles[k].data, tol);
      if (!d) continue;
      const mismatch: IntrinsicMismatch = {
        operand: tiles[k].param,
        ...d,
        trial,
        inputs: d.index ? inputExcerpts(intrinsic, tiles, k, d.index) : [],
      };
      const error = mismatchError(intrinsic, options.target, mismatch);
      return { name: intrinsic.name, ok: false, trials: compared, skipped, mismatch, error };
    }
  }
  return { name: intrinsic.name, ok: true, trials: compared, skipped };
}
