/**
 * The hand-written schedules of the examples, for the benchmark and for readers: a fast fp32
 * matmul (02) and conv2d in NCHW (03) and NHWC (04) for the `cpu` target.
 *
 * @module
 */
export {
  gemmBlock,
  matmulFunction,
  matmulInputs,
  matmulSchedule,
  type MatmulScheduleOptions,
  scheduleMatmul,
} from "./02_fast_matmul.ts";
export {
  conv2dFunction,
  conv2dInputs,
  conv2dNCHWSchedule,
  type ConvScheduleOptions,
  scheduleConv2dNCHW,
} from "./03_conv2d_nchw.ts";
export {
  conv2dWinogradFunction,
  scheduleConv2dWinograd,
  winogradSchedule,
} from "./03_conv2d_winograd.ts";
export { conv2dNHWCSchedule, scheduleConv2dNHWC } from "./04_conv2d_nhwc.ts";
export { type ConvBlocks, convBlocks } from "./conv_blocks.ts";
export { HAND_KERNELS, type HandKernel } from "./bench.ts";
