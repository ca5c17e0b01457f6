/**
 * What the default schedules need to know about a block: its loop nest (one loop per iteration
 * variable, as the DSL builds it), the store it makes, the loads it reads, and its class —
 * injective, transpose-like, GEMM-like, conv, pooling, or another reduction (after TVM DLight's
 * `normalize_prim_func` + `BlockInfo`).
 *
 * Only "plain" blocks are analysed: the loops above the block (up to the enclosing block) hold
 * only it, each binds exactly one iteration variable, directly, from 0, and the block has no
 * predicate. A block that a schedule already touched is not plain, and the rules leave it alone.
 *
 * @module
 */
import { type BufferLoad, isConst, type PrimExpr, type Var } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { visit } from "../../ir/node.ts";
import type { Block, BlockRealize, Buffer, BufferStore, For, IterVar } from "../../ir/stmt.ts";
import { sameExpr } from "../../ir/transform/same_expr.ts";
import { findBlock, loopsAbove } from "../analysis/find.ts";

/** The classes of blocks the rules tell apart. */
export type BlockKind =
  | "injective"
  | "transpose"
  | "gemm"
  | "conv"
  | "pool"
  | "reduction"
  | "opaque";

/** One loop of a plain block's nest with the iteration variable it binds. */
export interface Axis {
  /** The loop. */
  readonly loop: For;
  /** The iteration variable bound to the loop's variable. */
  readonly iter: IterVar;
  /** Spatial or reduction. */
  readonly reduce: boolean;
  /** The extent when constant. */
  readonly extent: number | undefined;
}

/** A multiply-accumulate `acc = acc + a·b` (operands possibly cast or padded by a select). */
export interface MultiplyAccumulate {
  /** The first operand's load. */
  readonly a: BufferLoad;
  /** The second operand's load. */
  readonly b: BufferLoad;
}

/** The analysis of a plain block. */
export interface BlockInfo {
  /** Block name. */
  readonly name: string;
  /** Its class. */
  readonly kind: BlockKind;
  /** The block. */
  readonly block: Block;
  /** Its realize. */
  readonly realize: BlockRealize;
  /** The loops above it, outermost first. */
  readonly axes: readonly Axis[];
  /** Its one store. */
  readonly store: BufferStore;
  /** The loads of the stored value, without the accumulator's own load in a reduction. */
  readonly loads: readonly BufferLoad[];
  /** The two operands when the block is a multiply-accumulate reduction. */
  readonly mac?: MultiplyAccumulate;
}

/** How an access uses a variable. */
export type AccessUse = "none" | "contiguous" | "strided";

/**
 * The constant coefficient of `v` in `e` when `e` is affine in `v` (0 when `e` does not use
 * it), or undefined.
 *
 * @example
 * ```ts
 * import { coefficientOf } from "./block_info.ts";
 * import { add, mul, variable } from "../../ir/expr.ts";
 * const i = variable("i"), j = variable("j");
 * console.assert(coefficientOf(add(mul(i, 3), j), i) === 3);
 * ```
 */
export function coefficientOf(e: PrimExpr, v: Var): number | undefined {
  if (e === v) return 1;
  if (!uses(e, v)) return 0;
  if (e.kind === "Binary" && (e.op === "add" || e.op === "sub")) {
    const a = coefficientOf(e.a, v), b = coefficientOf(e.b, v);
    if (a === undefined || b === undefined) return undefined;
    return e.op === "add" ? a + b : a - b;
  }
  if (e.kind === "Binary" && e.op === "mul") {
    if (isConst(e.b)) {
      const a = coefficientOf(e.a, v);
      return a === undefined ? undefined : a * e.b.value;
    }
    if (isConst(e.a)) {
      const b = coefficientOf(e.b, v);
      return b === undefined ? undefined : b * e.a.value;
    }
  }
  return undefined;
}

/** Whether `e` mentions `v`. */
export function uses(e: PrimExpr, v: Var): boolean {
  let found = false;
  visit(e, (n) => {
    if (n === v) found = true;
    return !found;
  });
  return found;
}

/**
 * How an access (its indices) uses `v`: not at all, only in the last index with coefficient 1
 * (a vector of consecutive elements), or otherwise.
 */
export function accessUse(indices: readonly PrimExpr[], v: Var): AccessUse {
  const using = indices.map((e) => uses(e, v));
  if (!using.some(Boolean)) return "none";
  const last = indices.length - 1;
  if (using.slice(0, last).some(Boolean)) return "strided";
  return coefficientOf(indices[last], v) === 1 ? "contiguous" : "strided";
}

/** The loads of an expression, in order. */
export function loadsOf(e: PrimExpr): BufferLoad[] {
  const out: BufferLoad[] = [];
  visit(e, (n) => {
    if (n.kind === "BufferLoad") out.push(n);
  });
  return out;
}

function sameIndices(a: readonly PrimExpr[], b: readonly PrimExpr[]): boolean {
  return a.length === b.length && a.every((x, k) => sameExpr(x, b[k]));
}

/** The accumulator load `acc` of `acc ⊕ x` when the store updates its own place. */
function selfLoad(store: BufferStore): { rest: PrimExpr; op: string } | undefined {
  const v = store.value;
  if (v.kind !== "Binary") return undefined;
  const isAcc = (e: PrimExpr) =>
    e.kind === "BufferLoad" && e.buffer === store.buffer && sameIndices(e.indices, store.indices);
  if (isAcc(v.a)) return { rest: v.b, op: v.op };
  if (isAcc(v.b) && v.op !== "sub") return { rest: v.a, op: v.op };
  return undefined;
}

