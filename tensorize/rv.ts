/**
 * Random variables of a schedule (TVM's `BlockRV`, `LoopRV`, `ExprRV`): opaque handles that the
 * schedule maps to a block (by name), a loop (by its variable, whose identity survives rewrites)
 * or a value (a sampled number, or an expression).
 *
 * @module
 */

/** A handle on a block of the scheduled function. */
export interface BlockRV {
  /** Tag. */
  readonly kind: "BlockRV";
  /** Number unique within a schedule (and its trace). */
  readonly id: number;
}

/** A handle on a loop of the scheduled function. */
export interface LoopRV {
  /** Tag. */
  readonly kind: "LoopRV";
  /** Number unique within a schedule (and its trace). */
  readonly id: number;
}

/** A handle on a value: a sampled number (or an expression over the function's sizes). */
export interface ExprRV {
  /** Tag. */
  readonly kind: "ExprRV";
  /** Number unique within a schedule (and its trace). */
  readonly id: number;
}

/** Any random variable. */
export type RV = BlockRV | LoopRV | ExprRV;

/** The kinds of random variables. */
export type RVKind = RV["kind"];

const PREFIX: Readonly<Record<RVKind, string>> = { BlockRV: "b", LoopRV: "l", ExprRV: "v" };

/**
 * The name of a random variable in traces and printed scripts: `b0`, `l1`, `v2`.
 *
 * @example
 * ```ts
 * import { rvName } from "./rv.ts";
 * console.assert(rvName({ kind: "LoopRV", id: 3 }) === "l3");
 * ```
 */
export function rvName(rv: RV): string {
  return PREFIX[rv.kind] + rv.id;
}

/**
 * The random variable a name stands for (`"l3"` → a `LoopRV` with id 3), or undefined.
 *
 * @example
 * ```ts
 * import { parseRVName } from "./rv.ts";
 * console.assert(parseRVName("b0")?.kind === "BlockRV");
 * ```
 */
export function parseRVName(name: string): RV | undefined {
  const m = /^([blv])(\d+)$/.exec(name);
  if (!m) return undefined;
  const id = Number(m[2]);
  const kind = m[1] === "b" ? "BlockRV" : m[1] === "l" ? "LoopRV" : "ExprRV";
  return { kind, id } as RV;
}

/**
 * True if `x` is a random variable.
 *
 * @example
 * ```ts
 * import { isRV } from "./rv.ts";
 * console.assert(isRV({ kind: "ExprRV", id: 0 }) && !isRV(3));
 * ```
 */
export function isRV(x: unknown): x is RV {
  if (typeof x !== "object" || x === null) return false;
  const k = (x as { kind?: unknown }).kind;
  return (k === "BlockRV" || k === "LoopRV" || k === "ExprRV") &&
    typeof (x as { id?: unknown }).id === "number";
}
