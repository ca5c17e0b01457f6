import { assert, assertEquals, assertThrows } from "../../test_util.ts";
import { ndarray, randomNDArray, rng, toNumbers } from "../../ndarray.ts";
import { encodeModelProto, type GraphProto, type TensorProto } from "./codec.ts";
import { decodeOnnx } from "./decode.ts";
import { OnnxError } from "./errors.ts";
import {
  floatAttr,
  floatsAttr,
  initializer,
  modelOf,
  node,
  stringAttr,
  tensorAttr,
  tensorInfo,
} from "./write.ts";

function bytesOf(graph: GraphProto): Uint8Array {
  return encodeModelProto(modelOf(graph));
}

Deno.test("decodeOnnx: values, symbolic dims, attributes of every kind, initializers", () => {
  const w = randomNDArray("float32", [3, 4], 7);
  const bytes = bytesOf({
    name: "g",
    input: [
      {
        name: "x",
        type: {
          tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: "n" }, {}, { dim_value: 4 }] } },
        },
      },
      tensorInfo("w", "float32", [3, 4]), // IR < 4 style: an initializer listed as input
    ],
    output: [tensorInfo("y", "float32", ["n", 3])],
    value_info: [tensorInfo("t", "int64", [2])],
    initializer: [initializer("w", w)],
    node: [
      node("Foo", ["x", "", "w"], ["y", ""], {
        i: 3,
        f: floatAttr("f", 2),
        s: stringAttr("s", "SAME_UPPER"),
        is: [1, -2],
        fs: floatsAttr("fs", [0.5, 1]),
        t: tensorAttr("t", ndarray("int64", [2], [5, -1])),
        g: { type: 5, g: { name: "body", node: [node("Relu", ["a"], ["b"])] } },
      }, "foo"),
      node("Bar", [], []),
    ],
  });
  const m = decodeOnnx(bytes);
  assertEquals(m.irVersion, 8);
  assertEquals([...m.opsetImports], [["", 17]]);
  const g = m.graph;
  assertEquals(g.inputs, [{ name: "x", dtype: "float32", shape: ["n", null, 4] }]);
  assertEquals(g.outputs[0].shape, ["n", 3]);
  assertEquals(g.valueInfo[0].dtype, "int64");
  assertEquals(toNumbers(g.initializers.get("w")!), toNumbers(w));
  assertEquals(g.initializers.get("w")!.shape, [3, 4]);
  const [foo, bar] = g.nodes;
  assertEquals([foo.index, foo.name, foo.opType, foo.domain], [0, "foo", "Foo", ""]);
  assertEquals(foo.inputs, ["x", "", "w"]);
  assertEquals(foo.outputs, ["y", ""]);
  const a = foo.attributes;
  assertEquals(a.i, { kind: "int", value: 3 });
  assertEquals(a.f, { kind: "float", value: 2 });
  assertEquals(a.s, { kind: "string", value: "SAME_UPPER" });
  assertEquals(a.is, { kind: "ints", value: [1, -2] });
  assertEquals(a.fs, { kind: "floats", value: [0.5, 1] });
  assert(a.t.kind === "tensor" && a.t.value.dtype === "int64");
  assertEquals([...a.t.value.data], [5n, -1n]);
  assert(a.g.kind === "graph" && a.g.value.nodes[0].opType === "Relu");
  assertEquals([bar.index, bar.name, Object.keys(bar.attributes).length], [1, "", 0]);
  assertEquals(a.toString, undefined, "attributes have no prototype");
});

Deno.test("decodeOnnx: tensors from every typed field equal the raw_data form", () => {
  const cases: [TensorProto, number[]][] = [
    [{ dims: [2], data_type: 1, float_data: [1.5, -2] }, [1.5, -2]],
    [{ dims: [3], data_type: 3, int32_data: [-128, 0, 127] }, [-128, 0, 127]],
    [{ dims: [2], data_type: 9, int32_data: [1, 0] }, [1, 0]],
    [{ dims: [1, 2], data_type: 7, int64_data: [-3, 9007199254740991] }, [-3, 9007199254740991]],
    [{ dims: [2], data_type: 11, double_data: [0.1, 1e300] }, [0.1, 1e300]],
    [{ dims: [2], data_type: 12, uint64_data: [4294967295, 7] }, [4294967295, 7]],
    [{ dims: [2], data_type: 10, int32_data: [0x3c00, 0xc000] }, [1, -2]], // float16 bit patterns
    [{ dims: [], data_type: 1, float_data: [4] }, [4]],
    [{ dims: [0, 3], data_type: 1 }, []],
  ];
  for (const [i, [t, want]] of cases.entries()) {
    const g = decodeOnnx(bytesOf({ name: "g", initializer: [{ ...t, name: `c${i}` }] })).graph;
    const got = g.initializers.get(`c${i}`)!;
    assertEquals(toNumbers(got), want, `case ${i}`);
    assertEquals(got.shape, t.dims, `case ${i}`);
    // The same tensor written as raw_data reads back equal.
    const again = decodeOnnx(bytesOf({ name: "g", initializer: [initializer("r", got)] }));
    assertEquals(toNumbers(again.graph.initializers.get("r")!), want, `case ${i} raw`);
  }
});

