import { assert, assertEquals, assertThrows } from "../test_util.ts";
import { ndarray, randomNDArray } from "../ndarray.ts";
import { sizeVars } from "../func.ts";
import { GraphBuilder } from "./builder.ts";
import { eliminateDeadCode } from "./dce.ts";
import { ShapeError } from "./errors.ts";
import { foldConstants } from "./fold_constants.ts";
import { legalize, LEGALIZED_FROM } from "./legalize.ts";
import { runPasses } from "./pass.ts";
import { parseGraphModule } from "./parse.ts";
import { printGraphModule } from "./print.ts";
import { graphFirstMismatch } from "./structural.ts";
import { bindingsOf } from "./ir.ts";
import { GraphExecutor } from "./executor.ts";

function mlp(hidden = 32) {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n", 16]);
  const w1 = b.constant(randomNDArray("float32", [hidden, 16], 1), "w1");
  const b1 = b.constant(randomNDArray("float32", [hidden], 2), "b1");
  const w2 = b.constant(randomNDArray("float32", [10, hidden], 3), "w2");
  const b2 = b.constant(randomNDArray("float32", [10], 4), "b2");
  const h = b.relu(b.add(b.dense(x, w1), b1));
  const y = b.relu(b.add(b.dense(h, w2), b2));
  b.output(b.softmax(y));
  return b.finish();
}

Deno.test("legalize: op calls become callTIRs of symbolic functions, deduplicated", () => {
  const mod = legalize.run(mlp(10));
  const f = mod.graphs.get("main")!;
  assert(bindingsOf(f).every((b) => b.value.kind === "CallTIR"));
  // dense 16→10 and 10→10 differ; add, relu are shared by both layers (same [n, 10] shapes)
  assertEquals([...mod.tir.functions.keys()].sort(), [
    "add",
    "dense",
    "dense_1",
    "relu",
    "softmax",
  ]);
  for (const p of mod.tir.functions.values()) {
    assertEquals(sizeVars(p).map((v) => v.name), ["n"]);
    assert(typeof p.attrs[LEGALIZED_FROM] === "string");
  }
  // the legalized module round-trips through the script form
  const back = parseGraphModule(printGraphModule(mod));
  assertEquals(graphFirstMismatch(mod, back), undefined);
  assertEquals(legalize.run(mod), mod); // nothing left to do: the same object
});

Deno.test("legalize: dims equated by run-time checks share one kernel size variable", async () => {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n", "k"]);
  const w = b.input("w", [8, "k2"]);
  const p = b.op("reshape", [x], { shape: [-1] });
  const q = b.add(p, b.op("reshape", [b.op("transpose", [x], { perm: [1, 0] })], { shape: [-1] }));
  b.output(b.dense(x, w), q);
  const mod = legalize.run(b.finish());
  const dense = mod.tir.functions.get("dense")!;
  assertEquals(sizeVars(dense).map((v) => v.name), ["n", "k"]);
  const ex = new GraphExecutor(mod);
  const xs = randomNDArray("float32", [3, 5], 7);
  const ws = randomNDArray("float32", [8, 5], 8);
  const [y] = await ex.run([xs, ws]);
  assertEquals(y.shape, [3, 8]);
  // k = 5 but k2 = 4: the check fails naming the binding
  const e = await ex.run([xs, randomNDArray("float32", [8, 4], 8)]).then(() => undefined, (e) => e);
  assert(e instanceof ShapeError);
  assertEquals(e.code, "GRAPH_RUNTIME_SHAPE");
  assert(e.path!.includes('binding "dense_'), e.path);
  assert(e.message.includes("k = 5, k2 = 4"), e.message);
  // [n*k] + [2*n*k]: equal only when n*k = 0, so a run-time check, which fails here
  const c = new GraphBuilder("g");
  const z = c.input("z", ["n", "k"]);
  const zz = c.op("concat", [z, z], { axis: 0 });
  const s = c.add(c.reshape(z, [-1]), c.reshape(zz, [-1]), "s");
  c.output(s);
  const g = new GraphExecutor(c.finish());
  const e2 = await g.run([xs]).then(() => undefined, (e) => e);
  assertEquals(e2?.code, "GRAPH_RUNTIME_SHAPE");
  assertEquals((await g.run([ndarray("float32", [0, 5])]))[0].shape, [0]);
  // [n] + [n + 1] is provably different: refused when built
  const d = new GraphBuilder("h");
  const u = d.input("u", ["n"]);
  assertThrows(() => d.add(u, d.op("pad", [u], { before: [1], after: [0] })), ShapeError);
});

Deno.test("foldConstants and eliminateDeadCode: constant subgraphs run at compile time", async () => {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n", 4]);
  const w = b.constant(ndarray("float32", [4, 4], [...Array(16).keys()].map((i) => i - 8)), "w");
  const wt = b.op("transpose", [b.relu(w)], { perm: [1, 0] }, "wt"); // constant: folded
  b.op("exp", [x], {}, "unused");
  b.output(b.matmul(x, wt, {}, "y"));
  const dumps: string[] = [];
  const mod = runPasses(b.finish(), [legalize, foldConstants, eliminateDeadCode], {
    dumpAfter: ["fold-constants", "eliminate-dead-code"],
    log: (t) => dumps.push(t),
  });
  assertEquals(dumps.length, 2);
  assert(dumps[0].startsWith("// after fold-constants") && dumps[0].includes("unused"));
  assert(!dumps[1].includes("unused"));
  const binds = bindingsOf(mod.graphs.get("main")!);
  assertEquals(binds.map((x) => x.v.name), ["y"]);
  assertEquals([...mod.tir.functions.keys()], ["matmul"]); // relu, transpose, exp dropped
  const folded = binds[0].value.kind === "CallTIR" ? binds[0].value.args[1] : undefined;
  assert(folded?.kind === "Constant");
  // wt[i][j] = relu(w[j][i])
  assertEquals(Array.from(folded.value.data as Float32Array).slice(0, 4), [0, 0, 0, 4]);
  const ex = new GraphExecutor(mod, { passes: [] });
  const xs = randomNDArray("float32", [2, 4], 3);
  const [y] = await ex.run([xs]);
  const [want] = await new GraphExecutor(unfolded()).run([xs, w.value]);
  assertEquals(Array.from(y.data as Float32Array), Array.from(want.data as Float32Array));
});

/** The same computation without folding: the weight is an input (the interpreter runs every op). */
function unfolded() {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n", 4]);
  const w = b.input("w", [4, 4]);
  b.output(b.matmul(x, b.op("transpose", [b.relu(w)], { perm: [1, 0] })));
  return b.finish();
}

Deno.test("foldConstants: op calls of constants fold before legalize too", () => {
  const b = new GraphBuilder("main");
  const x = b.input("x", [2, 2]);
  const c = b.constant(ndarray("float32", [2, 2], [1, -2, 3, -4]), "c");
  const t = b.op("transpose", [b.relu(c)], { perm: [1, 0] }, "t");
  b.output(b.add(x, t, "y"));
  const mod = eliminateDeadCode.run(foldConstants.run(b.finish()));
  const binds = bindingsOf(mod.graphs.get("main")!);
  assertEquals(binds.map((x) => x.v.name), ["y"]);
  const arg = binds[0].value.kind === "OpCall" ? binds[0].value.args[1] : undefined;
  assert(arg?.kind === "Constant" && arg.name === "t");
  assertEquals(Array.from(arg.value.data as Float32Array), [1, 3, 0, 0]);
  assertEquals(mod.tir.functions.size, 0);
});
