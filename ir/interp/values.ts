/**
 * Run-time values and the frame compiled closures run against.
 *
 * Representation of a value of each dtype:
 *
 * | dtype                                  | value                                    |
 * | -------------------------------------- | ---------------------------------------- |
 * | float64/32/16, bfloat16                | `number`, already rounded to the dtype   |
 * | int8/16/32, uint8/16/32                | `number`, already wrapped to the width   |
 * | bool                                   | `number` 0 or 1                          |
 * | int64, uint64                          | `bigint`, wrapped to 64 bits             |
 * | any vector dtype (`float32x4`, …)      | an array of the lanes' scalar values     |
 *
 * @module
 */
import { type DType, elementOf, lanesOf, type TypedArray } from "../dtype.ts";

/** One lane's value: `bigint` for int64/uint64, `number` otherwise. */
export type Scalar = number | bigint;
/** A scalar or the lanes of a vector. */
export type Value = Scalar | Scalar[];

/** The storage behind a buffer during a run: data plus its concrete layout. */
export interface Storage {
  /** The buffer's name (for messages). */
  readonly name: string;
  /** Backing elements (bfloat16 as raw bits, bool as bytes). */
  readonly data: TypedArray;
  /** Concrete shape. */
  readonly shape: readonly number[];
  /** Concrete element strides. */
  readonly strides: readonly number[];
  /** Concrete element offset of index [0, …, 0]. */
  readonly offset: number;
}

/**
 * Where a scalar `BufferLoad` argument of a handled call reads: the buffer's storage and the
 * element's index in `storage.data`. Intrinsic markers pass operand addresses this way (the
 * loaded element stands for its address, as `&A[i]` in C).
 */
export interface ElementRef {
  /** The storage of the loaded buffer. */
  readonly storage: Storage;
  /** Index of the loaded element in `storage.data`. */
  readonly offset: number;
}

/**
 * A handler for a call the interpreter does not know (a target intrinsic): receives the
 * evaluated arguments and the call's dtype, returns a value of that dtype. `refs[k]` is set
 * when argument k is a scalar `BufferLoad`: where it reads, so a handler may read and write
 * the memory around it (an intrinsic working on a tile).
 */
export type CallHandler = (
  args: readonly Value[],
  dtype: DType,
  refs: readonly (ElementRef | undefined)[],
) => Value;

/** The mutable state of one run. Slots are assigned at compile time. */
export interface Frame {
  /** Number-valued scalar variables (floats, ints up to 32 bits, bool). */
  readonly n: Float64Array;
  /** Other variables: int64/uint64 (`bigint`) and vectors (lane arrays). */
  readonly o: Value[];
  /** Buffer storage by buffer slot. */
  readonly b: Storage[];
  /** Handlers for unknown calls. */
  readonly calls: Readonly<Record<string, CallHandler>>;
}

/** A compiled expression whose value is a scalar. */
export type ScalarFn = (fr: Frame) => Scalar;
/** A compiled expression known to return a number (never a bigint). */
export type NumFn = (fr: Frame) => number;
/** A compiled vector expression. */
export type VecFn = (fr: Frame) => Scalar[];
/** A compiled expression of any dtype. */
export type AnyFn = (fr: Frame) => Value;
/** A compiled vector expression evaluated for one lane only (lazy vector selects). */
export type LaneFn = (fr: Frame, lane: number) => Scalar;
/** A compiled statement. */
export type StmtFn = (fr: Frame) => void;

/** True if scalar values of the dtype are `bigint` (int64, uint64). */
export function isBig(dtype: DType): boolean {
  const e = elementOf(dtype);
  return e === "int64" || e === "uint64";
}

/** True if a variable of this dtype lives in the number slots of a frame. */
export function inNumberSlot(dtype: DType): boolean {
  return lanesOf(dtype) === 1 && !isBig(dtype);
}
