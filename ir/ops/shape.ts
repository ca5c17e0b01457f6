/**
 * Symbolic shape helpers of the operator library: comparing and multiplying dimensions (numbers or
 * expressions of size variables), numpy-style broadcasting, axis normalisation.
 *
 * Equality of dimensions is decided without an arithmetic analyzer: two dimensions are equal when
 * they are the same expression (variables by identity), or when both are products whose constant
 * factors multiply to the same number and whose other factors are the same multiset
 * (`2*n*4 = 8*n`). Anything else is "not provably equal" and an op refuses it.
 *
 * @module
 */
import { add, type ExprLike, floordiv, int, mul, type PrimExpr, toExpr } from "../expr.ts";
import { isInt } from "../dtype.ts";
import { opError } from "./errors.ts";

/** A shape as the ops see it: one expression per dimension. */
export type Shape = readonly PrimExpr[];

/** The value of a constant dimension, or undefined if it is symbolic. @example `constOf(int(3)) === 3` */
export function constOf(e: PrimExpr): number | undefined {
  return e.kind === "IntImm" ? e.value : undefined;
}

/** A dimension as an int32 expression (numbers become constants). */
export function dimExpr(d: ExprLike, op: string, arg: string): PrimExpr {
  const e = toExpr(d);
  if (!isInt(e.dtype)) {
    throw opError("OP_BAD_PARAM", op, arg, `a dimension has dtype ${e.dtype}, need an integer`);
  }
  if (e.kind === "IntImm" && e.value < 0) {
    throw opError("OP_BAD_PARAM", op, arg, `a dimension is negative (${e.value})`);
  }
  return e;
}

/** Same expression: variables and buffers by identity, other nodes field by field. */
export function sameExpr(a: PrimExpr, b: PrimExpr): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind || a.dtype !== b.dtype) return false;
  switch (a.kind) {
    case "IntImm":
    case "FloatImm":
      return a.value === (b as typeof a).value;
    case "Binary": {
      const o = b as typeof a;
      return a.op === o.op && sameExpr(a.a, o.a) && sameExpr(a.b, o.b);
    }
    case "Cast":
      return sameExpr(a.value, (b as typeof a).value);
    default:
      return false; // Vars are equal only by identity; other kinds do not occur in shapes
  }
}

/** A dimension as constant × factors (products flattened). */
function factorize(e: PrimExpr): { c: number; fs: PrimExpr[] } {
  if (e.kind === "IntImm") return { c: e.value, fs: [] };
  if (e.kind === "Binary" && e.op === "mul") {
    const x = factorize(e.a);
    const y = factorize(e.b);
    return { c: x.c * y.c, fs: [...x.fs, ...y.fs] };
  }
  return { c: 1, fs: [e] };
}

/** Remove each of `sub` from `from` once; undefined if one is missing. */
function removeFactors(from: PrimExpr[], sub: readonly PrimExpr[]): PrimExpr[] | undefined {
  const rest = [...from];
  for (const f of sub) {
    const k = rest.findIndex((g) => sameExpr(f, g));
    if (k < 0) return undefined;
    rest.splice(k, 1);
  }
  return rest;
}

function product(c: number, fs: readonly PrimExpr[]): PrimExpr {
  return fs.reduce<PrimExpr>((acc, f) => mul(acc, f), int(c));
}

/**
 * True if two dimensions are provably equal (see the module comment).
 *
 * @example
 * ```ts
 * import { proveEqual } from "./shape.ts";
 * import { int, mul } from "../expr.ts";
 * import { sizeVar } from "../te.ts";
 * const n = sizeVar("n");
 * console.assert(proveEqual(mul(mul(2, n), 4), mul(8, n)) && !proveEqual(n, int(4)));
 * ```
 */
export function proveEqual(a: PrimExpr, b: PrimExpr): boolean {
  if (sameExpr(a, b)) return true;
  const x = factorize(a);
  const y = factorize(b);
  if (x.c !== y.c || x.fs.length !== y.fs.length) return false;
  const rest = removeFactors(x.fs, y.fs);
  return rest !== undefined && rest.length === 0;
}

/** True if the two dimensions are provably different (both constant and unequal). */
export function provablyDifferent(a: PrimExpr, b: PrimExpr): boolean {
  const x = constOf(a);
  const y = constOf(b);
  return x !== undefined && y !== undefined && x !== y;
}

/**
 * `a / b` when it is provably exact (constants dividing, symbolic factors cancelling); else
 * undefined.
 */
export function divideExact(a: PrimExpr, b: PrimExpr): PrimExpr | undefined {
  const x = factorize(a);
  const y = factorize(b);
  if (y.c === 0 || x.c % y.c !== 0) return undefined;
  const rest = removeFactors(x.fs, y.fs);
  return rest && product(x.c / y.c, rest);
}

