import { TargetError } from "../ir/errors.ts";
import { getElement } from "../ir/ndarray.ts";
import { compute, createPrimFunc, placeholder, sizeVar } from "../ir/te.ts";
import { add } from "../ir/expr.ts";
import { assert, assertEquals } from "../ir/test_util.ts";
import { defineIntrinsic } from "./intrinsic.ts";
import { tileIndex } from "./intrinsic_run.ts";
import { defineMemoryScope } from "./scope.ts";
import type { Target } from "./target.ts";
import { validateTarget, validationFailure } from "./validate.ts";
import { listTrials, trialTiles } from "./validate_inputs.ts";
import { toyGemm, toyMax, toyTarget } from "./validate_testing.ts";

async function firstProblem(t: Target) {
  const report = await validateTarget(t);
  assert(!report.ok, "the target should fail validation");
  return { report, error: report.problems[0] };
}

Deno.test("a correct int8 GEMM passes every trial, random and edge cases", async () => {
  const gemm = toyGemm();
  const report = await validateTarget(toyTarget({ intrinsics: [gemm] }));
  assertEquals(report.problems.map((e) => e.message), []);
  assert(report.ok);
  assertEquals(report.intrinsics.map((x) => [x.name, x.ok]), [[gemm.name, true]]);
  // int8/int32 operands: 8 random + zeros, max, min, extremes (compact and strided)
  assertEquals(report.intrinsics[0].trials, listTrials(gemm).length);
  assertEquals(listTrials(gemm).map((t) => t.kind).slice(8), [
    "zeros",
    "max",
    "min",
    "extremes",
    "extremes",
  ]);
});

Deno.test("a GEMM that drops the last k is caught, with the element, values and inputs", async () => {
  const gemm = toyGemm("drop-last-k");
  const { report, error } = await firstProblem(toyTarget({ intrinsics: [gemm] }));
  assert(error instanceof TargetError);
  assertEquals(error.code, "TARGET_INTRINSIC_MISMATCH");
  const m = report.intrinsics[0].mismatch!;
  assertEquals(m.operand, "C");
  const [i, j] = m.index!;
  // Recompute the element from the regenerated inputs: the full sum vs the sum without k = 3.
  const [A, B, C] = trialTiles(gemm, m.trial, () => 64);
  const el = (t: typeof A, idx: number[]) =>
    getElement(t.data.data, t.dtype, tileIndex(t, idx[0] * t.shape[1] + idx[1]));
  let full = el(C, [i, j]), partial = full;
  for (let k = 0; k < 4; k++) {
    full = (full + el(A, [i, k]) * el(B, [k, j])) | 0;
    if (k < 3) partial = (partial + el(A, [i, k]) * el(B, [k, j])) | 0;
  }
  assertEquals([m.expected, m.actual], [full, partial]);
  assertEquals(m.inputs.map((x) => x.region), [`A[${i}, 0:4]`, `B[0:4, ${j}]`, `C[${i}, ${j}]`]);
  assertEquals(
    m.inputs[0].values,
    `[${[0, 1, 2, 3].map((k) => el(A, [i, k])).join(", ")}]`,
  );
  for (const part of [`"${gemm.name}"`, `C[${i}, ${j}] is ${partial}`, `expected ${full}`]) {
    assert(error.message.includes(part), `message lacks ${part}: ${error.message}`);
  }
  assert(error.message.includes(`seed ${m.trial.seed}`), error.message);
  assertEquals(error.path, `target "toy" / intrinsic "${gemm.name}"`);
});

Deno.test("an accumulator that saturates instead of wrapping is caught by the max edge case", async () => {
  const { report, error } = await firstProblem(toyTarget({ intrinsics: [toyGemm("saturate")] }));
  assertEquals(error.code, "TARGET_INTRINSIC_MISMATCH");
  const m = report.intrinsics[0].mismatch!;
  assertEquals(m.trial.kind, "max");
  assertEquals(m.actual, 2 ** 31 - 1); // saturated; the description wraps around
  assert(m.expected < 0);
});

