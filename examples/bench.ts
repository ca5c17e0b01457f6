/**
 * The hand-scheduled kernels of the benchmark (`deno task bench`, impl `tessera`): each entry is
 * the function of one bench case (`bench/cases.ts`) scheduled by an example of this folder, for a
 * number of threads — one thread: no parallel loops; two: the outer loops `parallel`. The conv2d
 * case has four: direct NCHW (example 03), direct NHWC (04) and Winograd F(2×2, 3×3) in both
 * layouts (03_conv2d_winograd.ts).
 *
 * @module
 */
import type { PrimFunc } from "../ir/func.ts";
import { matmulFunction, scheduleMatmul } from "./02_fast_matmul.ts";
import { conv2dFunction, scheduleConv2dNCHW } from "./03_conv2d_nchw.ts";
import { scheduleConv2dNHWC } from "./04_conv2d_nhwc.ts";
import { conv2dWinogradFunction, scheduleConv2dWinograd } from "./03_conv2d_winograd.ts";

/** One hand-scheduled kernel (the contract of `bench/peers/tessera_hand.ts`). */
export interface HandKernel {
  /** The bench case it computes. */
  readonly case: string;
  /** Threads its parallel loops are meant for. */
  readonly threads: number;
  /** Operand layouts of a conv2d kernel. */
  readonly layout?: "NCHW" | "NHWC";
  /** Tells kernels of one case and thread count apart. */
  readonly label?: string;
  /** The scheduled function. */
  func(): PrimFunc;
}

const THREADS = [1, 2];

function matmuls(): HandKernel[] {
  return [256, 512, 1024].flatMap((n) =>
    THREADS.map((threads) => ({
      case: `matmul_f32_${n}`,
      threads,
      func: () => scheduleMatmul(matmulFunction(n, n, n), { threads }),
    }))
  );
}

const CONV = "conv2d_f32_1x64x56x56_k3";

function convs(): HandKernel[] {
  return THREADS.flatMap((threads) => [
    {
      case: CONV,
      threads,
      layout: "NCHW" as const,
      label: "NCHW",
      func: () => scheduleConv2dNCHW(conv2dFunction("NCHW", 1, 64, 56, 64), { threads }),
    },
    {
      case: CONV,
      threads,
      layout: "NHWC" as const,
      label: "NHWC",
      func: () => scheduleConv2dNHWC(conv2dFunction("NHWC", 1, 64, 56, 64), { threads }),
    },
    {
      case: CONV,
      threads,
      layout: "NCHW" as const,
      label: "NCHW Winograd",
      func: () => scheduleConv2dWinograd(conv2dWinogradFunction(1, 64, 56, 64), { threads }),
    },
    {
      case: CONV,
      threads,
      layout: "NHWC" as const,
      label: "NHWC Winograd",
      func: () =>
        scheduleConv2dWinograd(conv2dWinogradFunction(1, 64, 56, 64, "NHWC"), { threads }),
    },
  ]);
}

/** Every hand-scheduled kernel of the bench. */
export const HAND_KERNELS: readonly HandKernel[] = [...matmuls(), ...convs()];
