/**
 * The ONNX models as conformance model cases (`modelCases`, the case-file convention):
 * `deno task conformance --suite models --target npu`. Each case imports the model's ONNX bytes,
 * builds it for the target (`buildPlaced`: partitioned between the target and cpu when the
 * target declares graph patterns) and is checked against onnxruntime-node running the same
 * bytes.
 *
 * @module
 */
import { importOnnx } from "../../ir/graph/onnx/import.ts";
import { ndarray, randomNDArray } from "../../ir/ndarray.ts";
import type { ModelCase } from "../model_cases.ts";
import { concrete, MODELS } from "./mod.ts";
import { runOrt } from "./ort.ts";
import { buildPlaced } from "./placed.ts";

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
    note: "ONNX file written by conformance/models; oracle onnxruntime-node",
    build: async (target) => {
      const built = await buildPlaced(importOnnx(bytes), target);
      // One run on zeros compiles every kernel, so compile time lands in the compile verdict.
      await built.run([ndarray("float32", shape)]);
      return built;
    },
    inputs: (seed) => [randomNDArray("float32", shape, seed)],
    oracle: (inputs) => runOrt(bytes, { [m.input]: inputs[0] }),
  };
});
