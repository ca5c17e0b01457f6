/**
 * Shape reasoning for graph ops: dimensions are compared with the arithmetic analyzer
 * (`ir/arith`). A pair it proves equal is fine; a pair it proves different is a `ShapeError`
 * naming the node and the dimensions; anything else becomes a run-time check, recorded on the
 * binding and made by the executor before the node runs.
 *
 * @module
 */
import { Analyzer } from "../arith/mod.ts";
import type { PrimExpr } from "../expr.ts";
import type { ShapeCheck } from "./ir.ts";
import { ShapeError } from "./errors.ts";
import { showDim } from "./types.ts";

const analyzer = new Analyzer();

/** True if the analyzer proves `a = b`. */
export function dimsEqual(a: PrimExpr, b: PrimExpr): boolean {
  return a === b || analyzer.canProveEqual(a, b);
}

/** True if the analyzer proves `a ≠ b`. */
export function dimsDiffer(a: PrimExpr, b: PrimExpr): boolean {
  return a !== b && analyzer.canProveNotEqual(a, b);
}

/** A dimension in the analyzer's canonical form (`n + n` → `n * 2`); constants stay. */
export function simplifyDim(e: PrimExpr): PrimExpr {
  return e.kind === "IntImm" || e.kind === "Var" ? e : analyzer.simplify(e);
}

const isOne = (e: PrimExpr) => e.kind === "IntImm" && e.value === 1;

/** Prefer a constant, then a variable, as the representative of two equal dimensions. */
function simpler(a: PrimExpr, b: PrimExpr): PrimExpr {
  const rank = (e: PrimExpr) => (e.kind === "IntImm" ? 0 : e.kind === "Var" ? 1 : 2);
  return rank(b) < rank(a) ? b : a;
}

/** What one op's shape inference knows and records. */
export class ShapeContext {
  /** The run-time checks recorded so far. */
  readonly checks: ShapeCheck[] = [];

  /**
   * @param op the op's name, for messages
   * @param path where the node is (`graph "main" / binding "lv0"`), for messages
   */
  constructor(readonly op: string, readonly path: string | undefined) {}

  /**
   * Require `a = b` (`what` says which dimensions, e.g. `dim 1 of "x" and dim 1 of "weight"`):
   * returns the simpler of the two; a provable difference is `GRAPH_SHAPE_MISMATCH`; an
   * unprovable equality becomes a run-time check.
   */
  equal(a: PrimExpr, b: PrimExpr, what: string): PrimExpr {
    if (dimsEqual(a, b)) return a;
    if (dimsDiffer(a, b)) {
      throw new ShapeError(
        "GRAPH_SHAPE_MISMATCH",
        `Cannot apply "${this.op}": ${what} differ (${showDim(a)} vs ${showDim(b)})`,
        { path: this.path },
      );
    }
    this.checks.push({ a, b, what });
    return simpler(a, b);
  }

  /**
   * Broadcast two dimensions (numpy rules: equal, or one of them 1). A symbolic dimension
   * is assumed not to be a broadcast 1: two symbolic dimensions are required equal (checked at
   * run time when unprovable).
   */
  broadcast(a: PrimExpr, b: PrimExpr, what: string): PrimExpr {
    if (isOne(a)) return b;
    if (isOne(b)) return a;
    return this.equal(a, b, what);
  }

  /** A `ShapeError` of this op (`GRAPH_BAD_RANK`, …). */
  fail(code: string, message: string): ShapeError {
    return new ShapeError(code, `Cannot apply "${this.op}": ${message}`, { path: this.path });
  }
}
