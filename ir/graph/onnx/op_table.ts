/**
 * The op mapping table: every ONNX op type (default domain) the importer takes, with its rule.
 * The rules live by family in `ops_*.ts`; this table is the one place that lists them, and
 * `supportedOnnxOps()` is what the docs and tests count.
 *
 * @module
 */
import type { OpRule } from "./context.ts";
import { ELEMENTWISE_RULES } from "./ops_elementwise.ts";
import { NN_RULES } from "./ops_nn.ts";
import { REDUCE_RULES } from "./ops_reduce.ts";
import { SHAPE_RULES } from "./ops_shape.ts";
import { TENSOR_RULES } from "./ops_tensor.ts";
import { RESIZE_RULES } from "./ops_resize.ts";
import { INDEX_RULES } from "./ops_index.ts";
import { QUANT_RULES } from "./ops_quant.ts";
import { CONTROL_RULES } from "./ops_control.ts";

/** ONNX op type → rule. */
export const ONNX_OPS: ReadonlyMap<string, OpRule> = new Map(
  Object.entries({
    ...ELEMENTWISE_RULES,
    ...NN_RULES,
    ...REDUCE_RULES,
    ...SHAPE_RULES,
    ...RESIZE_RULES,
    ...INDEX_RULES,
    ...QUANT_RULES,
    ...CONTROL_RULES,
    ...TENSOR_RULES,
  }),
);

/**
 * The ONNX op types the importer supports, sorted.
 *
 * @example
 * ```ts
 * import { supportedOnnxOps } from "./op_table.ts";
 * console.assert(supportedOnnxOps().includes("Conv"));
 * ```
 */
export function supportedOnnxOps(): string[] {
  return [...ONNX_OPS.keys()].sort();
}
