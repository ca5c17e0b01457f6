/**
 * Default schedules (issue 3, item 5): rule-based schedules for the op library in the spirit of
 * TVM's DLight, which `build` applies for the `cpu` target to functions nobody scheduled.
 *
 * @example
 * ```ts
 * import { applyDefaultRules } from "./mod.ts";
 * import { matmulFunc } from "../testing.ts";
 * const { schedule, decisions } = applyDefaultRules(matmulFunc(), { threads: 2 });
 * console.assert(decisions[0].rule === "gemm" && schedule.trace.length > 0);
 * ```
 *
 * @module
 */
export {
  applyDefaultRules,
  type BlockDecision,
  DEFAULT_RULES,
  defaultSchedule,
  type DefaultScheduleOptions,
  type DefaultScheduleResult,
} from "./default_schedule.ts";
export {
  accessUse,
  analyzeBlock,
  type Axis,
  type BlockInfo,
  type BlockKind,
  coefficientOf,
  type MultiplyAccumulate,
} from "./block_info.ts";
export { type RuleContext, ruleContext, type ScheduleRule, vectorLanes } from "./rule.ts";
export { CONTRACT_FMA, contractFmaIn } from "./contract_fma.ts";
export { gemmRule, microKernelAxes } from "./gemm.ts";
export { fallbackRule, partialWidth, reductionRule, rfactorRow } from "./reduction.ts";
export { fuseRows, rowAxes } from "./row_fusion.ts";
export { injectiveRule } from "./injective.ts";
export { inlineInjective, type InlineOptions } from "./inline.ts";
