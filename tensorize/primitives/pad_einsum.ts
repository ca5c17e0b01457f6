/**
 * `padEinsum(block, padding)`: pad the iteration space of an einsum block so that each
 * iteration variable's extent is a multiple of `padding[k]` (TVM's `pad_einsum`) — the form an
 * intrinsic with a fixed tile shape needs (a 16×16×16 GEMM unit for a 100×70×50 matmul).
 *
 * ```text
 * for i in 0..14 { for k in 0..14 {          A_pad[v0, v1] = select(v0 < 14 && v1 < 14, A[v0, v1], 0)
 *   C[vi] += A[vi, vk] · B[vk]          →    for i in 0..16 { for k in 0..16 {
 * } }                                           C_pad[vi] += A_pad[vi, vk] · B_pad[vk] } }
 *                                             C[v0] = C_pad[v0]            (over 0..14)
 * ```
 *
 * Inputs read at a padded variable are copied into zero-padded buffers (`<name>_pad`) before
 * the block's loop nest; the output is computed into a padded buffer and copied back after it
 * (block `<name>_unpad`), so the function computes exactly what it did. Padded spatial
 * iterations compute values nobody reads; padded reduction iterations must add zero, so a padded
 * reduction variable needs a sum of products in which a factor is read at that variable (its
 * padding is zero).
 *
 * Dimensions indexed by expressions over unpadded variables keep their index and size, so
 * conv2d's windowed read `data[n, rc, y + ry, x + rx]` allows padding the channels `rc`, `oc`
 * (as TVM's `pad_einsum`). A padded variable inside a compound index widens that dimension of
 * the input copy to the index's largest value over the padded space (zero beyond the input):
 * for a spatial variable (`y` in `y + ry`) the padded iterations' values are never read; for a
 * reduction (`rc` in a grouped conv's `⌊oc / Og⌋ · Cg + rc`) only in an integer sum of products
 * with a factor read at it alone — 0 · x is exactly 0 for integers, not for float ±∞.
 *
 * Legality (`SCHEDULE_PAD_*`): one positive factor per iteration variable (`FACTORS`); the block
 * is an einsum — one store to its one written buffer, the output indexed by iteration variables
 * only, a padded reduction inside a compound index only as above, compound indices with
 * constant bounds ≥ 0, a buffer dimension indexed by a padded variable alone indexed by it in
 * every access, no integer division by a padded value (`NOT_EINSUM`); each padded variable
 * bound to a loop of the same range whose nest holds only this block (`BINDING`); reductions as
 * above (`REDUCTION`).
 *
 * @module
 */
import { isInt } from "../../ir/dtype.ts";
import {
  add,
  and,
  bufferLoad,
  constant,
  floordiv,
  lt,
  mul,
  type PrimExpr,
  select,
  type Var,
} from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { type Node, rewrite, visit } from "../../ir/node.ts";
import {
  type Block,
  type Buffer,
  bufferRegion,
  bufferStore,
  type For,
  range,
  type Stmt,
} from "../../ir/stmt.ts";
import type { Analyzer } from "../../ir/arith/mod.ts";
import { analyzerFor } from "../analysis/bindings.ts";
import { blocksUnder, findBlock, loopsAbove, replaceStmt } from "../analysis/find.ts";
import {
  bufferNamesOf,
  freshName,
  insertStages,
  pointwiseNest,
  stageOf,
  uniqueBlockName,
} from "../analysis/stages.ts";
import { scheduleError } from "../errors.ts";
import { type InstructionKind, literal, registerInstruction, scriptCall } from "../instruction.ts";
import { Schedule } from "../schedule.ts";
import type { BlockRV } from "../rv.ts";
import { asBlock } from "./inputs.ts";

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface PadEinsumMethods {
  /**
   * Pad the iteration space of an einsum block to multiples of `padding` (one factor per
   * iteration variable; 1 leaves it), with zero-padded copies of inputs and a copy back of
   * the output.
   *
   * @example
   * ```ts ignore
   * sch.padEinsum(b0, [16, 16, 16]);
   * ```
   */
  padEinsum(block: BlockRV, padding: readonly number[]): void;
}

function isIterVar(e: PrimExpr, iters: ReadonlySet<Var>): boolean {
  return e.kind === "Var" && iters.has(e);
}

