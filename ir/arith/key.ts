/**
 * Canonical keys of expressions: a string per expression that is equal exactly when two
 * expressions are structurally identical with the *same* variables (identity, not names). The
 * simplifier uses keys to combine like terms and to order terms and operands deterministically.
 *
 * Variables get a process-wide number at first sight, so two distinct variables named `i` have
 * distinct keys. A variable key starts with `$`, which sorts before every compound key, so sums
 * print their plain-variable terms first (`i*16 + j + floordiv(k, 4)`).
 *
 * @module
 */
import type { PrimExpr } from "../expr.ts";
import type { Buffer } from "../stmt.ts";

const ids = new WeakMap<object, number>();
let nextId = 0;
const keys = new WeakMap<PrimExpr, string>();

function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) {
    id = nextId++;
    ids.set(o, id);
  }
  return id;
}

function bufferKey(b: Buffer): string {
  return `${b.name}#${idOf(b)}`;
}

/**
 * The canonical key of an expression (memoised).
 *
 * @example
 * ```ts
 * import { exprKey } from "./key.ts";
 * import { add, variable } from "../expr.ts";
 * const i = variable("i");
 * console.assert(exprKey(add(i, 1)) === exprKey(add(i, 1)));
 * console.assert(exprKey(i) !== exprKey(variable("i")));
 * ```
 */
export function exprKey(e: PrimExpr): string {
  const hit = keys.get(e);
  if (hit !== undefined) return hit;
  const k = computeKey(e);
  keys.set(e, k);
  return k;
}

function computeKey(e: PrimExpr): string {
  switch (e.kind) {
    case "Var":
      return `$${e.name}#${idOf(e)}`;
    case "IntImm":
    case "FloatImm":
      return `${e.value}:${e.dtype}`;
    case "Binary":
      return `(${e.op} ${exprKey(e.a)} ${exprKey(e.b)})`;
    case "Not":
      return `(not ${exprKey(e.a)})`;
    case "Select":
      return `(select ${exprKey(e.cond)} ${exprKey(e.t)} ${exprKey(e.f)})`;
    case "Cast":
      return `(cast:${e.dtype} ${exprKey(e.value)})`;
    case "BufferLoad":
      return `(load ${bufferKey(e.buffer)} ${e.indices.map(exprKey).join(" ")})`;
    case "Call":
      return `(call:${e.dtype} ${e.op} ${e.args.map(exprKey).join(" ")})`;
    case "Ramp":
      return `(ramp ${exprKey(e.base)} ${exprKey(e.stride)} ${e.lanes})`;
    case "Broadcast":
      return `(bcast ${exprKey(e.value)} ${e.lanes})`;
    case "Let":
      return `(let $${e.v.name}#${idOf(e.v)} ${exprKey(e.value)} ${exprKey(e.body)})`;
  }
}

/**
 * A total order on expressions by key, used to sort commutative operands and sum terms.
 *
 * @example
 * ```ts
 * import { compareExprs } from "./key.ts";
 * import { variable } from "../expr.ts";
 * const a = variable("a"), b = variable("b");
 * console.assert(compareExprs(a, b) < 0);
 * ```
 */
export function compareExprs(a: PrimExpr, b: PrimExpr): number {
  return compareKeys(exprKey(a), exprKey(b));
}

/** Compare two keys (plain code-unit order, so the result does not depend on the locale). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