Deno.test("an implementation that ignores strides fails on a strided trial", async () => {
  const { report } = await firstProblem(toyTarget({ intrinsics: [toyGemm("compact")] }));
  const m = report.intrinsics[0].mismatch!;
  assert(m.trial.strided);
  assertEquals(report.intrinsics[0].trials, 2); // the first compact trial passed
});

Deno.test("a write outside the output tile is caught, though every tile element is right", async () => {
  const { report, error } = await firstProblem(toyTarget({ intrinsics: [toyGemm("scribble")] }));
  const m = report.intrinsics[0].mismatch!;
  assertEquals(m.index, undefined);
  assertEquals(m.actual, 0);
  assert(error.message.includes("outside its tile"), error.message);
});

Deno.test("float32: another summation order passes; flushing denormals and dropping NaN fail", async () => {
  const f32 = ["float32", "float32"] as const;
  const ok = await validateTarget(toyTarget({ intrinsics: [toyGemm("reverse", f32)] }));
  assertEquals(ok.problems.map((e) => e.message), []);
  const kinds = listTrials(toyGemm("none", f32)).map((t) => t.kind);
  assert(kinds.includes("specials") && kinds.includes("denormals") && !kinds.includes("extremes"));

  const ftz = await firstProblem(toyTarget({ intrinsics: [toyGemm("ftz", f32)] }));
  assertEquals(ftz.report.intrinsics[0].mismatch!.trial.kind, "denormals");
  assertEquals(ftz.report.intrinsics[0].mismatch!.actual, 0);

  const nan = await firstProblem(toyTarget({ intrinsics: [toyMax("nan-dropping-max")] }));
  const m = nan.report.intrinsics[0].mismatch!;
  assertEquals(m.trial.kind, "specials");
  assert(Number.isNaN(m.expected) && !Number.isNaN(m.actual));
  assert(nan.error.message.includes("expected NaN"), nan.error.message);
  const good = await validateTarget(toyTarget({ intrinsics: [toyMax()] }));
  assert(good.ok);
});

Deno.test("validation is reproducible: the same seed gives the same trials and mismatch", async () => {
  const t = toyTarget({ intrinsics: [toyGemm("drop-last-k")] });
  const a = await validateTarget(t, { seed: 42 });
  const b = await validateTarget(t, { seed: 42 });
  const c = await validateTarget(t, { seed: 43 });
  assertEquals(a.intrinsics[0].mismatch, b.intrinsics[0].mismatch);
  assert(a.intrinsics[0].mismatch!.trial.seed !== c.intrinsics[0].mismatch!.trial.seed);
});

Deno.test("a runtime without runIntrinsic cannot validate intrinsics", async () => {
  const { error } = await firstProblem(
    toyTarget({ intrinsics: [toyGemm()], runIntrinsic: null }),
  );
  assertEquals(error.code, "TARGET_INTRINSIC_NOT_RUNNABLE");
  assertEquals(error.path, `target "toy" / runtime.runIntrinsic`);
  // ... unless asked for static checks only, or given a runner
  assert((await validateTarget(toyTarget({ runIntrinsic: null }))).ok);
  const t = toyTarget({ intrinsics: [toyGemm()], runIntrinsic: null });
  assert((await validateTarget(t, { static: true })).ok);
});

Deno.test("an implementation that throws is TARGET_INTRINSIC_FAILED with the reason", async () => {
  const { error } = await firstProblem(toyTarget({
    intrinsics: [toyGemm()],
    runIntrinsic: () => Promise.reject(new Error("device lost")),
  }));
  assertEquals(error.code, "TARGET_INTRINSIC_FAILED");
  assert(error.message.includes("device lost"), error.message);
});

Deno.test("scopes: a child larger than its parent, a capacity below the alignment", async () => {
  const scopes = [
    defineMemoryScope({ name: "global", alignmentBytes: 64 }),
    defineMemoryScope({ name: "l2", alignmentBytes: 64, capacityBytes: 4096, parent: "global" }),
    defineMemoryScope({ name: "l1", alignmentBytes: 64, capacityBytes: 8192, parent: "l2" }),
    defineMemoryScope({ name: "reg", alignmentBytes: 64, capacityBytes: 32, parent: "l1" }),
  ];
  const report = await validateTarget(toyTarget({ scopes }));
  assertEquals(report.problems.map((e) => [e.code, e.path]), [
    ["TARGET_SCOPE_CAPACITY", `target "toy" / scopes[2].capacityBytes`],
    ["TARGET_SCOPE_CAPACITY", `target "toy" / scopes[3].capacityBytes`],
  ]);
  assert(report.problems[0].message.includes(`parent "l2" (4096 bytes)`));
});

