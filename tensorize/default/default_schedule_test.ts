import { assert, assertEquals } from "../../ir/test_util.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { OPS } from "../../ir/ops/mod.ts";
import type { NDArray } from "../../ir/ndarray.ts";
import { printFunc } from "../../ir/script/mod.ts";
import { lower } from "../../ir/transform/mod.ts";
import { runBoth } from "../../ir/transform/testing.ts";
import { compareArrays } from "../../conformance/tolerance.ts";
import { build } from "../../sdk/mod.ts";
import cpu from "../../targets/cpu/mod.ts";
import { CPU_LOWER_OPTIONS } from "../../targets/cpu/codegen.ts";
import { call, sub } from "../../ir/expr.ts";
import { randomNDArray } from "../../ir/ndarray.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sizeVar, sum } from "../../ir/te.ts";
import { assertTraceRoundTrip, elementwiseFunc, matmulFunc } from "../testing.ts";
import { applyDefaultRules, defaultSchedule } from "./default_schedule.ts";
import { partialWidth } from "./reduction.ts";

// Parallel everywhere it is legal, however small the work, so the tests exercise those paths.
const OPTIONS = { threads: 2, minParallelWork: 1 };

function check(what: string, got: readonly NDArray[], want: readonly NDArray[], text: string) {
  assertEquals(got.length, want.length);
  got.forEach((g, k) => {
    const cmp = compareArrays(g, want[k]);
    assert(cmp.ok, `${what} output ${k}: ${cmp.reason ?? ""} (${cmp.mismatches})\n${text}`);
  });
}

for (const op of OPS) {
  Deno.test(`default schedule of ${op.family}/${op.name}: every case matches the reference`, () => {
    let scheduled = 0;
    for (const c of op.cases) {
      const f = op.build(c);
      const { schedule, decisions } = applyDefaultRules(f, OPTIONS);
      const g = schedule.func;
      if (decisions.some((d) => d.rule !== "none")) scheduled++;
      const inputs = op.makeInputs(c, 5);
      const want = op.reference(inputs, c.attrs, c.vars ?? {});
      const text = `${schedule.trace.toScript()}\n${printFunc(g)}`;
      check(`${op.name} [${c.label}]`, runFunc(g, inputs), want, text);
      // The lowered form (vector code, guarded tails) computes what the scheduled one does.
      const [w, got] = runBoth(g, lower(g, { verify: true, ...CPU_LOWER_OPTIONS }), inputs);
      assertEquals(got, w, `${op.name} [${c.label}] lowered\n${text}`);
      assertTraceRoundTrip(schedule, f);
    }
    assert(scheduled > 0, `no case of ${op.name} was scheduled`);
  });
}

Deno.test("default schedules built for cpu match the reference", async () => {
  const picks: [string, number][] = [
    ["matmul", 0],
    ["matmul", 3],
    ["batch_matmul", 0],
    ["dense", 0],
    ["conv2d", 0],
    ["conv2d", 3],
    ["conv2d", 5],
    ["depthwise_conv2d", 0],
    ["max_pool2d", 1],
    ["avg_pool2d", 0],
    ["softmax", 0],
    ["layer_norm", 2],
    ["reduce_sum", 0],
    ["reduce_sum", 3],
    ["add", 0],
    ["add", 3],
    ["transpose", 0],
    ["gelu", 3],
  ];
  for (const [name, k] of picks) {
    const op = OPS.find((o) => o.name === name)!;
    const c = op.cases[k];
    const g = defaultSchedule(op.build(c), OPTIONS);
    const inputs = op.makeInputs(c, 9);
    const kernel = await build(g, cpu);
    const want = op.reference(inputs, c.attrs, c.vars ?? {});
    check(`${name} [${c.label}] on cpu`, await kernel.run(inputs), want, printFunc(g));
  }
});

