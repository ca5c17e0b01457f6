/**
 * Test helpers for tensorization: run a tensorized function — as scheduled and lowered — in the
 * interpreter with its markers executed by the intrinsics' descriptions, and compare with the
 * function before scheduling.
 *
 * @module
 */
import type { PrimFunc } from "../../ir/func.ts";
import { interpret, runFunc } from "../../ir/interp/mod.ts";
import { type NDArray, ndarray, numel } from "../../ir/ndarray.ts";
import { lower } from "../../ir/transform/mod.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import { assertClose } from "../testing.ts";
import { intrinsicCallHandlers } from "./handler.ts";

/**
 * Check `tensorized` (markers executed by `intrinsics`' descriptions) computes what `original`
 * does on `inputs` (constant shapes), before and after lowering.
 */
export function assertTensorizedEquivalent(
  original: PrimFunc,
  tensorized: PrimFunc,
  inputs: readonly NDArray[],
  intrinsics: readonly Intrinsic[],
  rtol = 1e-5,
): void {
  const calls = intrinsicCallHandlers(intrinsics);
  const want = runFunc(original, inputs);
  assertClose(runFunc(tensorized, inputs, undefined, { calls }), want, rtol);
  const low = lower(tensorized);
  const flat = inputs.map((a) => ({ ...a, shape: [numel(a.shape)] }));
  const outs = want.map((w) => ndarray(w.dtype, [numel(w.shape)]));
  interpret(low, [...flat, ...outs], { calls });
  assertClose(outs, want.map((w) => ({ ...w, shape: [numel(w.shape)] })), rtol);
}
