/**
 * Test helpers for schedule primitives: compare functions structurally with a readable diff,
 * check a scheduled function against the unscheduled one in the interpreter on random inputs,
 * check the trace round trips (JSON → replay, and printed TypeScript → run), and check that a
 * failing primitive throws its code and leaves the schedule unchanged.
 *
 * Browser-safe (no `Deno.*`); the printed-script check evaluates with `new Function`.
 *
 * @module
 */
import { ScheduleError } from "../ir/errors.ts";
import type { PrimFunc } from "../ir/func.ts";
import { runFunc } from "../ir/interp/mod.ts";
import { type NDArray, randomNDArray, toNumbers } from "../ir/ndarray.ts";
import { printFunc } from "../ir/script/mod.ts";
import { firstMismatch, structuralEqual } from "../ir/structural.ts";
import { type DType, isFloat } from "../ir/dtype.ts";
import { add, mul } from "../ir/expr.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sizeVar, sum } from "../ir/te.ts";
import { Schedule } from "./schedule.ts";
import { Trace } from "./trace.ts";

/** Throw with both printed functions and the first mismatch unless `a` and `b` are equal. */
export function assertSameFunc(actual: PrimFunc, expected: PrimFunc, what = "functions"): void {
  const m = firstMismatch(actual, expected);
  if (!m) return;
  throw new Error(
    `${what} differ at ${m.pathA} / ${m.pathB}: ${m.reason ?? ""}\n--- actual\n${
      printFunc(actual)
    }\n--- expected\n${printFunc(expected)}`,
  );
}

/** Random inputs for the first `count` buffer parameters (`sizes` binds symbolic dimensions). */
export function inputsFor(
  f: PrimFunc,
  count: number,
  sizes: Readonly<Record<string, number>> = {},
  seed = 1,
): NDArray[] {
  return f.params.slice(0, count).map((p, k) => {
    if (p.kind !== "Buffer") throw new Error(`parameter ${p.name} is not a buffer`);
    const shape = p.shape.map((d) => {
      if (d.kind === "IntImm") return d.value;
      if (d.kind === "Var" && sizes[d.name] !== undefined) return sizes[d.name];
      throw new Error(`no size for a dimension of ${p.name}`);
    });
    return randomNDArray(p.dtype, shape, seed * 31 + k);
  });
}

/** Options of `assertEquivalent`. */
export interface EquivalenceOptions {
  /** Values of symbolic sizes, by name. */
  readonly sizes?: Readonly<Record<string, number>>;
  /** Seeds of the random inputs (default [1, 2]). */
  readonly seeds?: readonly number[];
  /** Relative tolerance for floats (reordered reductions round differently); default 1e-5. */
  readonly rtol?: number;
  /** Inputs to use instead of random ones. */
  readonly inputs?: readonly NDArray[];
}

/** Check `scheduled` computes what `original` does on random inputs, in the interpreter. */
export function assertEquivalent(
  original: PrimFunc,
  scheduled: PrimFunc,
  inputCount: number,
  options: EquivalenceOptions = {},
): void {
  const rtol = options.rtol ?? 1e-5;
  const sets = options.inputs
    ? [options.inputs]
    : (options.seeds ?? [1, 2]).map((s) => inputsFor(original, inputCount, options.sizes, s));
  for (const inputs of sets) {
    const want = runFunc(original, inputs);
    const got = runFunc(scheduled, inputs);
    assertClose(got, want, rtol);
  }
}

/** Compare output arrays: exact for integers, relative tolerance `rtol` for floats. */
export function assertClose(got: readonly NDArray[], want: readonly NDArray[], rtol = 1e-5): void {
  if (got.length !== want.length) throw new Error(`${got.length} outputs, want ${want.length}`);
  got.forEach((g, k) => {
    const a = toNumbers(g), b = toNumbers(want[k]);
    if (a.length !== b.length) {
      throw new Error(`output ${k}: ${a.length} elements, want ${b.length}`);
    }
    const float = isFloat(want[k].dtype);
    const scale = Math.max(1, ...b.map((x) => Math.abs(x)).filter(Number.isFinite));
    for (let i = 0; i < a.length; i++) {
      const same = Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i])) ||
        (float && Math.abs(a[i] - b[i]) <= rtol * scale);
      if (!same) throw new Error(`output ${k}[${i}] = ${a[i]}, want ${b[i]}`);
    }
  });
}

/**
 * Check the trace of `sch` (made on `original`) round-trips: through JSON and replay to a
 * structurally equal function, and as printed TypeScript run on a fresh schedule to the same.
 */
export function assertTraceRoundTrip(sch: Schedule, original: PrimFunc): void {
  const json = JSON.parse(JSON.stringify(sch.trace.toJSON()));
  const replayed = Trace.fromJSON(json).replay(original);
  assertSameFunc(replayed.func, sch.func, "replayed JSON trace");
  const fresh = new Schedule(original);
  new Function("sch", sch.trace.toScript())(fresh);
  assertSameFunc(fresh.func, sch.func, "printed trace run again");
  const again = JSON.stringify(fresh.trace.toJSON());
  if (again !== JSON.stringify(json)) {
    throw new Error(`the printed trace records another trace:\n${again}\n${JSON.stringify(json)}`);
  }
}

/**
 * Check that `fn` throws a `ScheduleError` with `code` and leaves `sch` as it was (function,
 * trace). Returns the error.
 */
export function assertScheduleError(
  sch: Schedule,
  fn: () => unknown,
  code: string,
): ScheduleError {
  const before = sch.func, length = sch.trace.length, text = sch.show();
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (!(error instanceof ScheduleError)) {
    throw new Error(`expected ScheduleError ${code}, got ${error}`);
  }
  if (error.code !== code) {
    throw new Error(`expected code ${code}, got ${error.code}: ${error.message}`);
  }
  if (sch.func !== before || !structuralEqual(sch.func, before) || sch.show() !== text) {
    throw new Error(`the failed primitive changed the function`);
  }
  if (sch.trace.length !== length) throw new Error(`the failed primitive changed the trace`);
  return error;
}

/**
 * `C[i, j] = Σ_k A[i, k]·B[k, j]` with `A: [n, 16]`, `B: [16, 12]` (n symbolic), block `C`,
 * loops `i, j, k`; in `dtype` (int32 keeps reordered sums exact).
 */
export function matmulFunc(dtype: DType = "float32"): PrimFunc {
  const n = sizeVar("n");
  const A = placeholder([n, 16], dtype, "A"), B = placeholder([16, 12], dtype, "B");
  const k = reduceAxis(16, "k");
  const C = compute([n, 12], ([i, j]) => sum(mul(A.at(i, k), B.at(k, j)), [k]), "C");
  return createPrimFunc([A, B, C], "mm");
}

/** `B[i, j] = A[i, j]·2 + 1` over `[rows, cols]` (dims may be symbolic names), block `B`. */
export function elementwiseFunc(rows: number | string, cols: number | string): PrimFunc {
  const dim = (d: number | string) => (typeof d === "number" ? d : sizeVar(d));
  const shape = [dim(rows), dim(cols)];
  const A = placeholder(shape, "float32", "A");
  const B = compute(shape, ([i, j]) => add(mul(A.at(i, j), 2), 1), "B");
  return createPrimFunc([A, B], "ew");
}
