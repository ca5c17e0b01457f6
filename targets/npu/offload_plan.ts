/**
 * Which blocks of a function the NPU runs: a leaf block whose computation is a GEMM in an
 * enabled mode — found by matching its whole iteration domain against the target's GEMM tile
 * intrinsics (`tensorize/auto` `correspond`, semantic: loop order, casts, commuted operands,
 * strided and windowed operands) — with constant extents on the mapped iterators and constant
 * operand strides. Everything else runs on the host. The chosen correspondence is the one with
 * the most MACs per offloaded region, then the fewest operands the DMA cannot move directly
 * (neither dimension contiguous: packed by host code).
 *
 * @module
 */
import { simplify } from "../../ir/arith/mod.ts";
import { int, type PrimExpr, type Var } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import type { Block, Buffer, For, IterVar } from "../../ir/stmt.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import { blocksUnderWithLoops, childBlocks } from "../../tensorize/analysis/find.ts";
import {
  correspond,
  type Correspondence,
  descriptionForm,
  domainEinsum,
  type OperandMap,
} from "../../tensorize/auto/mod.ts";
import type { NpuMode } from "./config.ts";
import type { NpuIntrinsicImpl } from "./intrinsics.ts";

/** How the DMA moves a 2-D operand: rows contiguous, columns contiguous (transposed), or neither. */
export type OperandLayout = "rows" | "cols" | "pack";

/** A GEMM block the NPU runs. */
export interface OffloadPlan {
  /** The block. */
  readonly block: Block;
  /** The loops binding its iteration variables, outermost first. */
  readonly loops: readonly For[];
  /** The GEMM mode. */
  readonly mode: NpuMode;
  /** Extents of the mapped iterators. */
  readonly m: number;
  /** Columns of C. */
  readonly n: number;
  /** The reduction mapped onto the GEMM unit. */
  readonly k: number;
  /** Operand maps A, B, C (description parameter order). */
  readonly operands: readonly OperandMap[];
  /** Block iteration variables the GEMM covers (the rest become host loops around it). */
  readonly mapped: ReadonlySet<Var>;
  /** True when the output must be accumulated onto (a reduction iterator is left outside). */
  readonly accumulate: boolean;
  /** DMA layouts of A, B, C. */
  readonly layouts: readonly OperandLayout[];
}

/** True for an integer or float constant zero (not −0). */
export const isZeroConst = (e: PrimExpr): boolean =>
  (e.kind === "IntImm" || e.kind === "FloatImm") && e.value === 0 &&
  !(e.kind === "FloatImm" && Object.is(e.value, -0));

/** Linear element strides of an operand map, per description dimension (undefined: symbolic). */
export function operandStrides(op: OperandMap): number[] | undefined {
  const b: Buffer = op.buffer;
  const dims: PrimExpr[] = [];
  if (b.strides.length) dims.push(...b.strides);
  else {
    for (let j = 0; j < b.shape.length; j++) {
      let s: PrimExpr | number = 1;
      for (let t = j + 1; t < b.shape.length; t++) {
        const d = b.shape[t];
        if (d.kind !== "IntImm") return undefined;
        s = (s as number) * d.value;
      }
      dims.push(int(s as number));
    }
  }
  const out: number[] = [];
  for (const col of op.cols) {
    let s = 0;
    for (let j = 0; j < col.length; j++) {
      if (col[j] === 0) continue;
      const d = simplify(dims[j]);
      if (d.kind !== "IntImm") return undefined;
      s += col[j] * d.value;
    }
    out.push(s);
  }
  return out;
}

/** The DMA layout of a [rows, cols] operand with element strides [s0, s1]. */
export function layoutOf(rows: number, cols: number, [s0, s1]: readonly number[]): OperandLayout {
  if (cols === 1 || s1 === 1) return s0 >= 0 ? "rows" : "pack";
  if (rows === 1 || s0 === 1) return s1 >= 0 ? "cols" : "pack";
  return "pack";
}

/**
 * The loops binding a block's iteration variables, when each is bound to its own loop over
 * `[0, extent)` and the nest holds nothing else (undefined otherwise).
 */
export function ownLoops(
  block: Block,
  values: readonly PrimExpr[],
  loops: readonly For[],
): For[] | undefined {
  const own: For[] = [];
  for (let k = 0; k < block.iterVars.length; k++) {
    const iv: IterVar = block.iterVars[k], v = values[k];
    const loop = loops.find((l) => l.loopVar === v);
    if (!loop || !isZeroConst(loop.min) || !isZeroConst(iv.dom.min)) return undefined;
    own.push(loop);
  }
  if (new Set(own).size !== own.length || own.length !== loops.length) return undefined;
  return loops.slice();
}

