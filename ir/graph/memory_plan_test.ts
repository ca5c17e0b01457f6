import { assert, assertEquals } from "../test_util.ts";
import { type NDArray, ndarray, randomNDArray, rng, toNumbers } from "../ndarray.ts";
import { interpreterBackend } from "./backend.ts";
import { GraphBuilder } from "./builder.ts";
import { GraphError, ShapeError } from "./errors.ts";
import { GraphExecutor } from "./executor.ts";
import { argsOf, type Atom, bindingsOf, type GraphFunc, type GraphModule } from "./ir.ts";
import { type MemoryPlan, planMemory } from "./memory_plan.ts";
import { memoryFigures, planBytes, printMemoryPlan } from "./memory_plan_print.ts";
import { evalDim } from "./shape_eval.ts";

/** The graph function an executor runs (after its passes: every op a `callTIR`). */
function lowered(mod: GraphModule): GraphFunc {
  return new GraphExecutor(mod).module.graphs.get("main")!;
}

/** x[n, 768] → relu → relu → dense to [n, 3072] → relu → output. */
function widening(narrow = 768, wide = 3072): GraphModule {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n", narrow]);
  const c2 = b.relu(b.relu(x, "c1"), "c2");
  const a = b.dense(c2, b.constant(ndarray("float32", [wide, narrow]), "w1"), undefined, {}, "a");
  b.output(b.relu(a, "out"));
  return b.finish();
}

/** x[n, 768] → dense to [n, 3072] → relu → dense to [n, 768] → relu → output. */
function narrowing(narrow = 768, wide = 3072): GraphModule {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n", narrow]);
  const weight = (shape: number[], seed: number) =>
    wide > 1000 ? ndarray("float32", shape) : randomNDArray("float32", shape, seed, -0.1, 0.1);
  const w1 = weight([wide, narrow], 1);
  const w2 = weight([narrow, wide], 2);
  const a = b.dense(x, b.constant(w1, "w1"), undefined, {}, "a");
  const r = b.relu(a, "r");
  const c = b.dense(r, b.constant(w2, "w2"), undefined, {}, "c");
  b.output(b.relu(b.relu(c, "d"), "out"));
  return b.finish();
}

/** Token of a value by binding name. */
function tokenOf(plan: MemoryPlan, name: string): number | undefined {
  return plan.values.find((v) => v.v.name === name) &&
    [...plan.assignment].find(([v]) => v.name === name)?.[1][0]?.id;
}

Deno.test("planMemory: a dead [n, 3072] storage takes a later [n, 768] value", () => {
  const plan = planMemory(lowered(narrowing()));
  // a: 0..1, r: 1..2, c: 2..3, d: 3..4 (out is the result)
  assertEquals(plan.values.map((v) => [v.v.name, v.start, v.end]), [
    ["a", 0, 1],
    ["r", 1, 2],
    ["c", 2, 3],
    ["d", 3, 4],
  ]);
  assertEquals(tokenOf(plan, "c"), tokenOf(plan, "a"));
  assertEquals(tokenOf(plan, "d"), tokenOf(plan, "r"));
  assertEquals(plan.tokens.length, 2);
  assertEquals(
    printMemoryPlan(plan),
    [
      'memory plan of "main": 2 storages for 4 values',
      "  storage 0: n*12288 bytes float32: a@0, c@2",
      "  storage 1: n*12288 bytes float32: r@1, d@3",
    ].join("\n"),
  );
  const m = memoryFigures(plan, { n: 128 });
  assertEquals(m, {
    storages: 2,
    plannedBytes: 2 * 12288 * 128,
    unplannedBytes: 2 * 12288 * 128 + 2 * 3072 * 128,
    peakBytes: 2 * 12288 * 128,
  });
});

Deno.test("planMemory: a [n, 3072] value does not take a dead [n, 768] storage, unless bounds allow", () => {
  const f = lowered(widening());
  const plain = planMemory(f);
  assert(tokenOf(plain, "a") !== tokenOf(plain, "c1"), printMemoryPlan(plain));
  assertEquals(plain.tokens.length, 3);
  const bounded = planMemory(f, { upperBounds: { n: 128 } });
  assertEquals(tokenOf(bounded, "a"), tokenOf(bounded, "c1"), printMemoryPlan(bounded));
  assertEquals(bounded.tokens.length, 2);
  // the shared token grew to the larger bound: 12288 bytes per row at n = 128
  assertEquals(bounded.tokens.map((t) => [t.bounded, planBytes({ ...bounded, tokens: [t] }, {})]), [
    [true, 12288 * 128],
    [true, 3072 * 128],
  ]);
  assert(printMemoryPlan(bounded).includes("(upper bounds n <= 128)"));
  // provably equal sizes are preferred to larger ones
  assertEquals(planMemory(lowered(narrowing()), { upperBounds: { n: 4 } }).tokens.length, 2);
});

