/**
 * Buffer storage and element access.
 *
 * Layout: element offset of `[i₀, …, iₙ₋₁]` = elemOffset + Σ iₖ·strideₖ, where empty strides mean
 * compact row-major over the shape. Every access checks each index against its dimension
 * (0 ≤ iₖ < shapeₖ) and raises INTERP_OUT_OF_BOUNDS otherwise; every storage is checked once,
 * when it is bound or allocated, to hold all offsets its layout can reach, so an in-bounds index
 * is always inside the storage. (This is stricter than checking the offset against the storage:
 * it also catches a row overrun that lands inside the allocation.)
 *
 * @module
 */
import { allocTyped, bf16Bits, bf16FromBits, elementOf, type TypedArray } from "../dtype.ts";
import type { Buffer } from "../stmt.ts";
import { InterpError } from "./errors.ts";
import type { Frame, NumFn, Scalar, Storage } from "./values.ts";

/** A concrete layout. */
export interface Layout {
  readonly shape: number[];
  readonly strides: number[];
  readonly offset: number;
}

/** Compile a buffer's layout from compiled shape, stride and offset expressions. */
export function compileLayout(
  shape: readonly NumFn[],
  strides: readonly NumFn[],
  elemOffset: NumFn,
): (fr: Frame) => Layout {
  return (fr) => {
    const s = shape.map((f) => f(fr));
    let st: number[];
    if (strides.length) st = strides.map((f) => f(fr));
    else {
      st = s.map(() => 0); // packed, not holey
      let acc = 1;
      for (let d = s.length - 1; d >= 0; d--) {
        st[d] = acc;
        acc *= s[d];
      }
    }
    return { shape: s, strides: st, offset: elemOffset(fr) };
  };
}

/** The lowest and highest offsets a layout reaches, or undefined if it has no elements. */
export function reach(l: Layout): [number, number] | undefined {
  let lo = l.offset;
  let hi = l.offset;
  for (let d = 0; d < l.shape.length; d++) {
    if (l.shape[d] <= 0) return undefined;
    const span = (l.shape[d] - 1) * l.strides[d];
    if (span < 0) lo += span;
    else hi += span;
  }
  return [lo, hi];
}

/** Fresh zero-filled storage for a buffer with a concrete layout (Allocate, allocBuffers). */
export function allocStorage(buf: Buffer, l: Layout, where: string): Storage {
  const r = reach(l);
  if (r && r[0] < 0) {
    throw new InterpError(
      "INTERP_OUT_OF_BOUNDS",
      `Cannot allocate buffer "${buf.name}": its layout reaches offset ${r[0]}, below 0`,
      { path: where },
    );
  }
  const size = r ? r[1] + 1 : Math.max(0, l.offset);
  return makeStorage(buf.name, allocTyped(buf.dtype, size), l);
}

/** A storage record (always built here, so every storage has one object shape). */
export function makeStorage(name: string, data: TypedArray, l: Layout): Storage {
  return { name, data, shape: l.shape, strides: l.strides, offset: l.offset };
}

function outOfBounds(
  action: string,
  st: Storage,
  indices: readonly number[],
  where: string,
): InterpError {
  const d = indices.findIndex((i, k) => !(i >= 0 && i < st.shape[k]));
  return new InterpError(
    "INTERP_OUT_OF_BOUNDS",
    `Cannot ${action} buffer "${st.name}" at [${indices.join(", ")}]: index ${
      indices[d]
    } is outside dimension ${d} of shape [${st.shape.join(", ")}]`,
    { path: where },
  );
}

/** A compiled element offset for scalar indices, checked against the buffer's shape. */
export type OffsetFn = (fr: Frame) => number;

/**
 * Compile the offset of `buf[indices]` (buffer slot `slot`). `direct[d]` ≥ 0 says index d is the
 * variable in number slot `direct[d]`, read without a call. `action` ("load"/"store") and
 * `where` name the access in errors.
 */
