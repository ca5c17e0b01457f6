/**
 * `storageAlign(block, bufferIndex, axis, factor, offset)`: ask that the buffer `block` writes
 * at `bufferIndex` be laid out with `stride[axis] % factor == offset` (TVM's `storage_align`),
 * e.g. to pad the rows of a shared tile so that a column walk does not hit one bank. The request
 * is a block annotation (`buffer_dim_align: "index:axis:factor:offset"`, several joined by `;`)
 * that the `storage-align` lowering pass (`ir/transform/storage_align.ts`) turns into the
 * buffer's strides; what the function computes does not change.
 *
 * ```text
 * block B(…) {                     →     block B(…) @{ buffer_dim_align: "0:0:32:1" } {
 * ```
 *
 * Legality: the buffer must be intermediate (`SCHEDULE_PARAM_BUFFER`); the write index must
 * exist (`SCHEDULE_BAD_BUFFER_INDEX`); `0 ≤ axis < rank`, `factor ≥ 1` and `0 ≤ offset < factor`
 * (`SCHEDULE_STORAGE_ALIGN`). A second request for the same buffer and axis replaces the first.
 *
 * @module
 */
import type { PrimFunc } from "../../ir/func.ts";
import {
  formatStorageAlign,
  parseStorageAlign,
  STORAGE_ALIGN_KEY,
} from "../../ir/transform/storage_align.ts";
import { requireIntermediate, resolveBuffer } from "../analysis/buffers.ts";
import { findBlock, replaceStmt } from "../analysis/find.ts";
import { scheduleError } from "../errors.ts";
import { type InstructionKind, literal, registerInstruction, scriptCall } from "../instruction.ts";
import { Schedule } from "../schedule.ts";
import type { BlockRV } from "../rv.ts";
import { asBlock } from "./inputs.ts";

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface StorageAlignMethods {
  /**
   * Align the stride of dimension `axis` of the buffer `block` writes at `bufferIndex`:
   * `stride % factor == offset`.
   *
   * @example
   * ```ts ignore
   * sch.storageAlign(b0, 0, 0, 32, 1);
   * ```
   */
  storageAlign(
    block: BlockRV,
    bufferIndex: number,
    axis: number,
    factor: number,
    offset: number,
  ): void;
}

/** Annotate block `blockName` of `f` with a storage alignment request (pure). */
export function storageAlign(
  f: PrimFunc,
  blockName: string,
  bufferIndex: number,
  axis: number,
  factor: number,
  offset: number,
): PrimFunc {
  const loc = findBlock(f, blockName);
  if (!loc) throw scheduleError(f, "SCHEDULE_NO_BLOCK", `Cannot find block "${blockName}"`);
  const b = loc.block;
  const buf = resolveBuffer(f, b, ["write", bufferIndex]);
  requireIntermediate(f, b, buf, "align the storage of");
  const rank = buf.shape.length;
  const bad = (why: string) =>
    scheduleError(
      f,
      "SCHEDULE_STORAGE_ALIGN",
      `Cannot align the storage of buffer "${buf.name}": ${why}`,
      { block: blockName },
    );
  if (!Number.isInteger(axis) || axis < 0 || axis >= rank) {
    throw bad(`axis ${axis} is outside its rank ${rank}`);
  }
  if (!Number.isInteger(factor) || factor < 1) throw bad(`factor ${factor} is not positive`);
  if (!Number.isInteger(offset) || offset < 0 || offset >= factor) {
    throw bad(`offset ${offset} is not in [0, ${factor})`);
  }
  const old = b.annotations[STORAGE_ALIGN_KEY];
  const entries = typeof old === "string" ? parseStorageAlign(old) : [];
  const kept = entries.filter((e) => e.bufferIndex !== bufferIndex || e.axis !== axis);
  const value = formatStorageAlign([...kept, { bufferIndex, axis, factor, offset }]);
  return replaceStmt(f, b, { ...b, annotations: { ...b.annotations, [STORAGE_ALIGN_KEY]: value } });
}

/** Attributes of `StorageAlign`. */
export interface StorageAlignAttrs {
  /** Index of the block's write region. */
  readonly bufferIndex: number;
  /** Dimension whose stride is aligned. */
  readonly axis: number;
  /** Alignment factor. */
  readonly factor: number;
  /** Wanted remainder. */
  readonly offset: number;
}

/** `sch.storageAlign(block, bufferIndex, axis, factor, offset)`. */
export const STORAGE_ALIGN: InstructionKind<StorageAlignAttrs> = registerInstruction<
  StorageAlignAttrs
>({
  name: "StorageAlign",
  apply(sch, inputs, a) {
    const name = sch.blockOf(asBlock(sch, inputs[0])).block.name;
    sch.setFunc(storageAlign(sch.func, name, a.bufferIndex, a.axis, a.factor, a.offset));
    return [];
  },
  toScript: (p) =>
    scriptCall(
      "storageAlign",
      [
        p.inputs[0],
        ...[p.attrs.bufferIndex, p.attrs.axis, p.attrs.factor, p.attrs.offset].map(
          literal,
        ),
      ],
      [],
    ),
});

Schedule.prototype.storageAlign = function (
  this: Schedule,
  block: BlockRV,
  bufferIndex: number,
  axis: number,
  factor: number,
  offset: number,
): void {
  this.apply(STORAGE_ALIGN, [block], { bufferIndex, axis, factor, offset });
};
