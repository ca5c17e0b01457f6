/**
 * One ONNX single-op case: its shape (`OpCase`), the builders the case tables use for inputs,
 * and the case as a model file with random feeds.
 *
 * @module
 */
import type { DType } from "../../ir/dtype.ts";
import { type NDArray, ndarray, randomNDArray } from "../../ir/ndarray.ts";
import { encodeModelProto } from "../../ir/graph/onnx/codec.ts";
import {
  initializer,
  modelOf,
  node,
  type OnnxAttrValue,
  tensorInfo,
} from "../../ir/graph/onnx/write.ts";

/** One input of a case: a random graph input, or a constant (initializer) when `value` is set. */
export interface OpInput {
  /** Shape. */
  readonly shape: readonly number[];
  /** Element dtype (default float32). */
  readonly dtype?: DType;
  /** Range of the random values. */
  readonly range?: readonly [number, number];
  /** Constant elements: the input becomes an initializer. */
  readonly value?: readonly number[] | BigInt64Array;
}

/** One single-node case. */
export interface OpCase {
  /** ONNX op type. */
  readonly op: string;
  /** What is special about it. */
  readonly label?: string;
  /** Inputs in order (`null`: an omitted optional input). */
  readonly inputs: readonly (OpInput | null)[];
  /** Attributes. */
  readonly attrs?: Readonly<Record<string, OnnxAttrValue>>;
  /** Number of outputs (default 1). */
  readonly outputs?: number;
  /** Opset (default 17). */
  readonly opset?: number;
  /**
   * How many of the inputs (the leading ones) the node takes (default all); the rest are graph
   * values only subgraphs read (an `If` branch capturing them).
   */
  readonly nodeInputs?: number;
}

/** A random fp32 input. */
export const f = (...shape: number[]): OpInput => ({ shape });
/** A random fp32 input with values in `[lo, hi)`. */
export const fr = (lo: number, hi: number, ...shape: number[]): OpInput => ({
  shape,
  range: [lo, hi],
});
/** A constant int64 input. */
export const i64 = (shape: number[], value: number[]): OpInput => ({
  shape,
  dtype: "int64",
  value,
});
/** A constant int64 vector. */
export const ivec = (...value: number[]): OpInput => i64([value.length], value);
/** INT64_MAX (`sign` 1) or INT64_MIN (`sign` -1), as exporters write "to the end". */
export const i64max = (sign: 1 | -1): OpInput => ({
  shape: [1],
  dtype: "int64",
  value: BigInt64Array.of(sign > 0 ? 2n ** 63n - 1n : -(2n ** 63n)),
});
/** A random bool input. */
export const bool = (...shape: number[]): OpInput => ({ shape, dtype: "bool" });
/** A constant fp32 input. */
export const fconst = (shape: number[], value: number[]): OpInput => ({ shape, value });

/** Name of input `i` of a case. */
const inputName = (i: number) => `in${i}`;

/** The case as ONNX bytes. */
export function caseModel(c: OpCase): Uint8Array {
  const init = [];
  const graphInputs = [];
  for (const [i, inp] of c.inputs.entries()) {
    if (inp === null) continue;
    if (inp.value) {
      init.push(
        initializer(
          inputName(i),
          ndarray(inp.dtype ?? "float32", inp.shape, inp.value as number[]),
        ),
      );
    } else graphInputs.push(tensorInfo(inputName(i), inp.dtype ?? "float32", inp.shape));
  }
  const outs = Array.from({ length: c.outputs ?? 1 }, (_, k) => `out${k}`);
  return encodeModelProto(modelOf({
    name: "case",
    node: [
      node(
        c.op,
        c.inputs.slice(0, c.nodeInputs).map((inp, i) => (inp === null ? "" : inputName(i))),
        outs,
        c.attrs ?? {},
        "n",
      ),
    ],
    input: graphInputs,
    initializer: init,
    // Output types are left for the runtime to infer.
    output: outs.map((name) => ({ name })),
  }, c.opset ?? 17));
}

/** Random arrays for the case's graph inputs, by name. */
export function caseFeeds(c: OpCase, seed = 1): Record<string, NDArray> {
  const feeds: Record<string, NDArray> = {};
  for (const [i, inp] of c.inputs.entries()) {
    if (inp === null || inp.value) continue;
    feeds[inputName(i)] = randomNDArray(
      inp.dtype ?? "float32",
      inp.shape,
      seed + i,
      inp.range?.[0],
      inp.range?.[1],
    );
  }
  return feeds;
}
