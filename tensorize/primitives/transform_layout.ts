/**
 * `transformLayout(block, buffer, indexMap, options)`: change a buffer's layout — its shape
 * becomes the map's image of the old shape, and every access in the function, `B[idx]`, becomes
 * `B[map(idx)]`; read/write regions are mapped too (relaxed when they are not points). TVM's
 * `transform_layout`.
 *
 * ```text
 * alloc T: buffer<float32>[4, 8]                        alloc T: buffer<float32>[2, 4, 4]
 * T[vi, vj] = …                         (i, j) =>       T[vj // 4, vi, vj %% 4] = …
 * … = T[vi, vj] …                  [j // 4, i, j %% 4]  … = T[vj // 4, vi, vj %% 4] …
 * ```
 *
 * The buffer is named from the block (`["read", k]`, `["write", k]` or its name). Rules:
 * - the map must be an injective affine map on the buffer's shape (`SCHEDULE_INDEX_MAP`);
 * - a map that is not onto its output box (a split that does not divide) pads the buffer; this
 *   needs `padValue`, written to the padding by a new block after the buffer's last producer
 *   (`SCHEDULE_LAYOUT_PADDING` without it);
 * - a parameter buffer changes the function's signature (callers must pass data in the new
 *   layout), so it is refused (`SCHEDULE_PARAM_BUFFER`) unless `allowParams` is set; a
 *   parameter with explicit strides or offset is refused always (`SCHEDULE_STRIDED_BUFFER`).
 *
 * @module
 */
import { ScheduleError } from "../../ir/errors.ts";
import { add, constant, type PrimExpr, sub, type Var, variable } from "../../ir/expr.ts";
import { substitute } from "../../ir/transform/mod.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { type Buffer, bufferRegion, bufferStore, type Range, range } from "../../ir/stmt.ts";
import { analyzerFor } from "../analysis/bindings.ts";
import {
  analyzerForAll,
  type BufferRef,
  isParamBuffer,
  replaceBuffer,
  requireIntermediate,
  resolveBuffer,
} from "../analysis/buffers.ts";
import { blocksUnder, findBlock } from "../analysis/find.ts";
import { relaxExpr } from "../../ir/transform/relax.ts";
import { insertStages, pointwiseNest, stageOf, uniqueBlockName } from "../analysis/stages.ts";
import { scheduleError } from "../errors.ts";
import { IndexMap, type IndexMapLike, indexMapText, parseIndexMap } from "../index_map.ts";
import { type InstructionKind, literal, registerInstruction, scriptCall } from "../instruction.ts";
import { Schedule } from "../schedule.ts";
import type { BlockRV } from "../rv.ts";
import { asBlock } from "./inputs.ts";
import type { Analyzer } from "../../ir/arith/mod.ts";
import { sizeVars } from "../../ir/func.ts";

/** Options of `transformLayout`. */
export interface TransformLayoutOptions {
  /** Value written to the padding a non-surjective map introduces (required then). */
  readonly padValue?: number;
  /** Allow transforming a parameter buffer (changes the function's signature). */
  readonly allowParams?: boolean;
}

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface TransformLayoutMethods {
  /**
   * Transform the layout of a buffer of `block` (`["read", k]`, `["write", k]` or its name)
   * by an index map (an `IndexMap` or its text), everywhere in the function.
   *
   * @example
   * ```ts ignore
   * sch.transformLayout(b0, ["write", 0], "(i, j) => [j // 4, i, j %% 4]");
   * ```
   */
  transformLayout(
    block: BlockRV,
    buffer: BufferRef,
    map: IndexMapLike,
    options?: TransformLayoutOptions,
  ): void;
}

/** A `ScheduleError` from an index map, re-made about `f` (path, rendering). */
export function mapError(f: PrimFunc, block: string, e: unknown): unknown {
  if (!(e instanceof ScheduleError) || e.path !== undefined) return e;
  return scheduleError(f, e.code, e.message, { block, hint: e.hint });
}

/**
 * Transform the layout of a buffer of block `blockName` of `f` (pure).
 */
export function transformLayout(
  f: PrimFunc,
  blockName: string,
  ref: BufferRef,
  map: IndexMap,
  options: TransformLayoutOptions = {},
): PrimFunc {
  const loc = findBlock(f, blockName);
  if (!loc) throw scheduleError(f, "SCHEDULE_NO_BLOCK", `Cannot find block "${blockName}"`);
  const buf = resolveBuffer(f, loc.block, ref);
  const action = "transform the layout of";
  if (!options.allowParams || !isParamBuffer(f, buf)) {
    requireIntermediate(f, loc.block, buf, action);
  }
  const o = buf.elemOffset;
  if (buf.strides.length > 0 || o.kind !== "IntImm" || o.value !== 0) {
    throw scheduleError(
      f,
      "SCHEDULE_STRIDED_BUFFER",
      `Cannot ${action} buffer "${buf.name}": it has explicit strides or an offset`,
      { block: blockName },
    );
  }
  if (map.inputRank !== buf.shape.length) {
    throw scheduleError(
      f,
      "SCHEDULE_INDEX_MAP",
      `Cannot ${action} buffer "${buf.name}" by ${map}: the map takes ${map.inputRank} indices, the buffer has rank ${buf.shape.length}`,
      { block: blockName },
    );
  }
  let inv;
  try {
    inv = map.nonSurjectiveInverse(buf.shape, analyzerFor(f));
  } catch (e) {
    throw mapError(f, blockName, e);
  }
  if (!inv.bijective && options.padValue === undefined) {
    throw scheduleError(
      f,
      "SCHEDULE_LAYOUT_PADDING",
      `Cannot ${action} buffer "${buf.name}" by ${map}: its image does not fill the new shape [${
        inv.shape.map((d) => String(d.kind === "IntImm" ? d.value : "…")).join(", ")
      }], and no padValue says what the padding holds`,
      { block: blockName, hint: "pass { padValue: 0 } (or the identity of the consumer)" },
    );
  }
  const nb = { ...buf, shape: inv.shape };
  const ana = analyzerForAll(f);
  let g = replaceBuffer(f, buf, {
    buffer: nb,
    indices: (idx) => map.apply(idx, ana),
    region: (r) => mapRegion(map, r, ana, inv.shape),
  });
  if (!inv.bijective) g = addPaddingStage(g, nb, inv.inverse.vars, inv.padding, options.padValue!);
  return g;
}

