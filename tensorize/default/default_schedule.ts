/**
 * Default schedules (issue 3, item 5), rule-based in the spirit of TVM's DLight: inline injective
 * producers, fuse a function that works row by row (softmax, layer norm) into one loop over the
 * rows (`row_fusion.ts`, rule name `rows`), else give each plain block to the first rule of its
 * class that succeeds —
 *
 * | rule        | classes                           | what it does                                   |
 * | ----------- | --------------------------------- | ---------------------------------------------- |
 * | `intrinsic` | gemm, conv                        | tensorize with the target's intrinsics        |
 * | `gemm`      | gemm, conv                        | register-blocked micro-kernel, parallel outer  |
 * | `reduction` | pool, reduction, gemm, conv       | vector over the output's inner axis, or rfactor |
 * | `injective` | injective, transpose              | fuse contiguous tail, vectorize, parallel      |
 * | `fallback`  | every class                       | parallel outer spatial loops                   |
 *
 * Each rule runs on a copy of the schedule, kept only when the whole rule succeeded. The result
 * is an ordinary `Schedule`: its trace replays, prints as TypeScript, and is what `build` applies
 * for the `cpu` target when a function comes unscheduled.
 *
 * @module
 */
import "../primitives/get.ts";
import "../primitives/split.ts";
import "../primitives/fuse.ts";
import "../primitives/reorder.ts";
import "../primitives/for_kind.ts";
import "../primitives/compute_inline.ts";
import "../primitives/rfactor.ts";
import { ScheduleError } from "../../ir/errors.ts";
import type { IRModule, PrimFunc } from "../../ir/func.ts";
import { blocksUnder } from "../analysis/find.ts";
import { Schedule } from "../schedule.ts";
import { analyzeBlock, type BlockKind } from "./block_info.ts";
import { gemmRule } from "./gemm.ts";
import { injectiveRule } from "./injective.ts";
import { intrinsicRule } from "./intrinsic_rule.ts";
import { inlineInjective } from "./inline.ts";
import { fallbackRule, reductionRule } from "./reduction.ts";
import { fuseRows } from "./row_fusion.ts";
import { type DefaultScheduleOptions, ruleContext, type ScheduleRule } from "./rule.ts";

export type { DefaultScheduleOptions } from "./rule.ts";

/** The rules, in the order they are tried. */
export const DEFAULT_RULES: readonly ScheduleRule[] = [
  intrinsicRule,
  gemmRule,
  reductionRule,
  injectiveRule,
  fallbackRule,
];

/** What happened to one block. */
export interface BlockDecision {
  /** Block name. */
  readonly block: string;
  /** Its class, or `"not plain"` when it was not analysed. */
  readonly kind: BlockKind | "not plain";
  /** The rule that scheduled it, `"inlined"`, or `"none"`. */
  readonly rule: string;
}

/** A default schedule: the schedule (function and trace) and what each block got. */
export interface DefaultScheduleResult {
  /** The schedule; `schedule.func` is the scheduled function, `schedule.trace` its trace. */
  readonly schedule: Schedule;
  /** One entry per block of the input function. */
  readonly decisions: readonly BlockDecision[];
}

/**
 * Apply the default rules to `f` (or the only function of a module) and return the schedule
 * with a report of the rule each block got.
 *
 * @example
 * ```ts
 * import { applyDefaultRules } from "./default_schedule.ts";
 * import { matmulFunc } from "../testing.ts";
 * const { schedule, decisions } = applyDefaultRules(matmulFunc(), { threads: 2 });
 * console.assert(decisions[0].rule === "gemm");
 * console.assert(schedule.trace.toScript().includes("sch.vectorize("));
 * ```
 */
export function applyDefaultRules(
  f: PrimFunc | IRModule,
  options: DefaultScheduleOptions = {},
): DefaultScheduleResult {
  const ctx = ruleContext(options);
  let sch = new Schedule(f);
  const names = blocksUnder(sch.func.body).map((r) => r.block.name).filter((n) => n !== "root");
  const inlined = new Set(ctx.inline ? inlineInjective(sch) : []);
  const rows = new Map<string, BlockKind>();
  if (ctx.fuseRows) {
    const left = names.filter((n) => !inlined.has(n));
    const kinds = left.map((n) => analyzeBlock(sch.func, n)?.kind);
    const trial = sch.copy();
    try {
      if (fuseRows(trial, left, ctx)) {
        sch = trial;
        left.forEach((n, k) => rows.set(n, kinds[k]!));
      }
    } catch (e) {
      if (!(e instanceof ScheduleError)) throw e;
    }
  }
  const decisions: BlockDecision[] = [];
  for (const name of names) {
    if (inlined.has(name)) {
      decisions.push({ block: name, kind: "injective", rule: "inlined" });
      continue;
    }
    const fused = rows.get(name);
    if (fused) {
      decisions.push({ block: name, kind: fused, rule: "rows" });
      continue;
    }
    const info = analyzeBlock(sch.func, name);
    if (!info) {
      decisions.push({ block: name, kind: "not plain", rule: "none" });
      continue;
    }
    let used = "none";
    for (const rule of DEFAULT_RULES) {
      if (!rule.kinds.includes(info.kind)) continue;
      const trial = sch.copy();
      try {
        if (!rule.apply(trial, info, ctx)) continue;
      } catch (e) {
        if (e instanceof ScheduleError) continue;
        throw e;
      }
      sch = trial;
      used = rule.name;
      break;
    }
    decisions.push({ block: name, kind: info.kind, rule: used });
  }
  return { schedule: sch, decisions };
}

/**
 * The default schedule of `f`: the scheduled function (see `applyDefaultRules`).
 *
 * @example
 * ```ts
 * import { defaultSchedule } from "./default_schedule.ts";
 * import { elementwiseFunc } from "../testing.ts";
 * const g = defaultSchedule(elementwiseFunc(64, 64));
 * console.assert(g !== elementwiseFunc(64, 64));
 * ```
 */
export function defaultSchedule(
  f: PrimFunc | IRModule,
  options: DefaultScheduleOptions = {},
): PrimFunc {
  return applyDefaultRules(f, options).schedule.func;
}
