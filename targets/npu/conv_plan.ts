/**
 * Which blocks become contraction regions (`conv_region.ts`): a leaf block
 * `O[…] = O[…] + acc(X[…]) · acc(Y[…])` (zero init, affine indices with constant coefficients)
 * whose iterators split into
 *
 * - reductions, read by both operands and not stored (a conv's input channels and taps),
 * - pixel iterators, read by the data operand only (a conv's output rows and columns; more than
 *   two: the outer ones stay host loops),
 * - one output-channel iterator, read by the weights only,
 * - iterators every buffer uses (a batch): host loops around the region,
 *
 * and that is a convolution-like GEMM (two pixel or two reduction iterators) or is followed by an
 * epilogue the ALU runs. The epilogue is the longest chain of element-wise blocks, each reading
 * only its predecessor's intermediate at the index it stores: `+ c`, `− c`, `· c`, `max(·, c)`,
 * `min(·, c)`, `⌊· / 2^s⌋` (integers), `+ bias[j]` (a vector along the output channels), and a
 * final cast to the stored dtype (int8/int32 from int32, float16/float32 from float32) —
 * bias + relu + shift-and-clip requantisation as the ops library writes them (`add`, `relu`,
 * `floorDiv`, `clip`, `cast`); found by `foldChain` (`conv_epilogue.ts`).
 *
 * @module
 */
import { simplify } from "../../ir/arith/mod.ts";
import { int, type PrimExpr, sub, type Var, variable } from "../../ir/expr.ts";
import { add, mul } from "../../ir/expr.ts";
import { rewrite, visit } from "../../ir/node.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { type Block, type Buffer, type For, type IterVar, iterVar, range } from "../../ir/stmt.ts";
import { structuralEqual } from "../../ir/structural.ts";
import { substitute } from "../../ir/transform/mod.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import { blocksUnder, blocksUnderWithLoops, childBlocks } from "../../tensorize/analysis/find.ts";
import { domainEinsum, type Einsum, type OperandMap } from "../../tensorize/auto/mod.ts";
import { modeBytes, type NpuConfig, type NpuMode, tileCapacity } from "./config.ts";
import { convIntrinsic, type ConvKey } from "./conv_region.ts";
import { accDtype, type NpuIntrinsicImpl } from "./intrinsics.ts";
import { chipId } from "./offload.ts";
import { isZeroConst, ownLoops } from "./offload_plan.ts";
import { type Access, foldChain, type Folded } from "./conv_epilogue.ts";

/** A block that becomes a contraction region, with the epilogue blocks folded into it. */
export interface ConvPlan {
  /** The contraction block. */
  readonly block: Block;
  /** Its loops, outermost first. */
  readonly loops: readonly For[];
  /** The region. */
  readonly key: ConvKey;
  /** Operand maps in description parameter order (D, W, Bias?, O). */
  readonly operands: readonly OperandMap[];
  /** The block's iteration variables that stay host loops. */
  readonly outer: readonly IterVar[];
  /**
   * Grouped and depthwise convolutions: the group iterator `g` (a host loop inside the block's
   * host loops) of the split `k = g·G + kk` of the output channels, the region covering `kk`.
   */
  readonly group?: IterVar;
  /** Outermost loops of the epilogue blocks folded in (removed from the function). */
  readonly folded: readonly For[];
  /** Names of the folded blocks. */
  readonly foldedBlocks: readonly string[];
}

type Coefs = number[][]; // per iterator: the step of each buffer index

/** Per iterator, the constant step of each index; undefined when an index is not affine. */
function affine(indices: readonly PrimExpr[], iters: readonly Var[]): Coefs | undefined {
  const zero = new Map<Var, PrimExpr>(iters.map((v) => [v, int(0, v.dtype)]));
  const base = indices.map((e) => simplify(substitute(e, zero)));
  const out: Coefs = iters.map(() => []);
  for (let j = 0; j < indices.length; j++) {
    let rebuilt: PrimExpr = base[j];
    for (let t = 0; t < iters.length; t++) {
      const one = new Map(zero);
      one.set(iters[t], int(1, iters[t].dtype));
      const d = simplify(sub(substitute(indices[j], one), base[j]));
      if (d.kind !== "IntImm") return undefined;
      out[t].push(d.value);
      if (d.value !== 0) rebuilt = add(rebuilt, mul(iters[t], int(d.value, iters[t].dtype)));
    }
    const rest = simplify(sub(indices[j], rebuilt));
    if (rest.kind !== "IntImm" || rest.value !== 0) return undefined;
  }
  return out;
}

