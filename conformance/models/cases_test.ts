import { assertEquals } from "../../ir/test_util.ts";
import { runModelCase } from "../model_runner.ts";
import { interpTarget } from "../testing.ts";
import { modelCases } from "./cases.ts";

Deno.test("ONNX model cases pass on the interpreter target; a wrong kernel fails its model", async () => {
  const ok = interpTarget();
  for (const c of modelCases) {
    const r = await runModelCase(c, ok.target, { repeats: 1 });
    assertEquals(r.verdict, "passed", `${c.id}: ${r.detail ?? ""}`);
  }
  const wrong = interpTarget({ name: "wrong", wrongOn: /dense/ });
  const r = await runModelCase(modelCases[0], wrong.target, { repeats: 1 });
  assertEquals(r.verdict === "passed", false, "a wrong dense kernel must fail the MLP");
});
