import { assert, assertEquals } from "../../ir/test_util.ts";
import { visit } from "../../ir/node.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { randomNDArray, toNumbers } from "../../ir/ndarray.ts";
import { build, buildStats, clearBuildCache } from "../../sdk/mod.ts";
import { matmulFunc } from "../../tensorize/testing.ts";
import cpu from "./mod.ts";

function loopKinds(f: PrimFunc): Set<string> {
  const kinds = new Set<string>();
  visit(f.body, (n) => {
    if (n.kind === "For") kinds.add(n.forKind);
    if (n.kind === "Ramp") kinds.add("ramp");
  });
  return kinds;
}

Deno.test("cpu builds unscheduled functions with the default schedule, unless told not to", async () => {
  clearBuildCache();
  const f = matmulFunc("float32"); // C[n, 12] = A[n, 16]·B[16, 12], n symbolic
  const scheduled = await build(f, cpu);
  assertEquals(buildStats().schedules, 1);
  const kinds = loopKinds(scheduled.lowered);
  assert(kinds.has("ramp") && kinds.has("parallel"), [...kinds].join());
  const plain = await build(f, cpu, { schedule: false });
  assert(!loopKinds(plain.lowered).has("ramp"));
  const a = randomNDArray("float32", [9, 16], 1), b = randomNDArray("float32", [16, 12], 2);
  const [want] = runFunc(f, [a, b]);
  for (const k of [scheduled, plain]) {
    const [got] = await k.run([a, b]);
    toNumbers(got).forEach((x, i) => {
      const y = toNumbers(want)[i];
      assert(Math.abs(x - y) <= 1e-5 * Math.max(1, Math.abs(y)), `${x} vs ${y}`);
    });
  }
});