/** The load an operand reads: itself, under a cast, or under a padding `select(c, x, k)`. */
function operandLoad(e: PrimExpr): BufferLoad | undefined {
  if (e.kind === "Cast") return operandLoad(e.value);
  if (e.kind === "Select" && isConst(e.f)) return operandLoad(e.t);
  return e.kind === "BufferLoad" ? e : undefined;
}

function multiplyAccumulate(store: BufferStore): MultiplyAccumulate | undefined {
  const s = selfLoad(store);
  if (!s || s.op !== "add" || s.rest.kind !== "Binary" || s.rest.op !== "mul") return undefined;
  const a = operandLoad(s.rest.a), b = operandLoad(s.rest.b);
  return a && b ? { a, b } : undefined;
}

/** Whether an index mixes a spatial and a reduction variable (a sliding window). */
function windowed(loads: readonly BufferLoad[], spatial: readonly Var[], reduce: readonly Var[]) {
  return loads.some((l) =>
    l.indices.some((e) => spatial.some((v) => uses(e, v)) && reduce.some((v) => uses(e, v)))
  );
}

function classify(
  store: BufferStore,
  loads: readonly BufferLoad[],
  axes: readonly Axis[],
  mac: MultiplyAccumulate | undefined,
): BlockKind {
  const spatial = axes.filter((a) => !a.reduce).map((a) => a.iter.v);
  const reduce = axes.filter((a) => a.reduce).map((a) => a.iter.v);
  if (reduce.length === 0) {
    const inner = innerOutputVar(store, spatial);
    if (inner && loads.some((l) => accessUse(l.indices, inner) === "strided")) return "transpose";
    return "injective";
  }
  const window = windowed(loads, spatial, reduce);
  if (mac) return window ? "conv" : "gemm";
  if (window && selfLoad(store)) return "pool";
  return "reduction";
}

/** The spatial variable the store's last index is, if any. */
export function innerOutputVar(store: BufferStore, spatial: readonly Var[]): Var | undefined {
  const last = store.indices[store.indices.length - 1];
  return last && last.kind === "Var" && spatial.includes(last) ? last : undefined;
}

function plainAxes(realize: BlockRealize, loops: readonly For[]): Axis[] | undefined {
  const ivs = realize.block.iterVars;
  if (loops.length !== ivs.length) return undefined;
  const axes: Axis[] = [];
  for (const loop of loops) {
    const k = realize.iterValues.findIndex((x) => x === loop.loopVar);
    if (k < 0 || !isConst(loop.min, 0) || !isConst(ivs[k].dom.min, 0)) return undefined;
    if (loop.forKind !== "serial" || Object.keys(loop.annotations).length > 0) return undefined;
    const extent = loop.extent.kind === "IntImm" ? loop.extent.value : undefined;
    axes.push({ loop, iter: ivs[k], reduce: ivs[k].iterKind === "reduce", extent });
  }
  return axes;
}

/** Whether each loop of the nest holds only the next one (and the innermost only the block). */
function soleNest(loops: readonly For[], realize: BlockRealize): boolean {
  return loops.every((l, k) => l.body === (loops[k + 1] ?? realize));
}

/**
 * The analysis of block `name` of `f`, or undefined when the block is not plain.
 *
 * @example
 * ```ts
 * import { analyzeBlock } from "./block_info.ts";
 * import { matmulFunc } from "../testing.ts";
 * console.assert(analyzeBlock(matmulFunc(), "C")?.kind === "gemm");
 * ```
 */
export function analyzeBlock(f: PrimFunc, name: string): BlockInfo | undefined {
  const loc = findBlock(f, name);
  if (!loc || loc.block.name === "root") return undefined;
  const { realize, block } = loc;
  if (!isConst(realize.predicate, 1) || block.allocBuffers.length > 0) return undefined;
  if (block.body.kind !== "BufferStore") return undefined;
  const loops = loopsAbove(loc.path);
  const axes = plainAxes(realize, loops);
  if (!axes || !soleNest(loops, realize)) return undefined;
  const store = block.body;
  const self = selfLoad(store);
  const hasReduce = axes.some((a) => a.reduce);
  if (hasReduce && (!self || !block.init)) {
    return info(name, "opaque", block, realize, axes, store, loadsOf(store.value));
  }
  const loads = loadsOf(hasReduce && self ? self.rest : store.value);
  const mac = hasReduce ? multiplyAccumulate(store) : undefined;
  const kind = classify(store, loads, axes, mac);
  return info(name, kind, block, realize, axes, store, loads, mac);
}

function info(
  name: string,
  kind: BlockKind,
  block: Block,
  realize: BlockRealize,
  axes: readonly Axis[],
  store: BufferStore,
  loads: readonly BufferLoad[],
  mac?: MultiplyAccumulate,
): BlockInfo {
  return { name, kind, block, realize, axes, store, loads, ...(mac ? { mac } : {}) };
}

/** Every access of the block (the store's indices first), as `[buffer, indices]`. */
export function accessesOf(b: BlockInfo): { buffer: Buffer; indices: readonly PrimExpr[] }[] {
  return [{ buffer: b.store.buffer, indices: b.store.indices }, ...b.loads];
}
