/**
 * Where an executor runs tensor-level functions: the `Backend` interface and the reference
 * interpreter as one (`sdk/graph_backend.ts` makes a target one).
 *
 * @module
 */
import type { DType } from "../dtype.ts";
import type { PrimFunc } from "../func.ts";
import { interpret } from "../interp/mod.ts";
import { type NDArray, ndarray, numel } from "../ndarray.ts";
import { InternalError } from "../errors.ts";

/** A tensor of a backend: host (`NDArray`) or device memory. */
export interface BackendTensor {
  /** Concrete shape. */
  readonly shape: readonly number[];
  /** Element dtype. */
  readonly dtype: DType;
}

/** A prepared function: called in destination-passing style (inputs, then outputs). */
export type Runnable = (args: readonly BackendTensor[]) => Promise<void>;

/** What an executor needs of the place kernels run. */
export interface Backend {
  /** For messages and profiles. */
  readonly name: string;
  /** Compile (or otherwise prepare) a function; called once per function by the executor. */
  prepare(f: PrimFunc): Promise<Runnable>;
  /** A tensor holding a copy of `a` (or `a` itself on the host). */
  upload(a: NDArray): BackendTensor;
  /**
   * A zero-filled tensor: a result, or the storage of a memory plan's token (a flat
   * `[elements]` tensor that `view` carves values out of).
   */
  allocate(shape: readonly number[], dtype: DType): BackendTensor;
  /**
   * A zero-filled tensor of `shape` over the first bytes of `base` (made by `allocate`; same
   * dtype; at most its size): a planned value in its token's storage. Zero-filled because
   * `allocate` promised zeros and kernels may read an output before writing all of it. It lives
   * as long as `base`: never `free` a view.
   */
  view(base: BackendTensor, shape: readonly number[]): BackendTensor;
  /**
   * Optional: zero-fill a view again. A backend that has it promises its views are stable: a
   * view keeps aliasing the first bytes of its base, and stays usable, until the base is freed
   * (other views of the base may be made meanwhile). An executor then keeps each planned
   * value's view across runs while its storage and shape are unchanged, and re-zeroes it before
   * a kernel only when the kernel may not write every element of it (`writesEveryElement`):
   * otherwise the kernel sees whatever the storage last held. Without it, the executor asks for
   * a fresh (zero-filled) view on every run.
   */
  zero?(view: BackendTensor): void;
  /** The tensor's contents on the host. */
  download(t: BackendTensor): Promise<NDArray>;
  /** Release a tensor (made by `upload` or `allocate`). */
  free(t: BackendTensor): void;
}

/**
 * The reference interpreter as a backend (tensors are host `NDArray`s).
 *
 * @example
 * ```ts
 * import { interpreterBackend } from "./backend.ts";
 * console.assert(interpreterBackend().name === "interpreter");
 * ```
 */
export function interpreterBackend(): Backend {
  return {
    name: "interpreter",
    prepare: (f) =>
      Promise.resolve((args) => {
        interpret(f, args as NDArray[]);
        return Promise.resolve();
      }),
    upload: (a) => a,
    allocate: (shape, dtype) => ndarray(dtype, shape),
    view: (base, shape) => {
      const b = base as NDArray;
      const data = b.data.subarray(0, numel(shape));
      if (data.length < numel(shape)) {
        throw new InternalError(
          `view of [${shape.join(", ")}] over a storage of ${b.data.length} elements`,
        );
      }
      if (data instanceof BigInt64Array || data instanceof BigUint64Array) data.fill(0n);
      else data.fill(0);
      return ndarray(b.dtype, shape, data);
    },
    zero: (t) => {
      const data = (t as NDArray).data;
      if (data instanceof BigInt64Array || data instanceof BigUint64Array) data.fill(0n);
      else data.fill(0);
    },
    download: (t) => Promise.resolve(t as NDArray),
    free: () => {},
  };
}