Deno.test("planMemory: bad upper bounds, and a size above its bound at run time, are typed errors", async () => {
  const f = lowered(widening());
  for (const bad of [{ m: 4 }, { n: -1 }, { n: 1.5 }] as Record<string, number>[]) {
    let e: unknown;
    try {
      planMemory(f, { upperBounds: bad });
    } catch (x) {
      e = x;
    }
    assert(e instanceof GraphError && e.code === "GRAPH_MEMORY_PLAN", String(e));
  }
  const ex = new GraphExecutor(widening(8, 32), { memory: { upperBounds: { n: 4 } } });
  const [y] = await ex.run([randomNDArray("float32", [4, 8], 1)]);
  assertEquals(y.shape, [4, 32]);
  const e = await ex.run([randomNDArray("float32", [5, 8], 1)]).then(() => undefined, (e) => e);
  assert(e instanceof ShapeError && e.code === "GRAPH_UPPER_BOUND", String(e));
  assert(e.message.includes("size variable n is 5, above its upper bound 4"), e.message);
});

Deno.test("planMemory: one plan serves several sizes, equal to the unplanned run; same sizes allocate nothing", async () => {
  const mod = narrowing(24, 96);
  let allocs = 0;
  const inner = interpreterBackend();
  const counting = {
    ...inner,
    allocate: (s: readonly number[], d: string) => (allocs++, inner.allocate(s, d)),
  };
  const planned = new GraphExecutor(mod, { backend: counting });
  const unplanned = new GraphExecutor(mod, { memory: { reuse: false } });
  assertEquals(unplanned.memoryPlan().tokens.length, 4);
  const perRun: number[] = [];
  for (const n of [3, 3, 1, 1, 3]) {
    const x = randomNDArray("float32", [n, 24], n);
    const [want] = await unplanned.run([x]);
    const before = allocs;
    const [got] = await planned.run([x]);
    assertEquals(toNumbers(got), toNumbers(want), `n = ${n}`);
    perRun.push(allocs - before);
  }
  // the result on every run; the 2 storages again only when n changed
  assertEquals(perRun, [3, 1, 3, 1, 3]);
  assertEquals(planned.storageAllocations(), 6);
});

Deno.test("interpreter backend: a view over a reused storage is zero-filled", () => {
  const be = interpreterBackend();
  const base = be.allocate([6], "float32") as NDArray;
  const a = be.view(base, [2, 3]) as NDArray;
  (a.data as Float32Array).fill(7);
  assertEquals(toNumbers(base), [7, 7, 7, 7, 7, 7]); // a view, not a copy
  const b = be.view(base, [4]) as NDArray;
  assertEquals(toNumbers(b), [0, 0, 0, 0]);
  assertEquals(b.shape, [4]);
  const big = be.allocate([2], "int64") as NDArray;
  (be.view(big, [2]) as NDArray).data.fill(3n as never);
  assertEquals(toNumbers(be.view(big, [1]) as NDArray), [0]);
});

// ---------------------------------------------------------------------------------------------
// property: random graphs

const UNARY = ["relu", "neg", "tanh", "abs"];