/** A region mapped through `map`: points map to points, ranges are relaxed. */
function mapRegion(
  map: IndexMap,
  region: readonly Range[],
  ana: Analyzer,
  shape: readonly PrimExpr[],
): Range[] {
  const dom = new Map<Var, Range>();
  const points = region.map((r, k) => {
    if (r.extent.kind === "IntImm" && r.extent.value === 1) return r.min;
    const t = variable(`t${k}`, r.min.dtype);
    dom.set(t, range(0, r.extent));
    return add(r.min, t);
  });
  return map.apply(points, ana).map((e, k) => {
    if (dom.size === 0) return range(e, 1);
    const iv = relaxExpr(e, dom, ana);
    if (!iv) return range(0, shape[k]);
    return range(iv.lo, ana.simplify(add(sub(iv.hi, iv.lo), 1)));
  });
}

/** A block writing `value` to the padding of `nb`, after the buffer's last producer. */
function addPaddingStage(
  f: PrimFunc,
  nb: Buffer,
  ys: readonly Var[],
  padding: PrimExpr,
  value: number,
): PrimFunc {
  const producers = blocksUnder(f.body).filter((r) =>
    r.block.writes.some((w) => w.buffer === nb) && r.block.name !== "root"
  );
  const last = producers.at(-1);
  if (!last) return f; // an input: the caller passes the padded data
  const loc = findBlock(f, last.block.name)!;
  const at = stageOf(loc.path, loc.realize);
  if (!at) return f;
  const name = uniqueBlockName(f, `${nb.name}_pad_value`);
  const nest = pointwiseNest(nb.shape, (iters, loops) => ({
    block: {
      kind: "Block",
      name,
      iterVars: [],
      reads: [],
      writes: [bufferRegion(nb, iters.map((v) => range(v, 1)))],
      body: bufferStore(nb, constant(value, nb.dtype), iters),
      allocBuffers: [],
      annotations: {},
    },
    predicate: substitute(padding, new Map(ys.map((y, k) => [y, loops[k]]))),
  }));
  return insertStages(f, at, [], [nest]);
}

/** Attributes of `TransformLayout`. */
export interface TransformLayoutAttrs {
  /** The buffer. */
  readonly buffer: BufferRef;
  /** The index map's text. */
  readonly map: string;
  /** Pad value, if any. */
  readonly padValue?: number;
  /** Whether a parameter may be transformed. */
  readonly allowParams?: boolean;
}

/** Parse an index map's text over the function's sizes. */
export function mapOf(f: PrimFunc, text: string): IndexMap {
  return parseIndexMap(text, { vars: sizeVars(f) });
}

/** `mapOf` for an instruction on block `block`: a parse error names the block. */
export function mapAt(f: PrimFunc, block: string, text: string): IndexMap {
  try {
    return mapOf(f, text);
  } catch (e) {
    throw mapError(f, block, e);
  }
}

/** `sch.transformLayout(block, buffer, map, options)`. */
export const TRANSFORM_LAYOUT: InstructionKind<TransformLayoutAttrs> = registerInstruction<
  TransformLayoutAttrs
>({
  name: "TransformLayout",
  apply(sch, inputs, attrs) {
    const name = sch.blockOf(asBlock(sch, inputs[0])).block.name;
    const f = sch.func;
    const map = mapAt(f, name, attrs.map);
    sch.setFunc(transformLayout(f, name, attrs.buffer, map, attrs));
    return [];
  },
  attrsToJSON: (a) => ({ ...a, buffer: a.buffer as string | ["read" | "write", number] }),
  toScript: (p) => {
    const { buffer, map, ...options } = p.attrs;
    const args = [p.inputs[0], literal(buffer), literal(map)];
    if (Object.keys(options).length > 0) args.push(literal(options));
    return scriptCall("transformLayout", args, []);
  },
});

Schedule.prototype.transformLayout = function (
  this: Schedule,
  block: BlockRV,
  buffer: BufferRef,
  map: IndexMapLike,
  options: TransformLayoutOptions = {},
): void {
  const attrs: TransformLayoutAttrs = {
    buffer: typeof buffer === "string" ? buffer : [buffer[0], buffer[1]],
    map: indexMapText(map),
    ...(options.padValue !== undefined ? { padValue: options.padValue } : {}),
    ...(options.allowParams ? { allowParams: true } : {}),
  };
  this.apply(TRANSFORM_LAYOUT, [block], attrs);
};
