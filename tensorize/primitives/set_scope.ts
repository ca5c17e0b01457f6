/**
 * `setScope(block, bufferIndex, scope)`: put the buffer a block writes (its `bufferIndex`-th
 * write region) in another memory scope. Scopes are open: any name a target defines
 * (`global`, `local`, `shared`, `npu.acc`, …); checking that the buffer fits the scope's
 * capacity is the target's business at build time. TVM's `set_scope`.
 *
 * ```text
 * alloc T: buffer<float32>[16]      →      alloc T: buffer<float32>[16](scope: "local")
 * ```
 *
 * Legality: the buffer must be intermediate — allocated by a block, not a parameter
 * (`SCHEDULE_PARAM_BUFFER`); the index must name a write region (`SCHEDULE_BAD_BUFFER_INDEX`);
 * the scope a name of letters, digits, `_` and `.` (`SCHEDULE_BAD_SCOPE`, as for cache stages).
 *
 * @module
 */
import type { PrimFunc } from "../../ir/func.ts";
import { replaceBuffer, requireIntermediate, resolveBuffer } from "../analysis/buffers.ts";
import { findBlock } from "../analysis/find.ts";
import { scheduleError } from "../errors.ts";
import { type InstructionKind, literal, registerInstruction, scriptCall } from "../instruction.ts";
import { Schedule } from "../schedule.ts";
import type { BlockRV } from "../rv.ts";
import { asBlock } from "./inputs.ts";

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface SetScopeMethods {
  /**
   * Put the buffer `block` writes at `bufferIndex` in memory scope `scope`.
   *
   * @example
   * ```ts ignore
   * sch.setScope(b0, 0, "local");
   * ```
   */
  setScope(block: BlockRV, bufferIndex: number, scope: string): void;
}

/** Set the scope of the `bufferIndex`-th buffer block `blockName` of `f` writes (pure). */
export function setScope(
  f: PrimFunc,
  blockName: string,
  bufferIndex: number,
  scope: string,
): PrimFunc {
  const loc = findBlock(f, blockName);
  if (!loc) throw scheduleError(f, "SCHEDULE_NO_BLOCK", `Cannot find block "${blockName}"`);
  const buf = resolveBuffer(f, loc.block, ["write", bufferIndex]);
  requireIntermediate(f, loc.block, buf, "set the scope of");
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(scope)) {
    throw scheduleError(
      f,
      "SCHEDULE_BAD_SCOPE",
      `Cannot put buffer "${buf.name}" in scope ${
        JSON.stringify(scope)
      }: a scope is a name of letters, digits, _ and .`,
      { block: blockName },
    );
  }
  if (buf.scope === scope) return f;
  return replaceBuffer(f, buf, { buffer: { ...buf, scope } });
}

/** Attributes of `SetScope`. */
export interface SetScopeAttrs {
  /** Index of the block's write region. */
  readonly bufferIndex: number;
  /** The new scope. */
  readonly scope: string;
}

/** `sch.setScope(block, bufferIndex, scope)`. */
export const SET_SCOPE: InstructionKind<SetScopeAttrs> = registerInstruction<SetScopeAttrs>({
  name: "SetScope",
  apply(sch, inputs, attrs) {
    const name = sch.blockOf(asBlock(sch, inputs[0])).block.name;
    sch.setFunc(setScope(sch.func, name, attrs.bufferIndex, attrs.scope));
    return [];
  },
  toScript: (p) =>
    scriptCall("setScope", [p.inputs[0], literal(p.attrs.bufferIndex), literal(p.attrs.scope)], []),
});

Schedule.prototype.setScope = function (
  this: Schedule,
  block: BlockRV,
  bufferIndex: number,
  scope: string,
): void {
  this.apply(SET_SCOPE, [block], { bufferIndex, scope });
};
