/**
 * The reference interpreter: runs any `PrimFunc`, at any stage of lowering, on `NDArray`s with
 * the exact semantics of every dtype — the oracle for lowerings, schedule primitives and targets.
 * The full definition is `docs/semantics.md`; in short:
 *
 * | topic          | rule                                                                        |
 * | -------------- | --------------------------------------------------------------------------- |
 * | float32/16/bf16| every arithmetic result rounded to the dtype (Math.fround / Math.f16round / bf16Round, nearest-even); float64 native |
 * | float ops      | min/max = Math.min/Math.max (NaN propagates); x/0 → ±inf/NaN; mod = C fmod; floordiv = R(⌊a/b⌋), floormod = R(a − ⌊a/b⌋·b) |
 * | integers       | wrap to the width after every op (two's complement); int64/uint64 exact via BigInt |
 * | int division   | div/mod truncate (C), floordiv/floormod floor; by zero → INTERP_DIVIDE_BY_ZERO |
 * | casts          | float→int truncates, saturates, NaN→0; int→int wraps; →float rounds once; →bool is x ≠ 0 |
 * | select         | lazy: only the chosen arm (per lane for vector conditions); and/or short-circuit |
 * | calls          | computed in double, rounded to the dtype; erf to ~1e-15; round half away from zero; fma exactly fused; pow as C |
 * | vectors        | ramp/broadcast make lanes; ops per lane; vector indices load/store lanes     |
 * | loops          | every kind (parallel, vectorized, unrolled, thread) runs serially in order   |
 * | blocks         | predicate false → skip; values must lie in the iter domains; init when all reduce vars are at their min; allocBuffers fresh and zeroed |
 * | buffers        | offset = elemOffset + Σ index·stride (empty strides = compact row-major); an index outside its dimension → INTERP_OUT_OF_BOUNDS |
 * | arguments      | size vars bound from shapes (affine dims solved); CALL_ARITY, CALL_ARG_KIND, CALL_DTYPE_MISMATCH, CALL_SHAPE_MISMATCH, CALL_SHAPE_UNBOUND |
 *
 * ```ts
 * import { runFunc } from "./mod.ts";
 * import { compute, createPrimFunc, placeholder, sizeVar } from "../te.ts";
 * import { add } from "../expr.ts";
 * import { ndarray } from "../ndarray.ts";
 * const n = sizeVar("n");
 * const A = placeholder([n], "int8", "A");
 * const B = compute([n], ([i]) => add(A.at(i), 1), "B");
 * const [b] = runFunc(createPrimFunc([A, B], "inc"), [ndarray("int8", [1], [127])]);
 * console.assert(b.data[0] === -128);
 * ```
 *
 * @module
 */
export { interpret, type InterpretOptions, runFunc } from "./interpret.ts";
export type { Arg } from "./bind.ts";
export { InterpError } from "./errors.ts";
export type { CallHandler, ElementRef, Scalar, Storage, Value } from "./values.ts";
export { erf } from "./erf.ts";
export { fma64, fmaNarrow } from "./fma.ts";
export { powC, roundHalfAway } from "./math.ts";
