/**
 * Running an ONNX model in onnxruntime-node for the tests (the one place the model tests touch
 * it; the version is the bench's, `bench/peers/ort_node.ts`).
 *
 * @module
 */
import { type NDArray, ndarray } from "../../ir/ndarray.ts";

const ort = await import("npm:onnxruntime-node@1.30.0");

/**
 * Run `bytes` on one float32 input in onnxruntime-node (CPU): the first output.
 *
 * @example
 * ```ts ignore
 * const y = await runOrt(mlpModel(), "x", randomNDArray("float32", [2, 16]));
 * ```
 */
export async function runOrt(bytes: Uint8Array, input: string, x: NDArray): Promise<NDArray> {
  const s = await ort.InferenceSession.create(bytes);
  try {
    const out = await s.run({
      [input]: new ort.Tensor("float32", x.data as Float32Array, [...x.shape]),
    });
    const y = out[s.outputNames[0]];
    return ndarray("float32", y.dims.map(Number), y.data as Float32Array);
  } finally {
    await s.release();
  }
}
