import { assert, assertEquals, assertThrows } from "../../test_util.ts";
import { ndarray, rng } from "../../ndarray.ts";
import { TesseraError } from "../../errors.ts";
import { bindingsOf, type GraphFunc, type GraphModule } from "../ir.ts";
import { showType } from "../types.ts";
import { MODELS } from "../../../conformance/models/mod.ts";
import { caseModel, OP_CASES } from "../../../conformance/models/op_cases.ts";
import { supportedOnnxOps } from "./op_table.ts";
import { decodeModelProto, encodeModelProto, type GraphProto } from "./codec.ts";
import { OnnxError } from "./errors.ts";
import { importOnnx } from "./import.ts";
import { initializer, modelOf, node, tensorInfo } from "./write.ts";

const main = (m: GraphModule): GraphFunc => m.graphs.get("main")!;
const ops = (f: GraphFunc) =>
  bindingsOf(f).map((b) => b.value.kind === "OpCall" ? b.value.op : b.value.kind);

function model(graph: GraphProto, opset = 17): Uint8Array {
  return encodeModelProto(modelOf(graph, opset));
}

Deno.test("importOnnx: the MLP becomes dense/relu/matmul/add/softmax over a symbolic batch", () => {
  const f = main(importOnnx(MODELS[0].build()));
  assertEquals(f.params.map((p) => `${p.name}: ${showType(p.type)}`), [
    "x: tensor<float32>[N, 16]",
  ]);
  assertEquals(ops(f), ["dense", "relu", "matmul", "add", "relu", "dense", "softmax"]);
  assertEquals(showType(f.output.type), "tensor<float32>[N, 10]");
});

Deno.test("importOnnx: the CNN folds BatchNormalization and keeps the residual", () => {
  const f = main(importOnnx(MODELS[1].build()));
  const o = ops(f);
  assertEquals(o.filter((n) => n === "conv2d").length, 3);
  assertEquals(o.filter((n) => n === "mul").length, 3, "one scale per folded BatchNormalization");
  assert(
    o.includes("max_pool2d") && o.includes("global_avg_pool2d") && o.includes("flatten"),
    o.join(),
  );
  assertEquals(showType(f.output.type), "tensor<float32>[N, 10]");
});

Deno.test("importOnnx: the transformer's run-time shape arithmetic is evaluated at import time", () => {
  const f = main(importOnnx(MODELS[2].build()));
  const o = ops(f);
  for (const shapeOp of ["Shape", "Gather", "Concat", "Unsqueeze"]) assert(!o.includes(shapeOp));
  const reshapes = bindingsOf(f).filter((b) =>
    b.value.kind === "OpCall" && b.value.op === "reshape"
  );
  assertEquals(reshapes.length, 4);
  const heads = reshapes[0];
  assert(heads.value.kind === "OpCall");
  assertEquals(heads.value.attrs.shape, ["batch", "seq", 4, 8]);
  assertEquals(showType(heads.v.type), "tensor<float32>[batch, seq, 4, 8]");
  assertEquals(o.filter((n) => n === "batch_matmul").length, 2, "scores and context");
  assertEquals(o.filter((n) => n === "dense").length, 6, "projections with constant weights");
  assertEquals(showType(f.output.type), "tensor<float32>[batch, seq, 32]");
});

Deno.test("importOnnx: options fix symbolic sizes; unnamed unknown dims get names", () => {
  const g: GraphProto = {
    name: "g",
    node: [node("Relu", ["x"], ["y"])],
    input: [{
      name: "x",
      type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: "b" }, {}] } } },
    }],
    output: [tensorInfo("y", "float32", ["b", 4])],
  };
  assertEquals(showType(main(importOnnx(model(g))).params[0].type), "tensor<float32>[b, x_1]");
  assertEquals(
    showType(main(importOnnx(model(g), { shapes: { b: 2 } })).params[0].type),
    "tensor<float32>[2, x_1]",
  );
  assertEquals(
    showType(main(importOnnx(model(g), { shapes: { x: [3, 5] } })).params[0].type),
    "tensor<float32>[3, 5]",
  );
});

/** Importing `graph` fails with `code`, and the message contains each of `words`. */
function assertFails(bytes: Uint8Array, code: string, ...words: string[]): TesseraError {
  const e = assertThrows(() => importOnnx(bytes), TesseraError);
  assertEquals(e.code, code, e.message);
  for (const w of words) assert(e.message.includes(w), `"${w}" not in: ${e.message}`);
  return e;
}

