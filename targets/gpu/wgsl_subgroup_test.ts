import { lower } from "../../ir/transform/mod.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { findOp } from "../../ir/ops/catalog.ts";
import { parseFunc } from "../../ir/script/mod.ts";
import type { PrimFunc } from "../../ir/func.ts";
import type { CompileContext } from "../../sdk/codegen.ts";
import { compileGpu } from "./codegen.ts";
import { DEFAULT_LIMITS, NO_FEATURES } from "./limits.ts";
import { applyGpuSchedule } from "./schedule.ts";
import { defineGpuTarget } from "./target.ts";
import { checkOnGpu, gpuTest } from "./testing.ts";

const op = (name: string, k = 0): PrimFunc => {
  const o = findOp(name);
  return o.build(o.cases[k]);
};
const compile = (f: PrimFunc, subgroups: boolean) =>
  compileGpu(lower(applyGpuSchedule(f).schedule.func, { maxLanes: 4 }), {
    limits: DEFAULT_LIMITS,
    subgroups,
  });
const count = (s: string, x: string) => s.split(x).length - 1;

Deno.test("gpu subgroups: softmax's cross-thread reductions use subgroupMax / subgroupAdd", () => {
  const without = compile(op("softmax"), false), withSg = compile(op("softmax"), true);
  assertEquals(withSg.kernels.length, without.kernels.length);
  const [max, sum, norm] = withSg.kernels.map((k) => k.source);
  for (const [s, builtin] of [[max, "subgroupMax("], [sum, "subgroupAdd("]]) {
    assert(s.startsWith("enable subgroups;\n"), s);
    assert(s.includes("@builtin(subgroup_invocation_id) sgid: u32"), s);
    assertEquals(count(s, builtin), 1);
    // partials: one slot per subgroup taken from a workgroup counter
    assert(
      s.includes("atomicAdd(&tsr_sgn0, 1u)") && /var<workgroup> tsr_sg0: array<f32, \d+>/.test(s),
    );
    // one barrier before the write-back (barrier pass), one between subgroups
    assertEquals(count(s, "workgroupBarrier()"), 2);
    // uniform control flow: the subgroup call is at the kernel's top nesting, not under lid
    const line = s.split("\n").find((l) => l.includes(builtin))!;
    const barrier = s.split("\n").find((l) => l.includes("workgroupBarrier"))!;
    assertEquals(line.search(/\S/), barrier.search(/\S/));
    // the serial loop over all partials is gone; invocation 0 combines n ≤ T subgroup totals
    assert(s.includes("atomicLoad(&tsr_sgn0)"), s);
  }
  // the elementwise normalisation has no reduction: no subgroups there
  assert(!norm.includes("subgroup"), norm);
  // without the feature: the shared-memory path, no enable directive; its barriers: one before
  // the write-back, two in the write-back loop over T partials (run T times)
  for (const k of without.kernels.slice(0, 2)) {
    assert(!k.source.includes("subgroup"), k.source);
    assertEquals(count(k.source, "workgroupBarrier()"), 3);
  }
});

Deno.test("gpu subgroups: min and max pools map to subgroupMin / subgroupMax", () => {
  const min = compile(op("reduce_min"), true).kernels.map((k) => k.source).join("\n");
  assert(min.includes("subgroupMin("), min);
  const pool = compile(op("max_pool2d"), true).kernels.map((k) => k.source).join("\n");
  assert(pool.includes("subgroupMax(") && pool.includes("enable subgroups;"), pool);
});

Deno.test("gpu subgroups: a fake adapter with the feature gets them through the target", async () => {
  const t = defineGpuTarget({
    limits: DEFAULT_LIMITS,
    features: { ...NO_FEATURES, subgroups: true },
    description: "fake adapter with subgroups",
    missing: "fake",
  });
  const f = op("layer_norm");
  const scheduled = t.codegen.schedule!(f, t);
  const ctx: CompileContext = { target: t, original: f, options: {} };
  const a = await t.codegen.compile(lower(scheduled, t.codegen.lowerOptions), ctx);
  assert(a.source.includes("enable subgroups;") && a.source.includes("subgroupAdd("), a.source);
  // the same target without the feature: no subgroups
  const plain = defineGpuTarget({
    limits: DEFAULT_LIMITS,
    features: NO_FEATURES,
    description: "fake adapter",
    missing: "fake",
  });
  const b = await plain.codegen.compile(lower(scheduled, t.codegen.lowerOptions), ctx);
  assert(!b.source.includes("subgroup"), b.source);
});

gpuTest(
  "gpu subgroups: the same schedules run on this adapter (no subgroups) as the interpreter",
  async () => {
    for (const name of ["softmax", "reduce_min", "max_pool2d", "layer_norm"]) {
      const o = findOp(name);
      const f = o.build(o.cases[0]);
      const kernel = await checkOnGpu(f, o.makeInputs(o.cases[0], 17));
      assert(!kernel.source.includes("subgroup"), name);
    }
  },
);

const writeBack = (combine: string, outer: boolean) => {
  const body = `for ax0 in 0..8 {
        if ax0 == 0 { S[i] = 1.0 }
        S[i] = ${combine}
      }`;
  return `func f(A: buffer<float32>[32], S: buffer<float32>[4]) {
  for i in 0..4 thread("blockIdx.x") {
    allocate R: buffer<float32>[8](scope="shared")
    for t in 0..8 thread("threadIdx.x") {
      R[t] = A[i * 8 + t]
    }
    ${outer ? `for r in 0..2 { ${body} }` : body}
  }
}`;
};

Deno.test("gpu subgroups: only +, max, min write-backs outside other serial loops convert", () => {
  const src = (c: string, outer = false) =>
    compileGpu(lower(parseFunc(writeBack(c, outer))), { limits: DEFAULT_LIMITS, subgroups: true })
      .kernels[0].source;
  assert(src("S[i] + R[ax0]").includes("subgroupAdd("));
  assert(src("min(S[i], R[ax0])").includes("subgroupMin("));
  // a product has no subgroup built-in here; a write-back in a serial loop would reuse the counter
  assert(!src("S[i] * R[ax0]").includes("subgroup"));
  assert(!src("S[i] + R[ax0]", true).includes("subgroup"));
});
