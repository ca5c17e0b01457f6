/**
 * Operand packing for auto-tensorization: an intrinsic that names a tile layout for an operand
 * (`operandLayouts`, e.g. `{ B: [1, 0] }` for a `[k, n]` tile stored column by column) gets that
 * operand copied into a tile-major buffer (`cacheRead` + `transformLayout`), so each execution
 * reads one compact tile and consecutive reduction steps read consecutive tiles:
 *
 * ```text
 * X[a₀, …]  →  Xp[untiled aₑ…, a_s // T_s (spatial tile dims)…, a_r // T_r (reduction tile dims)…,
 *                 a_t %% T_t (tile dims in the intrinsic's order)…]
 * matmul B[k, n], cpu.mma_i8 (k 2, n 8, order [n, k]):  Bp[n // 8, k // 2, n %% 8, k %% 2]
 * ```
 *
 * An operand is packable when each description dimension `t` maps onto its own buffer dimension
 * `d` with unit step and the tile starts at index 0 there (`base[d] = 0`): a plain iterator, so
 * every tile is aligned once the extents are padded. A conv input read at `x + s` is not
 * (tiles straddle); it stays in place, read with its strides.
 *
 * @module
 */
import "../primitives/cache_read_write.ts";
import "../primitives/transform_layout.ts";
import "../primitives/for_kind.ts";
import type { Buffer } from "../../ir/stmt.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import type { BlockRV } from "../rv.ts";
import type { Schedule } from "../schedule.ts";
import type { Correspondence, OperandMap } from "./correspond.ts";
import type { Einsum } from "./einsum.ts";
import { constShape } from "./marker.ts";

/** How one operand is packed: per description dimension, its buffer dimension and tile extent. */
export interface PackPlan {
  /** The description's buffer. */
  readonly param: Buffer;
  /** The block buffer packed. */
  readonly buffer: Buffer;
  /** The index map text for `transformLayout`. */
  readonly map: string;
  /**
   * The copy's loop nest in packed order: per buffer dimension, its tile extent (1: untiled), and
   * the order of the loops after splitting each tiled one into (outer, inner) — `[d, "outer" |
   * "inner"]` pairs — so the copy writes the packed buffer sequentially with affine indices.
   */
  readonly tiles: readonly number[];
  /** See `tiles`. */
  readonly loopOrder: readonly (readonly [number, "outer" | "inner"])[];
}

/** The buffer dimension a description dimension steps along (unit column), or -1. */
function unitDim(col: readonly number[]): number {
  const nz = col.flatMap((c, d) => (c === 0 ? [] : [d]));
  return nz.length === 1 && col[nz[0]] === 1 ? nz[0] : -1;
}

/**
 * The packing of `param` under correspondence `c`, or undefined when the intrinsic names no
 * layout for it or the operand is not packable (see the module doc).
 *
 * @example
 * ```ts ignore
 * const p = packPlan(intrinsic, desc, best, param); // p?.map: "(a0, a1) => [a1 // 8, …]"
 * ```
 */
export function packPlan(
  intrinsic: Intrinsic,
  desc: Einsum,
  c: Correspondence,
  param: Buffer,
): PackPlan | undefined {
  const order = intrinsic.operandLayouts?.[param.name];
  const op: OperandMap | undefined = c.operands.get(param);
  if (!order || !op) return undefined;
  const tile = constShape(param);
  const dims = op.cols.map(unitDim);
  const rank = op.buffer.shape.length;
  if (dims.some((d) => d < 0) || new Set(dims).size !== dims.length) return undefined;
  if (dims.some((d) => !(op.base[d].kind === "IntImm" && op.base[d].value === 0))) return undefined;
  // a tile dimension is a reduction one when the description's access indexes it by a reduce iter
  const reduceDim = dims.map((_, t) => isReduceDim(desc, param, t));
  const vs = Array.from({ length: rank }, (_, i) => `a${i}`);
  const untiled = vs.filter((_, d) => !dims.includes(d));
  const outer = (reduce: boolean) =>
    dims.flatMap((d, t) => (reduceDim[t] === reduce ? [`${vs[d]} // ${tile[t]}`] : []));
  const inner = order.map((t) => `${vs[dims[t]]} %% ${tile[t]}`);
  const out = [...untiled, ...outer(false), ...outer(true), ...inner];
  const tiles = vs.map((_, d) => (dims.includes(d) ? tile[dims.indexOf(d)] : 1));
  const outerOrder = (reduce: boolean) =>
    dims.flatMap((d, t) => (reduceDim[t] === reduce ? [[d, "outer"] as const] : []));
  const loopOrder = [
    ...vs.flatMap((_, d) => (dims.includes(d) ? [] : [[d, "outer"] as const])),
    ...outerOrder(false),
    ...outerOrder(true),
    ...order.map((t) => [dims[t], "inner"] as const),
  ];
  return {
    param,
    buffer: op.buffer,
    map: `(${vs.join(", ")}) => [${out.join(", ")}]`,
    tiles,
    loopOrder,
  };
}

/** Whether dimension `t` of description buffer `param` is indexed by a reduction iterator. */
function isReduceDim(desc: Einsum, param: Buffer, t: number): boolean {
  let reduce = false;
  const stack = [desc.store.value];
  while (stack.length) {
    const e = stack.pop()!;
    if (e.kind === "BufferLoad" && e.buffer === param) {
      const ix = e.indices[t];
      reduce = desc.iters.some((it) => it.kind === "reduce" && it.v === ix);
    } else if (e.kind === "Binary") stack.push(e.a, e.b);
    else if (e.kind === "Cast") stack.push(e.value);
  }
  return reduce;
}

/**
 * Tile elements of the operands `intrinsic` names a layout for that would not be packed under
 * `c` (larger tiles gain more from packing, so they weigh more).
 */
export function unpackable(intrinsic: Intrinsic, desc: Einsum, c: Correspondence): number {
  let n = 0;
  for (const name of Object.keys(intrinsic.operandLayouts ?? {})) {
    const param = [...c.operands.keys()].find((p) => p.name === name);
    if (param && !packPlan(intrinsic, desc, c, param)) {
      n += constShape(param).reduce((a, b) => a * b, 1);
    }
  }
  return n;
}

/**
 * Pack operand `plan.buffer` of block `block`: a copy at the root in `scope`, laid out by
 * `plan.map` (padding, if any, holds 0).
 */
export function applyPack(sch: Schedule, block: BlockRV, plan: PackPlan, scope: string): void {
  const k = sch.get(block).reads.findIndex((r) => r.buffer === plan.buffer);
  const stage = sch.cacheRead(block, k, scope);
  sch.transformLayout(stage, ["write", 0], plan.map, { padValue: 0 });
  const loops = sch.getLoops(stage);
  const parts = loops.map((l, d) =>
    plan.tiles[d] > 1 ? sch.split(l, [undefined, plan.tiles[d]]) : [l, l]
  );
  const order = plan.loopOrder.map(([d, part]) => parts[d][part === "outer" ? 0 : 1]);
  sch.reorder(...order);
  // The innermost copy loop reads contiguously when it runs along the buffer's last dimension.
  const [d, part] = plan.loopOrder[plan.loopOrder.length - 1];
  if (part === "inner" && d === plan.tiles.length - 1) sch.vectorize(order[order.length - 1]);
}
