/**
 * DSL-built functions of the op catalogue, lowered (`ir/transform`) as built and with every
 * innermost loop vectorized, compiled to wasm and run: the results equal the reference
 * interpreter's on the original function, bit for bit. One C module for all of them.
 */
import { assertEquals } from "../../ir/test_util.ts";
import type { Var } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { type NDArray, ndarray, numel } from "../../ir/ndarray.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { OPS } from "../../ir/ops/catalog.ts";
import { lower } from "../../ir/transform/mod.ts";
import { markInnermost } from "../../ir/transform/schedule_testing.ts";
import { sizeValues } from "../../ir/transform/testing.ts";
import { compileBatch, diffTensors, type KernelArg } from "./test_harness.ts";
import { emitC } from "./codegen_c.ts";

interface Case {
  readonly label: string;
  readonly original: PrimFunc;
  readonly lowered: PrimFunc;
  readonly inputs: NDArray[];
}

const cases: Case[] = [];
for (const op of OPS) {
  const picks: [number, boolean][] = [[0, false], [op.cases.length - 1, true]];
  for (const [k, vectorize] of picks) {
    const c = op.cases[k];
    const original = op.build(c);
    const scheduled = vectorize ? markInnermost(original, "vectorized") : original;
    const name = `${op.name}_${k}_${vectorize ? "v" : "s"}`.replace(/\W/g, "_");
    const lowered = { ...lower(scheduled), name };
    cases.push({
      label: `${op.name} [${c.label}]${vectorize ? " vectorized" : ""}`,
      original,
      lowered,
      inputs: op.makeInputs(c, 7),
    });
  }
}

/** Arguments of the lowered function: inputs flattened, fresh outputs, then the size values. */
function loweredArgs(c: Case, want: readonly NDArray[]): KernelArg[] {
  const all = [...c.inputs, ...want];
  const sizes = sizeValues(c.original, all);
  return c.lowered.params.map((p, k) => {
    if (k < c.original.params.length) {
      const a = all[k];
      return k < c.inputs.length
        ? { ...a, shape: [numel(a.shape)] }
        : ndarray(a.dtype, [numel(a.shape)]);
    }
    return sizes.get(p as Var)!;
  });
}

Deno.test("op catalogue: lowered, compiled and run equals the interpreter on the original", async () => {
  const { mod, kernels } = await compileBatch(cases.map((c) => c.lowered), {
    exactMath: true, // bit for bit; the inline float32 math is checked in c_math_test.ts
  });
  const diffs: string[] = [];
  cases.forEach((c, k) => {
    const want = runFunc(c.original, c.inputs);
    const args = loweredArgs(c, want);
    mod.call(kernels[k], args);
    want.forEach((w, j) => {
      const got = args[c.inputs.length + j] as NDArray;
      for (const d of diffTensors({ ...got, shape: w.shape }, w, 3)) diffs.push(`${c.label}: ${d}`);
    });
  });
  assertEquals(diffs, []);
});

Deno.test("emitC accepts every catalogue case lowered as built, vectorized and unrolled", () => {
  let n = 0;
  for (const op of OPS) {
    for (const c of op.cases) {
      const f = op.build(c);
      for (const g of [f, markInnermost(f, "vectorized"), markInnermost(f, "unrolled")]) {
        const low = lower(g);
        assertEquals(emitC(low).params.length, low.params.length);
        n++;
      }
    }
  }
  assertEquals(n > 600, true);
});
