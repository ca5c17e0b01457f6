/**
 * Pad regions: the zero-padding stage of a convolution (`<conv>_pad`, a separate block in the
 * operator library) run on the NPU (`pad_program.ts`) instead of the host.
 *
 * A pad region is `P = pad(X, before, after, 0)` over whole buffers, with the padding on one
 * dimension or two adjacent ones (a conv's rows and columns). It stands for the block
 *
 * ```text
 * P[i…] = select(∧_d before_d ≤ i_d < before_d + X_d, X[i − before], 0)
 * ```
 *
 * exactly as `ir/ops` `pad` writes it (the condition is rebuilt with the same constructors and
 * compared structurally). Only pad blocks whose output is the data of a contraction region
 * (`conv_plan.ts`) become pad regions: then the whole padded convolution runs on the NPU.
 *
 * The region's name says everything (`padName` / `parsePadName`), so the codegen rebuilds it from
 * a marker alone; its description is the ops library's `pad` itself, so markers run in the
 * reference interpreter.
 *
 * @module
 */
import { add, and, bool, ge, int, lt, type PrimExpr, sub } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { pad } from "../../ir/ops/transform.ts";
import { simplify } from "../../ir/arith/mod.ts";
import type { Block, Buffer, For } from "../../ir/stmt.ts";
import { structuralEqual } from "../../ir/structural.ts";
import { createPrimFunc, placeholder } from "../../ir/te.ts";
import { defineIntrinsic, type Intrinsic } from "../../sdk/intrinsic.ts";
import { blocksUnder, blocksUnderWithLoops, childBlocks } from "../../tensorize/analysis/find.ts";
import type { OperandMap } from "../../tensorize/auto/mod.ts";
import type { NpuConfig } from "./config.ts";
import type { NpuIntrinsicImpl } from "./intrinsics.ts";
import { isZeroConst, ownLoops } from "./offload_plan.ts";
import { choosePadSchedule, type PadSpec } from "./pad_program.ts";
import type { NpuDType } from "./isa.ts";

/** What a pad region's name says. */
export interface PadKey {
  /** Chip name (sanitised). */
  readonly chip: string;
  /** Element type of X and P. */
  readonly dtype: NpuDType;
  /** Shape of X. */
  readonly shape: readonly number[];
  /** Zeros before each dimension. */
  readonly before: readonly number[];
  /** Zeros after each dimension. */
  readonly after: readonly number[];
  /** The block it came from. */
  readonly block: string;
}

const DTS: readonly NpuDType[] = ["int8", "int32", "float16", "float32"];

