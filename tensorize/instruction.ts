/**
 * Instructions: every schedule primitive is an instruction kind registered here by name, so a
 * trace can be replayed, serialised and printed without a central switch. A primitive's file
 * registers its kind when imported (`tensorize/mod.ts` imports them all).
 *
 * Inputs are random variables, numbers, `null` (a factor to infer), expressions over the
 * function's sizes, or arrays of these; everything else (names, kinds, options) goes in `attrs`.
 *
 * @module
 */
import { InternalError } from "../ir/errors.ts";
import type { PrimExpr } from "../ir/expr.ts";
import { isExpr, type Node } from "../ir/node.ts";
import { isRV, type RV, rvName } from "./rv.ts";
import type { Schedule } from "./schedule.ts";

/** A JSON value. */
export type Json = null | boolean | number | string | readonly Json[] | {
  readonly [k: string]: Json;
};

/**
 * An expression input read from a JSON trace, kept as script text until replay parses it over
 * the scheduled function's sizes (kinds' `apply` never sees one: the schedule resolves it).
 */
export interface ExprText {
  /** Tag. */
  readonly kind: "ExprText";
  /** The expression in script syntax, e.g. `"n"`. */
  readonly text: string;
}

/** An instruction input: a random variable, a literal number, `null`, an expression, or a list. */
export type InstrInput = RV | number | null | PrimExpr | ExprText | readonly InstrInput[];

/** Whether an input is expression text from a JSON trace. */
export function isExprText(x: unknown): x is ExprText {
  return typeof x === "object" && x !== null && (x as { kind?: unknown }).kind === "ExprText";
}

/** What a kind's `toScript` gets: inputs and outputs already printed, attrs, decision. */
export interface ScriptParts<A> {
  /** Inputs printed as TypeScript (`l1`, `16`, `undefined`, `[v4, v5]`, `sch.expr("n")`). */
  readonly inputs: readonly string[];
  /** The instruction's attributes. */
  readonly attrs: A;
  /** Names of the outputs (`l2`, …). */
  readonly outputs: readonly string[];
  /** The decision of a sampling instruction. */
  readonly decision?: Json;
}

/**
 * An instruction kind: how to apply it to a schedule, (de)serialise its attributes and print it.
 *
 * `apply` reads its inputs through the schedule (`sch.loopOf(rv)`, …), swaps in the rewritten
 * function (`sch.setFunc`) and returns its outputs (new random variables). It may throw a
 * `ScheduleError`: the schedule then restores its state, so a failed primitive changes nothing.
 */
export interface InstructionKind<A = Record<string, Json>> {
  /** Name in traces, e.g. `"Split"`; unique. */
  readonly name: string;
  /**
   * For sampling instructions: draw a decision with the schedule's generator (`sch.rng`). The
   * schedule calls it when no decision is given (by the caller, the trace or the tuner).
   */
  sample?(sch: Schedule, inputs: readonly InstrInput[], attrs: A): Json;
  /** Apply the instruction; returns its outputs. */
  apply(sch: Schedule, inputs: readonly InstrInput[], attrs: A, decision: Json | undefined): RV[];
  /** Attributes as JSON (default: as they are — they must then be JSON already). */
  attrsToJSON?(attrs: A): Json;
  /** Attributes from JSON (default: as they are). */
  attrsFromJSON?(json: Json): A;
  /** One line of TypeScript that redoes the instruction on a schedule named `sch`. */
  toScript(parts: ScriptParts<A>): string;
}

// deno-lint-ignore no-explicit-any
const REGISTRY = new Map<string, InstructionKind<any>>();

/**
 * Register an instruction kind (once per name; registering another kind under a taken name is a
 * bug). Returns the kind, so a primitive file can write `export const SPLIT = registerInstruction({...})`.
 *
 * @example
 * ```ts
 * import { registerInstruction, lookupInstruction } from "./instruction.ts";
 * const NOOP = registerInstruction<Record<string, never>>({
 *   name: "ExampleNoop",
 *   apply: () => [],
 *   toScript: () => "sch.exampleNoop();",
 * });
 * console.assert(lookupInstruction("ExampleNoop") === NOOP);
 * ```
 */
export function registerInstruction<A>(kind: InstructionKind<A>): InstructionKind<A> {
  const old = REGISTRY.get(kind.name);
  if (old && old !== kind) {
    throw new InternalError(`instruction kind "${kind.name}" registered twice`);
  }
  REGISTRY.set(kind.name, kind);
  return kind;
}

/** The kind registered under `name`, or undefined. */
// deno-lint-ignore no-explicit-any
export function lookupInstruction(name: string): InstructionKind<any> | undefined {
  return REGISTRY.get(name);
}

/** Names of all registered kinds, sorted. */
export function instructionNames(): string[] {
  return [...REGISTRY.keys()].sort();
}

/** One applied instruction of a trace. */
export interface Instruction {
  /** Its kind. */
  // deno-lint-ignore no-explicit-any
  readonly kind: InstructionKind<any>;
  /** Its inputs. */
  readonly inputs: readonly InstrInput[];
  /** Its attributes. */
  readonly attrs: unknown;
  /** Its outputs. */
  readonly outputs: readonly RV[];
  /** The decision of a sampling instruction. */
  readonly decision?: Json;
}

// ---------------------------------------------------------------------------------------------
// Printing helpers for kinds' `toScript`.

/** Whether an input is an expression (not an RV, number, null or list). */
export function isExprInput(x: InstrInput): x is PrimExpr {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !isRV(x) &&
    isExpr(x as Node);
}

/** An input printed as TypeScript; expressions through `printExpr`. */
export function printInput(x: InstrInput, printExpr: (e: PrimExpr) => string): string {
  if (x === null) return "undefined";
  if (typeof x === "number") return String(x);
  if (Array.isArray(x)) return `[${x.map((y) => printInput(y, printExpr)).join(", ")}]`;
  if (isRV(x)) return rvName(x);
  if (isExprText(x)) return `sch.expr(${JSON.stringify(x.text)})`;
  return `sch.expr(${JSON.stringify(printExpr(x as PrimExpr))})`;
}

/**
 * A call statement `const [a, b] = sch.method(args);` (`const a = …` with `single`, no binding
 * without outputs).
 *
 * @example
 * ```ts
 * import { scriptCall } from "./instruction.ts";
 * console.assert(scriptCall("split", ["l1", "[4, 8]"], ["l2", "l3"]) ===
 *   "const [l2, l3] = sch.split(l1, [4, 8]);");
 * ```
 */
export function scriptCall(
  method: string,
  args: readonly string[],
  outputs: readonly string[],
  single = false,
): string {
  const call = `sch.${method}(${args.join(", ")});`;
  if (outputs.length === 0) return call;
  if (single) return `const ${outputs[0]} = ${call}`;
  return `const [${outputs.join(", ")}] = ${call}`;
}

/** A JSON-like value printed as a TypeScript literal (object keys unquoted when possible). */
export function literal(x: unknown): string {
  if (x === undefined) return "undefined";
  if (Array.isArray(x)) return `[${x.map(literal).join(", ")}]`;
  if (typeof x === "object" && x !== null) {
    const entries = Object.entries(x).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    const body = entries.map(([k, v]) =>
      `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k)}: ${literal(v)}`
    );
    return `{ ${body.join(", ")} }`;
  }
  return JSON.stringify(x);
}
