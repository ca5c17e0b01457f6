/**
 * Interpreter call handlers that execute intrinsic markers by running the intrinsic's
 * *description* on the operand tiles: gather each tile (origin and strides from where the
 * marker's loads read), interpret the description on the gathered arrays, scatter the written
 * operands back. A tensorized function then runs in the reference interpreter and can be
 * compared with the function before scheduling — which checks the match semantically, end to
 * end. (Validating an implementation against its description is the SDK's business.)
 *
 * @module
 */
import { TensorizeError } from "../../ir/errors.ts";
import { type CallHandler, type ElementRef, interpret } from "../../ir/interp/mod.ts";
import { getElement, type NDArray, ndarray, setElement } from "../../ir/ndarray.ts";
import type { Buffer } from "../../ir/stmt.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import { blocksUnder, childBlocks } from "../analysis/find.ts";
import { constShape, intrinsicCallName } from "./marker.ts";
import { operandParams } from "./match.ts";

interface Tile {
  readonly ref: ElementRef;
  readonly strides: readonly number[];
  readonly shape: readonly number[];
}

/** Data index of tile element number `flat` (row-major over the tile's shape). */
function indexOf(t: Tile, flat: number): number {
  let o = t.ref.offset, rest = flat;
  for (let d = t.shape.length - 1; d >= 0; d--) {
    o += (rest % t.shape[d]) * t.strides[d];
    rest = Math.floor(rest / t.shape[d]);
  }
  return o;
}

function writtenParams(intrinsic: Intrinsic): Set<Buffer> {
  const out = new Set<Buffer>();
  for (const r of blocksUnder(intrinsic.description.body)) {
    if (childBlocks(r.block.body).length === 0) {
      for (const w of r.block.writes) out.add(w.buffer);
    }
  }
  return out;
}

/**
 * A handler for `tsr.intrin.<name>` calls that runs the intrinsic's description on the tiles.
 *
 * @example
 * ```ts ignore
 * const outs = runFunc(tensorized, inputs, { calls: intrinsicCallHandlers([gemm4]) });
 * ```
 */
export function descriptionHandler(intrinsic: Intrinsic): CallHandler {
  const params = operandParams(intrinsic);
  const written = writtenParams(intrinsic);
  return (_args, _dtype, refs) => {
    let k = 0;
    const tiles = params.map((p): Tile => {
      const shape = constShape(p);
      const group = refs.slice(k, k + shape.length + 2);
      k += shape.length + 2;
      if (group.length !== shape.length + 2 || group.some((r) => r === undefined)) {
        throw new TensorizeError(
          "TENSORIZE_BAD_MARKER",
          `Cannot run intrinsic "${intrinsic.name}": operand "${p.name}" is not passed as element loads`,
        );
      }
      const ref = group[0]!;
      const strides = group.slice(1, 1 + shape.length).map((r) => r!.offset - ref.offset);
      return { ref, strides, shape };
    });
    const arrays: NDArray[] = params.map((p, n) => {
      const t = tiles[n], a = ndarray(p.dtype, t.shape);
      const count = t.shape.reduce((x, y) => x * y, 1);
      for (let i = 0; i < count; i++) {
        setElement(a.data, p.dtype, i, getElement(t.ref.storage.data, p.dtype, indexOf(t, i)));
      }
      return a;
    });
    interpret(intrinsic.description, arrays);
    params.forEach((p, n) => {
      if (!written.has(p)) return;
      const t = tiles[n], a = arrays[n];
      for (let i = 0; i < a.data.length; i++) {
        setElement(t.ref.storage.data, p.dtype, indexOf(t, i), getElement(a.data, p.dtype, i));
      }
    });
    return 0;
  };
}

/**
 * Handlers for the markers of several intrinsics, keyed by call name, for `runFunc(f, inputs,
 * { calls })` / `interpret(f, args, { calls })`.
 */
export function intrinsicCallHandlers(
  intrinsics: readonly Intrinsic[],
): Record<string, CallHandler> {
  return Object.fromEntries(intrinsics.map((i) => [intrinsicCallName(i), descriptionHandler(i)]));
}
