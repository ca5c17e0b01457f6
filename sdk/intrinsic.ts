/**
 * Intrinsics: operations a target executes natively (a 16×16×16 GEMM tile, a packed int8 dot).
 * An intrinsic pairs a *description* — a `PrimFunc` stating what it computes, which
 * auto-tensorization matches blocks against — with an *implementation*, which only the target's
 * codegen interprets. Tensorization matches blocks against the description (`tensorize/auto`);
 * `validateTarget` (`sdk/validate.ts`) runs the implementation through the target's
 * `runtime.runIntrinsic` against the description (`sdk/intrinsic_run.ts`).
 *
 * @module
 */
import { TargetError, TesseraError } from "../ir/errors.ts";
import type { PrimFunc } from "../ir/func.ts";
import { checkValueRange, type ValueRange } from "../ir/value_range.ts";

/** The cost of one execution of an intrinsic, for the tuner's cost model. */
export interface IntrinsicCost {
  /** Cycles (or any unit consistent within the target) per execution. */
  readonly cycles: number;
}

/** What a vendor states about an intrinsic. `I` is the target's implementation type. */
export interface IntrinsicSpec<I = unknown> {
  /** Unique name within the target, e.g. `"gemm_16x16x16_i8"`. */
  readonly name: string;
  /** What it computes, as a `PrimFunc` over its operand buffers. */
  readonly description: PrimFunc;
  /**
   * How the target emits it (opaque to the SDK, read by the target's codegen and its
   * `runIntrinsic`), e.g. a `CIntrinsicImplementation` or a device command.
   */
  readonly implementation: I;
  /** Memory scope each operand must live in, by the description's buffer parameter name. */
  readonly operandScopes: Readonly<Record<string, string>>;
  /**
   * Packed tile layouts the implementation is fastest with, by operand: the description buffer's
   * dimensions from major to minor (e.g. `{ B: [1, 0] }`: a `[k, n]` tile stored column by
   * column). Auto-tensorization then packs the operand tile-major with each tile compact in this
   * order (`tensorize/auto/pack.ts`). Only a hint: the implementation must still accept any
   * strides, which is what `validateTarget` checks.
   */
  readonly operandLayouts?: Readonly<Record<string, readonly number[]>>;
  /**
   * Preconditions on operand values, by the description's buffer parameter name: the
   * implementation computes the description only when every element of that operand lies in
   * `[lo, hi]` (e.g. `{ B: [0, 127] }` for `i32x4.relaxed_dot_i8x16_i7x16_add_s`, whose result is
   * implementation-defined for a negative second operand). Each range must lie within the
   * operand's dtype. `validateTarget` draws that operand's inputs inside the range;
   * auto-tensorization uses the intrinsic only on blocks whose buffer bound to the operand has a
   * declared range inside it (`placeholder(..., { range })`, `ir/value_range.ts`), through casts
   * and copies.
   */
  readonly operandRanges?: Readonly<Record<string, ValueRange>>;
  /** Cost of one execution. */
  readonly cost: IntrinsicCost;
}

/** A validated intrinsic (frozen). */
export interface Intrinsic<I = unknown> extends IntrinsicSpec<I> {
  /** Always `"Intrinsic"`. */
  readonly kind: "Intrinsic";
}

function bad(name: string, field: string, message: string): TargetError {
  return new TargetError("TARGET_BAD_FIELD", `Cannot define intrinsic "${name}": ${message}`, {
    path: `intrinsic "${name}" / ${field}`,
  });
}

/**
 * Define an intrinsic. Operand scopes are checked against the target's scopes when it joins a
 * target; operand layouts and ranges against the description (a range must lie within its
 * operand's dtype). Throws `TargetError` `TARGET_BAD_FIELD` naming the bad field.
 *
 * @example
 * ```ts
 * import { defineIntrinsic } from "./intrinsic.ts";
 * import { compute, createPrimFunc, placeholder } from "../ir/te.ts";
 * import { add } from "../ir/expr.ts";
 * const A = placeholder([4], "float32", "A");
 * const B = compute([4], ([i]) => add(A.at(i), 1), "B");
 * const inc4 = defineIntrinsic({
 *   name: "inc4", description: createPrimFunc([A, B], "inc4"), implementation: "v128_inc",
 *   operandScopes: { A: "global", B: "global" }, cost: { cycles: 1 },
 * });
 * console.assert(inc4.kind === "Intrinsic");
 * ```
 */
export function defineIntrinsic<I>(spec: IntrinsicSpec<I>): Intrinsic<I> {
  const name = String(spec?.name);
  if (typeof spec?.name !== "string" || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) {
    throw bad(name, "name", "use letters, digits, _ and .");
  }
  if (spec.description?.kind !== "PrimFunc") {
    throw bad(name, "description", "the description must be a PrimFunc");
  }
  const params = new Set(spec.description.params.map((p) => p.name));
  for (const operand of Object.keys(spec.operandScopes ?? {})) {
    if (!params.has(operand)) {
      throw bad(
        name,
        `operandScopes.${operand}`,
        `"${operand}" is not a parameter of its description`,
      );
    }
  }
  for (const [operand, order] of Object.entries(spec.operandLayouts ?? {})) {
    const param = spec.description.params.find((p) => p.name === operand);
    const rank = param?.kind === "Buffer" ? param.shape.length : -1;
    const sorted = [...order].sort((a, b) => a - b);
    if (rank < 0 || sorted.length !== rank || sorted.some((d, k) => d !== k)) {
      throw bad(
        name,
        `operandLayouts.${operand}`,
        `must be a permutation of the dimensions of buffer parameter "${operand}"`,
      );
    }
  }
  const ranges: Record<string, ValueRange> = {};
  for (const [operand, range] of Object.entries(spec.operandRanges ?? {})) {
    const param = spec.description.params.find((p) => p.name === operand);
    if (param?.kind !== "Buffer") {
      throw bad(
        name,
        `operandRanges.${operand}`,
        `"${operand}" is not a buffer parameter of its description`,
      );
    }
    try {
      ranges[operand] = checkValueRange(range, param.dtype, `operand "${operand}"`);
    } catch (e) {
      if (!(e instanceof TesseraError)) throw e;
      throw bad(name, `operandRanges.${operand}`, e.message);
    }
  }
  if (!(Number.isFinite(spec.cost?.cycles) && spec.cost.cycles >= 0)) {
    throw bad(name, "cost.cycles", `cost.cycles must be a number ≥ 0`);
  }
  return Object.freeze({
    ...spec,
    operandScopes: spec.operandScopes ?? {},
    ...(spec.operandRanges ? { operandRanges: Object.freeze(ranges) } : {}),
    kind: "Intrinsic" as const,
  });
}
