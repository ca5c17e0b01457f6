/**
 * Tessera: a tensor compiler, hardware-vendor SDK and conformance kit.
 *
 * Write a kernel with the tensor-expression DSL, build it for a target, run it:
 *
 * ```ts ignore
 * import { add, build, compute, cpu, createPrimFunc, ndarray, placeholder, sizeVar } from "./mod.ts";
 * const n = sizeVar("n");
 * const A = placeholder([n], "float32", "A");
 * const B = compute([n], ([i]) => add(A.at(i), 1), "B");
 * const kernel = await build(createPrimFunc([A, B], "inc"), cpu);
 * const [b] = await kernel.run([ndarray("float32", [3], [1, 2, 3])]);
 * ```
 *
 * The operator library is the `ops` namespace (`ops.matmul`, `ops.conv2d`, `ops.OPS` …); the
 * lowering passes are the `passes` namespace; `Schedule` applies schedule primitives with a
 * replayable `Trace`, `auto` holds auto-tensorization, and `defaults` the rule-based default schedules
 * (`defaults.applyDefaultRules(f)`). Targets: `cpu` (WebAssembly SIMD,
 * threads) and `npu` (the reference accelerator, simulated), both defined with the public SDK.
 *
 * @module
 */
// The IR: dtypes, expressions, statements, functions, node table, equality, DSL, arrays, verifier.
export * from "./ir/errors.ts";
export * from "./ir/dtype.ts";
export * from "./ir/expr.ts";
export * from "./ir/stmt.ts";
export * from "./ir/func.ts";
export * from "./ir/node.ts";
export * from "./ir/structural.ts";
export * from "./ir/te.ts";
export * from "./ir/ndarray.ts";
export * from "./ir/verify.ts";
export * from "./ir/value_range.ts";
// Arithmetic analyzer, script form, reference interpreter.
export * from "./ir/arith/mod.ts";
export * from "./ir/script/mod.ts";
export * from "./ir/interp/mod.ts";
// Operator library and lowering.
export * as ops from "./ir/ops/mod.ts";
export * as passes from "./ir/transform/mod.ts";
export {
  lower,
  LOWER_PASSES,
  LowerError,
  type LowerOptions,
  type Pass,
  type PassContext,
  runPasses,
} from "./ir/transform/mod.ts";
// Schedules, their traces, and tensorization.
export * from "./tensorize/mod.ts";
export * as defaults from "./tensorize/default/mod.ts";
// The vendor SDK and the built-in targets.
export * from "./sdk/mod.ts";
export { cpu } from "./targets/cpu/mod.ts";
export { defineNpuTarget, npu, REFERENCE_NPU } from "./targets/npu/mod.ts";
export { defineGpuTarget } from "./targets/gpu/target.ts";
export { type AdapterInfo, requestAdapterInfo } from "./targets/gpu/adapter.ts";
export { gpuTarget } from "./targets/gpu/load.ts";
// The graph level (symbolic shapes, passes, executors, placement) and ONNX import.
export * as graph from "./ir/graph/mod.ts";
export {
  decodeOnnx,
  importOnnx,
  OnnxError,
  type OnnxErrorCode,
  type OnnxImportOptions,
  type OnnxModel,
  supportedOnnxOps,
} from "./ir/graph/onnx/mod.ts";
export * as onnx from "./ir/graph/onnx/mod.ts";