/** The region intrinsic's name. */
export function padName(key: PadKey): string {
  return `${key.chip}.pad.${key.dtype}.${key.shape.join("x")}.${key.before.join("x")}.${
    key.after.join("x")
  }.${key.block.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

const NAME =
  /^([A-Za-z0-9_]+)\.pad\.(int8|int32|float16|float32)\.([\dx]+)\.([\dx]+)\.([\dx]+)\.(.+)$/;

/** Parse a pad region's name (undefined when it is not one). */
export function parsePadName(name: string): PadKey | undefined {
  const r = NAME.exec(name);
  if (!r) return undefined;
  const nums = (s: string) => s.split("x").map(Number);
  const [shape, before, after] = [nums(r[3]), nums(r[4]), nums(r[5])];
  if (before.length !== shape.length || after.length !== shape.length) return undefined;
  return { chip: r[1], dtype: r[2] as NpuDType, shape, before, after, block: r[6] };
}

/**
 * The description: the ops library's `pad` of an X of the key's shape (parameters X, P).
 *
 * @example
 * ```ts
 * import { padDescription } from "./pad_region.ts";
 * const f = padDescription({
 *   chip: "x", dtype: "int8", shape: [1, 2, 3, 3], before: [0, 0, 1, 1], after: [0, 0, 1, 1], block: "P",
 * });
 * console.assert(f.params.length === 2);
 * ```
 */
export function padDescription(key: PadKey): PrimFunc {
  const X = placeholder([...key.shape], key.dtype, "X");
  const P = pad(X, key.before, key.after, 0, { name: "P" });
  return createPrimFunc([X, P], "npu_pad");
}

const REGIONS = new Map<string, Intrinsic<NpuIntrinsicImpl>>();

/** The pad region intrinsic of a key, made once per name. */
export function padIntrinsic(key: PadKey): Intrinsic<NpuIntrinsicImpl> {
  const name = padName(key);
  let r = REGIONS.get(name);
  if (!r) {
    r = defineIntrinsic<NpuIntrinsicImpl>({
      name,
      description: padDescription(key),
      implementation: { command: "DMA", op: "pad" },
      operandScopes: {},
      cost: { cycles: 0 },
    });
    REGIONS.set(name, r);
  }
  return r;
}

/**
 * The key's padding as a `slices × rows × cols` copy (`pad_program.ts`) for compact row-major X
 * and P at address 0; undefined when the padding is not on one dimension or two adjacent ones.
 */
export function padSpecOf(key: PadKey): PadSpec | undefined {
  const r = key.shape.length;
  const padded = key.shape.map((_, d) => d).filter((d) => key.before[d] + key.after[d] > 0);
  if (!padded.length) return undefined;
  const w = padded[padded.length - 1], h = w - 1;
  if (padded.some((d) => d < h)) return undefined;
  const prod = (a: number, b: number) => key.shape.slice(a, b).reduce((x, y) => x * y, 1);
  const inner = prod(w + 1, r), slices = h < 0 ? 1 : prod(0, h);
  const rows = h < 0 ? 1 : key.shape[h], cols = key.shape[w] * inner;
  const top = h < 0 ? 0 : key.before[h], bottom = h < 0 ? 0 : key.after[h];
  const left = key.before[w] * inner, right = key.after[w] * inner;
  const colsP = left + cols + right, rowsP = top + rows + bottom;
  return {
    dtype: key.dtype,
    slices,
    rows,
    cols,
    pad: { top, bottom, left, right },
    src: { address: 0, sliceStride: rows * cols, rowStride: cols },
    dst: { address: 0, sliceStride: rowsP * colsP, rowStride: colsP },
  };
}

/** A pad block that becomes a pad region. */
export interface PadPlan {
  /** The pad block. */
  readonly block: Block;
  /** Its loops, outermost first. */
  readonly loops: readonly For[];
  /** The region. */
  readonly key: PadKey;
  /** Operand maps in description parameter order (X, P). */
  readonly operands: readonly OperandMap[];
}

const constShape = (b: Buffer) =>
  b.shape.every((d) => d.kind === "IntImm")
    ? b.shape.map((d) => (d as { value: number }).value)
    : undefined;

/** The padding of `P[v…] = select(cond, X[v − before], 0)`, checked against `pad`'s own form. */
function matchPad(block: Block): { x: Buffer; before: number[]; after: number[] } | undefined {
  const st = block.body;
  if (st.kind !== "BufferStore" || block.init) return undefined;
  const vars = block.iterVars.map((iv) => iv.v);
  if (block.iterVars.some((iv) => iv.iterKind !== "spatial")) return undefined;
  if (st.indices.length !== vars.length || st.indices.some((e, d) => e !== vars[d])) {
    return undefined;
  }
  const v = st.value;
  if (v.kind !== "Select" || !isZeroConst(v.f) || v.t.kind !== "BufferLoad") return undefined;
  const x = v.t.buffer, P = st.buffer;
  const xs = constShape(x), ps = constShape(P);
  if (!xs || !ps || x === P || x.dtype !== P.dtype || xs.length !== ps.length) return undefined;
  const before: number[] = [];
  for (let d = 0; d < xs.length; d++) {
    const off = simplify(sub(vars[d], v.t.indices[d]));
    if (off.kind !== "IntImm" || off.value < 0) return undefined;
    before.push(off.value);
  }
  const after = ps.map((p, d) => p - xs[d] - before[d]);
  if (after.some((a) => a < 0)) return undefined;
  if (
    block.iterVars.some((iv, d) => {
      const e = iv.dom.extent;
      return e.kind !== "IntImm" || e.value !== ps[d];
    })
  ) return undefined;
  // the condition `pad` writes, rebuilt with the same constructors
  let inside: PrimExpr = bool(true);
  vars.forEach((i, k) => {
    if (before[k] > 0) inside = and(inside, ge(i, before[k]));
    if (after[k] > 0) inside = and(inside, lt(i, add(int(xs[k]), before[k])));
  });
  if (!structuralEqual(inside, v.cond)) return undefined;
  return { x, before, after };
}

/**
 * The pad blocks of `f` writing one of `data` (the data buffers of contraction regions) that the
 * NPU runs (see the module doc).
 *
 * @example
 * ```ts ignore
 * const pads = planPads(f, REFERENCE_NPU, new Set(convs.map((p) => p.operands[0].buffer)));
 * ```
 */
export function planPads(
  f: PrimFunc,
  config: NpuConfig,
  data: ReadonlySet<Buffer>,
): PadPlan[] {
  const out: PadPlan[] = [];
  for (const { realize, loops } of blocksUnderWithLoops(f.body)) {
    const block = realize.block;
    if (block.name === "root" || childBlocks(block.body).length) continue;
    if (block.body.kind !== "BufferStore" || !data.has(block.body.buffer)) continue;
    const own = ownLoops(block, realize.iterValues, loops);
    const pred = realize.predicate;
    if (!own || !own.length || !(pred.kind === "IntImm" && pred.value === 1)) continue;
    if (blocksUnder(own[0]).length !== 1) continue;
    const m = matchPad(block);
    if (!m || !DTS.includes(m.x.dtype as NpuDType)) continue;
    const P = block.body.buffer;
    const key: PadKey = {
      chip: config.name.replace(/[^A-Za-z0-9_]/g, "_"),
      dtype: m.x.dtype as NpuDType,
      shape: constShape(m.x)!,
      before: m.before,
      after: m.after,
      block: block.name,
    };
    const spec = padSpecOf(key);
    if (!spec || !choosePadSchedule(config, spec)) continue;
    const params = padIntrinsic(key).description.params.filter((p): p is Buffer =>
      p.kind === "Buffer"
    );
    const ident = (b: Buffer): OperandMap["cols"] =>
      b.shape.map((_, d) => b.shape.map((_, j) => (j === d ? 1 : 0)));
    const zeros = (b: Buffer) => b.shape.map(() => int(0) as PrimExpr);
    out.push({
      block,
      loops: own,
      key,
      operands: [
        { param: params[0], buffer: m.x, base: zeros(m.x), cols: ident(m.x) },
        { param: params[1], buffer: P, base: zeros(P), cols: ident(P) },
      ],
    });
  }
  return out;
}
