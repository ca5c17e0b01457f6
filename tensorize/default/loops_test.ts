import { assert, assertEquals } from "../../ir/test_util.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { type NDArray, randomNDArray, toNumbers } from "../../ir/ndarray.ts";
import { printFunc } from "../../ir/script/mod.ts";
import { add, mul } from "../../ir/expr.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sizeVar, sum } from "../../ir/te.ts";
import { compareArrays } from "../../conformance/tolerance.ts";
import { build } from "../../sdk/mod.ts";
import cpu, { type CpuDevice } from "../../targets/cpu/mod.ts";
import { defaultSchedule } from "./default_schedule.ts";
import { parallelGroup } from "./loops.ts";

Deno.test("the parallel group: leading known loops as before, else the sequence loop or a later known run", () => {
  const u = undefined;
  assertEquals(parallelGroup([64, 32], 2), [0, 1]);
  assertEquals(parallelGroup([4, 8, 2], 2), [0, 2]);
  assertEquals(parallelGroup([1, 1], 2), undefined);
  assertEquals(parallelGroup([3], 4), undefined);
  assertEquals(parallelGroup([u, 8], 2), [0, 2]);
  assertEquals(parallelGroup([u, 4, u, u], 2), [0, 2]);
  assertEquals(parallelGroup([u, u, 32, 4], 2), [1, 2]);
  assertEquals(parallelGroup([u, u, 2], 2), [1, 2]);
  assertEquals(parallelGroup([u, 2, 2, u], 2), [0, 3]);
  assertEquals(parallelGroup([u, 2, u, 4], 2), [2, 3]);
  assertEquals(parallelGroup([u, u], 2), [1, 2]);
});

/** Y[b, s, o] = Σ_k X[b, s, k]·W[k, o] over symbolic batch and sequence. */
function dense(): PrimFunc {
  const [b, s] = [sizeVar("batch"), sizeVar("seq")];
  const X = placeholder([b, s, 128], "float32", "X");
  const W = placeholder([128, 512], "float32", "W");
  const k = reduceAxis(128, "k");
  const Y = compute([b, s, 512], ([i, j, o]) => sum(mul(X.at(i, j, k), W.at(k, o)), [k]), "Y");
  return createPrimFunc([X, W, Y], "dense");
}

/** C[b, h, i, j] = Σ_k Q[b, h, i, k]·K[b, h, j, k] (attention scores), symbolic batch, seq. */
function scores(): PrimFunc {
  const [b, s] = [sizeVar("batch"), sizeVar("seq")];
  const Q = placeholder([b, 8, s, 512], "float32", "Q");
  const K = placeholder([b, 8, s, 512], "float32", "K");
  const k = reduceAxis(512, "k");
  const C = compute(
    [b, 8, s, s],
    ([n, h, i, j]) => sum(mul(Q.at(n, h, i, k), K.at(n, h, j, k)), [k]),
    "C",
  );
  return createPrimFunc([Q, K, C], "scores");
}

/** Z[b, s, c] = X[b, s, c] + 1. */
function addOne(): PrimFunc {
  const [b, s] = [sizeVar("batch"), sizeVar("seq")];
  const X = placeholder([b, s, 32768], "float32", "X");
  return createPrimFunc(
    [X, compute([b, s, 32768], ([i, j, c]) => add(X.at(i, j, c), 1), "Z")],
    "add1",
  );
}

/** The variable names of the parallel loops of `text`. */
function parallelLoops(text: string): string[] {
  return [...text.matchAll(/for (\w+) in [^\n]*parallel/g)].map((m) => m[1]);
}

const CASES: [string, () => PrimFunc, (b: number, s: number) => number[][]][] = [
  ["dense", dense, (b, s) => [[b, s, 128], [128, 512]]],
  ["attention scores", scores, (b, s) => [[b, 8, s, 512], [b, 8, s, 512]]],
  ["elementwise", addOne, (b, s) => [[b, s, 32768]]],
];

for (const [name, make, shapes] of CASES) {
  Deno.test(`${name} over symbolic batch and sequence: one parallel loop inside the batch, work on both threads at batch 1`, async () => {
    const f = make();
    const g = defaultSchedule(f, { threads: 2 });
    const text = printFunc(g);
    const par = parallelLoops(text);
    assertEquals(par.length, 1, text);
    // The parallel loop is not the batch loop alone.
    assert(!/^(i|n)$/.test(par[0]), text);
    const d =
      (await cpu.runtime.createDevice({ threads: 2, callerRunsChunks: false })) as CpuDevice;
    try {
      const k = await build(g, cpu, { device: d });
      for (const [b, s] of [[1, 16], [2, 5], [1, 1]]) {
        const before = d.threadStats().dispatches;
        const inputs: NDArray[] = shapes(b, s).map((sh, t) => randomNDArray("float32", sh, t + b));
        const got = await k.run(inputs), want = runFunc(f, inputs);
        const cmp = compareArrays(got[0], want[0]);
        assert(cmp.ok, `${name} at batch ${b}, seq ${s}: ${cmp.reason}\n${text}`);
        if (b === 1 && s === 16) {
          assert(d.threadStats().dispatches > before, `${name}: no parallel dispatch\n${text}`);
        }
        assertEquals(toNumbers(got[0]).length, toNumbers(want[0]).length);
      }
    } finally {
      d.dispose();
    }
  });
}

Deno.test("a symbolic block with little work keeps its leading loop parallel (a direct call at batch 1)", () => {
  const [b, s] = [sizeVar("batch"), sizeVar("seq")];
  const X = placeholder([b, s, 32], "float32", "X");
  const W = placeholder([32, 32], "float32", "W");
  const k = reduceAxis(32, "k");
  const Y = compute([b, s, 32], ([i, j, o]) => sum(mul(X.at(i, j, k), W.at(k, o)), [k]), "Y");
  const text = printFunc(defaultSchedule(createPrimFunc([X, W, Y], "small"), { threads: 2 }));
  assertEquals(parallelLoops(text), ["i"], text);
});
