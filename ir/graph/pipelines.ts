/**
 * The standard pass pipelines of the graph level.
 *
 * @module
 */
import { eliminateDeadCode } from "./dce.ts";
import { foldConstants } from "./fold_constants.ts";
import { fuse } from "./fuse.ts";
import { legalize } from "./legalize.ts";
import type { GraphPass } from "./pass.ts";

/**
 * The default pipeline (what `GraphExecutor` runs): legalize, fold constants, remove dead code.
 *
 * @example
 * ```ts
 * import { DEFAULT_PASSES } from "./pipelines.ts";
 * console.assert(DEFAULT_PASSES.map((p) => p.name).join() === "legalize,fold-constants,eliminate-dead-code");
 * ```
 */
export const DEFAULT_PASSES: readonly GraphPass[] = [legalize, foldConstants, eliminateDeadCode];

/**
 * The default pipeline with fusion first: elementwise chains become one kernel each.
 *
 * @example
 * ```ts
 * import { FUSED_PASSES } from "./pipelines.ts";
 * console.assert(FUSED_PASSES[1].name === "fuse");
 * ```
 */
export const FUSED_PASSES: readonly GraphPass[] = [foldConstants, fuse, ...DEFAULT_PASSES];
