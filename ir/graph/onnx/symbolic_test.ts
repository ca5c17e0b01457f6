import { assert, assertEquals } from "../../test_util.ts";
import { ndarray, randomNDArray, toNumbers } from "../../ndarray.ts";
import { GraphExecutor } from "../executor.ts";
import { bindingsOf } from "../ir.ts";
import { showType } from "../types.ts";
import { runOrt } from "../../../conformance/models/ort.ts";
import { encodeModelProto } from "./codec.ts";
import { importOnnx } from "./import.ts";
import { floatAttr, initializer, modelOf, node, tensorAttr, tensorInfo } from "./write.ts";

/**
 * What exporters write around a dynamic sequence length: position ids from `Range(0, seq)`, a
 * table sliced to `seq`, a causal mask from `ConstantOfShape([seq, seq])` and `Trilu`, a bias
 * expanded to the input's run-time shape.
 */
function dynamicModel(): Uint8Array {
  const i64 = (name: string, shape: number[], v: number[]) =>
    initializer(name, ndarray("int64", shape, v));
  return encodeModelProto(modelOf({
    name: "dynamic",
    input: [tensorInfo("x", "float32", ["batch", "seq", 8])],
    output: [tensorInfo("y", "float32", ["batch", "seq", 8])],
    initializer: [
      initializer("table", randomNDArray("float32", [32, 8], 3)),
      initializer("bias", randomNDArray("float32", [1, 8], 4)),
      i64("zero", [], [0]),
      i64("one", [], [1]),
      i64("axis0", [1], [0]),
      i64("start0", [1], [0]),
    ],
    node: [
      node("Shape", ["x"], ["sh"]),
      node("Gather", ["sh", "one"], ["s"], { axis: 0 }),
      node("Unsqueeze", ["s", "axis0"], ["s1"]),
      node("Range", ["zero", "s", "one"], ["pos"], {}, "positions"),
      node("Gather", ["table", "pos"], ["pe"], { axis: 0 }),
      node("Slice", ["table", "start0", "s1", "axis0"], ["pe2"], {}, "table_to_seq"),
      node("Add", ["x", "pe"], ["a"]),
      node("Add", ["a", "pe2"], ["b"]),
      node("Concat", ["s1", "s1"], ["ss"], { axis: 0 }),
      node("ConstantOfShape", ["ss"], ["ones"], {
        value: tensorAttr("value", ndarray("float32", [1], [1])),
      }, "ones"),
      node("Trilu", ["ones"], ["mask"], { upper: 0 }),
      node("MatMul", ["mask", "b"], ["c"]),
      node("Expand", ["bias", "sh"], ["eb"], {}, "expand_bias"),
      node("Add", ["c", "eb"], ["y"]),
    ],
  }));
}

Deno.test("symbolic shape operands: Range, Slice, ConstantOfShape, Expand to seq equal onnxruntime at every seq", async () => {
  const bytes = dynamicModel();
  const mod = importOnnx(bytes);
  const f = mod.graphs.get("main")!;
  const byName = new Map(bindingsOf(f).map((b) => [b.v.name, showType(b.v.type)]));
  assertEquals(byName.get("pos"), "tensor<int64>[seq]");
  assertEquals(byName.get("pe2"), "tensor<float32>[seq, 8]");
  assertEquals(byName.get("ones"), "tensor<float32>[seq, seq]");
  assertEquals(byName.get("eb"), "tensor<float32>[batch, seq, 8]");
  const ex = new GraphExecutor(mod);
  for (const [batch, seq] of [[1, 3], [2, 7]]) {
    const x = randomNDArray("float32", [batch, seq, 8], seq);
    const [want] = await runOrt(bytes, { x });
    const [got] = await ex.run([x]);
    assertEquals(got.shape, want.shape);
    const g = toNumbers(got);
    toNumbers(want).forEach((w, i) =>
      assert(Math.abs(g[i] - w) < 1e-4, `seq ${seq}, element ${i}: ${g[i]} vs ${w}`)
    );
  }
});