Deno.test("importOnnx: what it does not cover is an error naming the node and op", () => {
  const io = {
    input: [tensorInfo("x", "float32", [2, 3])],
    output: [tensorInfo("y", "float32", [2, 3])],
  };
  const e = assertFails(
    model({ name: "g", ...io, node: [node("NonMaxSuppression", ["x"], ["y"], {}, "nms")] }),
    "ONNX_UNSUPPORTED_OP",
    `node "nms" (#0, NonMaxSuppression)`,
  );
  assert(e instanceof OnnxError);
  assertFails(
    model({ name: "g", ...io, node: [{ ...node("Relu", ["x"], ["y"]), domain: "com.microsoft" }] }),
    "ONNX_UNSUPPORTED_OP",
    "node #0 (Relu)",
    "com.microsoft",
  );
  assertFails(
    model({ name: "g", ...io, node: [node("Relu", ["x"], ["y"])] }, 5),
    "ONNX_OPSET",
    "opset 5",
  );
  assertFails(
    model({ name: "g", ...io, node: [node("Add", ["x", "z"], ["y"])] }),
    "ONNX_UNKNOWN_VALUE",
    `"z"`,
  );
  assertFails(
    model({ name: "g", ...io, node: [node("Relu", ["x"], ["t"])] }),
    "ONNX_UNKNOWN_VALUE",
    `"y"`,
  );
  assertFails(
    model({
      name: "g",
      input: [tensorInfo("x", "float32", [2, 3]), tensorInfo("s", "int64", [2])],
      output: io.output,
      node: [node("Reshape", ["x", "s"], ["y"], {}, "r")],
    }),
    "ONNX_DYNAMIC_SHAPE",
    `node "r" (#0, Reshape)`,
    "shape",
  );
  assertFails(
    model({ name: "g", ...io, node: [node("MaxPool", ["x"], ["y"], { kernel_shape: [2] })] }),
    "ONNX_UNSUPPORTED_OP",
    "rank 2",
  );
  assertFails(
    model({ name: "g", ...io, node: [node("Softmax", ["x"], ["y"], { axis: 5 })] }),
    "ONNX_BAD_ATTRIBUTE",
    "axis 5",
  );
  assertFails(
    model({ name: "g", ...io, node: [node("Gemm", ["x"], ["y"])] }),
    "ONNX_BAD_INPUT",
    "1 inputs",
  );
});

Deno.test("importOnnx: a graph-level shape error keeps its code and names the ONNX node", () => {
  const bytes = model({
    name: "g",
    input: [tensorInfo("x", "float32", [2, 3])],
    output: [tensorInfo("y", "float32", [2, 5])],
    initializer: [initializer("w", ndarray("float32", [4, 5]))],
    node: [node("MatMul", ["x", "w"], ["y"], {}, "proj")],
  });
  const e = assertThrows(() => importOnnx(bytes), TesseraError);
  assert(e.code.startsWith("GRAPH_"), e.code);
  assert(e.message.includes(`node "proj" (#0, MatMul)`), e.message);
});

Deno.test("importOnnx fuzz: mutated graphs import or throw a TesseraError naming the node", () => {
  const r = rng(7);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const seeds = [...MODELS.map((m) => m.build()), ...OP_CASES.map(caseModel)];
  const ops = supportedOnnxOps();
  const outcomes = new Map<string, number>();
  for (let trial = 0; trial < 400; trial++) {
    const m = decodeModelProto(pick(seeds));
    const g = m.graph!;
    const names = [
      ...(g.input ?? []).map((v) => v.name!),
      ...(g.initializer ?? []).map((v) => v.name!),
      ...(g.node ?? []).flatMap((n) => n.output ?? []),
    ];
    // Rewire an input, swap the op, scramble or drop an attribute, add an input.
    for (let k = 0; k < 1 + Math.floor(r() * 3); k++) {
      const n = pick(g.node!);
      const a = n.attribute?.length ? pick(n.attribute) : undefined;
      switch (Math.floor(r() * 5)) {
        case 0:
          if (n.input?.length) n.input[Math.floor(r() * n.input.length)] = pick(names);
          break;
        case 1:
          n.op_type = pick(ops);
          break;
        case 2:
          if (a?.ints) a.ints = a.ints.map(() => Math.floor(r() * 9) - 4);
          else if (a?.i !== undefined) a.i = Math.floor(r() * 9) - 4;
          break;
        case 3:
          if (a) n.attribute!.splice(n.attribute!.indexOf(a), 1);
          break;
        default:
          n.input = [...(n.input ?? []), pick(names)];
      }
    }
    try {
      importOnnx(encodeModelProto(m));
      outcomes.set("imported", (outcomes.get("imported") ?? 0) + 1);
    } catch (e) {
      if (!(e instanceof TesseraError)) throw new Error(`trial ${trial}: ${(e as Error).stack}`);
      assert(/Cannot import (node|the model|input|value)/.test(e.message), e.message);
      outcomes.set(e.code, (outcomes.get(e.code) ?? 0) + 1);
    }
  }
  assert((outcomes.get("imported") ?? 0) > 20 && outcomes.size > 5, JSON.stringify([...outcomes]));
});

Deno.test("importOnnx fuzz: garbled models import or throw a TesseraError, never anything else", () => {
  const r = rng(5);
  let imported = 0;
  let refused = 0;
  for (const m of MODELS) {
    const good = m.build();
    for (let trial = 0; trial < 150; trial++) {
      const b = good.slice();
      const flips = 1 + Math.floor(r() * 3);
      // Garble mostly the front, where the encoder puts the nodes (before the weights).
      for (let k = 0; k < flips; k++) b[Math.floor(b.length * r() ** 3)] = Math.floor(r() * 256);
      try {
        importOnnx(b);
        imported++;
      } catch (e) {
        if (!(e instanceof TesseraError)) {
          throw new Error(`${m.name} trial ${trial}: ${String(e)}\n${(e as Error).stack}`);
        }
        refused++;
      }
    }
  }
  assert(refused > 50 && imported > 0, `refused ${refused}, imported ${imported}`);
});