/** Pad the iteration space of block `blockName` of `f` (pure). */
export function padEinsum(f: PrimFunc, blockName: string, padding: readonly number[]): PrimFunc {
  const loc = findBlock(f, blockName);
  if (!loc) throw scheduleError(f, "SCHEDULE_NO_BLOCK", `Cannot find block "${blockName}"`);
  const { realize, block: blk, path } = loc;
  const fail = (code: string, why: string, hint?: string) =>
    scheduleError(f, code, `Cannot pad block "${blockName}": ${why}`, { block: blockName, hint });
  if (
    padding.length !== blk.iterVars.length ||
    padding.some((p) => !Number.isInteger(p) || p < 1)
  ) {
    throw fail(
      "SCHEDULE_PAD_FACTORS",
      `padding [${
        padding.join(", ")
      }] is not ${blk.iterVars.length} positive integers, one per iteration variable`,
    );
  }
  // ---- the einsum pattern
  const iters = new Set(blk.iterVars.map((iv) => iv.v));
  const store = blk.body;
  if (
    store.kind !== "BufferStore" || blk.writes.length !== 1 || store.buffer !== blk.writes[0].buffer
  ) {
    throw fail("SCHEDULE_PAD_NOT_EINSUM", "its body is not one store to the one buffer it writes");
  }
  const out = store.buffer;
  if (!store.indices.every((e) => isIterVar(e, iters))) {
    throw fail(
      "SCHEDULE_PAD_NOT_EINSUM",
      `the output "${out.name}" is not indexed by iteration variables`,
    );
  }
  const loads: { buffer: Buffer; indices: readonly PrimExpr[] }[] = [];
  for (const s of [store.value, ...(blk.init ? [blk.init] : [])]) {
    visit(s, (n) => {
      if (n.kind === "BufferLoad") loads.push(n);
      if (n.kind === "BufferStore" && s === blk.init && n.buffer !== out) loads.push(n);
    });
  }
  for (const l of loads) {
    if (l.buffer === out && !l.indices.every((e, k) => e === store.indices[k])) {
      throw fail(
        "SCHEDULE_PAD_NOT_EINSUM",
        `the output "${out.name}" is read elsewhere than it is written`,
      );
    }
  }
  // ---- what is padded
  const ana = analyzerFor(f, path);
  const padded = new Map<Var, { from: PrimExpr; to: PrimExpr }>();
  blk.iterVars.forEach((iv, k) => {
    const ext = iv.dom.extent, p = padding[k];
    const to = ana.simplify(mul(floordiv(add(ext, p - 1), p), p));
    if (!ana.canProveEqual(to, ext)) padded.set(iv.v, { from: ext, to });
  });
  if (padded.size === 0) return f;
  const padDims = paddedDims(loads, store, padded, blk.iterVars, ana, fail);
  const loops = loopsAbove(path);
  const loopExtent = new Map<Var, PrimExpr>();
  blk.iterVars.forEach((iv, k) => {
    const pad = padded.get(iv.v);
    if (!pad) return;
    const b = realize.iterValues[k];
    const loop = loops.find((l) => l.loopVar === b);
    if (
      !loop || !ana.canProveEqual(loop.min, 0) || !ana.canProveEqual(iv.dom.min, 0) ||
      !ana.canProveEqual(loop.extent, iv.dom.extent)
    ) {
      throw fail(
        "SCHEDULE_PAD_BINDING",
        `iteration variable "${iv.v.name}" is not bound to a loop of its range`,
        "pad before splitting or fusing the block's loops",
      );
    }
    loopExtent.set(loop.loopVar, pad.to);
  });
  const at = stageOf(path, realize);
  if (!at || blocksUnder(at.stage).length !== 1) {
    throw fail("SCHEDULE_PAD_BINDING", "the loops around it hold other blocks as well");
  }
  // ---- padded reductions must add zero; padded values must not divide
  const toPad = new Set(padDims.keys());
  checkDivisions(store.value, toPad, fail);
  for (const iv of blk.iterVars) {
    if (iv.iterKind === "reduce" && padded.has(iv.v) && !addsZero(store, iv.v, out)) {
      throw fail(
        "SCHEDULE_PAD_REDUCTION",
        `padding reduction variable "${iv.v.name}" needs the update to be ${out.name} + a product with a factor read at "${iv.v.name}"`,
        "the zero padding of that factor is what makes the padded iterations add nothing",
      );
    }
  }
  // ---- new buffers and stages
  const names = bufferNamesOf(f);
  const fresh = (base: string) => {
    const n = freshName(base, names);
    names.add(n);
    return n;
  };
  const shapeOf = (b: Buffer, indices: readonly PrimExpr[]) =>
    b.shape.map((d, k) => {
      const e = indices[k];
      return e.kind === "Var" && padded.has(e) ? padded.get(e)!.to : d;
    });
  const replace = new Map<Buffer, Buffer>();
  const before: Stmt[] = [];
  const taken: string[] = [];
  const blockName2 = (base: string) => {
    const n = uniqueBlockName(f, base, taken);
    taken.push(n);
    return n;
  };
  for (const b of toPad) {
    const dims = padDims.get(b)!;
    const shape = b.shape.map((d, k) => dims[k]?.to ?? d);
    const pb: Buffer = { ...b, name: fresh(`${b.name}_pad`), shape };
    replace.set(b, pb);
    const name = blockName2(pb.name);
    before.push(pointwiseNest(pb.shape, (vs) => {
      let cond: PrimExpr | undefined;
      dims.forEach((p, k) => {
        if (p) {
          const c = lt(vs[k], p.keep);
          cond = cond ? and(cond, c) : c;
        }
      });
      const load = bufferLoad(b, vs);
      return {
        block: {
          kind: "Block",
          name,
          iterVars: [],
          reads: [bufferRegion(b, vs.map((v) => range(v, 1)))],
          writes: [bufferRegion(pb, vs.map((v) => range(v, 1)))],
          body: bufferStore(pb, select(cond!, load, constant(0, b.dtype)), vs),
          allocBuffers: [],
          annotations: {},
        },
      };
    }));
  }
  const outPad: Buffer = {
    ...out,
    name: fresh(`${out.name}_pad`),
    shape: shapeOf(out, store.indices),
  };
  replace.set(out, outPad);
  const backShape = store.indices.map((e) => {
    const it = blk.iterVars.find((iv) => iv.v === e)!;
    return it.dom.extent;
  });
  const backName = blockName2(`${out.name}_unpad`);
  const after = pointwiseNest(backShape, (vs) => ({
    block: {
      kind: "Block",
      name: backName,
      iterVars: [],
      reads: [bufferRegion(outPad, vs.map((v) => range(v, 1)))],
      writes: [bufferRegion(out, vs.map((v) => range(v, 1)))],
      body: bufferStore(out, bufferLoad(outPad, vs), vs),
      allocBuffers: [],
      annotations: {},
    },
  }));
  // ---- the padded einsum
  const stage = rewrite(at.stage, {
    post: (n: Node): Node => {
      if (n.kind === "Buffer") return replace.get(n) ?? n;
      if (n.kind === "For" && loopExtent.has(n.loopVar)) {
        return { ...n, extent: loopExtent.get(n.loopVar)! } as For;
      }
      if (n.kind === "Block" && n.name === blockName) {
        const iterVars = n.iterVars.map((iv) => {
          const p = padded.get(iv.v);
          return p ? { ...iv, dom: range(iv.dom.min, p.to) } : iv;
        });
        return { ...n, iterVars } as Block;
      }
      return n;
    },
  });
  const g = insertStages(f, at, before, [after], [...replace.values()]);
  return replaceStmt(g, at.stage, stage);
}

