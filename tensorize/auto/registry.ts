/**
 * Intrinsics known to schedules, by name (TVM's `TensorIntrin.register`): a trace records the
 * intrinsic a `tensorize` used by name, so replaying it from JSON finds it here. Passing an
 * `Intrinsic` object to `sch.tensorize` or `autoTensorize` registers it.
 *
 * @module
 */
import { TensorizeError } from "../../ir/errors.ts";
import { structuralEqual } from "../../ir/structural.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";

const REGISTRY = new Map<string, Intrinsic>();

/**
 * Register an intrinsic under its name; registering the same object (or one with the same
 * description) again is a no-op, another intrinsic with a taken name is
 * `TENSORIZE_DUPLICATE_INTRINSIC`. Returns the intrinsic.
 *
 * @example
 * ```ts
 * import { registerIntrinsic, lookupIntrinsic } from "./registry.ts";
 * import { defineIntrinsic } from "../../sdk/intrinsic.ts";
 * import { compute, createPrimFunc, placeholder } from "../../ir/te.ts";
 * import { add } from "../../ir/expr.ts";
 * const A = placeholder([4], "float32", "A");
 * const B = compute([4], ([i]) => add(A.at(i), 1), "B");
 * const inc4 = defineIntrinsic({
 *   name: "doc_inc4", description: createPrimFunc([A, B], "inc4"), implementation: null,
 *   operandScopes: {}, cost: { cycles: 1 },
 * });
 * registerIntrinsic(inc4);
 * console.assert(lookupIntrinsic("doc_inc4") === inc4);
 * ```
 */
export function registerIntrinsic(intrinsic: Intrinsic): Intrinsic {
  const old = REGISTRY.get(intrinsic.name);
  if (old && old !== intrinsic) {
    const same = structuralEqual(old.description, intrinsic.description) &&
      JSON.stringify(old.operandScopes) === JSON.stringify(intrinsic.operandScopes);
    if (!same) {
      throw new TensorizeError(
        "TENSORIZE_DUPLICATE_INTRINSIC",
        `Cannot register intrinsic "${intrinsic.name}": another intrinsic with that name and a different description is registered`,
        { path: `intrinsic "${intrinsic.name}"`, hint: "give each intrinsic a unique name" },
      );
    }
  }
  REGISTRY.set(intrinsic.name, intrinsic);
  return intrinsic;
}

/** The registered intrinsic named `name`, or undefined. */
export function lookupIntrinsic(name: string): Intrinsic | undefined {
  return REGISTRY.get(name);
}

/** Names of all registered intrinsics, sorted. */
export function intrinsicNames(): string[] {
  return [...REGISTRY.keys()].sort();
}

/**
 * An intrinsic from a name (looked up; `TENSORIZE_UNKNOWN_INTRINSIC` if not registered) or an
 * object (registered).
 */
export function resolveIntrinsic(x: string | Intrinsic): Intrinsic {
  if (typeof x !== "string") return registerIntrinsic(x);
  const found = REGISTRY.get(x);
  if (!found) {
    const known = intrinsicNames();
    throw new TensorizeError(
      "TENSORIZE_UNKNOWN_INTRINSIC",
      `Cannot tensorize with intrinsic "${x}": no intrinsic of that name is registered`,
      {
        path: `intrinsic "${x}"`,
        hint: known.length
          ? `registered: ${known.join(", ")}; or pass the Intrinsic object`
          : "pass the Intrinsic object (it registers itself) or call registerIntrinsic",
      },
    );
  }
  return found;
}
