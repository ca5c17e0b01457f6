import { assert, assertEquals, assertThrows } from "../test_util.ts";
import { randomNDArray } from "../ndarray.ts";
import { GraphBuilder } from "./builder.ts";
import { GraphError } from "./errors.ts";
import { binding, bindingBlock, graphFunc, graphVar, withGraph } from "./ir.ts";
import { runPasses } from "./pass.ts";
import { FUSED_PASSES } from "./pipelines.ts";
import { tensorType } from "./types.ts";
import { verifyGraph } from "./verify.ts";
import type { GraphPass } from "./pass.ts";

function mlp() {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n", 8]);
  const w = b.constant(randomNDArray("float32", [4, 8], 1), "w");
  b.output(b.softmax(b.relu(b.dense(x, w))));
  return b.finish();
}

Deno.test("verifyGraph: built and transformed modules are well-formed", () => {
  assertEquals(verifyGraph(mlp()), []);
  const mod = runPasses(mlp(), FUSED_PASSES, { verify: true });
  assertEquals(verifyGraph(mod), []);
});

Deno.test("verifyGraph: reads before binding, wrong types, impure dataflow, bad callees", () => {
  const x = graphVar("x", tensorType([4]));
  const y = graphVar("y", tensorType([4]));
  const z = graphVar("z", tensorType([5]));
  const f = graphFunc("main", [x], [
    bindingBlock([
      binding(z, { kind: "OpCall", op: "relu", args: [y], attrs: {} }),
      binding(y, { kind: "CallExtern", func: "log", args: [x], attrs: {}, pure: false }),
      binding(graphVar("t", tensorType([4])), { kind: "CallTIR", func: "nope", args: [x] }),
    ]),
  ], z);
  const problems = verifyGraph(withGraph(mlp(), f));
  assertEquals(problems.length, 4, problems.join("\n"));
  assert(problems[0].includes('reads "y" before it is bound'));
  assert(problems[1].includes('op "relu" gives tensor<float32>[4]'));
  assert(problems[2].includes("impure extern"));
  assert(problems[3].includes('"nope"'));
  // a broken pass is caught by runPasses({ verify: true }), naming it
  const broken: GraphPass = { name: "broken", summary: "breaks", run: (m) => withGraph(m, f) };
  const e = assertThrows(() => runPasses(mlp(), [broken], { verify: true }), GraphError);
  assertEquals(e.code, "GRAPH_VERIFY");
  assert(e.message.startsWith('Pass "broken" produced an ill-formed module'));
});