/** How one dimension of a padded input copy is padded: its new extent, and the original
 * extent below which the copy holds the input's values (zero from there on). */
interface DimPad {
  readonly to: PrimExpr;
  readonly keep: PrimExpr;
}

/**
 * The inputs to pad: buffer → per dimension, how it is padded (undefined: left as it is).
 *
 * ```text
 * A[.., vk, ..]       vk padded            → to = vk's padded extent, keep = vk's extent
 * A[.., vy + vry, ..] vy spatial, padded   → to = max index + 1 over the padded ranges,
 *                                            keep = the buffer's extent (nobody reads the
 *                                            values of padded spatial iterations)
 * A[.., vy + vry, ..] vry reduce, padded   → refused: the padded iterations would add
 *                                            real values — unless the update is an integer
 *                                            out + Π factors with one read at vry alone
 *                                            (zero there): widened as above
 * A[.., vy + vry, ..] nothing padded       → left as it is
 * ```
 *
 * A dimension indexed by a padded variable alone must be indexed by it in every access.
 */
function paddedDims(
  loads: readonly { buffer: Buffer; indices: readonly PrimExpr[] }[],
  store: Stmt & { kind: "BufferStore" },
  padded: ReadonlyMap<Var, { from: PrimExpr; to: PrimExpr }>,
  iterVars: Block["iterVars"],
  ana: Analyzer,
  fail: (code: string, why: string, hint?: string) => Error,
): Map<Buffer, (DimPad | undefined)[]> {
  const out = store.buffer;
  const mentioned = (e: PrimExpr): Var[] => {
    const found: Var[] = [];
    visit(e, (n) => {
      if (n.kind === "Var" && padded.has(n) && !found.includes(n)) found.push(n);
    });
    return found;
  };
  // bounds of an index over the padded iteration space
  const upper = (e: PrimExpr): { min: number; max: number } => {
    const go = (k: number): { min: number; max: number } => {
      if (k === iterVars.length) return ana.constIntBound(e);
      const { v, dom } = iterVars[k];
      return ana.withBinding(v, padded.has(v) ? range(0, padded.get(v)!.to) : dom, () => go(k + 1));
    };
    return go(0);
  };
  const dims = new Map<Buffer, (DimPad | undefined)[]>();
  const plain = new Map<Buffer, (Var | undefined)[]>();
  for (const l of loads) {
    if (l.buffer === out) continue;
    const at = plain.get(l.buffer) ?? l.indices.map(() => undefined);
    const pads = dims.get(l.buffer) ?? l.indices.map(() => undefined);
    l.indices.forEach((e, k) => {
      const vs = mentioned(e);
      if (vs.length === 0) return;
      const where = `buffer "${l.buffer.name}" dimension ${k}`;
      if (e.kind === "Var") {
        at[k] = e;
        pads[k] = { to: padded.get(e)!.to, keep: padded.get(e)!.from };
        return;
      }
      // a padded reduction: its padded iterations read real values here, which only an exact
      // zero factor (integers: 0 · x = 0 for every x) can cancel
      const r = vs.find((v) =>
        iterVars.some((iv) => iv.v === v && iv.iterKind !== "spatial") &&
        !(isInt(store.value.dtype) && addsZero(store, v, out))
      );
      if (r) {
        throw fail(
          "SCHEDULE_PAD_NOT_EINSUM",
          `${where} is indexed by an expression over padded reduction variable "${r.name}"`,
          "pad only reduction variables that index buffer dimensions on their own (or, in an integer sum of products, that a factor reads on their own)",
        );
      }
      const b = upper(e), d = l.buffer.shape[k];
      if (!(b.min >= 0) || !Number.isFinite(b.max) || d.kind !== "IntImm") {
        throw fail(
          "SCHEDULE_PAD_NOT_EINSUM",
          `${where} is indexed by an expression over padded variable "${
            vs[0].name
          }" without constant bounds`,
        );
      }
      const was = pads[k]?.to;
      const to = Math.max(d.value, b.max + 1, was?.kind === "IntImm" ? was.value : 0);
      pads[k] = { to: constant(to, d.dtype), keep: d };
    });
    if (pads.some((p) => p)) {
      dims.set(l.buffer, pads);
      plain.set(l.buffer, at);
    }
  }
  for (const l of loads) {
    const at = plain.get(l.buffer);
    if (!at || l.buffer === out) continue;
    l.indices.forEach((e, k) => {
      if (at[k] && e !== at[k]) {
        throw fail(
          "SCHEDULE_PAD_NOT_EINSUM",
          `buffer "${l.buffer.name}" dimension ${k} is read at padded variable "${
            at[k]!.name
          }" and elsewhere too`,
        );
      }
    });
  }
  return dims;
}

