/**
 * `annotate(blockOrLoop, key, value)` and `unannotate(blockOrLoop, key)`: set or remove an
 * annotation of a block or loop (hints for lowering and targets, e.g. `pragma_unroll_explicit`).
 * A value may be a sampled `ExprRV`; its number is stored. Removing a key that is not there is
 * `SCHEDULE_NO_ANNOTATION`.
 *
 * @module
 */
import type { PrimFunc } from "../../ir/func.ts";
import type { Var } from "../../ir/expr.ts";
import type { AnnotationValue } from "../../ir/stmt.ts";
import { findBlock, findLoop, replaceStmt } from "../analysis/find.ts";
import { scheduleError } from "../errors.ts";
import { type InstructionKind, literal, registerInstruction, scriptCall } from "../instruction.ts";
import { Schedule } from "../schedule.ts";
import type { BlockRV, ExprRV, LoopRV } from "../rv.ts";
import { isRV } from "../rv.ts";
import { asBlockOrLoop } from "./inputs.ts";

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface AnnotateMethods {
  /**
   * Annotate a block or loop with `key = value`.
   *
   * @example
   * ```ts ignore
   * sch.annotate(l1, "pragma_unroll_explicit", 1);
   * ```
   */
  annotate(target: BlockRV | LoopRV, key: string, value: AnnotationValue | ExprRV): void;
  /** Remove the annotation `key` of a block or loop. */
  unannotate(target: BlockRV | LoopRV, key: string): void;
}

/** What to annotate: a block by name or a loop by variable. */
export type AnnotationTarget = { readonly block: string } | { readonly loop: Var };

/**
 * Set (`value` given) or remove (`value` undefined) annotation `key` of a block or loop of `f`
 * (pure).
 */
export function setAnnotation(
  f: PrimFunc,
  target: AnnotationTarget,
  key: string,
  value: AnnotationValue | undefined,
): PrimFunc {
  const update = (old: Readonly<Record<string, AnnotationValue>>, what: string) => {
    if (value !== undefined) return { ...old, [key]: value };
    if (!(key in old)) {
      throw scheduleError(
        f,
        "SCHEDULE_NO_ANNOTATION",
        `Cannot remove annotation "${key}" of ${what}: it has none by that name`,
        "block" in target ? { block: target.block } : { loop: target.loop },
      );
    }
    const out = { ...old };
    delete out[key];
    return out;
  };
  if ("block" in target) {
    const loc = findBlock(f, target.block)!;
    const b = loc.block;
    return replaceStmt(f, b, { ...b, annotations: update(b.annotations, `block "${b.name}"`) });
  }
  const { loop } = findLoop(f, target.loop)!;
  const annotations = update(loop.annotations, `loop "${loop.loopVar.name}"`);
  return replaceStmt(f, loop, { ...loop, annotations });
}

/** Attributes of `Annotate`. */
export type AnnotateAttrs = { key: string; value?: AnnotationValue };

/** `sch.annotate(target, key, value)`. */
export const ANNOTATE: InstructionKind<AnnotateAttrs> = registerInstruction<AnnotateAttrs>({
  name: "Annotate",
  apply(sch, inputs, attrs) {
    const rv = asBlockOrLoop(sch, inputs[0]);
    const given = inputs[1];
    const raw = isRV(given) && given.kind === "ExprRV" ? sch.valueOf(given) : attrs.value;
    if (typeof raw === "object" || raw === undefined) {
      throw sch.error(
        "SCHEDULE_BAD_ARGUMENT",
        `Cannot annotate "${attrs.key}": the value must be a string, number or boolean`,
      );
    }
    sch.setFunc(setAnnotation(sch.func, targetOf(sch, rv), attrs.key, raw));
    return [];
  },
  toScript: (p) =>
    scriptCall(
      "annotate",
      [p.inputs[0], literal(p.attrs.key), p.inputs[1] ?? literal(p.attrs.value)],
      [],
    ),
});

/** `sch.unannotate(target, key)`. */
export const UNANNOTATE: InstructionKind<{ key: string }> = registerInstruction<{ key: string }>({
  name: "Unannotate",
  apply(sch, inputs, attrs) {
    const rv = asBlockOrLoop(sch, inputs[0]);
    sch.setFunc(setAnnotation(sch.func, targetOf(sch, rv), attrs.key, undefined));
    return [];
  },
  toScript: (p) => scriptCall("unannotate", [p.inputs[0], literal(p.attrs.key)], []),
});

function targetOf(sch: Schedule, rv: BlockRV | LoopRV): AnnotationTarget {
  return rv.kind === "BlockRV"
    ? { block: sch.blockOf(rv).block.name }
    : { loop: sch.loopOf(rv).loop.loopVar };
}

Schedule.prototype.annotate = function (
  this: Schedule,
  target: BlockRV | LoopRV,
  key: string,
  value: AnnotationValue | ExprRV,
): void {
  if (isRV(value)) this.apply(ANNOTATE, [target, value], { key });
  else this.apply(ANNOTATE, [target], { key, value });
};
Schedule.prototype.unannotate = function (
  this: Schedule,
  target: BlockRV | LoopRV,
  key: string,
): void {
  this.apply(UNANNOTATE, [target], { key });
};
