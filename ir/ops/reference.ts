/**
 * The plain-TypeScript references of every op, in one place: straightforward loops over typed
 * arrays, written apart from the DSL and the interpreter so that they check both.
 *
 * ```ts
 * import { refBinary } from "./reference.ts";
 * import { ndarray } from "../ndarray.ts";
 * const c = refBinary("mul", ndarray("float32", [2], [1.5, 2]), 2);
 * console.assert(c.data[0] === 3);
 * ```
 *
 * @module
 */
export {
  REF_BINARY,
  REF_UNARY,
  refBinary,
  refCast,
  refClip,
  refLeakyRelu,
  refUnary,
} from "./ref_elementwise.ts";
export { refArg, refReduce, type RefReduceAttrs, type RefReduceKind } from "./ref_reduce.ts";
export { refBatchMatmul, refDense, refMatmul, type RefMatmulAttrs } from "./ref_linalg.ts";
export { refConv2d, type RefConvAttrs, refDepthwiseConv2d } from "./ref_conv.ts";
export { refAvgPool2d, refGlobalPool2d, refMaxPool2d, type RefPoolAttrs } from "./ref_pool.ts";
export { refGelu, refLayerNorm, refLogSoftmax, refSoftmax } from "./ref_nn.ts";
export {
  refBroadcastTo,
  refConcat,
  refPad,
  refReshape,
  refSlice,
  refTranspose,
} from "./ref_transform.ts";
export { erfRef } from "./ref_util.ts";
