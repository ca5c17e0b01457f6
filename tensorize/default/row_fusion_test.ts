import { assert, assertEquals } from "../../ir/test_util.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { OPS } from "../../ir/ops/mod.ts";
import { type NDArray, randomNDArray } from "../../ir/ndarray.ts";
import { printFunc } from "../../ir/script/mod.ts";
import { lower } from "../../ir/transform/mod.ts";
import { compareArrays } from "../../conformance/tolerance.ts";
import { build } from "../../sdk/mod.ts";
import cpu from "../../targets/cpu/mod.ts";
import { CPU_LOWER_OPTIONS } from "../../targets/cpu/codegen.ts";
import { div, sub } from "../../ir/expr.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sizeVar, sum } from "../../ir/te.ts";
import { layerNorm, softmax } from "../../ir/ops/nn.ts";
import { assertTraceRoundTrip } from "../testing.ts";
import { applyDefaultRules } from "./default_schedule.ts";
import { analyzeBlock } from "./block_info.ts";
import { rowAxes } from "./row_fusion.ts";

// Parallel wherever legal, however small the work, so the parallel row loop is exercised too.
const OPTIONS = { threads: 2, minParallelWork: 1 };

function check(what: string, got: readonly NDArray[], want: readonly NDArray[], text: string) {
  assertEquals(got.length, want.length);
  got.forEach((g, k) => {
    const cmp = compareArrays(g, want[k]);
    assert(cmp.ok, `${what} output ${k}: ${cmp.reason ?? ""} (${cmp.mismatches})\n${text}`);
  });
}

function opFunc(name: string, k: number) {
  const op = OPS.find((o) => o.name === name)!;
  return { op, c: op.cases[k], f: op.build(op.cases[k]) };
}

Deno.test("softmax over the last axis runs row by row: the intermediates shrink to one row", () => {
  const { f } = opFunc("softmax", 0); // 7×13, axis −1
  const { schedule, decisions } = applyDefaultRules(f, { threads: 1 });
  assertEquals(decisions.map((d) => d.rule), ["rows", "rows", "rows", "rows"]);
  const lowered = printFunc(lower(schedule.func, CPU_LOWER_OPTIONS));
  // exp(x − max) is kept for one row of 13, the partial maxima and sums as one vector each.
  assert(/allocate T_softmax_exp: buffer<float32>\[13\]/.test(lowered), lowered);
  assert(/allocate T_softmax_maxelem_rf: buffer<float32>\[4\]/.test(lowered), lowered);
  assert(lowered.includes("ramp("), lowered);
  assertTraceRoundTrip(schedule, f);
});

Deno.test("row-fused softmax, log-softmax and layer norm equal the reference on cpu, in parallel", async () => {
  for (
    const [name, k] of [
      ["softmax", 0],
      ["log_softmax", 0],
      ["layer_norm", 0],
      ["layer_norm", 1],
    ] as const
  ) {
    const { op, c, f } = opFunc(name, k);
    const { schedule, decisions } = applyDefaultRules(f, OPTIONS);
    const text = `${schedule.trace.toScript()}\n${printFunc(schedule.func)}`;
    assert(decisions.some((d) => d.rule === "rows"), `${name} [${c.label}] not fused\n${text}`);
    assert(text.includes("parallel"), text);
    const inputs = op.makeInputs(c, 11);
    const want = op.reference(inputs, c.attrs, c.vars ?? {});
    check(`${name} [${c.label}]`, runFunc(schedule.func, inputs), want, text);
    const kernel = await build(schedule.func, cpu);
    check(`${name} [${c.label}] on cpu`, await kernel.run(inputs), want, text);
  }
});

Deno.test("softmax over a middle axis is not fused by rows (a row would need other rows)", () => {
  const { f } = opFunc("softmax", 1); // 3×5×7, axis 1
  const { decisions } = applyDefaultRules(f, OPTIONS);
  assert(decisions.every((d) => d.rule !== "rows"), JSON.stringify(decisions));
  const info = (n: string) => analyzeBlock(f, n)!;
  const blocks = ["T_softmax_maxelem", "T_softmax_exp", "T_softmax_expsum", "T_softmax"].map(info);
  assertEquals(rowAxes(f, blocks), 1);
});

