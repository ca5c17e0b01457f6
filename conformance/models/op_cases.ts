/**
 * ONNX single-op cases: one node each, with its inputs (random graph inputs, or constants for
 * the operands ONNX wants known — shapes, axes, indices) and attributes. A test runs every case
 * in onnxruntime and through Tessera's importer and compares; the table of cases covers every
 * op of the importer's mapping table. The cases live by family in `op_cases_*.ts`.
 *
 * @module
 */
import type { OpCase } from "./op_case.ts";
import { MATH_CASES } from "./op_cases_math.ts";
import { NN_CASES } from "./op_cases_nn.ts";
import { SHAPE_CASES } from "./op_cases_shape.ts";

export { caseFeeds, caseModel, type OpCase, type OpInput } from "./op_case.ts";

/** Every case. */
export const OP_CASES: readonly OpCase[] = [...MATH_CASES, ...NN_CASES, ...SHAPE_CASES];