/** Number of elements of a shape, as an expression (folded when constant). */
export function numelOf(shape: Shape): PrimExpr {
  return shape.reduce<PrimExpr>((acc, d) => mul(acc, d), int(1));
}

/** `⌈a / b⌉` for a constant b ≥ 1: `⌊(a + b − 1) / b⌋` (folded when `a` is constant). */
export function ceilDiv(a: PrimExpr, b: number): PrimExpr {
  return b === 1 ? a : floordiv(add(a, b - 1), b);
}

/**
 * Broadcast shapes numpy-style (aligned on the right; a dimension of constant 1 stretches).
 * Symbolic dimensions must be provably equal to their partners; a symbolic dimension is never
 * assumed to be 1.
 *
 * @example
 * ```ts
 * import { broadcastShapes } from "./shape.ts";
 * import { int } from "../expr.ts";
 * import { sizeVar } from "../te.ts";
 * const n = sizeVar("n");
 * const s = broadcastShapes("add", ["a", "b"], [[n, int(1)], [int(3)]]);
 * console.assert(s[0] === n && s[1].kind === "IntImm");
 * ```
 */
export function broadcastShapes(
  op: string,
  args: readonly string[],
  shapes: readonly Shape[],
): PrimExpr[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: PrimExpr[] = [];
  for (let d = 0; d < rank; d++) {
    let dim: PrimExpr = int(1);
    let from = -1;
    shapes.forEach((s, k) => {
      const x = s[d - (rank - s.length)];
      if (x === undefined || constOf(x) === 1) return;
      if (from < 0 || constOf(dim) === 1) {
        dim = x;
        from = k;
      } else if (!proveEqual(dim, x)) {
        const differ = provablyDifferent(dim, x);
        throw opError(
          differ ? "OP_SHAPE_MISMATCH" : "OP_UNPROVABLE_SHAPE",
          op,
          args[k],
          `cannot broadcast dimension ${d} (from the right: ${rank - d}): ${show(x)} and ${
            show(dim)
          } of "${args[from]}" ${differ ? "differ" : "are not provably equal"}`,
          "broadcast dimensions must be equal or 1; use the same size variable for equal symbolic sizes",
        );
      }
    });
    out.push(dim);
  }
  return out;
}

/** A dimension for messages: its number or its variable's name. */
export function show(e: PrimExpr): string {
  if (e.kind === "IntImm") return String(e.value);
  if (e.kind === "Var") return e.name;
  if (e.kind === "Binary") return `(${show(e.a)} ${e.op} ${show(e.b)})`;
  return e.kind;
}

/** A shape for messages: `[n, 3, 4]`. */
export function showShape(s: Shape): string {
  return `[${s.map(show).join(", ")}]`;
}

/** An axis in `[-rank, rank)` made non-negative; `OP_BAD_AXIS` otherwise. */
export function normalizeAxis(op: string, arg: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw opError(
      "OP_BAD_AXIS",
      op,
      arg,
      `axis ${axis} is out of range for a tensor of rank ${rank} (need ${-rank} ≤ axis < ${rank})`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/** Axes normalised, sorted, without repeats (all axes when `axes` is undefined). */
export function normalizeAxes(
  op: string,
  arg: string,
  axes: number | readonly number[] | undefined,
  rank: number,
): number[] {
  if (axes === undefined) return [...Array(rank).keys()];
  const list = typeof axes === "number" ? [axes] : axes;
  const out = list.map((a) => normalizeAxis(op, arg, a, rank));
  if (new Set(out).size !== out.length) {
    throw opError("OP_BAD_AXIS", op, arg, `axes [${list.join(", ")}] repeat an axis`);
  }
  return out.sort((a, b) => a - b);
}

/** Check a tensor's rank (exact, or at least `min`); `OP_BAD_RANK` otherwise. */
export function checkRank(
  op: string,
  arg: string,
  shape: Shape,
  rank: number,
  atLeast = false,
): void {
  const ok = atLeast ? shape.length >= rank : shape.length === rank;
  if (!ok) {
    throw opError(
      "OP_BAD_RANK",
      op,
      arg,
      `has rank ${shape.length} (shape ${showShape(shape)}), need ${
        atLeast ? "at least " : ""
      }${rank}`,
    );
  }
}

/** Require two dimensions to be provably equal; `OP_SHAPE_MISMATCH` otherwise. */
export function requireEqual(
  op: string,
  arg: string,
  what: string,
  got: PrimExpr,
  want: PrimExpr,
): void {
  if (proveEqual(got, want)) return;
  throw opError(
    provablyDifferent(got, want) ? "OP_SHAPE_MISMATCH" : "OP_UNPROVABLE_SHAPE",
    op,
    arg,
    `${what} is ${show(got)}, need ${show(want)}`,
    provablyDifferent(got, want)
      ? undefined
      : "use the same size variable for sizes that are equal",
  );
}