/** Random graphs over [n, 8] and [n, 16] values: chains, dense layers, tuples, fields, shape matches, an extern handing its argument back. */
function randomGraph(seed: number): GraphModule {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  // mostly one of the newest values (chains: short lives), sometimes any (long lives)
  const recent = <T>(xs: readonly T[]): T =>
    r() < 0.7 ? xs[Math.max(0, xs.length - 1 - Math.floor(r() * 2))] : pick(xs);
  const b = new GraphBuilder("main");
  const w = (o: number, i: number, k: number) =>
    b.constant(randomNDArray("float32", [o, i], seed * 13 + k, -0.5, 0.5), `w${k}`);
  const pools: Record<number, Atom[]> = { 8: [b.input("x", ["n", 8])], 16: [] };
  const steps = 8 + Math.floor(r() * 16);
  for (let k = 0; k < steps; k++) {
    const width = pools[16].length && r() < 0.5 ? 16 : 8;
    const a = recent(pools[width]);
    const c = r();
    if (c < 0.3) pools[width].push(b.op(pick(UNARY), [a]));
    else if (c < 0.5) pools[width].push(b.add(a, pick(pools[width])));
    else if (c < 0.7) {
      const to = width === 8 ? 16 : 8;
      pools[to].push(b.dense(a, w(to, width, k)));
    } else if (c < 0.8) {
      const t = b.tuple([a, pick(pools[width])]);
      pools[width].push(b.getItem(t, r() < 0.5 ? 0 : 1));
    } else if (c < 0.9) pools[width].push(b.matchShape(a, ["n", width]));
    else pools[width].push(b.callExtern("host.same", [a], { shape: ["n", width] }));
  }
  const all = [...pools[8], ...pools[16]];
  const outs = [pools[8][pools[8].length - 1]];
  if (pools[16].length) outs.push(pools[16][pools[16].length - 1]);
  if (r() < 0.3) outs.push(pick(all));
  b.output(...outs);
  return b.finish();
}

/** Each planned value's last use computed apart from run_plan: readers of it or of an alias. */
function lastReads(f: GraphFunc): Map<Atom, number> {
  const bs = bindingsOf(f);
  const out = new Map<Atom, number>();
  for (const [k, b] of bs.entries()) {
    if (b.value.kind !== "CallTIR") continue;
    const alias = new Set<Atom>([b.v]);
    let end = k;
    for (let j = k + 1; j < bs.length; j++) {
      const v = bs[j].value;
      if (!argsOf(v).some((a) => alias.has(a))) continue;
      end = j;
      if (v.kind === "Tuple" || v.kind === "TupleGetItem" || v.kind === "MatchShape") {
        alias.add(bs[j].v);
      }
    }
    if (alias.has(f.output)) end = Infinity;
    out.set(b.v, end);
  }
  return out;
}

Deno.test("property: no two values live at once share a storage; tokens fit their values; plans run like unplanned", async () => {
  const externs = { "host.same": ([a]: readonly NDArray[]) => a };
  let shared = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const mod = randomGraph(seed);
    const planned = new GraphExecutor(mod, { externs });
    const plan = planned.memoryPlan();
    const f = plan.func;
    const reads = lastReads(f);
    for (const t of plan.tokens) {
      const vs = t.values;
      for (let i = 0; i < vs.length; i++) {
        assert(
          vs[i].end >= (reads.get(vs[i].v) ?? vs[i].start),
          `seed ${seed}: ${vs[i].v.name} ends early`,
        );
        assert(vs[i].end !== Infinity, `seed ${seed}: a result was planned`);
        for (let j = i + 1; j < vs.length; j++) {
          assert(
            vs[i].end < vs[j].start,
            `seed ${seed}: ${vs[i].v.name} and ${vs[j].v.name} overlap`,
          );
        }
        for (const n of [0, 1, 5]) {
          const env = new Map(plan.symbols.map((s) => [s, n]));
          assert(evalDim(t.bytes, env)! >= evalDim(vs[i].bytes, env)!, `seed ${seed}: too small`);
        }
      }
      shared += vs.length - 1;
    }
    const unplanned = new GraphExecutor(mod, { externs, memory: { reuse: false } });
    for (const n of [1, 4]) {
      const x = randomNDArray("float32", [n, 8], seed + n);
      const want = await unplanned.run([x]);
      const got = await planned.run([x]);
      got.forEach((g, k) => assertEquals(toNumbers(g), toNumbers(want[k]), `seed ${seed}`));
    }
  }
  assert(shared > 40, `only ${shared} values shared a storage`);
});

Deno.test("executor: overlapping runs of one function do not share storages", async () => {
  const ex = new GraphExecutor(narrowing(8, 32));
  const xs = [1, 2, 3].map((k) => randomNDArray("float32", [2, 8], k));
  const want: number[][] = [];
  for (const x of xs) want.push(toNumbers((await ex.run([x]))[0]));
  const got = await Promise.all(xs.map((x) => ex.run([x])));
  assertEquals(got.map(([y]) => toNumbers(y)), want);
  assertEquals(ex.storageAllocations(), 2); // the overlapping runs' storages were their own
});
