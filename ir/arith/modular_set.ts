/**
 * Modular sets: `{ coeff, base }` says an integer expression always equals `coeff·k + base` for
 * some integer k. `coeff = 0` means the value is exactly `base`; `{ coeff: 1, base: 0 }` says
 * nothing. `base` is kept in `[0, coeff)`.
 *
 * For dtypes that may wrap (anything but int32/int64) the coefficient is reduced to its gcd with
 * 2^bits, because wrapping subtracts a multiple of 2^bits.
 *
 * @module
 */
import { bitsOf, type DType, isInt } from "../dtype.ts";
import type { PrimExpr, Var } from "../expr.ts";
import { isIndexType } from "./int_bound.ts";

/** `value ≡ base (mod coeff)`; `coeff = 0` means `value = base`. */
export interface ModularSet {
  /** The modulus (0: the value is exactly `base`). */
  readonly coeff: number;
  /** The residue, in `[0, coeff)`. */
  readonly base: number;
}

/** Where `modularSet` finds what is known about free variables. */
export interface ModularEnv {
  /** The modular set of a variable, or undefined if nothing is known. */
  varModular(v: Var): ModularSet | undefined;
}

/** The set that says nothing. */
export const ANY: ModularSet = { coeff: 1, base: 0 };

/** Greatest common divisor of two non-negative integers (gcd(0, x) = x). */
export function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

const fmod = (x: number, m: number) => x - Math.floor(x / m) * m;

/** Build a set, normalising the base into `[0, coeff)`; unsafe numbers give `ANY`. */
export function modSet(coeff: number, base: number): ModularSet {
  coeff = Math.abs(coeff);
  if (!Number.isSafeInteger(coeff) || !Number.isSafeInteger(base)) return ANY;
  return coeff === 0 ? { coeff: 0, base } : { coeff, base: fmod(base, coeff) };
}

// x + y ≡ b1 + b2 (mod gcd(c1, c2))
function addSets(a: ModularSet, b: ModularSet, sign: 1 | -1): ModularSet {
  return modSet(gcd(a.coeff, b.coeff), a.base + sign * b.base);
}

// (c1·k1 + b1)(c2·k2 + b2) = c1c2·k1k2 + c1b2·k1 + c2b1·k2 + b1b2
function mulSets(a: ModularSet, b: ModularSet): ModularSet {
  const c = gcd(gcd(a.coeff * b.coeff, a.coeff * b.base), b.coeff * a.base);
  return modSet(c, a.base * b.base);
}

// ⌊(c1·k + b1)/c⌋ = (c1/c)·k + ⌊b1/c⌋ when c | c1
function floorDivSet(a: ModularSet, c: number): ModularSet {
  if (c > 0 && a.coeff % c === 0) return modSet(a.coeff / c, Math.floor(a.base / c));
  return ANY;
}

// floormod(x, c) ≡ x (mod g) for g | c, and x ≡ b1 (mod g) for g | c1: take g = gcd(c1, c)
function floorModSet(a: ModularSet, c: number): ModularSet {
  if (c <= 0) return ANY;
  if (a.coeff === 0) return modSet(0, fmod(a.base, c));
  return modSet(gcd(a.coeff, c), a.base);
}

// a value of either set: both are ≡ b1 (mod gcd(c1, c2, b1 - b2))
function unionSets(a: ModularSet, b: ModularSet): ModularSet {
  const g = gcd(gcd(a.coeff, b.coeff), a.base - b.base);
  return modSet(g, a.base);
}

function wrapFit(d: DType, s: ModularSet): ModularSet {
  if (isIndexType(d) || !isInt(d)) return s;
  const m = 2 ** bitsOf(d);
  return s.coeff === 0 && s.base >= 0 && s.base < m ? s : modSet(gcd(s.coeff, m), s.base);
}

/**
 * The modular set of an integer expression.
 *
 * @example
 * ```ts
 * import { modularSet } from "./modular_set.ts";
 * import { add, mul, variable } from "../expr.ts";
 * const s = modularSet(add(mul(variable("i"), 8), 3), { varModular: () => undefined });
 * console.assert(s.coeff === 8 && s.base === 3);
 * ```
 */
export function modularSet(e: PrimExpr, env: ModularEnv): ModularSet {
  const lets = new Map<Var, ModularSet>();
  const go = (e: PrimExpr): ModularSet => {
    if (!isInt(e.dtype)) return ANY;
    switch (e.kind) {
      case "IntImm":
        return modSet(0, e.value);
      case "Var":
        return lets.get(e) ?? env.varModular(e) ?? ANY;
      case "Let":
        lets.set(e.v, go(e.value));
        return go(e.body);
      case "Select":
        return wrapFit(e.dtype, unionSets(go(e.t), go(e.f)));
      case "Cast":
        // an integer widening to an index type keeps the value
        return isInt(e.value.dtype) && isIndexType(e.dtype) &&
            bitsOf(e.value.dtype) < bitsOf(e.dtype)
          ? go(e.value)
          : ANY;
      case "Binary":
        return wrapFit(e.dtype, binarySet(e.op, e.a, e.b, go));
      default:
        return ANY;
    }
  };
  return go(e);
}

function binarySet(
  op: string,
  a: PrimExpr,
  b: PrimExpr,
  go: (e: PrimExpr) => ModularSet,
): ModularSet {
  switch (op) {
    case "add":
      return addSets(go(a), go(b), 1);
    case "sub":
      return addSets(go(a), go(b), -1);
    case "mul":
      return mulSets(go(a), go(b));
    case "floordiv":
      return b.kind === "IntImm" ? floorDivSet(go(a), b.value) : ANY;
    case "floormod":
      return b.kind === "IntImm" ? floorModSet(go(a), b.value) : ANY;
    case "min":
    case "max":
      return unionSets(go(a), go(b));
    default:
      return ANY;
  }
}