export function compileOffset(
  slot: number,
  idx: readonly NumFn[],
  direct: readonly number[],
  action: string,
  where: string,
): OffsetFn {
  const fail = (st: Storage, ix: number[]) => outOfBounds(action, st, ix, where);
  const [f0, f1, f2, f3] = idx;
  const [d0, d1, d2, d3] = direct;
  switch (idx.length) {
    case 0:
      return (fr) => fr.b[slot].offset;
    case 1:
      return (fr) => {
        const st = fr.b[slot];
        const i = d0 >= 0 ? fr.n[d0] : f0(fr);
        if (i >= 0 && i < st.shape[0]) return st.offset + i * st.strides[0];
        throw fail(st, [i]);
      };
    case 2:
      return (fr) => {
        const st = fr.b[slot];
        const n = fr.n;
        const i = d0 >= 0 ? n[d0] : f0(fr);
        const j = d1 >= 0 ? n[d1] : f1(fr);
        const sh = st.shape;
        if (i >= 0 && i < sh[0] && j >= 0 && j < sh[1]) {
          const s = st.strides;
          return st.offset + i * s[0] + j * s[1];
        }
        throw fail(st, [i, j]);
      };
    case 3:
      return (fr) => {
        const st = fr.b[slot];
        const n = fr.n;
        const i = d0 >= 0 ? n[d0] : f0(fr);
        const j = d1 >= 0 ? n[d1] : f1(fr);
        const k = d2 >= 0 ? n[d2] : f2(fr);
        const sh = st.shape;
        if (i >= 0 && i < sh[0] && j >= 0 && j < sh[1] && k >= 0 && k < sh[2]) {
          const s = st.strides;
          return st.offset + i * s[0] + j * s[1] + k * s[2];
        }
        throw fail(st, [i, j, k]);
      };
    case 4:
      return (fr) => {
        const st = fr.b[slot];
        const n = fr.n;
        const i = d0 >= 0 ? n[d0] : f0(fr);
        const j = d1 >= 0 ? n[d1] : f1(fr);
        const k = d2 >= 0 ? n[d2] : f2(fr);
        const l = d3 >= 0 ? n[d3] : f3(fr);
        const sh = st.shape;
        if (
          i >= 0 && i < sh[0] && j >= 0 && j < sh[1] && k >= 0 && k < sh[2] && l >= 0 &&
          l < sh[3]
        ) {
          const s = st.strides;
          return st.offset + i * s[0] + j * s[1] + k * s[2] + l * s[3];
        }
        throw fail(st, [i, j, k, l]);
      };
    default:
      return (fr) => {
        const st = fr.b[slot];
        let o = st.offset;
        for (let d = 0; d < idx.length; d++) {
          const i = idx[d](fr);
          if (!(i >= 0 && i < st.shape[d])) throw fail(st, idx.map((f) => f(fr)));
          o += i * st.strides[d];
        }
        return o;
      };
  }
}

/**
 * Offsets of the lanes of a vector access: each index is a scalar (same for all lanes) or a lane
 * array; each lane is checked like a scalar access.
 */
export function laneOffsets(
  st: Storage,
  indices: readonly (number | readonly number[])[],
  lanes: number,
  action: string,
  where: string,
): number[] {
  const out = new Array<number>(lanes);
  for (let l = 0; l < lanes; l++) {
    let o = st.offset;
    for (let d = 0; d < indices.length; d++) {
      const x = indices[d];
      const i = typeof x === "number" ? x : x[l];
      if (!(i >= 0 && i < st.shape[d])) {
        const ix = indices.map((y) => (typeof y === "number" ? y : y[l]));
        throw outOfBounds(`${action} lane ${l} of`, st, ix, where);
      }
      o += i * st.strides[d];
    }
    out[l] = o;
  }
  return out;
}

/** Read an element of storage as a value of the buffer's dtype. */
export type Reader = (data: TypedArray, offset: number) => Scalar;
/** Write a value of the buffer's dtype into storage. */
export type Writer = (data: TypedArray, offset: number, v: Scalar) => void;

/** How elements of a dtype are read from storage (bfloat16 bits decoded, bool as 0/1). */
export function readerOf(dtype: string): Reader {
  switch (elementOf(dtype)) {
    case "bfloat16":
      return (d, o) => bf16FromBits(d[o] as number);
    case "bool":
      return (d, o) => (d[o] ? 1 : 0);
    default:
      return (d, o) => d[o];
  }
}

/** How elements of a dtype are written to storage (values are already in the dtype). */
export function writerOf(dtype: string): Writer {
  if (elementOf(dtype) === "bfloat16") {
    return (d, o, v) => {
      d[o] = bf16Bits(v as number);
    };
  }
  return (d, o, v) => {
    (d as unknown as Scalar[])[o] = v;
  };
}
