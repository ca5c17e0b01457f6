import { assert, assertEquals } from "../ir/test_util.ts";
import { toNumbers } from "../ir/ndarray.ts";
import { firstKernel } from "./01_first_kernel.ts";

Deno.test("example 01: the kernel prints, round-trips, and runs on cpu as in the interpreter", async () => {
  const r = await firstKernel();
  assert(r.script.includes("func scale_relu("), r.script);
  assert(r.roundTrips);
  assertEquals(r.cpu.map((a) => a.shape), [[2, 4], [3, 4]]);
  assertEquals(r.cpu.map(toNumbers), r.interpreter.map(toNumbers));
  // Row 1 of the n = 2 run: A = [-1, 0, 1, 2] → relu(A·w + 1) = [0, 1, 1.5, 5].
  assertEquals(toNumbers(r.cpu[0]).slice(4), [0, 1, 1.5, 5]);
});
