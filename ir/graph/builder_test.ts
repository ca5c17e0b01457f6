import { assert, assertEquals, assertThrows } from "../test_util.ts";
import { randomNDArray } from "../ndarray.ts";
import { GraphBuilder } from "./builder.ts";
import { GraphError, ShapeError } from "./errors.ts";
import { showType } from "./types.ts";

Deno.test("builder: an MLP keeps the batch size symbolic", () => {
  const b = new GraphBuilder("mlp");
  const x = b.input("x", ["n", 16]);
  const w1 = b.constant(randomNDArray("float32", [32, 16], 1), "w1");
  const b1 = b.constant(randomNDArray("float32", [32], 2), "b1");
  const h = b.relu(b.add(b.dense(x, w1), b1));
  const y = b.softmax(h);
  b.output(y);
  const mod = b.finish();
  const f = mod.graphs.get("mlp")!;
  assertEquals(showType(y.type), "tensor<float32>[n, 32]");
  assertEquals(f.blocks.length, 1);
  assert(f.blocks[0].dataflow);
  assertEquals(f.blocks[0].bindings.length, 4);
  assert(f.blocks[0].bindings.every((x) => x.checks.length === 0));
});

Deno.test("builder: unprovable dims become run-time checks, provable mismatches ShapeErrors", () => {
  const b = new GraphBuilder("f");
  const x = b.input("x", ["n", "k"]);
  const w = b.input("w", [8, "k2"]);
  const y = b.dense(x, w, undefined, {}, "y");
  assertEquals(showType(y.type), "tensor<float32>[n, 8]");
  b.output(y);
  const bind = b.finish().graphs.get("f")!.blocks[0].bindings[0];
  assertEquals(bind.checks.length, 1);
  assertEquals(bind.checks[0].what, "dim 1 of operand 0 and dim 1 of operand 1 (weight)");

  const c = new GraphBuilder("g");
  const a = c.input("a", ["n", 4]);
  const k = c.constant(randomNDArray("float32", [5]), "k");
  const e = assertThrows(() => c.add(a, k, "s"), ShapeError);
  assertEquals(e.code, "GRAPH_SHAPE_MISMATCH");
  assertEquals(e.path, 'graph "g" / binding "s" (op "add")');
  // n vs n + 1 is provably different too
  const d = new GraphBuilder("h");
  const p = d.input("p", ["n"]);
  const r = d.op("pad", [p], { before: [1], after: [0] });
  assertEquals(showType(r.type), "tensor<float32>[(n + 1)]");
  assertEquals(assertThrows(() => d.add(p, r), ShapeError).code, "GRAPH_SHAPE_MISMATCH");
});

Deno.test("builder: generic inference through the op library", () => {
  const b = new GraphBuilder("f");
  const x = b.input("x", ["n", 3, 4]);
  assertEquals(
    showType(b.op("transpose", [x], { perm: [2, 0, 1] }).type),
    "tensor<float32>[4, n, 3]",
  );
  assertEquals(showType(b.reshape(x, ["n", 12]).type), "tensor<float32>[n, 12]");
  assertEquals(showType(b.op("reduce_sum", [x], { axes: [1] }).type), "tensor<float32>[n, 4]");
  assertEquals(assertThrows(() => b.op("frob", [x]), GraphError).code, "GRAPH_UNKNOWN_OP");
  assertEquals(assertThrows(() => b.op("relu", [x, x]), GraphError).code, "GRAPH_BAD_ARG");
  assertEquals(
    assertThrows(() => b.op("transpose", [x], { perm: [0, 0, 1] }), GraphError).code,
    "GRAPH_BAD_ATTR",
  );
  const m = b.op("concat", [x, x], { axis: 0 });
  assertEquals(showType(m.type), "tensor<float32>[(n * 2), 3, 4]");
});

Deno.test("builder: tuples, extern calls, match_shape, misuse", () => {
  const b = new GraphBuilder("f");
  const x = b.input("x", [4]);
  const t = b.callExtern("vendor.split", [x], [{ shape: [2] }, { shape: ["k"] }], { pure: false });
  const a = b.getItem(t, 1);
  assertEquals(showType(a.type), "tensor<float32>[k]");
  assertEquals(assertThrows(() => b.getItem(t, 2), GraphError).code, "GRAPH_BAD_ARG");
  const m = b.matchShape(a, [2]);
  b.output(b.add(m, b.getItem(t, 0)), x);
  const f = b.finish().graphs.get("f")!;
  assertEquals(f.blocks.map((k) => k.dataflow), [false, true]);
  assertEquals(assertThrows(() => b.relu(x), GraphError).code, "GRAPH_BUILDER_FINISHED");
  const c = new GraphBuilder("g");
  assertEquals(assertThrows(() => c.relu(x), GraphError).code, "GRAPH_BAD_ARG");
  assertEquals(assertThrows(() => c.finish(), GraphError).code, "GRAPH_NO_OUTPUT");
});