const nz = (c: readonly number[]) => c.some((x) => x !== 0);

/** Row-major element strides of a constant-shape buffer (undefined when symbolic). */
function rowMajor(b: Buffer): number[] | undefined {
  const dims = b.shape.map((d) => (d.kind === "IntImm" ? d.value : NaN));
  if (dims.some((d) => Number.isNaN(d))) return undefined;
  const s = dims.map(() => 1);
  for (let j = dims.length - 2; j >= 0; j--) s[j] = s[j + 1] * dims[j + 1];
  return s;
}

const linear = (c: readonly number[], strides: readonly number[]) =>
  c.reduce((a, x, j) => a + x * strides[j], 0);

function stripCast(e: PrimExpr, acc: string): PrimExpr | undefined {
  if (e.kind === "Cast" && e.dtype === acc) return e.value;
  return e.dtype === acc ? e : undefined;
}

/** The operands of `self + x·y`, casts to the accumulator stripped. */
function macOperands(form: Einsum): [Access, Access] | undefined {
  const st = form.store, v = st.value;
  if (v.kind !== "Binary" || v.op !== "add") return undefined;
  const isSelf = (e: PrimExpr) =>
    e.kind === "BufferLoad" && e.buffer === st.buffer &&
    e.indices.every((x, j) => structuralEqual(x, st.indices[j]));
  const prod = isSelf(v.a) ? v.b : isSelf(v.b) ? v.a : undefined;
  if (!prod || prod.kind !== "Binary" || prod.op !== "mul") return undefined;
  const x = stripCast(prod.a, st.buffer.dtype), y = stripCast(prod.b, st.buffer.dtype);
  if (x?.kind !== "BufferLoad" || y?.kind !== "BufferLoad") return undefined;
  if (x.dtype !== y.dtype) return undefined;
  return [x, y];
}

/** The bias operand's indices in the contraction's iterators and its step along `n`. */
function biasOf(
  bias: NonNullable<Folded["bias"]>,
  outIdx: readonly PrimExpr[],
  iters: readonly Var[],
  n: number,
): { idx: PrimExpr[]; cols: number[] } | undefined {
  // bias indices are in the epilogue block's store indices; map them to the contraction's
  const sub = new Map<Var, PrimExpr>();
  bias.storeIdx.forEach((e, j) => {
    if (e.kind === "Var") sub.set(e, outIdx[j]);
  });
  const idx = bias.access.indices.map((e) => simplify(substitute(e, sub)));
  const cb = affine(idx, iters);
  if (!cb || iters.some((_, t) => t !== n && nz(cb[t]))) return undefined;
  const bs = rowMajor(bias.access.buffer);
  if (!bs || linear(cb[n], bs) !== 1) return undefined;
  return { idx, cols: cb[n] };
}
function weightsFit(config: NpuConfig, mode: NpuMode, r: readonly number[]): boolean {
  const g = config.gemm, cap = tileCapacity(config, "weight", modeBytes(mode));
  const big = Math.max(...r), taps = r.reduce((a, b) => a * b, 1) / big;
  const total = r.reduce((a, b) => a * b, 1);
  return Math.min(taps * Math.ceil(big / g.blockIn), Math.ceil(total / g.blockIn)) <= cap;
}

/**
 * The contraction regions of `f` for a config whose GEMM intrinsics are `intrinsics` (see the
 * module doc), in block order.
 *
 * @example
 * ```ts ignore
 * const plans = planConvs(f, REFERENCE_NPU, npuIntrinsics(REFERENCE_NPU));
 * ```
 */
export function planConvs(
  f: PrimFunc,
  config: NpuConfig,
  intrinsics: readonly Intrinsic[],
): ConvPlan[] {
  const modes = new Set(
    intrinsics.map((x) => x.implementation as NpuIntrinsicImpl | undefined)
      .filter((x) => x?.command === "GEMM").map((x) => x!.mode),
  );
  const out: ConvPlan[] = [];
  const taken = new Set<For>();
  for (const { realize, loops } of blocksUnderWithLoops(f.body)) {
    const block = realize.block;
    if (childBlocks(block.body).length || !block.init || block.name === "root") continue;
    const own = ownLoops(block, realize.iterValues, loops);
    const pred = realize.predicate;
    if (!own || !own.length || !(pred.kind === "IntImm" && pred.value === 1)) continue;
    if (taken.has(own[0]) || blocksUnder(own[0]).length !== 1) continue;
    const plan = planOne(f, config, modes, block, own);
    if (plan) {
      out.push(plan);
      for (const l of plan.folded) taken.add(l);
    }
  }
  return out;
}