Deno.test("intrinsic operand tiles must fit their scopes together", async () => {
  const scopes = [
    defineMemoryScope({ name: "global", alignmentBytes: 64 }),
    defineMemoryScope({ name: "acc", alignmentBytes: 64, capacityBytes: 1024, parent: "global" }),
  ];
  // 16×16 int32 accumulator: 1024 bytes fits alone; with A and B (256 bytes each) it does not
  const fits = toyGemm("none", ["int8", "int32"], 16, { C: "acc" });
  assert((await validateTarget(toyTarget({ scopes, intrinsics: [fits] }), { trials: 1 })).ok);
  const crowded = toyGemm("none", ["int8", "int32"], 16, { A: "acc", C: "acc" });
  const report = await validateTarget(toyTarget({ scopes, intrinsics: [crowded] }));
  assertEquals(report.problems.map((e) => e.code), ["TARGET_INTRINSIC_TILE_TOO_LARGE"]);
  assert(report.problems[0].message.includes("need 1280 bytes"), report.problems[0].message);
  assertEquals(report.intrinsics.length, 0); // not run
});

Deno.test("limits, SDK version and symbolic descriptions are checked", async () => {
  const limits = await validateTarget(
    toyTarget({ limits: { vectorBytes: 24, maxThreads: 1.5, stackBytes: 64, maxMemoryBytes: 32 } }),
  );
  assertEquals(limits.problems.map((e) => [e.code, e.path]), [
    ["TARGET_BAD_LIMIT", `target "toy" / limits.vectorBytes`],
    ["TARGET_BAD_LIMIT", `target "toy" / limits.maxThreads`],
    ["TARGET_BAD_LIMIT", `target "toy" / limits.stackBytes`],
  ]);
  // An object that claims to be a target but was not made (or was edited) after defineTarget.
  const forged = { ...toyTarget(), sdkVersion: "9.0.0" } as Target;
  const sdk = await validateTarget(forged);
  assertEquals(sdk.problems.map((e) => e.code), ["TARGET_SDK_INCOMPATIBLE"]);

  const n = sizeVar("n");
  const A = placeholder([n], "float32", "A");
  const B = compute([n], ([i]) => add(A.at(i), 1), "B");
  const symbolic = defineIntrinsic({
    name: "toy.inc_n",
    description: createPrimFunc([A, B], "inc_n"),
    implementation: null,
    operandScopes: {},
    cost: { cycles: 1 },
  });
  const d = await validateTarget(toyTarget({ intrinsics: [symbolic] }));
  assertEquals(d.problems.map((e) => e.code), ["TARGET_INTRINSIC_DESCRIPTION"]);
});

Deno.test("validationFailure: the first problem, followed by how many more", async () => {
  const report = await validateTarget(
    toyTarget({ intrinsics: [toyGemm("drop-last-k"), toyMax("nan-dropping-max")] }),
  );
  assertEquals(report.problems.length, 2);
  const e = validationFailure(report)!;
  assertEquals(e.code, "TARGET_INTRINSIC_MISMATCH");
  assert(e.message.endsWith("(and 1 more problem: TARGET_INTRINSIC_MISMATCH)"), e.message);
  assertEquals(validationFailure(await validateTarget(toyTarget())), undefined);
});

Deno.test("options: only named intrinsics, fewer trials, no edge cases", async () => {
  const t = toyTarget({ intrinsics: [toyGemm("saturate"), toyMax()] });
  const r = await validateTarget(t, { intrinsics: ["toy.max8"], trials: 2, edgeCases: false });
  assert(r.ok);
  assertEquals(r.intrinsics.map((x) => [x.name, x.trials]), [["toy.max8", 2]]);
  // without edge cases, the saturating accumulator goes unnoticed: they are what catches it
  const blind = await validateTarget(t, { edgeCases: false });
  assert(blind.ok);
});
