/**
 * The ONNX models as conformance model cases (`modelCases`, the case-file convention):
 * `deno task conformance --suite models --cases conformance/models/cases.ts --target cpu`.
 * Each case imports the model's ONNX bytes, builds it for the target through the graph executor
 * and is checked against the same graph run on the reference interpreter (the tests check that
 * one against onnxruntime).
 *
 * @module
 */
import { GraphExecutor } from "../../ir/graph/executor.ts";
import { targetBackend } from "../../sdk/graph_backend.ts";
import { importOnnx } from "../../ir/graph/onnx/import.ts";
import { ndarray, randomNDArray } from "../../ir/ndarray.ts";
import type { ModelCase } from "../model_cases.ts";
import { concrete, MODELS } from "./mod.ts";

/** Sizes the cases run at. */
const SIZES: Readonly<Record<string, number>> = { N: 4, batch: 2, seq: 16 };

/**
 * One conformance model case per ONNX model.
 *
 * @example
 * ```ts
 * import { modelCases } from "./cases.ts";
 * console.assert(modelCases.map((c) => c.model).join() === "mlp,cnn,transformer");
 * ```
 */
export const modelCases: ModelCase[] = MODELS.map((m) => {
  const bytes = m.build();
  const shape = concrete(m.inputShape, SIZES);
  const sizes = m.inputShape.filter((d) => typeof d === "string").map((d) => `${d}=${SIZES[d]}`);
  return {
    id: `onnx/${m.name}/float32/${sizes.join(",")}`,
    model: m.name,
    dtype: "float32",
    note: "ONNX file written by conformance/models, imported with importOnnx",
    build: async (target) => {
      const ex = new GraphExecutor(importOnnx(bytes), { backend: await targetBackend(target) });
      // One run on zeros compiles every kernel, so compile time lands in the compile verdict.
      await ex.run([ndarray("float32", shape)]);
      return (inputs) => ex.run(inputs);
    },
    inputs: (seed) => [randomNDArray("float32", shape, seed)],
    oracle: (inputs) => new GraphExecutor(importOnnx(bytes)).run(inputs),
  };
});
