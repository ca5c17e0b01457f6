/**
 * `CpuTensor`: a tensor in a cpu device's wasm memory — a byte offset, a shape and a dtype. Its
 * `data` view is re-created whenever the memory has grown since it was made (growth detaches
 * old views), so holding a tensor across kernel calls and allocations is always safe; holding
 * the `data` array itself is not.
 *
 * @module
 */
import { allocTyped, byteSize, type DType, elementOf, type TypedArray } from "../../ir/dtype.ts";
import { CallError } from "../../ir/errors.ts";
import { numel } from "../../ir/ndarray.ts";
import type { Device, DeviceTensor } from "../../sdk/device.ts";
import type { CpuMemory } from "./memory.ts";

type ViewCtor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => TypedArray;

/** What a tensor needs of its dtype, parsed once per dtype string. */
interface Elem {
  readonly dtype: DType;
  readonly bytes: number;
  readonly ctor: ViewCtor;
}

const ELEMS = new Map<DType, Elem>();

function elem(dtype: DType): Elem {
  let e = ELEMS.get(dtype);
  if (!e) {
    const d = elementOf(dtype);
    e = { dtype: d, bytes: byteSize(d), ctor: allocTyped(d, 0).constructor as ViewCtor };
    ELEMS.set(dtype, e);
  }
  return e;
}

/** A tensor in a cpu device's memory. */
export class CpuTensor implements DeviceTensor {
  /** Element dtype. */
  readonly dtype: DType;
  /** Concrete shape. */
  readonly shape: readonly number[];
  /** Number of elements. */
  readonly length: number;
  /** Bytes of the elements (the heap block may be larger). */
  readonly byteLength: number;
  private view?: TypedArray;
  private viewBuffer?: ArrayBufferLike;
  private released = false;
  private readonly ctor: ViewCtor;

  /** Wrap a heap block (made by the device). */
  constructor(
    /** The device. */
    readonly device: Device,
    private readonly mem: CpuMemory,
    /** Byte address in the device memory (a multiple of 64). */
    readonly byteOffset: number,
    shape: readonly number[],
    dtype: DType,
    /** The tensor whose memory this one views (`CpuDevice.view`); undefined for a heap block. */
    readonly base?: CpuTensor,
  ) {
    const e = elem(dtype);
    this.dtype = e.dtype;
    this.ctor = e.ctor;
    this.shape = [...shape];
    this.length = numel(shape);
    this.byteLength = this.length * e.bytes;
  }

  /** True once freed. */
  get freed(): boolean {
    return this.released || (this.base?.freed ?? false);
  }

  /** Mark freed (by the device). */
  markFreed(): void {
    this.released = true;
    this.view = undefined;
    this.viewBuffer = undefined;
  }

  /**
   * The elements, as a typed array viewing device memory (bfloat16 as raw `Uint16Array` bits,
   * bool as `Uint8Array`, 64-bit integers as `BigInt64Array`). Re-read after memory may have
   * grown; do not keep it across allocations or kernel calls.
   */
  get data(): TypedArray {
    if (this.freed) {
      throw new CallError("CALL_TENSOR_FREED", "Cannot read a freed cpu tensor");
    }
    const buf = this.mem.buffer;
    if (this.viewBuffer !== buf || !this.view) {
      this.view = new this.ctor(buf, this.byteOffset, this.length);
      this.viewBuffer = buf;
    }
    return this.view;
  }
}
