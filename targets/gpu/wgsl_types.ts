/**
 * How Tessera dtypes live in WGSL. WGSL has 32-bit scalars only (plus `f16` behind the
 * `shader-f16` feature), so:
 *
 * | dtype                      | computed as        | stored in a storage buffer as                  |
 * | -------------------------- | ------------------ | ---------------------------------------------- |
 * | float32, int32, uint32     | f32, i32, u32      | `array<f32>` / `array<i32>` / `array<u32>`     |
 * | int8, int16 / uint8, uint16| i32 / u32, wrapped after every operation | packed in `array<u32>`, little-endian |
 * | bool                       | bool               | one byte per element, packed in `array<u32>`   |
 * | float16                    | f32, rounded to f16 after every operation | packed                 |
 * | float16 with `shader-f16`  | f16 (`enable f16;`)                          | `array<f16>`                                   |
 * | bfloat16                   | f32, rounded to bf16 after every operation | packed                  |
 * | int64, uint64, float64     | refused: `GPU_UNSUPPORTED_DTYPE` naming the buffer and dtype |      |
 *
 * A device buffer holds exactly the bytes of the host array (`NDArray.data`), so packing is
 * the memory layout itself: element i of an 8-bit dtype is byte `i & 3` of word `i >> 2`.
 * Packed buffers a kernel writes are `array<atomic<u32>>`: two invocations may write two bytes
 * of one word, and `atomicAnd`/`atomicOr` on disjoint bits cannot lose either write.
 *
 * @module
 */
import { bitsOf, type DType, elementOf, isBool, isFloat, isUInt } from "../../ir/dtype.ts";
import { TargetError } from "../../ir/errors.ts";

let native = false;

/**
 * Run `fn` with float16 as WGSL's native `f16` (adapters with `shader-f16`) or emulated in f32
 * (the default). The emitter sets it per kernel; every function here reads it as the default
 * of its `nativeF16` parameter.
 */
export function withNativeF16<T>(on: boolean, fn: () => T): T {
  const prev = native;
  native = on;
  try {
    return fn();
  } finally {
    native = prev;
  }
}

/** Whether float16 is native `f16` in the kernel being emitted. */
export function nativeF16(): boolean {
  return native;
}

/** The WGSL scalar type a dtype's values are computed in. */
export type WgslScalar = "f32" | "i32" | "u32" | "bool" | "f16";

/** Element dtypes the gpu target refuses (WGSL has no 64-bit storage or arithmetic). */
export const UNSUPPORTED_DTYPES: readonly DType[] = ["int64", "uint64", "float64"];

/**
 * The WGSL type values of `dtype` are computed in (a scalar dtype; lanes are ignored).
 *
 * @example
 * ```ts
 * import { wgslScalar } from "./wgsl_types.ts";
 * console.assert(wgslScalar("int8") === "i32" && wgslScalar("float16") === "f32");
 * ```
 */
export function wgslScalar(dtype: DType, nativeF16 = native): WgslScalar {
  const d = elementOf(dtype);
  if (UNSUPPORTED_DTYPES.includes(d)) {
    throw unsupported(d, "a value");
  }
  if (isBool(d)) return "bool";
  if (d === "float16" && nativeF16) return "f16";
  if (isFloat(d)) return "f32";
  return isUInt(d) ? "u32" : "i32";
}

/** The error for a dtype the target cannot hold, naming the place. */
export function unsupported(dtype: DType, place: string, path?: string): TargetError {
  return new TargetError(
    "GPU_UNSUPPORTED_DTYPE",
    `Cannot compile ${place} of dtype ${dtype} for the gpu target: WGSL has no ${dtype} storage or arithmetic`,
    {
      path,
      hint: "the gpu target supports float32, float16, bfloat16, int8…int32, uint8…uint32 and bool",
    },
  );
}

/** Bits one element takes in storage (bool: 8). */
export function storageBits(dtype: DType): number {
  const d = elementOf(dtype);
  return isBool(d) ? 8 : bitsOf(d);
}

/** Whether elements of `dtype` are packed several to a 32-bit word. */
export function isPacked(dtype: DType, nativeF16 = native): boolean {
  if (elementOf(dtype) === "float16" && nativeF16) return false;
  return storageBits(dtype) < 32;
}

/** The WGSL element type of a storage array of `dtype` (u32 words when packed). */
export function storageElement(dtype: DType, nativeF16 = native): string {
  if (isPacked(dtype, nativeF16)) return "u32";
  return wgslScalar(dtype, nativeF16);
}

/**
 * Bytes a device buffer of `count` elements needs: whole 32-bit words, at least one.
 *
 * @example
 * ```ts
 * import { storageBytes } from "./wgsl_types.ts";
 * console.assert(storageBytes("int8", 5) === 8 && storageBytes("float32", 0) === 4);
 * ```
 */
export function storageBytes(dtype: DType, count: number): number {
  const bytes = Math.ceil((count * storageBits(dtype)) / 8);
  return Math.max(4, Math.ceil(bytes / 4) * 4);
}

/** Whether values of `dtype` need rounding/wrapping after each operation in WGSL. */
export function needsNarrowing(dtype: DType, nativeF16 = native): boolean {
  const d = elementOf(dtype);
  if (d === "float16") return !nativeF16;
  return d === "bfloat16" || d === "int8" || d === "int16" || d === "uint8" || d === "uint16";
}

/**
 * WGSL that brings a computed value `x` (a WGSL expression) back into `dtype`'s value set:
 * float rounding or integer wrap-around (the interpreter's `roundFn`).
 *
 * @example
 * ```ts
 * import { narrow } from "./wgsl_types.ts";
 * console.assert(narrow("int8", "a") === "((a << 24u) >> 24u)");
 * ```
 */
export function narrow(dtype: DType, x: string, nativeF16 = native): string {
  switch (elementOf(dtype)) {
    case "int8":
      return `((${x} << 24u) >> 24u)`;
    case "int16":
      return `((${x} << 16u) >> 16u)`;
    case "uint8":
      return `(${x} & 0xffu)`;
    case "uint16":
      return `(${x} & 0xffffu)`;
    case "float16":
      return nativeF16 ? x : `tsr_r16(${x})`;
    case "bfloat16":
      return `tsr_rbf16(${x})`;
  }
  return x;
}
