/**
 * Finding the blocks of a library `conv2d` function for the conv examples: the convolution
 * block, its padding stage (if any) and the read index of the weights.
 *
 * @module
 */
import type { PrimFunc } from "../ir/func.ts";
import { blocksUnder } from "../tensorize/analysis/find.ts";
import { analyzeBlock } from "../tensorize/default/block_info.ts";

/** The blocks of a conv2d function. */
export interface ConvBlocks {
  /** The convolution block. */
  readonly conv: string;
  /** The padding stage, if the convolution pads. */
  readonly pad?: string;
  /** Index in the convolution block's reads of the weights (the second parameter). */
  readonly weightRead: number;
}

/**
 * The blocks of `f`, a function made of the library's `conv2d` (`X, W → Y`).
 *
 * @example
 * ```ts
 * import { convBlocks } from "./conv_blocks.ts";
 * import { conv2dFunction } from "./03_conv2d_nchw.ts";
 * const b = convBlocks(conv2dFunction("NCHW", 1, 4, 8, 8));
 * console.assert(b.conv === "Y" && b.pad === "Y_pad");
 * ```
 */
export function convBlocks(f: PrimFunc): ConvBlocks {
  const weights = f.params[1];
  let conv: string | undefined, pad: string | undefined, weightRead = -1;
  for (const r of blocksUnder(f.body)) {
    const info = analyzeBlock(f, r.block.name);
    if (info?.kind === "conv") {
      conv = r.block.name;
      weightRead = r.block.reads.findIndex((x) => x.buffer === weights);
    } else if (info?.kind === "injective") pad = r.block.name;
  }
  if (conv === undefined || weightRead < 0) {
    throw new Error(`function "${f.name}" has no conv2d block reading its weights`);
  }
  return { conv, ...(pad ? { pad } : {}), weightRead };
}
