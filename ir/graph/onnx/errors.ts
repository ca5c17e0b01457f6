/**
 * `OnnxError`: an ONNX file Tessera cannot read or import. Codes start with `ONNX_` and are
 * catalogued in `docs/errors.md`; messages name the node (its name, else its index) and op.
 *
 * @module
 */
import { TesseraError } from "../../errors.ts";

/** The codes an `OnnxError` carries. */
export type OnnxErrorCode =
  | "ONNX_DECODE"
  | "ONNX_ENCODE"
  | "ONNX_MALFORMED"
  | "ONNX_EXTERNAL_DATA"
  | "ONNX_UNSUPPORTED_DTYPE"
  | "ONNX_UNSUPPORTED_ATTRIBUTE"
  | "ONNX_TENSOR_DATA"
  | "ONNX_UNSUPPORTED_OP"
  | "ONNX_BAD_ATTRIBUTE"
  | "ONNX_BAD_INPUT"
  | "ONNX_OPSET"
  | "ONNX_UNKNOWN_VALUE"
  | "ONNX_DYNAMIC_SHAPE";

/**
 * A malformed or unsupported ONNX model.
 *
 * @example
 * ```ts
 * import { OnnxError } from "./errors.ts";
 * const e = new OnnxError("ONNX_UNSUPPORTED_OP", "Cannot import node \"n\" (#0, Foo): unknown op");
 * console.assert(e.code === "ONNX_UNSUPPORTED_OP" && e.name === "OnnxError");
 * ```
 */
export class OnnxError extends TesseraError {
  /** The error's code. */
  declare readonly code: OnnxErrorCode;
  /** Create an error with an `ONNX_*` code. */
  constructor(
    code: OnnxErrorCode,
    message: string,
    details: { hint?: string; path?: string } = {},
  ) {
    super(code, message, details);
  }
}

/** Where a node sits, for messages: `node "conv1" (#3, Conv)` or `node #3 (Conv)`. */
export function nodeLabel(node: { name?: string; index: number; opType: string }): string {
  return node.name
    ? `node "${node.name}" (#${node.index}, ${node.opType})`
    : `node #${node.index} (${node.opType})`;
}
