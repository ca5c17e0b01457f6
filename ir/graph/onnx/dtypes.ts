/**
 * ONNX element types (`TensorProto.DataType` numbers) ⇄ Tessera dtypes, and the attribute type
 * numbers (`AttributeProto.AttributeType`).
 *
 * @module
 */
import type { DType } from "../../dtype.ts";

/** `TensorProto.DataType` numbers by name (the ones Tessera holds, and a few it refuses). */
export const ONNX_TYPE = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
} as const;

/** `AttributeProto.AttributeType` numbers by name. */
export const ATTR = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;

const TO_DTYPE: Readonly<Record<number, DType>> = {
  [ONNX_TYPE.FLOAT]: "float32",
  [ONNX_TYPE.UINT8]: "uint8",
  [ONNX_TYPE.INT8]: "int8",
  [ONNX_TYPE.UINT16]: "uint16",
  [ONNX_TYPE.INT16]: "int16",
  [ONNX_TYPE.INT32]: "int32",
  [ONNX_TYPE.INT64]: "int64",
  [ONNX_TYPE.BOOL]: "bool",
  [ONNX_TYPE.FLOAT16]: "float16",
  [ONNX_TYPE.DOUBLE]: "float64",
  [ONNX_TYPE.UINT32]: "uint32",
  [ONNX_TYPE.UINT64]: "uint64",
  [ONNX_TYPE.BFLOAT16]: "bfloat16",
};

const NAMES: Readonly<Record<number, string>> = {
  0: "UNDEFINED",
  8: "STRING",
  14: "COMPLEX64",
  15: "COMPLEX128",
  17: "FLOAT8E4M3FN",
  18: "FLOAT8E4M3FNUZ",
  19: "FLOAT8E5M2",
  20: "FLOAT8E5M2FNUZ",
  21: "UINT4",
  22: "INT4",
  23: "FLOAT4E2M1",
};

/**
 * The Tessera dtype of an ONNX element type, or `undefined` if Tessera cannot hold it (strings,
 * complex numbers, 8- and 4-bit floats, 4-bit integers).
 *
 * @example
 * ```ts
 * import { dtypeOfOnnx, ONNX_TYPE } from "./dtypes.ts";
 * console.assert(dtypeOfOnnx(ONNX_TYPE.INT64) === "int64");
 * console.assert(dtypeOfOnnx(ONNX_TYPE.STRING) === undefined);
 * ```
 */
export function dtypeOfOnnx(elemType: number): DType | undefined {
  return TO_DTYPE[elemType];
}

/** A readable name of an ONNX element type number, for messages. @example `onnxTypeName(8) === "STRING"` */
export function onnxTypeName(elemType: number): string {
  return NAMES[elemType] ??
    (TO_DTYPE[elemType] ? TO_DTYPE[elemType] : `element type ${elemType}`);
}

/**
 * The ONNX element type of a Tessera dtype, or `undefined` if ONNX has none.
 *
 * @example
 * ```ts
 * import { onnxOfDtype, ONNX_TYPE } from "./dtypes.ts";
 * console.assert(onnxOfDtype("float32") === ONNX_TYPE.FLOAT);
 * ```
 */
export function onnxOfDtype(dtype: DType): number | undefined {
  for (const [k, v] of Object.entries(TO_DTYPE)) if (v === dtype) return Number(k);
  return undefined;
}
