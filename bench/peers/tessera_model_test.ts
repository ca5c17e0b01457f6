import { assert, assertEquals } from "../../ir/test_util.ts";
import { caseInputs } from "../cases.ts";
import { modelBenchCases } from "../models.ts";
import { relativeError } from "../harness.ts";
import { ortNode } from "./ort_node.ts";
import { tesseraModel } from "./tessera_model.ts";

Deno.test("tessera-default [graph] runs the MLP as onnxruntime-node does; no other case kind", async () => {
  const [mlp] = await modelBenchCases();
  const inputs = caseInputs(mlp);
  const ours = tesseraModel(1), ort = ortNode(1);
  await ours.init();
  await ort.init();
  assert(ours.supports(mlp) && ort.supports(mlp));
  const a = await ours.prepare(mlp, inputs), b = await ort.prepare(mlp, inputs);
  await a.run();
  await b.run();
  const got = await a.result(), want = await b.result();
  assertEquals(got.length, want.length);
  assert(relativeError(got, want) < 1e-5, String(relativeError(got, want)));
  await a.dispose();
  await b.dispose();
  assertEquals(ours.supports({ id: "mm", kind: "matmul", m: 2, n: 2, k: 2 }), false);
});