/**
 * The GEMM blocks of `f` that the NPU can run with `intrinsics` (GEMM tile intrinsics of the
 * target), in block order.
 *
 * @example
 * ```ts
 * import { planOffload } from "./offload_plan.ts";
 * import { npuIntrinsics } from "./intrinsics.ts";
 * import { REFERENCE_NPU } from "./config.ts";
 * import { findOp } from "../../ir/ops/catalog.ts";
 * const op = findOp("matmul");
 * const plans = planOffload(op.build(op.cases[0]), npuIntrinsics(REFERENCE_NPU));
 * console.assert(plans.length === 1 && plans[0].k === 13);
 * ```
 */
export function planOffload(f: PrimFunc, intrinsics: readonly Intrinsic[]): OffloadPlan[] {
  const gemms = intrinsics.filter((x) =>
    (x.implementation as NpuIntrinsicImpl | undefined)?.command === "GEMM"
  );
  const out: OffloadPlan[] = [];
  for (const { realize, loops } of blocksUnderWithLoops(f.body)) {
    const block = realize.block;
    if (childBlocks(block.body).length || !block.init || block.name === "root") continue;
    const own = ownLoops(block, realize.iterValues, loops);
    const pred = realize.predicate;
    if (!own || !(pred.kind === "IntImm" && pred.value === 1)) continue;
    const plan = bestPlan(f, block, own, gemms);
    if (plan) out.push(plan);
  }
  return out;
}

function bestPlan(
  f: PrimFunc,
  block: Block,
  loops: readonly For[],
  gemms: readonly Intrinsic[],
): OffloadPlan | undefined {
  const form = domainEinsum(f, block.name);
  if ("code" in form) return undefined;
  let best: OffloadPlan | undefined, bestScore = -Infinity;
  for (const intr of gemms) {
    const desc = descriptionForm(intr);
    const res = correspond(form, desc, { limit: 64, ignoreInit: true });
    if (!res.ok) continue;
    const params = intr.description.params.filter((p): p is Buffer => p.kind === "Buffer");
    for (const c of res.found) {
      const plan = toPlan(block, loops, intr, params, desc.iters.map((d) => d.v), c);
      if (!plan) continue;
      const packs = plan.layouts.filter((l) => l === "pack").length;
      const score = plan.m * plan.n * plan.k * 4 - packs;
      if (score > bestScore) [best, bestScore] = [plan, score];
    }
  }
  return best;
}

function toPlan(
  block: Block,
  loops: readonly For[],
  intr: Intrinsic,
  params: readonly Buffer[],
  descIters: readonly Var[],
  c: Correspondence,
): OffloadPlan | undefined {
  const extents: number[] = [];
  const mapped = new Set<Var>();
  for (const dv of descIters) {
    const it = c.iters.get(dv);
    if (!it || it.extent.kind !== "IntImm" || it.v !== it.source) return undefined;
    extents.push(it.extent.value);
    mapped.add(it.source);
  }
  const [m, n, k] = [extents[0], extents[1], extents[2]]; // description iterators: i, j, k
  const operands = params.map((p) => c.operands.get(p));
  if (operands.some((o) => !o)) return undefined;
  const ops = operands as OperandMap[];
  const shapes = [[m, k], [k, n], [m, n]];
  const layouts: OperandLayout[] = [];
  for (let q = 0; q < 3; q++) {
    const s = operandStrides(ops[q]);
    if (!s) return undefined;
    layouts.push(layoutOf(shapes[q][0], shapes[q][1], s));
  }
  const out = ops[2].buffer;
  if (ops[0].buffer === out || ops[1].buffer === out) return undefined;
  // a reduction iterator left outside the region (a conv window) makes it accumulate onto C
  const unmappedReduce = block.iterVars.some((iv) =>
    iv.iterKind === "reduce" && !mapped.has(iv.v) &&
    !(iv.dom.extent.kind === "IntImm" && iv.dom.extent.value === 1)
  );
  const init = block.init;
  const zeroInit = init?.kind === "BufferStore" && isZeroConst(init.value);
  return {
    block,
    loops,
    mode: (intr.implementation as NpuIntrinsicImpl & { command: "GEMM" }).mode,
    m,
    n,
    k,
    operands: ops,
    mapped,
    accumulate: unmappedReduce || !zeroInit,
    layouts,
  };
}
