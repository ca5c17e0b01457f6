/**
 * Where an executor runs tensor-level functions: the `Backend` interface and the reference
 * interpreter as one (`sdk/graph_backend.ts` makes a target one).
 *
 * @module
 */
import type { DType } from "../dtype.ts";
import type { PrimFunc } from "../func.ts";
import { interpret } from "../interp/mod.ts";
import { type NDArray, ndarray } from "../ndarray.ts";

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
  /** A tensor for an output. */
  allocate(shape: readonly number[], dtype: DType): BackendTensor;
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
    download: (t) => Promise.resolve(t as NDArray),
    free: () => {},
  };
}
