/**
 * ONNX `TensorProto` ⇄ `NDArray`. Elements come either as little-endian `raw_data` or in the
 * typed field the element type selects (the ONNX rule: `float_data` for FLOAT; `int32_data` for
 * the narrow integers, BOOL, and the bit patterns of FLOAT16/BFLOAT16; `int64_data`;
 * `double_data`; `uint64_data` for UINT32/UINT64). External data is refused: Tessera reads one
 * self-contained buffer (browser-safe, no file system).
 *
 * @module
 */
import { allocTyped, type DType } from "../../dtype.ts";
import { type NDArray, ndarray } from "../../ndarray.ts";
import type { TensorProto } from "./codec.ts";
import { dtypeOfOnnx, onnxOfDtype, onnxTypeName } from "./dtypes.ts";
import { OnnxError } from "./errors.ts";

const BYTES: Readonly<Record<DType, number>> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
};

/** The typed field that holds elements of `dtype` when `raw_data` is absent. */
function typedField(dtype: DType): keyof TensorProto {
  switch (dtype) {
    case "float32":
      return "float_data";
    case "int64":
      return "int64_data";
    case "float64":
      return "double_data";
    case "uint32":
    case "uint64":
      return "uint64_data";
    default:
      return "int32_data";
  }
}

function fail(where: string, reason: string, code: "ONNX_TENSOR_DATA" = "ONNX_TENSOR_DATA"): never {
  throw new OnnxError(code, `Cannot read ${where}: ${reason}`);
}

/**
 * The `NDArray` a `TensorProto` holds. `where` names it in errors, e.g. `initializer "W"`.
 * Throws `OnnxError`: `ONNX_EXTERNAL_DATA`, `ONNX_UNSUPPORTED_DTYPE`, `ONNX_TENSOR_DATA`.
 *
 * @example
 * ```ts
 * import { tensorFromProto } from "./tensor.ts";
 * const t = tensorFromProto({ dims: [2], data_type: 7, int64_data: [3, -1] }, "t");
 * console.assert(t.dtype === "int64" && t.data[1] === -1n);
 * ```
 */
export function tensorFromProto(t: TensorProto, where: string): NDArray {
  if (t.data_location === 1 || (Array.isArray(t.external_data) && t.external_data.length > 0)) {
    throw new OnnxError(
      "ONNX_EXTERNAL_DATA",
      `Cannot read ${where}: its data lives in an external file`,
      {
        hint:
          "save the model with its weights inside (onnx.save(..., save_as_external_data=False))",
      },
    );
  }
  if (t.segment !== undefined) fail(where, "segmented tensors are not supported");
  const elemType = t.data_type ?? 0;
  const dtype = dtypeOfOnnx(elemType);
  if (dtype === undefined) {
    throw new OnnxError(
      "ONNX_UNSUPPORTED_DTYPE",
      `Cannot read ${where}: element type ${onnxTypeName(elemType)} is not supported`,
    );
  }
  const dims = t.dims ?? [];
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) {
      fail(where, `bad dimension ${d} in [${dims.join(", ")}]`);
    }
    n *= d;
    if (!Number.isSafeInteger(n)) fail(where, `too many elements in [${dims.join(", ")}]`);
  }
  const raw = t.raw_data;
  if (raw !== undefined && raw.length > 0) {
    const size = BYTES[dtype];
    if (raw.length !== n * size) {
      fail(
        where,
        `raw_data has ${raw.length} bytes, shape [${dims.join(", ")}] of ${dtype} needs ${
          n * size
        }`,
      );
    }
    const store = allocTyped(dtype, n);
    new Uint8Array(store.buffer).set(raw);
    return ndarray(dtype, dims, store);
  }
  const field = typedField(dtype);
  const values = (t[field] ?? []) as readonly number[];
  if (values.length !== n) {
    fail(
      where,
      `${String(field)} has ${values.length} elements, shape [${dims.join(", ")}] needs ${n}`,
    );
  }
  if (dtype === "float16") {
    // int32_data holds the IEEE half bit patterns: reinterpret them.
    const bits = new Uint16Array(values);
    return ndarray(dtype, dims, new Float16Array(bits.buffer));
  }
  return ndarray(dtype, dims, values);
}

/**
 * A `TensorProto` holding `a` as little-endian `raw_data` (`ONNX_UNSUPPORTED_DTYPE` if ONNX has
 * no element type for its dtype).
 *
 * @example
 * ```ts
 * import { tensorFromProto, tensorToProto } from "./tensor.ts";
 * import { ndarray } from "../../ndarray.ts";
 * const p = tensorToProto("w", ndarray("float32", [2], [1.5, -2]));
 * console.assert(tensorFromProto(p, "w").data[1] === -2);
 * ```
 */
export function tensorToProto(name: string, a: NDArray): TensorProto {
  const dataType = onnxOfDtype(a.dtype);
  if (dataType === undefined) {
    throw new OnnxError(
      "ONNX_UNSUPPORTED_DTYPE",
      `Cannot write tensor "${name}": ONNX has no ${a.dtype}`,
    );
  }
  const bytes = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  return { name, dims: [...a.shape], data_type: dataType, raw_data: bytes.slice() };
}
