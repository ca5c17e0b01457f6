import { assert, assertEquals, assertThrows } from "../../ir/test_util.ts";
import { ndarray } from "../../ir/ndarray.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { decodeModelProto, encodeModelProto } from "../../ir/graph/onnx/codec.ts";
import { OnnxError } from "../../ir/graph/onnx/errors.ts";
import { modelOf, tensorInfo } from "../../ir/graph/onnx/write.ts";
import {
  type BenchCase,
  caseInputs,
  type Conv2dCase,
  inputShapes,
  matmulCase,
  outputShape,
} from "../cases.ts";
import { relativeError } from "../harness.ts";
import { conv2dModel, matmulModel } from "./onnx_model.ts";
import { caseFunc } from "./tessera.ts";

const ort = await import("npm:onnxruntime-node@1.30.0");

/** The op-library function of a case, run by the reference interpreter. */
function oracle(c: BenchCase, ins: Float32Array[]): Float32Array {
  const shapes = inputShapes(c);
  const [y] = runFunc(caseFunc(c), ins.map((x, i) => ndarray("float32", shapes[i], x)));
  return y.data as Float32Array;
}

/** Our model bytes, loaded and run by onnxruntime-node. */
async function runOrt(bytes: Uint8Array, feeds: Record<string, [Float32Array, number[]]>) {
  const s = await ort.InferenceSession.create(bytes);
  const inputs: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [k, [data, dims]] of Object.entries(feeds)) {
    inputs[k] = new ort.Tensor("float32", data, dims);
  }
  const out = await s.run(inputs);
  await s.release();
  const [name] = s.outputNames;
  return { data: out[name].data as Float32Array, dims: [...out[name].dims] };
}

Deno.test("matmulModel: onnxruntime-node loads it and computes what the interpreter computes", async () => {
  for (const [m, k, n] of [[3, 5, 4], [1, 16, 8], [7, 7, 7]]) {
    const c = matmulCase(m, k, n);
    const [a, b] = caseInputs(c, 3);
    const got = await runOrt(matmulModel(m, k, n), { A: [a, [m, k]], B: [b, [k, n]] });
    assertEquals(got.dims, [m, n]);
    const err = relativeError(got.data, oracle(c, [a, b]));
    assert(err < 1e-5, `${c.id}: relative error ${err}`);
  }
});

Deno.test("conv2dModel: onnxruntime-node agrees with the interpreter (padding, stride)", async () => {
  const base = { id: "cv", kind: "conv2d" as const, batch: 2, inC: 3, h: 7, w: 6, outC: 4 };
  const specs: Conv2dCase[] = [
    { ...base, kernel: 3, pad: 1, stride: 1 },
    { ...base, kernel: 3, pad: 2, stride: 2 },
    { ...base, kernel: 1, pad: 0, stride: 1 },
  ];
  for (const c of specs) {
    const [x, w] = caseInputs(c, 5);
    const [xs, ws] = inputShapes(c);
    const got = await runOrt(conv2dModel(c), { X: [x, xs], W: [w, ws] });
    assertEquals(got.dims, outputShape(c));
    const err = relativeError(got.data, oracle(c, [x, w]));
    assert(err < 1e-5, `${JSON.stringify(c)}: relative error ${err}`);
  }
});

Deno.test("decodeModelProto: reads back what encodeModel wrote (names, dims, attributes)", () => {
  const spec = { batch: 1, inC: 2, h: 5, w: 4, outC: 3, kernel: 3, pad: 1, stride: 2 };
  const m = decodeModelProto(conv2dModel(spec));
  assertEquals(m.ir_version, 8);
  assertEquals(m.opset_import, [{ domain: "", version: 17 }]);
  const g = m.graph!;
  assertEquals(g.node![0].op_type, "Conv");
  assertEquals(g.node![0].input, ["X", "W"]);
  const attrs = Object.fromEntries(g.node![0].attribute!.map((a) => [a.name, a.ints ?? a.i]));
  assertEquals(attrs, {
    kernel_shape: [3, 3],
    pads: [1, 1, 1, 1],
    strides: [2, 2],
    dilations: [1, 1],
    group: 1,
  });
  const dims = (v: typeof g.output) => v![0].type!.tensor_type!.shape!.dim!.map((d) => d.dim_value);
  assertEquals(dims(g.output), [1, 3, 3, 2]);
  assertEquals(g.input![1].type!.tensor_type!.elem_type, 1);
});

Deno.test("encodeModelProto: symbolic sizes and initializers round-trip; onnxruntime reads them", async () => {
  const w = new Float32Array([1, 2, 3, 4, 5, 6]);
  const model = modelOf({
    name: "g",
    node: [{ op_type: "MatMul", input: ["A", "W"], output: ["C"] }],
    input: [tensorInfo("A", "float32", ["n", 2])],
    output: [tensorInfo("C", "float32", ["n", 3])],
    initializer: [{ name: "W", dims: [2, 3], data_type: 1, float_data: [...w] }],
  });
  const bytes = encodeModelProto(model);
  const back = decodeModelProto(bytes);
  assertEquals(back.graph!.input![0].type!.tensor_type!.shape!.dim![0], { dim_param: "n" });
  assertEquals(back.graph!.initializer![0].float_data, [...w]);
  const got = await runOrt(bytes, { A: [new Float32Array([1, 0, 0, 1, 1, 1]), [3, 2]] });
  assertEquals([...got.data], [1, 2, 3, 4, 5, 6, 5, 7, 9]);
});

Deno.test("encodeModelProto / decodeModelProto: bad input is an OnnxError with its code", () => {
  const e1 = assertThrows(
    () => encodeModelProto({ graph: { node: 5 as unknown as [] } }),
    OnnxError,
  );
  assertEquals(e1.code, "ONNX_ENCODE");
  assert(e1.message.includes("node"), e1.message);
  const e2 = assertThrows(() => decodeModelProto(new Uint8Array([0xff, 0xff, 0xff])), OnnxError);
  assertEquals(e2.code, "ONNX_DECODE");
});
