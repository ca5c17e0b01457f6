import { assert, assertEquals, assertThrows } from "../../test_util.ts";
import { ndarray } from "../../ndarray.ts";
import { decodeModelProto, encodeModelProto } from "./codec.ts";
import { OnnxError } from "./errors.ts";
import { tensorFromProto, tensorToProto } from "./tensor.ts";
import { modelOf, node, tensorInfo } from "./write.ts";

Deno.test("encodeModelProto / decodeModelProto: a model round-trips field by field", () => {
  const m = modelOf({
    name: "g",
    node: [
      node("Conv", ["x", "w"], ["y"], { pads: [1, 1, 1, 1], group: 2, auto_pad: "NOTSET" }, "c"),
    ],
    input: [tensorInfo("x", "float32", ["n", 4, 5, 5])],
    output: [tensorInfo("y", "float32", ["n", 4, 5, 5])],
  });
  const back = decodeModelProto(encodeModelProto(m));
  assertEquals(back.opset_import, [{ domain: "", version: 17 }]);
  const n = back.graph!.node![0];
  assertEquals([n.op_type, n.name, n.input, n.output], ["Conv", "c", ["x", "w"], ["y"]]);
  assertEquals(n.attribute!.map((a) => [a.name, a.ints ?? a.i ?? new TextDecoder().decode(a.s)]), [
    ["pads", [1, 1, 1, 1]],
    ["group", 2],
    ["auto_pad", "NOTSET"],
  ]);
  assertEquals(back.graph!.input![0].type!.tensor_type!.shape!.dim![0], { dim_param: "n" });
});

Deno.test("encodeModelProto / decodeModelProto: bad objects and bad bytes are OnnxErrors", () => {
  const e1 = assertThrows(
    () => encodeModelProto({ graph: { name: 5 as unknown as string } }),
    OnnxError,
  );
  assertEquals(e1.code, "ONNX_ENCODE");
  assert(e1.message.includes("name"), e1.message);
  const e2 = assertThrows(() => decodeModelProto(new Uint8Array([0x0a, 0xff, 0xff])), OnnxError);
  assertEquals(e2.code, "ONNX_DECODE");
});

Deno.test("tensorToProto / tensorFromProto: every dtype round-trips through raw_data", () => {
  for (
    const dtype of [
      "float32",
      "float64",
      "float16",
      "int8",
      "uint8",
      "int16",
      "int32",
      "int64",
      "bool",
      "uint32",
    ]
  ) {
    const a = ndarray(dtype, [2, 2], [1, 0, 2, 1]);
    const back = tensorFromProto(tensorToProto("t", a), "t");
    const want = [1, 0, dtype === "bool" ? 1 : 2, 1];
    assertEquals([back.dtype, [...back.shape], [...back.data].map(Number)], [dtype, [2, 2], want]);
  }
  const e = assertThrows(() => tensorInfo("v", "float32x4", [1]), OnnxError);
  assertEquals(e.code, "ONNX_UNSUPPORTED_DTYPE");
});
