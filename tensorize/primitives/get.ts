/**
 * Getters: `getBlock(name)`, `getLoops(block)`, `getChildBlocks(blockOrLoop)`. They change
 * nothing but are recorded, since later instructions use the random variables they return.
 *
 * @module
 */
import { Schedule } from "../schedule.ts";
import { type InstructionKind, literal, registerInstruction, scriptCall } from "../instruction.ts";
import type { BlockRV, LoopRV } from "../rv.ts";
import { childBlocks, findBlock, loopsAbove } from "../analysis/find.ts";
import { asBlock, asBlockOrLoop } from "./inputs.ts";

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface GetMethods {
  /**
   * The block named `name` in the function being scheduled.
   *
   * @example
   * ```ts ignore
   * const b0 = sch.getBlock("C");
   * ```
   */
  getBlock(name: string): BlockRV;
  /** The loops above a block up to its enclosing block, outermost first. */
  getLoops(block: BlockRV): LoopRV[];
  /** The blocks directly under a block or loop (not nested in another block), in order. */
  getChildBlocks(parent: BlockRV | LoopRV): BlockRV[];
}

/** `sch.getBlock(name)`. */
export const GET_BLOCK: InstructionKind<{ name: string }> = registerInstruction<{ name: string }>({
  name: "GetBlock",
  apply(sch, _inputs, attrs) {
    if (!findBlock(sch.func, attrs.name)) {
      throw sch.error(
        "SCHEDULE_NO_BLOCK",
        `Cannot find block "${attrs.name}" in function "${sch.funcName}"`,
        { hint: "block names are printed after `block` in sch.show()" },
      );
    }
    return [sch.newBlockRV(attrs.name)];
  },
  toScript: (p) => scriptCall("getBlock", [literal(p.attrs.name)], p.outputs, true),
});

/** `sch.getLoops(block)`. */
export const GET_LOOPS: InstructionKind<Record<string, never>> = registerInstruction<
  Record<string, never>
>({
  name: "GetLoops",
  apply(sch, inputs) {
    const loc = sch.blockOf(asBlock(sch, inputs[0]));
    return loopsAbove(loc.path).map((l) => sch.newLoopRV(l.loopVar));
  },
  toScript: (p) => scriptCall("getLoops", p.inputs, p.outputs),
});

/** `sch.getChildBlocks(parent)`. */
export const GET_CHILD_BLOCKS: InstructionKind<Record<string, never>> = registerInstruction<
  Record<string, never>
>({
  name: "GetChildBlocks",
  apply(sch, inputs) {
    const rv = asBlockOrLoop(sch, inputs[0]);
    const s = rv.kind === "BlockRV" ? sch.blockOf(rv).realize : sch.loopOf(rv).loop;
    return childBlocks(s).map((r) => sch.newBlockRV(r.block.name));
  },
  toScript: (p) => scriptCall("getChildBlocks", p.inputs, p.outputs),
});

Schedule.prototype.getBlock = function (this: Schedule, name: string): BlockRV {
  return this.apply(GET_BLOCK, [], { name })[0] as BlockRV;
};
Schedule.prototype.getLoops = function (this: Schedule, block: BlockRV): LoopRV[] {
  return this.apply(GET_LOOPS, [block], {}) as LoopRV[];
};
Schedule.prototype.getChildBlocks = function (
  this: Schedule,
  parent: BlockRV | LoopRV,
): BlockRV[] {
  return this.apply(GET_CHILD_BLOCKS, [parent], {}) as BlockRV[];
};
