/**
 * The codegen interface every target implements: from a lowered `PrimFunc` to an `Artifact` its
 * runtime can load. The SDK lowers first (with the codegen's `lowerOptions`), so a codegen only
 * sees the lowered form (docs/sdk.md; `ir/transform`).
 *
 * @module
 */
import type { PrimFunc } from "../ir/func.ts";
import type { LowerOptions } from "../ir/transform/mod.ts";
import type { Target } from "./target.ts";

/** What a codegen produces: loadable by the target's runtime, inspectable by people. */
export interface Artifact {
  /** Name of the target that made it. */
  readonly target: string;
  /** Entry point name inside the artifact. */
  readonly entry: string;
  /** Generated code, for inspection (`Kernel.source`). */
  readonly source: string;
  /** The lowered function it implements; its parameters are the call ABI. */
  readonly lowered: PrimFunc;
}

/** Context of one compilation. */
export interface CompileContext {
  /** The target compiled for. */
  readonly target: Target;
  /** The function as the user wrote it, before lowering. */
  readonly original: PrimFunc;
  /** Target-specific options from `build(…, { codegen })`. */
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * A target's default schedule: from a function nobody scheduled to one scheduled for the target
 * (e.g. the cpu target's rule-based schedules, `tensorize/default`). It must compute what `f`
 * computes, and may depend on the target only (artifacts are shared between devices).
 */
export type DefaultScheduleHook = (f: PrimFunc, target: Target) => PrimFunc;

/** How a target turns lowered functions into artifacts. */
export interface Codegen<A extends Artifact = Artifact> {
  /** Options for `lower` (vector lane caps, unroll limits …); merged under build's `lower`. */
  readonly lowerOptions?: LowerOptions;
  /**
   * The default schedule `build` applies, before lowering, to functions that are not scheduled
   * (`isScheduled`), unless the build says `{ schedule: false }`.
   */
  readonly schedule?: DefaultScheduleHook;
  /** Compile a lowered function. */
  compile(lowered: PrimFunc, ctx: CompileContext): Promise<A>;
}