Deno.test("a matmul of constant sizes gets its accumulator tile in local storage", () => {
  const op = OPS.find((o) => o.name === "matmul")!;
  const text = printFunc(defaultSchedule(op.build(op.cases[0]), OPTIONS));
  for (const part of ["T_matmul_local", "fma(", "vectorized", "unrolled"]) {
    assert(text.includes(part), `${part} missing in\n${text}`);
  }
});

Deno.test("a matmul gets a register-blocked micro-kernel: unrolled rows, vector columns", () => {
  const { schedule, decisions } = applyDefaultRules(matmulFunc(), OPTIONS);
  assertEquals(decisions, [{ block: "C", kind: "gemm", rule: "gemm" }]);
  const text = schedule.show();
  assert(/for \w+ in 0\.\.4 unrolled/.test(text), text);
  assert(/for \w+ in 0\.\.4 vectorized/.test(text), text); // 12 columns: one vector divides
  assert(/parallel/.test(text), text);
});

Deno.test("an elementwise block fuses its contiguous loops and vectorizes with a guarded tail", () => {
  const { schedule, decisions } = applyDefaultRules(elementwiseFunc(7, 13), OPTIONS);
  assertEquals(decisions[0].rule, "injective");
  const lowered = printFunc(lower(schedule.func, CPU_LOWER_OPTIONS));
  assert(lowered.includes("ramp("), lowered);
  assert(/for \w+ in 0\.\.16 \{/.test(lowered), `a serial tail loop\n${lowered}`);
});

Deno.test("a math producer with one reader is inlined; with two it stays a stage", () => {
  const rule = (name: string, block: string) => {
    const op = OPS.find((o) => o.name === name)!;
    const options = { ...OPTIONS, fuseRows: false };
    const { decisions } = applyDefaultRules(op.build(op.cases[0]), options);
    return decisions.find((d) => d.block === block)?.rule;
  };
  // softmax: exp(x − max) feeds the sum and the division, so it is computed once, vectorized.
  assertEquals(rule("softmax", "T_softmax_exp"), "injective");
  assertEquals(rule("softmax", "T_softmax_expsum"), "reduction");
  // layer norm: the mean (no math call) is inlined into both readers.
  assertEquals(rule("layer_norm", "T_layer_norm_mean"), "inlined");
});

Deno.test("a row reduction reading a per-row value (Σ exp(x − m)) is rfactored", async () => {
  const A = placeholder([6, 40], "float32", "A");
  const M = placeholder([6], "float32", "M");
  const k = reduceAxis(40, "k");
  const S = compute([6], ([i]) => sum(call("exp", [sub(A.at(i, k), M.at(i))]), [k]), "S");
  const f = createPrimFunc([A, M, S], "expsum");
  const { schedule, decisions } = applyDefaultRules(f, { threads: 1, fuseRows: false });
  assertEquals(decisions[0].rule, "reduction");
  const text = printFunc(schedule.func);
  assert(text.includes("S_rf") && text.includes("vectorized"), text);
  const inputs = [randomNDArray("float32", [6, 40], 1), randomNDArray("float32", [6], 2)];
  const want = runFunc(f, inputs);
  check("expsum", runFunc(schedule.func, inputs), want, text);
  const kernel = await build(schedule.func, cpu);
  check("expsum on cpu", await kernel.run(inputs), want, text);
  assert(kernel.source.includes("__tsr_exp_f32x"), "the exponential is vectorized");
});

Deno.test("a large matmul packs its vector operand into panels", async () => {
  const op = OPS.find((o) => o.name === "matmul")!;
  const c = op.cases[0];
  const big = {
    ...c,
    inputs: [
      { ...c.inputs[0], shape: [64, 96] },
      { ...c.inputs[1], shape: [96, 64] },
    ],
  };
  const f = op.build(big);
  const g = defaultSchedule(f, OPTIONS);
  assert(printFunc(g).includes("_global"), printFunc(g));
  const inputs = op.makeInputs(big, 2);
  const want = op.reference(inputs, c.attrs, {});
  check("matmul 64x96x64", runFunc(g, inputs), want, printFunc(g));
  check("matmul 64x96x64 on cpu", await (await build(g, cpu)).run(inputs), want, printFunc(g));
});

Deno.test("a GEMV streams rows of its matrix: the reduction runs outside the output row", () => {
  const op = OPS.find((o) => o.name === "matmul")!;
  const c = op.cases[0];
  const gemv = {
    ...c,
    inputs: [{ ...c.inputs[0], shape: [1, 300] }, { ...c.inputs[1], shape: [300, 512] }],
  };
  const { schedule, decisions } = applyDefaultRules(op.build(gemv), OPTIONS);
  assertEquals(decisions[0].rule, "reduction");
  const text = schedule.show();
  const k = text.indexOf("for k"), j = text.search(/for \w+_0 in 0\.\.32/);
  assert(k >= 0 && j > k, text);
  const inputs = op.makeInputs(gemv, 3);
  check("gemv", runFunc(schedule.func, inputs), op.reference(inputs, c.attrs, {}), text);
});

Deno.test("small work stays serial; one thread never goes parallel", () => {
  const f = elementwiseFunc(64, 64);
  assert(!printFunc(defaultSchedule(f, { threads: 2 })).includes("parallel"));
  assert(!printFunc(defaultSchedule(f, { threads: 1, minParallelWork: 1 })).includes("parallel"));
  assert(printFunc(defaultSchedule(f, OPTIONS)).includes("parallel"));
});

Deno.test("padding stays a stage before conv2d, and the rules leave scheduled blocks alone", () => {
  const op = OPS.find((o) => o.name === "conv2d")!;
  const f = op.build(op.cases[0]);
  const { schedule, decisions } = applyDefaultRules(f, OPTIONS);
  assertEquals(decisions.map((d) => d.rule), ["injective", "gemm"]);
  const again = applyDefaultRules(schedule.func, OPTIONS);
  assert(again.decisions.length >= 1);
  assert(again.decisions.every((d) => d.kind === "not plain"), JSON.stringify(again.decisions));
  assertEquals(again.schedule.trace.length, 0);
});

Deno.test("a row reduction of symbolic length is rfactored into vector partial sums", async () => {
  const n = sizeVar("n");
  const A = placeholder([3, n], "float32", "A");
  const k = reduceAxis(n, "k");
  const S = compute([3], ([i]) => sum(call("exp", [A.at(i, k)]), [k]), "S");
  const g = defaultSchedule(createPrimFunc([A, S], "row_sum"), OPTIONS);
  const text = printFunc(g);
  assert(text.includes("S_rf") && text.includes("vectorized"), text);
  const kernel = await build(g, cpu);
  for (const len of [5, 8, 37]) {
    const a = randomNDArray("float32", [3, len], len);
    check(`row sum of ${len}`, await kernel.run([a]), runFunc(g, [a]), text);
  }
});

Deno.test("row reductions keep one vector of partials on short rows, up to four on long ones", () => {
  assertEquals([32, 64, 128, 768, 13, 7, 3].map((n) => partialWidth(n, 4)), [
    4,
    4,
    8,
    16,
    4,
    undefined,
    undefined,
  ]);
  assertEquals(partialWidth(undefined, 4), 4);
  assertEquals(partialWidth(100, 1), undefined);
  // A row of 32 sums through 4 partials, and the result equals the interpreter's.
  const A = placeholder([5, 32], "float32", "A");
  const k = reduceAxis(32, "k");
  const f = createPrimFunc([A, compute([5], ([i]) => sum(A.at(i, k), [k]), "S")], "rows32");
  const g = defaultSchedule(f, { threads: 1 });
  assert(/S_rf: buffer<float32>\[5, 4\]/.test(printFunc(g)), printFunc(g));
  const a = randomNDArray("float32", [5, 32], 4);
  check("rows of 32", runFunc(g, [a]), runFunc(f, [a]), printFunc(g));
});
