/**
 * What a pass is: a named, pure function from a `PrimFunc` to a `PrimFunc`, with a one-line
 * summary that dumps and flags show. A pass returns the same object when it changes nothing.
 *
 * @module
 */
import { int } from "../expr.ts";
import type { PrimFunc } from "../func.ts";
import { evaluate, type Stmt } from "../stmt.ts";

/** Options of the lowering pipeline (and of the passes that read them). */
export interface LowerOptions {
  /** Run the verifier (`ir/verify.ts`) after every pass; a failure names the pass. */
  readonly verify?: boolean;
  /** Print the function after every pass (`true`), or after the passes named here. */
  readonly dumpAfter?: boolean | readonly string[];
  /** Where dumps go (default `console.log`). */
  readonly dump?: (text: string, passName: string) => void;
  /** Largest constant extent an `unrolled` loop is unrolled for (default 64); beyond, serial. */
  readonly maxUnroll?: number;
  /**
   * Most lanes a vector may have (default 16). A vectorized loop of a larger constant extent that
   * is a multiple of it is split into a serial loop over vectors of this many lanes.
   */
  readonly maxLanes?: number;
  /** Replace the pipeline (default `LOWER_PASSES`). */
  readonly passes?: readonly Pass[];
}

/** What a pass is given besides the function. */
export interface PassContext {
  /** The options of the run. */
  readonly options: LowerOptions;
}

/**
 * A pass: `run` is pure and returns `f` itself when nothing changed.
 *
 * @example
 * ```ts
 * import type { Pass } from "./pass.ts";
 * const identity: Pass = { name: "identity", summary: "does nothing", run: (f) => f };
 * console.assert(identity.name === "identity");
 * ```
 */
export interface Pass {
  /** Kebab-case name, used by `dumpAfter` and in errors. */
  readonly name: string;
  /** One line saying what the pass does. */
  readonly summary: string;
  /** Transform a function. */
  run(f: PrimFunc, ctx: PassContext): PrimFunc;
}

/** The function with a new body (the same function if the body is the same object). */
export function withBody(f: PrimFunc, body: PrimFunc["body"]): PrimFunc {
  return body === f.body ? f : { ...f, body };
}

/** The statement that does nothing (`evaluate(0)`); `remove-no-op` drops it from sequences. */
export const NOOP: Stmt = evaluate(int(0));