/** Iterators, the store and the operands of a block, with output channels split by group. */
interface Split {
  readonly iters: readonly { v: Var; extent: number; kind: "spatial" | "reduce" }[];
  readonly store: readonly PrimExpr[];
  readonly ops: readonly Access[];
  readonly group?: IterVar;
  /** The block iterator replaced by the split (not a host loop). */
  readonly replaced?: Var;
}

/**
 * A grouped convolution reads `⌊k / G⌋` (the group) and `k mod G` (depthwise: the filter of a
 * channel) of an output-channel iterator `k`: with `k = g·G + kk` (`0 ≤ kk < G`) those are `g` and
 * `kk`, and every index becomes affine in `kk`, `g` being a host loop (one region per group).
 */
function splitGroups(form: Einsum, ops: readonly Access[]): Split {
  const iters = form.iters.map((it) => ({
    v: it.v,
    extent: (it.extent as { value: number }).value,
    kind: it.kind as "spatial" | "reduce",
  }));
  const all = [...form.store.indices, ...ops.flatMap((o) => o.indices)];
  let found: { k: Var; G: number } | undefined;
  for (const e of all) {
    visit(e, (n) => {
      if (
        !found && n.kind === "Binary" && (n.op === "floordiv" || n.op === "floormod") &&
        n.a.kind === "Var" && n.b.kind === "IntImm" && n.b.value > 1
      ) {
        const it = iters.find((x) => x.v === n.a && x.kind === "spatial");
        if (it && it.extent % n.b.value === 0) found = { k: it.v, G: n.b.value };
      }
    });
  }
  if (!found) return { iters, store: form.store.indices, ops };
  const { k, G } = found;
  const ext = iters.find((x) => x.v === k)!.extent;
  const g = variable(`${k.name}_g`, k.dtype), kk = variable(`${k.name}_k`, k.dtype);
  const whole = add(mul(g, int(G, k.dtype)), kk);
  const re = (e: PrimExpr): PrimExpr =>
    simplify(rewrite(e, {
      pre: (n) => {
        if (n.kind === "Binary" && n.a === k && n.b.kind === "IntImm" && n.b.value === G) {
          if (n.op === "floordiv") return g;
          if (n.op === "floormod") return kk;
        }
        return n === k ? whole : undefined;
      },
    }));
  return {
    iters: [
      ...iters.map((x) => (x.v === k ? { v: kk, extent: G, kind: x.kind } : x)),
      { v: g, extent: ext / G, kind: "spatial" },
    ],
    store: form.store.indices.map(re),
    ops: ops.map((o) => ({ ...o, indices: o.indices.map(re) }) as Access),
    group: iterVar(g, range(int(0), int(ext / G)), "spatial"),
    replaced: k,
  };
}

