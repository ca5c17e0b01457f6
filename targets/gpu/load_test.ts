import { assert, assertEquals } from "../../ir/test_util.ts";
import { gpuTarget } from "./load.ts";
import gpu from "./mod.ts";

Deno.test("gpuTarget: loads the adapter-bound target once and shares it", async () => {
  const a = await gpuTarget();
  assertEquals(a.name, "gpu");
  assertEquals(a.kind, "gpu");
  assert(a === await gpuTarget(), "a second call returns the same target");
  assert(a === gpu, "the same target as the module's default export");
});
