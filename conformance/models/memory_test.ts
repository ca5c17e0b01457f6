import { assert, assertEquals } from "../../ir/test_util.ts";
import { type NDArray, randomNDArray, toNumbers } from "../../ir/ndarray.ts";
import { GraphExecutor } from "../../ir/graph/executor.ts";
import { importOnnx } from "../../ir/graph/onnx/import.ts";
import { memoryFigures } from "../../ir/graph/memory_plan_print.ts";
import { FUSED_PASSES } from "../../ir/graph/pipelines.ts";
import type { Target } from "../../sdk/mod.ts";
import cpu from "../../targets/cpu/mod.ts";
import { compareArrays } from "../tolerance.ts";
import { concrete, MODELS } from "./mod.ts";
import { buildPlaced } from "./placed.ts";
import { modelCases } from "./cases.ts";
import { MLP } from "./mlp.ts";
import { runModelCase } from "../model_runner.ts";
import { renderTable } from "../report.ts";

/** The sizes of the conformance cases, and smaller ones (one plan serves both). */
const SIZES = [{ N: 4, batch: 2, seq: 16 }, { N: 1, batch: 1, seq: 5 }];

const input = (m: (typeof MODELS)[number], s: Record<string, number>, seed: number): NDArray =>
  randomNDArray("float32", concrete(m.inputShape, s), seed);

Deno.test("models on the interpreter: the memory plan gives the unplanned outputs bit for bit, at two sizes", async () => {
  for (const m of MODELS) {
    const mod = importOnnx(m.build());
    const planned = new GraphExecutor(mod, { passes: FUSED_PASSES });
    const unplanned = new GraphExecutor(mod, { passes: FUSED_PASSES, memory: { reuse: false } });
    const plan = planned.memoryPlan();
    assert(plan.tokens.length < plan.values.length, `${m.name}: no storage shared`);
    for (const [k, s] of SIZES.entries()) {
      const x = input(m, s, 20 + k);
      const [want] = await unplanned.run([x]);
      const [got] = await planned.run([x]);
      assertEquals(toNumbers(got), toNumbers(want), `${m.name} at ${JSON.stringify(s)}`);
      const f = memoryFigures(plan, s);
      assert(f.peakBytes <= f.plannedBytes && f.plannedBytes < f.unplannedBytes, m.name);
    }
  }
});

Deno.test("models on cpu: planned runs equal the interpreter; a second run at the same sizes allocates no storage", async () => {
  for (const m of MODELS) {
    const mod = importOnnx(m.build());
    const built = await buildPlaced(mod, cpu as Target);
    const ref = new GraphExecutor(mod, { passes: FUSED_PASSES, memory: { reuse: false } });
    for (const [k, s] of [SIZES[0], SIZES[0], SIZES[1]].entries()) {
      const x = input(m, s, 40 + k);
      const before = built.storageAllocations();
      const [got] = await built.run([x]);
      const [want] = await ref.run([x]);
      const c = compareArrays(got, want);
      assert(c.ok, `${m.name} at ${JSON.stringify(s)}: ${JSON.stringify(c)}`);
      const made = built.storageAllocations() - before;
      const storages = built.memoryPlan().tokens.length;
      assertEquals(made, k === 1 ? 0 : storages, `${m.name} run ${k}: storages allocated`);
    }
  }
});

Deno.test("models report: a model case carries its memory plan's figures, in the JSON and the table", async () => {
  const r = await runModelCase(modelCases[0], cpu as Target, { repeats: 1 });
  assertEquals(r.verdict, "passed", r.detail);
  // the MLP at N = 4: 3 intermediates (the two hidden layers, then the logits before softmax)
  // in 2 storages: the logits take the first hidden layer's
  const { hidden1: h1, hidden2: h2, classes: c } = MLP;
  assertEquals(r.memory, {
    storages: 2,
    plannedBytes: 4 * 4 * (h1 + h2),
    unplannedBytes: 4 * 4 * (h1 + h2 + c),
  });
  const table = renderTable([r]);
  assert(table.includes("memory (storages: planned/unplanned KiB)"), table);
  assert(table.includes(`2: ${(16 * (h1 + h2) / 1024).toFixed(1)}/`), table);
});
