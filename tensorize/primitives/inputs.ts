/**
 * Checked access to instruction inputs: a primitive's `apply` gets untyped inputs (from a method
 * call or a JSON trace) and reads them through these, so a malformed trace is a
 * `SCHEDULE_BAD_ARGUMENT`, not a crash.
 *
 * @module
 */
import type { PrimExpr } from "../../ir/expr.ts";
import { type InstrInput, isExprInput } from "../instruction.ts";
import { type BlockRV, type ExprRV, isRV, type LoopRV } from "../rv.ts";
import type { Schedule } from "../schedule.ts";

function bad(sch: Schedule, what: string, x: unknown): never {
  throw sch.error(
    "SCHEDULE_BAD_ARGUMENT",
    `Cannot apply the instruction: expected ${what}, got ${describe(x)}`,
  );
}

function describe(x: unknown): string {
  if (isRV(x)) return x.kind;
  if (Array.isArray(x)) return "a list";
  return x === null ? "nothing" : typeof x === "object" ? "an expression" : JSON.stringify(x);
}

/** The input as a `BlockRV`. */
export function asBlock(sch: Schedule, x: InstrInput | undefined): BlockRV {
  return isRV(x) && x.kind === "BlockRV" ? x : bad(sch, "a BlockRV", x);
}

/** The input as a `LoopRV`. */
export function asLoop(sch: Schedule, x: InstrInput | undefined): LoopRV {
  return isRV(x) && x.kind === "LoopRV" ? x : bad(sch, "a LoopRV", x);
}

/** The input as a `BlockRV` or a `LoopRV`. */
export function asBlockOrLoop(sch: Schedule, x: InstrInput | undefined): BlockRV | LoopRV {
  return isRV(x) && x.kind !== "ExprRV" ? x : bad(sch, "a BlockRV or LoopRV", x);
}

/** The input as a list of `LoopRV`s. */
export function asLoops(sch: Schedule, x: InstrInput | undefined): LoopRV[] {
  if (!Array.isArray(x)) return bad(sch, "a list of LoopRVs", x);
  return x.map((y) => asLoop(sch, y));
}

/** The input as a list. */
export function asList(sch: Schedule, x: InstrInput | undefined): readonly InstrInput[] {
  return Array.isArray(x) ? x : bad(sch, "a list", x);
}

/** The input as a number. */
export function asNumber(sch: Schedule, x: InstrInput | undefined): number {
  return typeof x === "number" ? x : bad(sch, "a number", x);
}

/**
 * The input as a value: a number, an expression, the value of an `ExprRV`, or undefined for
 * `null` (something to infer).
 */
export function asValue(
  sch: Schedule,
  x: InstrInput | undefined,
): number | PrimExpr | undefined {
  if (x === null || x === undefined) return undefined;
  if (typeof x === "number") return x;
  if (isRV(x)) return x.kind === "ExprRV" ? sch.valueOf(x as ExprRV) : bad(sch, "a value", x);
  if (isExprInput(x)) return x;
  return bad(sch, "a value", x);
}
