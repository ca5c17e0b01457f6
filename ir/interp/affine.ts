/**
 * One-closure evaluation of int32 affine expressions such as `i*64 + k` (the bulk of index
 * arithmetic), instead of one closure per node.
 *
 * Exactness: int32 add, sub and mul wrap modulo 2^32, and reduction modulo 2^32 commutes with
 * them (a ring homomorphism), so Σ cₖ·vₖ + c wrapped once equals the node-by-node wrapped result —
 * provided every partial result is exact in a double: each product is taken with `Math.imul`
 * (exact modulo 2^32) and at most four int32 terms are summed (< 2^34), then `| 0` wraps.
 *
 * @module
 */
import type { PrimExpr } from "../expr.ts";
import type { Ctx } from "./context.ts";
import type { NumFn } from "./values.ts";

/** Σ coef·n[slot] + k, coefficients and constant kept wrapped to int32. */
interface Affine {
  readonly terms: readonly (readonly [number, number])[];
  readonly k: number;
}

function scale(a: Affine, c: number): Affine {
  return { terms: a.terms.map(([s, x]) => [s, Math.imul(x, c)] as const), k: Math.imul(a.k, c) };
}

function plus(a: Affine, b: Affine, sign: 1 | -1): Affine {
  const terms = new Map<number, number>(a.terms);
  for (const [s, x] of b.terms) terms.set(s, ((terms.get(s) ?? 0) + sign * x) | 0);
  return {
    terms: [...terms].filter(([, x]) => x !== 0),
    k: (a.k + sign * b.k) | 0,
  };
}

/** The affine form of an int32 expression over number-slot variables, or undefined. */
function affineOf(e: PrimExpr, ctx: Ctx): Affine | undefined {
  if (e.dtype !== "int32") return undefined;
  switch (e.kind) {
    case "IntImm":
      return { terms: [], k: e.value };
    case "Var": {
      const s = ctx.use(e);
      return s.num ? { terms: [[s.index, 1]], k: 0 } : undefined;
    }
    case "Binary": {
      if (e.op !== "add" && e.op !== "sub" && e.op !== "mul") return undefined;
      const a = affineOf(e.a, ctx);
      const b = a && affineOf(e.b, ctx);
      if (!a || !b) return undefined;
      if (e.op === "mul") {
        if (a.terms.length === 0) return scale(b, a.k);
        if (b.terms.length === 0) return scale(a, b.k);
        return undefined;
      }
      return plus(a, b, e.op === "add" ? 1 : -1);
    }
  }
  return undefined;
}

/**
 * A single closure for an int32 add/sub/mul tree that is affine in at most four variables, or
 * undefined (the caller compiles node by node).
 *
 * @example
 * ```ts
 * import { compileAffine } from "./affine.ts";
 * import { Ctx } from "./context.ts";
 * import { add, mul, variable } from "../expr.ts";
 * const i = variable("i");
 * const j = variable("j");
 * const ctx = new Ctx("f");
 * ctx.binding([i, j], () => {
 *   const f = compileAffine(add(mul(i, 64), j), ctx)!;
 *   const fr = { n: new Float64Array([2, 5]), o: [], b: [], calls: {} };
 *   console.assert(f(fr) === 133);
 * });
 * ```
 */
export function compileAffine(e: PrimExpr, ctx: Ctx): NumFn | undefined {
  if (e.kind !== "Binary") return undefined;
  const a = affineOf(e, ctx);
  if (!a || a.terms.length > 4) return undefined;
  const k = a.k;
  const [[s0, c0] = [0, 0], [s1, c1] = [0, 0], [s2, c2] = [0, 0], [s3, c3] = [0, 0]] = a.terms;
  switch (a.terms.length) {
    case 0:
      return () => k;
    case 1:
      return c0 === 1 ? (fr) => (fr.n[s0] + k) | 0 : (fr) => (Math.imul(c0, fr.n[s0]) + k) | 0;
    case 2:
      return (fr) => {
        const n = fr.n;
        return (Math.imul(c0, n[s0]) + Math.imul(c1, n[s1]) + k) | 0;
      };
    case 3:
      return (fr) => {
        const n = fr.n;
        return (Math.imul(c0, n[s0]) + Math.imul(c1, n[s1]) + Math.imul(c2, n[s2]) + k) | 0;
      };
    default:
      return (fr) => {
        const n = fr.n;
        return (Math.imul(c0, n[s0]) + Math.imul(c1, n[s1]) + Math.imul(c2, n[s2]) +
          Math.imul(c3, n[s3]) + k) | 0;
      };
  }
}
