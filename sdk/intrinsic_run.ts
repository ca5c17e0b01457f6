/**
 * How a target runs one intrinsic on concrete tiles, so that `validateTarget` can check its
 * implementation against its description.
 *
 * A target's runtime provides `runIntrinsic(intrinsic, tiles)` (`Runtime.runIntrinsic`): it
 * executes the intrinsic *the way the target runs it* — the cpu compiles the intrinsic's C
 * function and calls it, an NPU turns its command into a small command stream for its simulator —
 * on one `IntrinsicTile` per parameter of the description, in parameter order, and writes the
 * results into the tiles' storage (destination passing, like `interpret`).
 *
 * A tile is what a tensorized kernel hands an intrinsic (the marker of `tensorize/auto`): a base
 * element offset and element strides into some storage. Validation passes both compact tiles and
 * strided ones (an origin inside a larger storage, padded rows) and checks that nothing outside a
 * tile changes. `gatherTile` / `scatterTile` convert to and from compact arrays for a runner that
 * only handles those.
 *
 * @module
 */
import type { DType } from "../ir/dtype.ts";
import { getElement, type NDArray, ndarray, numel, setElement } from "../ir/ndarray.ts";
import type { Intrinsic } from "./intrinsic.ts";

/** One operand of an intrinsic execution: a strided view of a 1-D storage. */
export interface IntrinsicTile {
  /** The description's buffer parameter it stands for. */
  readonly param: string;
  /** Element dtype (the parameter's). */
  readonly dtype: DType;
  /** The tile's shape (the parameter's, constant). */
  readonly shape: readonly number[];
  /** The storage the tile lives in: a 1-D array of `dtype`. */
  readonly data: NDArray;
  /** Element offset of the tile's origin `[0, …, 0]` in `data`. */
  readonly offset: number;
  /** Element stride of each dimension in `data`. */
  readonly strides: readonly number[];
  /** Alignment of the origin in bytes (the operand scope's, what a DMA or a pointer can rely on). */
  readonly alignmentBytes: number;
}

/**
 * Runs `intrinsic` on `tiles` (one per description parameter, in order) and writes its outputs
 * into their storage. The tiles' storages are host arrays owned by the caller; a device copies
 * them in and out.
 */
export type IntrinsicRunner = (
  intrinsic: Intrinsic,
  tiles: readonly IntrinsicTile[],
) => Promise<void>;

/**
 * A conventional implementation shape for targets that emit C (cpu-style): a C function taking,
 * per description parameter in order, a pointer to the tile's origin followed by one `int32_t`
 * element stride per dimension — the marker's decoding (`f(&X[o], s0, s1, …)`). The target's
 * codegen pastes `source` once and emits calls of `symbol`; its `runIntrinsic` compiles a wrapper
 * that calls it on the tiles.
 */
export interface CIntrinsicImplementation {
  /** Always `"c"`. */
  readonly kind: "c";
  /** Name of the C function. */
  readonly symbol: string;
  /** Its definition (a `static inline` function is fine). */
  readonly source: string;
}

/**
 * A conventional implementation shape for devices driven by commands (NPU-style): the command
 * the codegen emits for one execution, with whatever fields the device needs.
 */
export interface CommandIntrinsicImplementation<C = unknown> {
  /** Always `"command"`. */
  readonly kind: "command";
  /** The device command (opcode, mode …). */
  readonly command: C;
}

/** Storage index of tile element number `flat` (row-major over the tile's shape). */
export function tileIndex(tile: IntrinsicTile, flat: number): number {
  let o = tile.offset, rest = flat;
  for (let d = tile.shape.length - 1; d >= 0; d--) {
    o += (rest % tile.shape[d]) * tile.strides[d];
    rest = Math.floor(rest / tile.shape[d]);
  }
  return o;
}

/**
 * A compact copy of a tile (shape and dtype of its parameter).
 *
 * @example
 * ```ts
 * import { gatherTile, type IntrinsicTile } from "./intrinsic_run.ts";
 * import { ndarray } from "../ir/ndarray.ts";
 * const tile: IntrinsicTile = {
 *   param: "A", dtype: "int32", shape: [2, 2], offset: 1, strides: [3, 1], alignmentBytes: 4,
 *   data: ndarray("int32", [7], [9, 1, 2, 9, 3, 4, 9]),
 * };
 * console.assert(gatherTile(tile).data.join() === "1,2,3,4");
 * ```
 */
export function gatherTile(tile: IntrinsicTile): NDArray {
  const a = ndarray(tile.dtype, tile.shape);
  const n = numel(tile.shape);
  for (let i = 0; i < n; i++) {
    setElement(a.data, tile.dtype, i, getElement(tile.data.data, tile.dtype, tileIndex(tile, i)));
  }
  return a;
}

/** Write a compact array (the tile's shape) back into the tile's storage. */
export function scatterTile(tile: IntrinsicTile, values: NDArray): void {
  const n = numel(tile.shape);
  for (let i = 0; i < n; i++) {
    setElement(
      tile.data.data,
      tile.dtype,
      tileIndex(tile, i),
      getElement(values.data, tile.dtype, i),
    );
  }
}

/**
 * A runner from a function of compact arrays: gathers every tile, calls `run` (which updates the
 * arrays in place), scatters every tile back. For runtimes whose execution path takes compact
 * operands.
 *
 * @example
 * ```ts ignore
 * const runIntrinsic = compactRunner(async (intrinsic, arrays) => mySimulator.run(intrinsic, arrays));
 * ```
 */
export function compactRunner(
  run: (intrinsic: Intrinsic, arrays: NDArray[]) => Promise<void> | void,
): IntrinsicRunner {
  return async (intrinsic, tiles) => {
    const arrays = tiles.map(gatherTile);
    await run(intrinsic, arrays);
    tiles.forEach((t, k) => scatterTile(t, arrays[k]));
  };
}
