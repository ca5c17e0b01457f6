/**
 * Tensors saved exactly in reproducer case files: the raw little-endian bytes of the element
 * store, base64-encoded (NaN payloads, infinities and `-0` survive, unlike decimal text).
 *
 * @module
 */
import type { DType } from "../../ir/dtype.ts";
import { type NDArray, ndarray } from "../../ir/ndarray.ts";

const bytesOf = (a: NDArray) => new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);

/**
 * The base64 text of an array's elements.
 *
 * @example
 * ```ts
 * import { arrayFromBase64, arrayToBase64 } from "./data.ts";
 * import { ndarray } from "../../ir/ndarray.ts";
 * const a = ndarray("float32", [2], [NaN, -0]);
 * const b = arrayFromBase64("float32", [2], arrayToBase64(a));
 * console.assert(Number.isNaN(b.data[0]) && Object.is(b.data[1], -0));
 * ```
 */
export function arrayToBase64(a: NDArray): string {
  const bytes = bytesOf(a);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** An array of `dtype` and `shape` from `arrayToBase64`'s text. */
export function arrayFromBase64(dtype: DType, shape: readonly number[], text: string): NDArray {
  const a = ndarray(dtype, shape);
  const s = atob(text);
  const bytes = bytesOf(a);
  if (s.length !== bytes.length) {
    throw new RangeError(`arrayFromBase64: ${s.length} bytes for ${bytes.length}`);
  }
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return a;
}
