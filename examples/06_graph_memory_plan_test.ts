import { assert, assertEquals } from "../ir/test_util.ts";
import { toNumbers } from "../ir/ndarray.ts";
import { graphMemoryPlan } from "./06_graph_memory_plan.ts";

Deno.test("example 06: the symbolic memory plan, its bound, storages kept across runs, cpu = interpreter", async () => {
  const r = await graphMemoryPlan();
  assert(r.printed.startsWith('memory plan of "main": 4 storages for 5 values'), r.printed);
  assert(r.printed.includes("n*256 bytes float32"), r.printed);
  // Without bounds [n, 64] cannot take a dead [n, 32] storage; with n ≤ 64 it can.
  assertEquals([r.figures.storages, r.figures.plannedBytes], [4, 49152]);
  assertEquals([r.boundedFigures.storages, r.boundedFigures.plannedBytes], [2, 32768]);
  assertEquals(r.boundedFigures.plannedBytes, r.figures.peakBytes);
  // A second run at the same n allocates nothing; a new n sizes the storages again.
  assertEquals(r.allocations, [4, 4, 8]);
  assertEquals(r.cpu.shape, [8, 10]);
  const want = toNumbers(r.interpreter);
  const worst = toNumbers(r.cpu).reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0);
  assert(worst < 1e-5, `cpu differs from the interpreter by ${worst}`);
});