/** Decoding `graph` fails with `code`, and the message contains each of `words`. */
function assertFails(graph: GraphProto, code: string, ...words: string[]): void {
  const e = assertThrows(() => decodeOnnx(bytesOf(graph)), OnnxError);
  assertEquals(e.code, code, e.message);
  for (const w of words) assert(e.message.includes(w), `"${w}" not in: ${e.message}`);
}

Deno.test("decodeOnnx: malformed or unsupported models are OnnxErrors naming the place", () => {
  const t = { name: "W", dims: [2], data_type: 1 };
  assertFails(
    {
      name: "g",
      initializer: [{
        ...t,
        data_location: 1,
        external_data: [{ key: "location", value: "w.bin" }],
      }],
    },
    "ONNX_EXTERNAL_DATA",
    `"W"`,
    "external file",
  );
  assertFails(
    { name: "g", initializer: [{ ...t, data_type: 8 }] },
    "ONNX_UNSUPPORTED_DTYPE",
    "STRING",
    `"W"`,
  );
  assertFails(
    { name: "g", initializer: [{ ...t, raw_data: new Uint8Array(7) }] },
    "ONNX_TENSOR_DATA",
    "7 bytes",
    "8",
  );
  assertFails(
    { name: "g", initializer: [{ ...t, float_data: [1] }] },
    "ONNX_TENSOR_DATA",
    "float_data",
  );
  assertFails(
    { name: "g", initializer: [{ ...t, float_data: [1, 2] }, { ...t, float_data: [1, 2] }] },
    "ONNX_MALFORMED",
    "two initializers",
  );
  assertFails(
    { name: "g", node: [node("Relu", ["x"], ["y"]), { input: ["y"] }] },
    "ONNX_MALFORMED",
    "node #1",
    "op_type",
  );
  assertFails(
    {
      name: "g",
      node: [{
        ...node("Conv", ["x"], ["y"], { group: 1 }, "c1"),
        attribute: [{ name: "group", i: 1 }, { name: "group", i: 2 }],
      }],
    },
    "ONNX_MALFORMED",
    `node "c1" (#0, Conv)`,
    `"group"`,
  );
  assertFails(
    { name: "g", node: [{ ...node("Foo", [], []), attribute: [{ name: "sp", type: 11 }] }] },
    "ONNX_UNSUPPORTED_ATTRIBUTE",
    "node #0 (Foo)",
    `"sp"`,
  );
  assertFails(
    { name: "g", input: [{ name: "s", type: { sequence_type: {} } }] },
    "ONNX_UNSUPPORTED_DTYPE",
    `"s"`,
  );
  assertFails(
    { name: "g", input: [tensorInfo("x", 14, [2])] },
    "ONNX_UNSUPPORTED_DTYPE",
    "COMPLEX64",
  );
  const noGraph = assertThrows(() => decodeOnnx(encodeModelProto({ ir_version: 8 })), OnnxError);
  assertEquals(noGraph.code, "ONNX_MALFORMED");
});

/** A model with a bit of everything, to garble. */
function sampleBytes(): Uint8Array {
  return bytesOf({
    name: "mlp",
    input: [tensorInfo("x", "float32", ["n", 8])],
    output: [tensorInfo("y", "float32", ["n", 4])],
    initializer: [
      initializer("w", randomNDArray("float32", [8, 4], 3)),
      initializer("s", ndarray("int64", [2], [-1, 4])),
    ],
    node: [
      node("MatMul", ["x", "w"], ["h"], {}, "mm"),
      node("Reshape", ["h", "s"], ["r"], { allowzero: 0 }),
      node("Softmax", ["r"], ["y"], { axis: -1 }),
    ],
  });
}

Deno.test("decodeOnnx fuzz: truncated and garbled bytes decode or throw OnnxError, nothing else", () => {
  const good = sampleBytes();
  assertEquals(decodeOnnx(good).graph.nodes.length, 3);
  let failures = 0;
  const check = (bytes: Uint8Array) => {
    try {
      decodeOnnx(bytes);
    } catch (e) {
      if (!(e instanceof OnnxError)) {
        throw new Error(`decodeOnnx threw ${String(e)} (not an OnnxError)`);
      }
      assert(e.code.startsWith("ONNX_") && e.message.length > 0);
      failures++;
    }
  };
  for (let n = 0; n < good.length; n++) check(good.subarray(0, n));
  const r = rng(11);
  for (let trial = 0; trial < 600; trial++) {
    const b = good.slice();
    const flips = 1 + Math.floor(r() * 4);
    for (let k = 0; k < flips; k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
    check(b);
  }
  for (let trial = 0; trial < 100; trial++) {
    check(Uint8Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256)));
  }
  assert(failures > 100, `the fuzzer should hit errors (${failures})`);
});