/** Whether `store` is `out[…] = out[…] + X` with X a product having a factor read at `r`. */
function addsZero(store: Stmt & { kind: "BufferStore" }, r: Var, out: Buffer): boolean {
  const v = store.value;
  if (v.kind !== "Binary" || v.op !== "add") return false;
  const isOut = (e: PrimExpr) => e.kind === "BufferLoad" && e.buffer === out;
  const x = isOut(v.a) ? v.b : isOut(v.b) ? v.a : undefined;
  if (!x) return false;
  const factors = (e: PrimExpr): PrimExpr[] =>
    e.kind === "Binary" && e.op === "mul" ? [...factors(e.a), ...factors(e.b)] : [e];
  const readAt = (e: PrimExpr): boolean =>
    e.kind === "Cast" ? readAt(e.value) : e.kind === "BufferLoad" && e.indices.includes(r);
  return factors(x).some(readAt);
}

function checkDivisions(
  e: PrimExpr,
  padded: ReadonlySet<Buffer>,
  fail: (code: string, why: string) => Error,
): void {
  visit(e, (n) => {
    if (
      n.kind === "Binary" && isInt(n.dtype) &&
      (n.op === "div" || n.op === "mod" || n.op === "floordiv" || n.op === "floormod")
    ) {
      let reads = false;
      visit(n.b, (m) => {
        if (m.kind === "BufferLoad" && padded.has(m.buffer)) reads = true;
      });
      if (reads) {
        throw fail(
          "SCHEDULE_PAD_NOT_EINSUM",
          "it divides by a value read from a buffer whose padding would be zero",
        );
      }
    }
  });
}

/** `sch.padEinsum(block, padding)`. */
export const PAD_EINSUM: InstructionKind<{ padding: number[] }> = registerInstruction<
  { padding: number[] }
>({
  name: "PadEinsum",
  apply(sch, inputs, attrs) {
    const name = sch.blockOf(asBlock(sch, inputs[0])).block.name;
    sch.setFunc(padEinsum(sch.func, name, attrs.padding));
    return [];
  },
  toScript: (p) => scriptCall("padEinsum", [p.inputs[0], literal(p.attrs.padding)], []),
});

Schedule.prototype.padEinsum = function (
  this: Schedule,
  block: BlockRV,
  padding: readonly number[],
): void {
  this.apply(PAD_EINSUM, [block], { padding: [...padding] });
};