Deno.test("a shape used as data (x.sum(1) / x.size(1), the shape as an output) follows the input's sizes", async () => {
  const bytes = encodeModelProto(modelOf({
    name: "mean_pool",
    input: [tensorInfo("x", "float32", ["batch", "seq", 4])],
    output: [tensorInfo("y", "float32", ["batch", 4]), tensorInfo("sh", "int64", [3])],
    initializer: [
      initializer("one", ndarray("int64", [], [1])),
      initializer("axis1", ndarray("int64", [1], [1])),
    ],
    node: [
      node("Shape", ["x"], ["sh"]),
      node("Gather", ["sh", "one"], ["s"], { axis: 0 }),
      node("Cast", ["s"], ["sf"], { to: 1 }),
      node("ReduceSum", ["x", "axis1"], ["total"], { keepdims: 0 }),
      node("Div", ["total", "sf"], ["y"]),
    ],
  }));
  const ex = new GraphExecutor(importOnnx(bytes));
  for (const [batch, seq] of [[1, 2], [3, 5]]) {
    const x = randomNDArray("float32", [batch, seq, 4], seq);
    const want = await runOrt(bytes, { x });
    const got = await ex.run([x]);
    assertEquals(toNumbers(got[1]), [batch, seq, 4]);
    assertEquals(toNumbers(got[1]), toNumbers(want[1]));
    const g = toNumbers(got[0]);
    toNumbers(want[0]).forEach((w, i) => assert(Math.abs(g[i] - w) < 1e-5, `element ${i}`));
  }
});

Deno.test("model-local functions are inlined: formals, attribute references and defaults, nesting", async () => {
  const bytes = encodeModelProto({
    ...modelOf({
      name: "with_functions",
      input: [tensorInfo("x", "float32", ["n", 4])],
      output: [tensorInfo("y", "float32", ["n", 4])],
      node: [
        {
          ...node("ScaledAct", ["x"], ["a"], { alpha: floatAttr("alpha", 0.25) }, "first"),
          domain: "local",
        },
        { ...node("ScaledAct", ["a"], ["y"], {}, "second"), domain: "local" },
      ],
    }),
    opset_import: [{ domain: "", version: 17 }, { domain: "local", version: 1 }],
    functions: [
      {
        name: "ScaledAct",
        domain: "local",
        input: ["X"],
        output: ["Y"],
        attribute_proto: [floatAttr("alpha", 2)],
        opset_import: [{ domain: "", version: 17 }, { domain: "local", version: 1 }],
        node: [
          {
            ...node("LeakyRelu", ["X"], ["t"]),
            attribute: [{ name: "alpha", type: 1, ref_attr_name: "alpha" }],
          },
          { ...node("Twice", ["t"], ["Y"]), domain: "local" },
        ],
      },
      {
        name: "Twice",
        domain: "local",
        input: ["A"],
        output: ["B"],
        opset_import: [{ domain: "", version: 17 }],
        node: [node("Add", ["A", "A"], ["B"])],
      },
    ],
  });
  const ex = new GraphExecutor(importOnnx(bytes));
  const x = randomNDArray("float32", [3, 4], 8);
  const [want] = await runOrt(bytes, { x });
  const [got] = await ex.run([x]);
  const g = toNumbers(got);
  toNumbers(want).forEach((w, i) =>
    assert(Math.abs(g[i] - w) < 1e-5, `element ${i}: ${g[i]} vs ${w}`)
  );
});

Deno.test("If on a condition computed from the input's shape takes its branch at import time", async () => {
  const branch = (name: string, op: string) => ({
    type: 5,
    g: { name, node: [node(op, ["x"], ["r"])], output: [tensorInfo("r", "float32", ["n", 4])] },
  });
  const bytes = encodeModelProto(modelOf({
    name: "shape_if",
    input: [tensorInfo("x", "float32", ["n", 4])],
    output: [tensorInfo("y", "float32", ["n", 4])],
    initializer: [
      initializer("one", ndarray("int64", [], [1])),
      initializer("two", ndarray("int64", [], [2])),
    ],
    node: [
      node("Shape", ["x"], ["sh"]),
      node("Gather", ["sh", "one"], ["d"], { axis: 0 }),
      node("Greater", ["d", "two"], ["wide"]),
      node("If", ["wide"], ["y"], {
        then_branch: branch("then", "Relu"),
        else_branch: branch("else", "Neg"),
      }, "check"),
    ],
  }));
  const mod = importOnnx(bytes);
  assert(
    bindingsOf(mod.graphs.get("main")!).some((b) =>
      b.value.kind === "OpCall" && b.value.op === "relu"
    ),
  );
  const x = randomNDArray("float32", [3, 4], 2);
  const [want] = await runOrt(bytes, { x });
  const [got] = await new GraphExecutor(mod).run([x]);
  assertEquals(toNumbers(got), toNumbers(want));
});
