/**
 * # 06 — A graph with symbolic shapes and its memory plan
 *
 * A graph function's intermediates are planned once, before any input is seen: each goes into a
 * storage whose byte size is an expression of the shape symbols (`n*128 bytes`), and a storage is
 * reused by a later value only when it is provably large enough for every `n`. Declaring upper
 * bounds on the symbols (as Relax's `tir_var_upper_bound`) makes sizes constant and lets more
 * values share. At run time every intermediate is a view of its storage, and storages are kept
 * across runs while the sizes stay the same.
 *
 * This example builds a small MLP over `[n, 16]` inputs, prints its plan, runs it at two sizes on
 * `cpu` (one compile), and compares the planned bytes with every value allocated on its own.
 *
 * Run it: `deno run -A examples/06_graph_memory_plan.ts`.
 *
 * @module
 */
import { cpu, graph, type NDArray, randomNDArray, targetBackend, toNumbers } from "../mod.ts";

/** What the example shows, for its test. */
export interface MemoryPlanResult {
  /** `printMemoryPlan` of the function. */
  readonly printed: string;
  /** Figures at n = 64 without and with the bound `n ≤ 64`. */
  readonly figures: graph.MemoryFigures;
  readonly boundedFigures: graph.MemoryFigures;
  /** Storages allocated after the first run at n = 64, after a second one, after n = 8. */
  readonly allocations: number[];
  /** Outputs of the cpu run at n = 8 and the interpreter's. */
  readonly cpu: NDArray;
  readonly interpreter: NDArray;
}

/** `softmax(dense(relu(dense(relu(dense(x))))))` over `x: [n, 16]`, hidden widths 32 and 64. */
function mlp(): graph.GraphModule {
  const b = new graph.GraphBuilder("main");
  const x = b.input("x", ["n", 16]);
  const layer = (h: graph.Atom, inF: number, outF: number, seed: number) =>
    b.relu(b.dense(h, b.constant(randomNDArray("float32", [outF, inF], seed), `w${seed}`)));
  const h = layer(layer(x, 16, 32, 1), 32, 64, 2); // widening: [n, 64] cannot reuse [n, 32]
  b.output(b.softmax(b.dense(h, b.constant(randomNDArray("float32", [10, 64], 3), "w3"))));
  return b.finish();
}

/** Plan, print and run. */
export async function graphMemoryPlan(): Promise<MemoryPlanResult> {
  const mod = mlp();
  const ex = new graph.GraphExecutor(mod, { backend: await targetBackend(cpu) });
  const plan = ex.memoryPlan();
  const bounded = graph.planMemory(plan.func, { upperBounds: { n: 64 } });

  const allocations: number[] = [];
  await ex.run([randomNDArray("float32", [64, 16], 4)]);
  allocations.push(ex.storageAllocations());
  await ex.run([randomNDArray("float32", [64, 16], 5)]); // same sizes: the storages are kept
  allocations.push(ex.storageAllocations());
  const x8 = randomNDArray("float32", [8, 16], 6);
  const [y] = await ex.run([x8]); // another n: same kernels, storages sized again
  allocations.push(ex.storageAllocations());
  const [want] = await new graph.GraphExecutor(mod).run([x8]); // the reference interpreter
  ex.dispose();
  return {
    printed: graph.printMemoryPlan(plan),
    figures: graph.memoryFigures(plan, { n: 64 }),
    boundedFigures: graph.memoryFigures(bounded, { n: 64 }),
    allocations,
    cpu: y,
    interpreter: want,
  };
}

if (import.meta.main) {
  const r = await graphMemoryPlan();
  console.log(r.printed);
  console.log("n = 64:", r.figures, "with n ≤ 64:", r.boundedFigures);
  console.log("storages allocated after each run:", r.allocations);
  console.log("n = 8, first row:", toNumbers(r.cpu).slice(0, 10));
}
