/**
 * onnxruntime-node for the tests: run ONNX bytes on host arrays (CPU execution provider). The
 * one adapter file for `onnxruntime-node` outside the bench (same version as
 * `bench/peers/ort_node.ts`).
 *
 * @module
 */
import type { DType } from "../../ir/dtype.ts";
import { type NDArray, ndarray } from "../../ir/ndarray.ts";

const ort = await import("npm:onnxruntime-node@1.30.0");

type OrtType = "float32" | "int64" | "int32" | "bool" | "float64" | "int8" | "uint8";
const TO_ORT: Readonly<Record<string, OrtType>> = {
  float32: "float32",
  float64: "float64",
  int64: "int64",
  int32: "int32",
  int8: "int8",
  uint8: "uint8",
  bool: "bool",
};

/**
 * Run `bytes` in onnxruntime-node on `feeds` (by input name): the outputs in the model's order.
 *
 * @example
 * ```ts ignore
 * const [y] = await runOrt(mlpModel(), { x: randomNDArray("float32", [2, 16]) });
 * ```
 */
export async function runOrt(
  bytes: Uint8Array,
  feeds: Readonly<Record<string, NDArray>>,
): Promise<NDArray[]> {
  const s = await ort.InferenceSession.create(bytes);
  try {
    const inputs: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const [k, a] of Object.entries(feeds)) {
      const t = TO_ORT[a.dtype];
      if (!t) throw new Error(`runOrt: no onnxruntime type for ${a.dtype}`);
      inputs[k] = new ort.Tensor(t, a.data as Float32Array, [...a.shape]);
    }
    const out = await s.run(inputs);
    return s.outputNames.map((name) => {
      const y = out[name];
      const dtype: DType = y.type === "bool" ? "bool" : y.type;
      return ndarray(dtype, y.dims.map(Number), y.data as Float32Array);
    });
  } finally {
    await s.release();
  }
}
