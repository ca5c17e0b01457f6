/**
 * Which scratchpad tiles a command touches, and the checks of its fields against a config:
 * padded regions that are whole tiles, tile indices inside their scratchpad, supported modes.
 *
 * @module
 */
import {
  modeBytes,
  type NpuBuffer,
  type NpuConfig,
  type NpuMode,
  tileCapacity,
  tileShape,
} from "./config.ts";
import { disassemble } from "./disasm.ts";
import { NpuError } from "./errors.ts";
import { type DmaRegion, dtypeBytes, type Loops3, type NpuCommand, type NpuDType } from "./isa.ts";

/** Dimensions of a DMA's tile-side region (after transposition and padding) in elements. */
export function regionDims(c: DmaRegion & { op: "load" | "store" }): [number, number] {
  const [r, k] = c.transpose ? [c.cols, c.rows] : [c.rows, c.cols];
  return [c.padTop + r + c.padBottom, c.padLeft + k + c.padRight];
}

/** The tile grid of a DMA: tiles down, tiles across. A store's grid is rounded up (clipping). */
export function regionTiles(
  config: NpuConfig,
  c: DmaRegion & { op: "load" | "store"; buffer: NpuBuffer },
): [number, number] {
  const [tr, tc] = tileShape(config, c.buffer);
  const [R, C] = regionDims(c);
  return [Math.ceil(R / tr), Math.ceil(C / tc)];
}

/** Range [min, max] of `base + Σ i_k · f_k` over the loop nest (empty nest: null). */
export function affineRange(
  base: number,
  extents: Loops3,
  factors: Loops3,
): [number, number] | null {
  if (extents.some((e) => e === 0)) return null;
  let lo = base, hi = base;
  for (let k = 0; k < 3; k++) {
    const span = (extents[k] - 1) * factors[k];
    if (span < 0) lo += span;
    else hi += span;
  }
  return [lo, hi];
}

/** The input mode a LOAD into input/weight implies. */
export function loadMode(dtype: NpuDType): NpuMode {
  return dtype === "int8" ? "int8" : dtype === "float16" ? "float16" : "float32";
}

/**
 * Check a command against a config (modes, tile-aligned padding, scratchpad bounds). Global memory
 * bounds are checked when it runs.
 */
export function checkCommand(config: NpuConfig, c: NpuCommand, index: number): void {
  const ref = () => ({ index, disasm: disassemble(c) });
  const fail = (code: string, msg: string, hint?: string): never => {
    throw new NpuError(code, msg, { hint }, ref());
  };
  const mode = (m: NpuMode, what: string) => {
    if (!config.modes.includes(m)) {
      fail(
        "NPU_UNSUPPORTED_MODE",
        `Cannot run ${what} in ${m} mode: NPU "${config.name}" supports ${config.modes.join(", ")}`,
      );
    }
  };
  const inside = (buffer: NpuBuffer, range: [number, number] | null, elemBytes: number) => {
    if (!range) return;
    const cap = tileCapacity(config, buffer, elemBytes);
    if (range[0] < 0 || range[1] >= cap) {
      fail(
        "NPU_SCRATCHPAD_OVERFLOW",
        `Cannot address ${buffer} tiles ${range[0]}..${
          range[1]
        }: the ${buffer} scratchpad holds ${cap} tiles of ${elemBytes}-byte elements`,
      );
    }
  };
  switch (c.op) {
    case "load":
    case "store": {
      if (c.op === "load" && c.buffer !== "acc") mode(loadMode(c.dtype), "a LOAD");
      const [tr, tc] = tileShape(config, c.buffer);
      const [R, C] = regionDims(c);
      if (c.op === "load" && (R % tr !== 0 || C % tc !== 0)) {
        fail(
          "NPU_BAD_COMMAND",
          `Cannot load a ${R}x${C} padded region into ${c.buffer}: it must be whole ${tr}x${tc} tiles`,
          "pad the bottom/right edges up to a multiple of the tile shape",
        );
      }
      const [ty, tx] = regionTiles(config, c);
      if (ty > 1 && c.tileRowStride < tx) {
        fail(
          "NPU_BAD_COMMAND",
          `Cannot use tile row stride ${c.tileRowStride} < ${tx} tiles per row`,
        );
      }
      const range: [number, number] | null = ty * tx === 0
        ? null
        : [c.base, c.base + (ty - 1) * c.tileRowStride + tx - 1];
      inside(c.buffer, range, c.buffer === "acc" ? 4 : dtypeBytes(c.dtype));
      return;
    }
    case "gemm": {
      mode(c.mode, "a GEMM");
      const b = modeBytes(c.mode);
      inside("acc", affineRange(c.accBase, c.extents, c.accFactors), 4);
      inside("input", affineRange(c.inpBase, c.extents, c.inpFactors), b);
      inside("weight", affineRange(c.wgtBase, c.extents, c.wgtFactors), b);
      return;
    }
    case "alu": {
      mode(c.mode, `ALU ${c.alu}`);
      if (c.mode !== "int8" && (c.alu === "shr" || c.alu === "requant")) {
        fail("NPU_BAD_COMMAND", `Cannot run ALU ${c.alu} on float accumulators (${c.mode} mode)`);
      }
      inside("acc", affineRange(c.dstBase, c.extents, c.dstFactors), 4);
      if (!c.useImm) inside("acc", affineRange(c.srcBase, c.extents, c.srcFactors), 4);
      return;
    }
  }
}

/** Call `f(tile)` for every tile index of a 3-deep affine loop nest, in loop order. */
export function forEachLoop(
  extents: Loops3,
  f: (i0: number, i1: number, i2: number) => void,
): void {
  for (let i0 = 0; i0 < extents[0]; i0++) {
    for (let i1 = 0; i1 < extents[1]; i1++) {
      for (let i2 = 0; i2 < extents[2]; i2++) f(i0, i1, i2);
    }
  }
}

/** `base + i · factors`. */
export function tileAt(
  base: number,
  f: Loops3,
  i0: number,
  i1: number,
  i2: number,
): number {
  return base + i0 * f[0] + i1 * f[1] + i2 * f[2];
}
