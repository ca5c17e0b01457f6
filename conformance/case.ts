/**
 * A conformance case: one kernel at one dtype and shape, with a stable id, a way to build it and a
 * way to make its inputs. Built-in cases come from the operator library's catalogue; users add
 * their own case files written with the DSL (`--cases ./my_cases.ts`, issue 5).
 *
 * @module
 */
import type { DType } from "../ir/dtype.ts";
import type { PrimFunc } from "../ir/func.ts";
import type { NDArray } from "../ir/ndarray.ts";
import { ConformanceError } from "../ir/errors.ts";
import type { Floor } from "./result.ts";

export type { Floor } from "./result.ts";

/** One kernel to check on a target. */
export interface KernelCase {
  /** Stable id, e.g. `matmul/float32/7x13x5`; used by `--filter` and in reports. */
  readonly id: string;
  /** The operator's name in the library, e.g. `matmul`. */
  readonly op: string;
  /** The dtype the case is about (of its first input). */
  readonly dtype: DType;
  /** Builds the kernel (a fresh `PrimFunc`). */
  readonly func: () => PrimFunc;
  /** Makes the inputs (deterministic for a seed). */
  readonly inputs: (seed: number) => NDArray[];
  /** Output shapes when the inputs do not determine them. */
  readonly outputShapes?: readonly (readonly number[])[];
  /** Floating-point (or integer) operations one run performs, for GFLOP/s. */
  readonly flops?: number;
  /**
   * Shape classes of the case (`tiny odd prime aligned large broadcasting symbolic`), for
   * reports and for choosing the `--quick` subset.
   */
  readonly tags?: readonly string[];
  /** What is special about the case, e.g. `n bound at run time`. */
  readonly note?: string;
  /**
   * A performance floor: the least fraction of the target's roofline and/or the least ratio to
   * the baseline. Enforced where timing is deterministic (simulated cycles); on wall-clock
   * targets only with `--wall-clock-floors` (docs/conformance.md).
   */
  readonly floor?: Floor;
  /** Baseline times in milliseconds by target name (the fast verdict's ratio). */
  readonly baseline?: Readonly<Record<string, number>>;
}

/**
 * Define a case, checking its id is well-formed.
 *
 * @example
 * ```ts
 * import { defineCase } from "./case.ts";
 * import { compute, createPrimFunc, placeholder } from "../ir/te.ts";
 * import { mul } from "../ir/expr.ts";
 * import { randomNDArray } from "../ir/ndarray.ts";
 * const c = defineCase({
 *   id: "double/float32/8",
 *   op: "double",
 *   dtype: "float32",
 *   func: () => {
 *     const A = placeholder([8], "float32", "A");
 *     return createPrimFunc([A, compute([8], ([i]) => mul(A.at(i), 2), "B")], "double");
 *   },
 *   inputs: (seed) => [randomNDArray("float32", [8], seed)],
 * });
 * console.assert(c.id === "double/float32/8");
 * ```
 */
export function defineCase(c: KernelCase): KernelCase {
  if (!/^[A-Za-z0-9_.=\-/]+$/.test(c.id)) {
    throw new ConformanceError(
      "CONF_BAD_CASE_ID",
      `Cannot define case "${c.id}": ids use letters, digits and _ . = - /`,
    );
  }
  return c;
}
