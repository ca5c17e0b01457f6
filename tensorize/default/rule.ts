/**
 * Schedule rules (after TVM DLight's `ScheduleRule`): a rule looks at one plain block and either
 * schedules it or declines. Rules run on a copy of the schedule and are kept only when they
 * succeed, so a rule that fails half-way changes nothing.
 *
 * @module
 */
import "../primitives/get.ts";
import "../primitives/split.ts";
import "../primitives/fuse.ts";
import "../primitives/reorder.ts";
import "../primitives/for_kind.ts";
import type { DType } from "../../ir/dtype.ts";
import { bitsOf } from "../../ir/dtype.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import type { Schedule } from "../schedule.ts";
import type { BlockInfo, BlockKind } from "./block_info.ts";

/** What the rules know of the target. */
export interface DefaultScheduleOptions {
  /** Bytes of the target's vectors (16 for wasm SIMD128; default 16). */
  readonly vectorBytes?: number;
  /** Threads a kernel may use (parallel loops only when above 1; default 1). */
  readonly threads?: number;
  /** Iterations a block needs before its outer loops go parallel (default 32768). */
  readonly minParallelWork?: number;
  /** Rows of the register tile of GEMM-like blocks (default 4). */
  readonly tileRows?: number;
  /** Vectors per row of the register tile (default 2: a 4×8 float32 tile, 8 accumulators). */
  readonly tileVectors?: number;
  /** Whether to inline injective producers into their consumers (default true). */
  readonly inline?: boolean;
  /** Whether to fuse functions that work row by row into one loop over the rows (default true). */
  readonly fuseRows?: boolean;
  /** The target's intrinsics, for rules that tensorize (`intrinsic_rule.ts`; default none). */
  readonly intrinsics?: readonly Intrinsic[];
}

/** The options with their defaults filled in. */
export interface RuleContext {
  /** See `DefaultScheduleOptions.vectorBytes`. */
  readonly vectorBytes: number;
  /** See `DefaultScheduleOptions.threads`. */
  readonly threads: number;
  /** See `DefaultScheduleOptions.minParallelWork`. */
  readonly minParallelWork: number;
  /** See `DefaultScheduleOptions.tileRows`. */
  readonly tileRows: number;
  /** See `DefaultScheduleOptions.tileVectors`. */
  readonly tileVectors: number;
  /** See `DefaultScheduleOptions.inline`. */
  readonly inline: boolean;
  /** See `DefaultScheduleOptions.fuseRows`. */
  readonly fuseRows: boolean;
  /** See `DefaultScheduleOptions.intrinsics`. */
  readonly intrinsics: readonly Intrinsic[];
}

/**
 * The context of a schedule from its options.
 *
 * @example
 * ```ts
 * import { ruleContext } from "./rule.ts";
 * console.assert(ruleContext({}).vectorBytes === 16);
 * ```
 */
export function ruleContext(o: DefaultScheduleOptions): RuleContext {
  return {
    vectorBytes: o.vectorBytes ?? 16,
    threads: Math.max(1, Math.floor(o.threads ?? 1)),
    minParallelWork: o.minParallelWork ?? 1 << 15,
    tileRows: o.tileRows ?? 4,
    tileVectors: o.tileVectors ?? 2,
    inline: o.inline ?? true,
    fuseRows: o.fuseRows ?? true,
    intrinsics: o.intrinsics ?? [],
  };
}

/** One rule: the block classes it serves and how it schedules one. */
export interface ScheduleRule {
  /** Name, for reports. */
  readonly name: string;
  /** The classes it may schedule. */
  readonly kinds: readonly BlockKind[];
  /**
   * Schedule `block` in `sch` (a copy the caller keeps only on success). Returns false to
   * decline; a `ScheduleError` also declines.
   */
  apply(sch: Schedule, block: BlockInfo, ctx: RuleContext): boolean;
}

/**
 * Elements of `dtype` in one target vector (at least 1).
 *
 * @example
 * ```ts
 * import { vectorLanes } from "./rule.ts";
 * console.assert(vectorLanes("float32", 16) === 4 && vectorLanes("int8", 16) === 16);
 * ```
 */
export function vectorLanes(dtype: DType, vectorBytes: number): number {
  const bits = Math.max(8, bitsOf(dtype));
  return Math.max(1, Math.floor((vectorBytes * 8) / bits));
}
