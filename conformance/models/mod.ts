/**
 * The whole-model cases: ONNX files written by code (no model hub), each with the shapes of
 * its input for given values of its symbolic sizes.
 *
 * @module
 */
import { CNN, cnnModel } from "./cnn.ts";
import { MLP, mlpModel } from "./mlp.ts";
import { TRANSFORMER, transformerModel } from "./transformer.ts";

/** A model writer and its one input. */
export interface ModelCase {
  /** Short name, also the file name (`<name>.onnx`). */
  readonly name: string;
  /** The ONNX bytes. */
  build(): Uint8Array;
  /** The input's name. */
  readonly input: string;
  /** The input's shape; strings are the symbolic sizes the model declares. */
  readonly inputShape: readonly (number | string)[];
  /** The output's name. */
  readonly output: string;
  /** The output's shape; strings are symbolic sizes. */
  readonly outputShape: readonly (number | string)[];
}

/** The three models: MLP, CNN, transformer encoder block. */
export const MODELS: readonly ModelCase[] = [
  {
    name: "mlp",
    build: () => mlpModel(),
    input: "x",
    inputShape: ["N", MLP.inputs],
    output: "y",
    outputShape: ["N", MLP.classes],
  },
  {
    name: "cnn",
    build: () => cnnModel(),
    input: "x",
    inputShape: ["N", CNN.channels, CNN.size, CNN.size],
    output: "y",
    outputShape: ["N", CNN.classes],
  },
  {
    name: "transformer",
    build: () => transformerModel(),
    input: "x",
    inputShape: ["batch", "seq", TRANSFORMER.dModel],
    output: "y",
    outputShape: ["batch", "seq", TRANSFORMER.dModel],
  },
];

/**
 * A shape with its symbolic sizes given values.
 *
 * @example
 * ```ts
 * import { concrete } from "./mod.ts";
 * console.assert(concrete(["N", 16], { N: 3 }).join() === "3,16");
 * ```
 */
export function concrete(
  shape: readonly (number | string)[],
  sizes: Readonly<Record<string, number>>,
): number[] {
  return shape.map((d) => typeof d === "number" ? d : sizes[d]);
}