Deno.test("the graph fuser's reduce_mean → sub chain (a kept dimension of 1) is fused", async () => {
  const x = placeholder([2, 5, 32], "float32", "x");
  const r = reduceAxis(32, "rv0");
  const total = compute([2, 5, 1], ([i, j]) => sum(x.at(i, j, r), [r]), "T_mean_sum");
  const mean = compute([2, 5, 1], ([i, j, k]) => div(total.at(i, j, k), 32), "T_mean");
  const out = compute([2, 5, 32], ([i, j, k]) => sub(x.at(i, j, k), mean.at(i, j, 0)), "T_sub");
  const f = createPrimFunc([x, out], "fused_reduce_mean_sub");
  const { schedule, decisions } = applyDefaultRules(f, OPTIONS);
  const text = `${schedule.trace.toScript()}\n${printFunc(schedule.func)}`;
  assertEquals(decisions.map((d) => d.rule), ["rows", "inlined", "rows"], text);
  const a = randomNDArray("float32", [2, 5, 32], 6);
  const want = runFunc(f, [a]);
  check("2×5×32", runFunc(schedule.func, [a]), want, text);
  check("2×5×32 on cpu", await (await build(schedule.func, cpu)).run([a]), want, text);
});

Deno.test("a lone reduction and a reduction feeding only per-row values keep the reduction rule", () => {
  const n = sizeVar("n");
  const x = placeholder([n, 64], "float32", "x");
  const r = reduceAxis(64, "k");
  const total = compute([n], ([i]) => sum(x.at(i, r), [r]), "S");
  const mean = compute([n], ([i]) => div(total.at(i), 64), "M");
  for (const f of [createPrimFunc([x, total], "sum"), createPrimFunc([x, mean], "mean")]) {
    const { decisions } = applyDefaultRules(f, OPTIONS);
    assertEquals(decisions[0].rule, "reduction", JSON.stringify(decisions));
  }
});

Deno.test("symbolic softmax and layer norm fuse by rows: one-row intermediates, equal to the interpreter", async () => {
  const b = sizeVar("batch"), s = sizeVar("seq");
  const x = placeholder([b, 4, s, s], "float32", "x");
  const sm = createPrimFunc([x, softmax(x)], "softmax_sym");
  const x2 = placeholder([b, s, 128], "float32", "x");
  const g = placeholder([128], "float32", "g"), be = placeholder([128], "float32", "be");
  const ln = createPrimFunc([x2, g, be, layerNorm(x2, g, be)], "layer_norm_sym");
  const cases = [
    [sm, [
      /allocate T_softmax_exp: buffer<float32>\[seq_\]/,
      /T_softmax_maxelem_rf: buffer<float32>\[4\]/,
      /T_softmax_expsum: buffer<float32>\[1\]/,
    ], (bb: number, ss: number) => [[bb, 4, ss, ss]]],
    [
      ln,
      [/T_layer_norm_sum_rf: buffer<float32>\[8\]/, /T_layer_norm_sqsum: buffer<float32>\[1\]/],
      (bb: number, ss: number) => [[bb, ss, 128], [128], [128]],
    ],
  ] as const;
  for (const [f, shapes, inputShapes] of cases) {
    const { schedule, decisions } = applyDefaultRules(f, { threads: 1 });
    const text = `${schedule.trace.toScript()}\n${printFunc(schedule.func)}`;
    assert(decisions.every((d) => d.rule === "rows" || d.rule === "inlined"), text);
    const lowered = printFunc(lower(schedule.func, CPU_LOWER_OPTIONS));
    for (const re of shapes) assert(re.test(lowered), `${re}\n${lowered}`);
    const kernel = await build(schedule.func, cpu);
    for (const [bb, ss] of [[1, 1], [1, 5], [2, 9], [1, 32]]) {
      const inputs = inputShapes(bb, ss).map((sh, k) =>
        randomNDArray("float32", sh, 7 * bb + ss + k)
      );
      const want = runFunc(f, inputs);
      check(`${f.name} ${bb}×${ss}`, runFunc(schedule.func, inputs), want, text);
      check(`${f.name} ${bb}×${ss} on cpu`, await kernel.run(inputs), want, lowered);
    }
  }
});
