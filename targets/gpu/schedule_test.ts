import { lower } from "../../ir/transform/mod.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { kernelCases } from "../../conformance/kernel_cases.ts";
import { findOp } from "../../ir/ops/catalog.ts";
import { compileGpu } from "./codegen.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { applyGpuSchedule, tilingFor } from "./schedule.ts";

Deno.test("gpu schedule: every op compiles for gpu with the default schedule", () => {
  const rules = new Map<string, number>();
  // one case per op (`deno task conformance --target gpu` runs them all on an adapter)
  for (const c of kernelCases({ quick: true })) {
    const f = c.func();
    const gemmLike = /^(matmul|batch_matmul|dense|conv2d)\//.test(c.id);
    for (const fallback of gemmLike ? [true, false] : [true]) {
      const r = applyGpuSchedule(f, { gemm: tilingFor(fallback) });
      const a = compileGpu(lower(r.schedule.func, { maxLanes: 4 }), { limits: DEFAULT_LIMITS });
      assert(a.kernels.length > 0, c.id);
      for (const d of r.decisions) rules.set(d.rule, (rules.get(d.rule) ?? 0) + 1);
    }
  }
  // every rule is exercised by the catalogue; functions without any spatial loop are rare
  for (const rule of ["gemm", "cross-thread", "bind0", "inlined"]) assert(rules.has(rule), rule);
  assert((rules.get("single") ?? 0) < 3, `${rules.get("single")} blocks on one invocation`);
});

Deno.test("gpu schedule: the rule each kind of block gets", () => {
  const rule = (op: string, k = 0) => {
    const o = findOp(op);
    return applyGpuSchedule(o.build(o.cases[k])).decisions.map((d) => `${d.block}:${d.rule}`);
  };
  assertEquals(rule("matmul"), ["T_matmul:gemm"]);
  assertEquals(rule("softmax"), [
    "T_softmax_maxelem:cross-thread",
    "T_softmax_exp:inlined",
    "T_softmax_expsum:cross-thread",
    "T_softmax:bind0",
  ]);
  assert(rule("add")[0].endsWith(":bind0"));
});
