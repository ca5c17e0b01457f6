/**
 * What the two onnxruntime peers share: the ONNX model of a case, the names and shapes of its
 * inputs and output, and the session options both set. The models keep every operand a graph
 * input (see `onnx_model.ts`), so each run computes from scratch, as every other impl does.
 *
 * @module
 */
import { type BenchCase, inputShapes, outputShape } from "../cases.ts";
import { conv2dModel, matmulModel } from "./onnx_model.ts";
import { PeerUnavailable } from "./peer.ts";

/** A case ready for an `InferenceSession`: model bytes, named inputs, the output's name. */
export interface OrtCase {
  /** The ONNX model. */
  readonly model: Uint8Array;
  /** Inputs in the canonical layouts, by graph input name. */
  readonly inputs: readonly { name: string; dims: number[]; data: Float32Array }[];
  /** Name of the graph output. */
  readonly output: string;
  /** Its shape. */
  readonly outputDims: number[];
}

/** Whether onnxruntime gets a model for this case (matmul, conv2d and whole models). */
export function ortSupports(c: BenchCase): boolean {
  return c.kind === "matmul" || c.kind === "conv2d" || c.kind === "model";
}

/**
 * The model and named inputs of a case for onnxruntime (`impl` names the peer in errors).
 *
 * @example
 * ```ts
 * import { ortCase } from "./ort_common.ts";
 * import { caseInputs, matmulCase } from "../cases.ts";
 * const c = matmulCase(2, 3, 4);
 * const o = ortCase(c, caseInputs(c), "onnxruntime-node");
 * console.assert(o.inputs[1].name === "B" && o.outputDims.join() === "2,4");
 * ```
 */
export function ortCase(c: BenchCase, inputs: readonly Float32Array[], impl: string): OrtCase {
  const dims = inputShapes(c);
  if (c.kind === "matmul") {
    return {
      model: matmulModel(c.m, c.k, c.n),
      inputs: [{ name: "A", dims: dims[0], data: inputs[0] }, {
        name: "B",
        dims: dims[1],
        data: inputs[1],
      }],
      output: "C",
      outputDims: outputShape(c),
    };
  }
  if (c.kind === "conv2d") {
    return {
      model: conv2dModel(c),
      inputs: [{ name: "X", dims: dims[0], data: inputs[0] }, {
        name: "W",
        dims: dims[1],
        data: inputs[1],
      }],
      output: "Y",
      outputDims: outputShape(c),
    };
  }
  if (c.kind === "model") {
    return {
      model: c.onnx,
      inputs: [{ name: c.input, dims: dims[0], data: inputs[0] }],
      output: c.output,
      outputDims: outputShape(c),
    };
  }
  throw new PeerUnavailable(impl, `no model for ${c.id}`);
}

/**
 * Session options of a run on `threads` intra-op threads: one inter-op thread (the graphs have
 * one node), all graph optimisations (they cannot fold anything: no constants).
 */
export function sessionOptions(threads: number): {
  intraOpNumThreads: number;
  interOpNumThreads: number;
  graphOptimizationLevel: "all";
  executionMode: "sequential";
} {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    executionMode: "sequential",
  };
}