function planOne(
  f: PrimFunc,
  config: NpuConfig,
  modes: ReadonlySet<NpuMode>,
  block: Block,
  loops: readonly For[],
): ConvPlan | undefined {
  const form = domainEinsum(f, block.name);
  if ("code" in form) return undefined;
  if (form.iters.some((it) => it.v !== it.source || it.extent.kind !== "IntImm")) return undefined;
  const init = form.init;
  if (!init || !isZeroConst(init.value)) return undefined;
  const ops = macOperands(form);
  if (!ops) return undefined;
  const mode = ops[0].buffer.dtype as NpuMode;
  const out = form.store.buffer;
  if (!modes.has(mode) || out.dtype !== accDtype(mode)) return undefined;
  if (ops.some((o) => o.buffer === out)) return undefined;
  const split = splitGroups(form, ops);
  const ops2 = split.ops;
  const iters = split.iters.map((it) => it.v);
  const ext = new Map(split.iters.map((it) => [it.v, it.extent]));
  const storeIdx = split.store;
  const co = affine(storeIdx, iters);
  const cx = affine(ops2[0].indices, iters), cy = affine(ops2[1].indices, iters);
  if (!co || !cx || !cy) return undefined;
  const red: number[] = [], mx: number[] = [], my: number[] = [], host: number[] = [];
  for (let t = 0; t < iters.length; t++) {
    const reduce = split.iters[t].kind === "reduce";
    if (reduce) {
      if (!nz(cx[t]) || !nz(cy[t]) || nz(co[t])) return undefined;
      red.push(t);
    } else if (!nz(co[t])) return undefined;
    else if (nz(cx[t]) && nz(cy[t])) host.push(t);
    else if (nz(cx[t])) mx.push(t);
    else if (nz(cy[t])) my.push(t);
    else return undefined;
  }
  // the data operand has the pixel iterators; the weights at most one output-channel iterator
  // (none: a depthwise convolution without channel multiplier, n = 1)
  let [data, wgt, cd, cw, pix, chan] = [ops2[0], ops2[1], cx, cy, mx, my];
  if (my.length > 1 || !mx.length) {
    [data, wgt, cd, cw, pix, chan] = [ops2[1], ops2[0], cy, cx, my, mx];
  }
  if (chan.length > 1 || !pix.length || !red.length || red.length > 3) return undefined;
  const outStrides = rowMajor(out);
  if (!outStrides) return undefined;
  // the two pixel iterators with the smallest output strides; the rest are host loops
  const byStride = [...pix].sort((a, b) => linear(co[a], outStrides) - linear(co[b], outStrides));
  const m1 = byStride[0], m0 = byStride[1] as number | undefined;
  host.push(...byStride.slice(2));
  const n = chan[0] as number | undefined;
  let chain = foldChain(f, out, out.dtype);
  // a vector operand is a bias only along the output channels, contiguous; anything else (a
  // residual tensor) ends the chain before its block
  let biasCols = chain.bias && n !== undefined && !split.group &&
    biasOf(chain.bias, storeIdx, iters, n);
  if (chain.bias && !biasCols) {
    chain = foldChain(f, out, out.dtype, false);
    biasCols = undefined;
  }
  if (pix.length < 2 && red.length < 2 && !chain.steps.length) return undefined; // a plain GEMM
  // grouped/depthwise: one region per group; worth the GEMM unit only when a group's output
  // channels fill a quarter of the tile columns (depthwise without multiplier: 1 of 16)
  const perGroup = n === undefined ? 1 : ext.get(iters[n])!;
  if ((split.group || n === undefined) && perGroup * 4 < config.gemm.blockOut) return undefined;
  const rIdx = [...red, -1, -1].slice(0, 3);
  const extOf = (t: number | undefined) => (t === undefined || t < 0 ? 1 : ext.get(iters[t])!);
  const r = rIdx.map(extOf) as [number, number, number];
  if (!weightsFit(config, mode, r)) return undefined;
  const key: ConvKey = {
    chip: chipId(config),
    mode,
    outDtype: chain.out.dtype,
    m: [extOf(m0), extOf(m1)],
    n: extOf(n),
    r,
    epilogue: chain.steps,
    block: block.name,
  };
  const intr = convIntrinsic(key);
  const params = intr.description.params.filter((p): p is Buffer => p.kind === "Buffer");
  const mapped = new Set([m0, m1, n, ...red].filter((t): t is number => t !== undefined));
  const zero = new Map<Var, PrimExpr>(
    [...mapped].map((t) => [iters[t], int(0, iters[t].dtype)]),
  );
  const baseOf = (idx: readonly PrimExpr[]) => idx.map((e) => simplify(substitute(e, zero)));
  const colsOf = (c: Coefs, dims: readonly (number | undefined)[], rank: number) =>
    dims.map((t) => (t === undefined || t < 0 ? new Array(rank).fill(0) : c[t]));
  const maps: OperandMap[] = [
    {
      param: params[0],
      buffer: data.buffer,
      base: baseOf(data.indices),
      cols: colsOf(cd, [m0, m1, ...rIdx], data.indices.length),
    },
    {
      param: params[1],
      buffer: wgt.buffer,
      base: baseOf(wgt.indices),
      cols: colsOf(cw, [...rIdx, n], wgt.indices.length),
    },
  ];
  if (biasCols) {
    maps.push({
      param: params[2],
      buffer: chain.bias!.access.buffer,
      base: baseOf(biasCols.idx),
      cols: [biasCols.cols],
    });
  }

  maps.push({
    param: params[params.length - 1],
    buffer: chain.out,
    base: baseOf(storeIdx),
    cols: colsOf(co, [m0, m1, n], storeIdx.length),
  });
  const outer = block.iterVars.filter((iv) => {
    const t = iters.indexOf(iv.v);
    return iv.v !== split.replaced && (t < 0 || !mapped.has(t));
  });
  // the group iterator must stay a host loop (it moves every operand)
  if (split.group && mapped.has(iters.indexOf(split.group.v))) return undefined;
  return {
    block,
    loops,
    key,
    operands: maps,
    outer,
    group: split.group,
    folded: chain.loops,
    foldedBlocks: chain.names,
  };
}
