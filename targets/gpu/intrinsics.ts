/**
 * The gpu target's intrinsics, defined with the public SDK (`defineIntrinsic`) and the DSL:
 *
 * - `gpu.dot4_i8`: `C[0] += Σ_k i32(A[k]) · i32(B[k])`, k < 4 — WGSL's `dot4I8Packed` (language
 *   feature `packed_4x8_integer_dot_product`) on the four int8 values of each operand packed
 *   into a u32. The codegen packs an operand whose four bytes are contiguous in packed storage
 *   with two word loads and a funnel shift (any byte offset), others with `pack4xI8`.
 *   Auto-tensorization (`tensorize/auto`) maps int8 GEMMs (padding k to a multiple of 4) and int8
 *   conv2d (in-channels per group a multiple of 4) onto it.
 *
 * Subgroup reductions (`subgroupAdd`, …) are not intrinsics but a codegen feature
 * (wgsl_subgroup.ts): a collective over invocations has no single-invocation description.
 *
 * @module
 */
import { cast, mul } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../../ir/te.ts";
import { defineIntrinsic, type Intrinsic } from "../../sdk/intrinsic.ts";
import { accumulating } from "../../tensorize/auto/describe.ts";

/** How a gpu intrinsic is emitted: a WGSL built-in on packed operands. */
export interface WgslIntrinsicImplementation {
  /** `"wgsl"`. */
  readonly kind: "wgsl";
  /** The WGSL built-in function. */
  readonly builtin: string;
  /** The WGSL language feature it needs. */
  readonly languageFeature: string;
}

/**
 * The description of `gpu.dot4_i8`: one int32 accumulator, four int8 products.
 *
 * @example
 * ```ts
 * import { dot4I8Description } from "./intrinsics.ts";
 * console.assert(dot4I8Description().params.length === 3);
 * ```
 */
export function dot4I8Description(): PrimFunc {
  const A = placeholder([4], "int8", "A");
  const B = placeholder([4], "int8", "B");
  const k = reduceAxis(4, "k");
  const C = compute(
    [1],
    () => sum(mul(cast("int32", A.at(k)), cast("int32", B.at(k))), [k]),
    "C",
  );
  return accumulating(createPrimFunc([A, B, C], "gpu_dot4_i8"));
}

/**
 * The gpu intrinsics an adapter supports, given its WGSL language features.
 *
 * @example
 * ```ts
 * import { gpuIntrinsics } from "./intrinsics.ts";
 * console.assert(gpuIntrinsics(new Set(["packed_4x8_integer_dot_product"]))[0].name === "gpu.dot4_i8");
 * console.assert(gpuIntrinsics(new Set()).length === 0);
 * ```
 */
export function gpuIntrinsics(
  languageFeatures: ReadonlySet<string>,
): Intrinsic<WgslIntrinsicImplementation>[] {
  if (!languageFeatures.has("packed_4x8_integer_dot_product")) return [];
  return [
    defineIntrinsic<WgslIntrinsicImplementation>({
      name: "gpu.dot4_i8",
      description: dot4I8Description(),
      implementation: {
        kind: "wgsl",
        builtin: "dot4I8Packed",
        languageFeature: "packed_4x8_integer_dot_product",
      },
      operandScopes: { A: "global", B: "global", C: "global" },
      cost: { cycles: 1 },
    }),
  ];
}
