/**
 * From region markers in a lowered function to NPU *sites*: each marker is decoded (operand base
 * offsets and strides, `decodeIntrinsicCall`), its operands that the DMA cannot move directly are
 * packed into contiguous host buffers by plain loops, and the marker becomes a call
 * `tsr.npu.site_<id>(A[off], B[off], C[off])` whose arguments stand for the operands' addresses.
 * The site's command stream is fixed at compile time (`chooseMatmulSchedule` + `matmulProgram`,
 * with operand addresses 0) and relocated by the host code at run time (`site_c.ts`).
 *
 * @module
 */
import { TargetError } from "../../ir/errors.ts";
import { add, bufferLoad, call, int, mul, type PrimExpr } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { rewrite, visit } from "../../ir/node.ts";
import {
  allocate,
  type Buffer,
  bufferStore,
  decl,
  evaluate,
  forLoop,
  loopVar,
  seq,
  type Stmt,
} from "../../ir/stmt.ts";
import { decodeIntrinsicCall, INTRINSIC_CALL_PREFIX } from "../../tensorize/auto/mod.ts";
import type { NpuConfig } from "./config.ts";
import { type NpuDType } from "./isa.ts";
import { chooseMatmulSchedule } from "./matmul_schedule.ts";
import { matmulProgram, type MatmulSchedule, type MatmulSpec } from "./matmul_program.ts";
import { parseRegionName, regionIntrinsic, type RegionKey } from "./offload.ts";
import { layoutOf, type OperandLayout } from "./offload_plan.ts";
import { convIntrinsic, type ConvKey, parseConvName } from "./conv_region.ts";
import { type ConvForm, convSiteProgram, type PadContext, withAllocs } from "./conv_sites.ts";
import type { ConvSchedule } from "./conv_program.ts";
import { relocationOf } from "./site_c.ts";
import type { PadSchedule } from "./pad_program.ts";
import { padIntrinsic, type PadKey, parsePadName } from "./pad_region.ts";
import { padSiteProgram } from "./pad_sites.ts";

/**
 * One offloaded region of a kernel: its command streams' template and what it computes. A GEMM
 * region (`key`) has one stream whose operands are A, B, C; a contraction region (`conv`) has
 * one stream per block of output channels and operands data, weights, output, bias.
 */
export interface NpuSite {
  /** Index in the kernel (the `site` argument of `env.tsr_npu_run`). */
  readonly id: number;
  /** The block it runs (as written). */
  readonly block: string;
  /** Mode and extents of a GEMM region. */
  readonly key?: RegionKey;
  /** A contraction region (implicit GEMM, epilogue included). */
  readonly conv?: ConvKey;
  /** A pad region (zero padding through the accumulator; operands X, P). */
  readonly pad?: PadKey;
  /** How a contraction region moves its operands. */
  readonly form?: ConvForm;
  /** Host copies around a contraction site (`weight`, `im2col`, `out`). */
  readonly packs: readonly string[];
  /** DMA layouts of A, B, C (`pack`: copied through a contiguous host buffer). */
  readonly layouts: readonly OperandLayout[];
  /** The schedule chosen by simulation. */
  readonly schedule: MatmulSchedule | ConvSchedule | PadSchedule;
  /** Commands per stream (the site issues them in order). */
  readonly streams: readonly number[];
  /** Per command: the operand whose address its DMA adds (−1: none). */
  readonly relocs: Int8Array;
  /** Cycles the simulator predicted for one execution. */
  readonly predictedCycles: number;
  /** The command words with operand addresses 0 (relocated by the host code). */
  readonly words: Int32Array;
  /** The problem's own MACs per execution (M·N·K). */
  readonly macs: number;
}

/** A lowered function with its markers turned into site calls. */
export interface SiteLowering {
  /** The rewritten lowered function. */
  readonly func: PrimFunc;
  /** The sites, by id. */
  readonly sites: readonly NpuSite[];
}

/**
 * How many places read each buffer: a marker counts once for all of its operands (a pad marker,
 * which writes its output, not at all), any other load once.
 */
function readerCounts(f: PrimFunc): Map<Buffer, number> {
  const out = new Map<Buffer, number>();
  const bump = (b: Buffer) => out.set(b, (out.get(b) ?? 0) + 1);
  visit(f.body, (n) => {
    if (n.kind === "Call" && n.op.startsWith(INTRINSIC_CALL_PREFIX)) {
      if (parsePadName(n.op.slice(INTRINSIC_CALL_PREFIX.length))) return false;
      const bufs = new Set(n.args.flatMap((a) => (a.kind === "BufferLoad" ? [a.buffer] : [])));
      bufs.forEach(bump);
      return false;
    }
    if (n.kind === "BufferLoad") bump(n.buffer);
  });
  return out;
}

/** Call name of a site. */
export function siteCallName(id: number): string {
  return `tsr.npu.site_${id}`;
}

function constStride(e: PrimExpr, what: string): number {
  if (e.kind !== "IntImm") {
    throw new TargetError(
      "NPU_UNSUPPORTED",
      `Cannot offload ${what} to the NPU: its stride is not a constant after lowering`,
    );
  }
  return e.value;
}

/** Copy loops between an operand's strided view and a contiguous [rows, cols] buffer. */
function copyLoops(
  dst: Buffer,
  dstAt: (r: PrimExpr, c: PrimExpr) => PrimExpr,
  src: Buffer,
  srcAt: (r: PrimExpr, c: PrimExpr) => PrimExpr,
  rows: number,
  cols: number,
): Stmt {
  const r = loopVar("pr"), c = loopVar("pc");
  return forLoop(
    r,
    0,
    rows,
    forLoop(c, 0, cols, bufferStore(dst, bufferLoad(src, [srcAt(r, c)]), [dstAt(r, c)])),
  );
}

function spec(key: RegionKey, layouts: readonly OperandLayout[], st: number[][], cDtype: NpuDType) {
  const { m, n, k } = key;
  const ref = (q: number, rows: number, cols: number) => {
    const l = layouts[q];
    if (l === "pack") return { address: 0, rowStride: cols };
    if (l === "rows") return { address: 0, rowStride: rows === 1 ? cols : st[q][0] };
    return { address: 0, rowStride: cols === 1 ? rows : st[q][1], transposed: true };
  };
  const c = ref(2, m, n);
  const s: MatmulSpec = {
    m,
    n,
    k,
    a: ref(0, m, k),
    b: ref(1, k, n),
    c,
    inDtype: key.mode,
    outDtype: cDtype,
    accIn: key.accumulate ? { ...c, dtype: cDtype } : undefined,
  };
  return s;
}

/**
 * Turn the region markers of a lowered function into site calls (see the module doc).
 *
 * @example
 * ```ts ignore
 * const { func, sites } = lowerSites(lowered, REFERENCE_NPU);
 * ```
 */
export function lowerSites(f: PrimFunc, config: NpuConfig): SiteLowering {
  const sites: NpuSite[] = [];
  const readers = readerCounts(f);
  // pad sites by their output buffer, for the contraction site reading it (a fold)
  const pads = new Map<Buffer, { site: number; ctx: PadContext }>();
  const body = rewrite(f.body, {
    pre: (node) => {
      if (node.kind !== "Evaluate" || node.value.kind !== "Call") return undefined;
      const c = node.value;
      if (!c.op.startsWith(INTRINSIC_CALL_PREFIX)) return undefined;
      const name = c.op.slice(INTRINSIC_CALL_PREFIX.length);
      const conv = parseConvName(name);
      if (conv) {
        const id = sites.length;
        const d = decodeIntrinsicCall(c, convIntrinsic(conv))[0].buffer;
        const pad = readers.get(d) === 1 ? pads.get(d) : undefined;
        const p = convSiteProgram(c, conv, config, id, pad?.ctx);
        if (p.folded && pad) {
          // the gather pads: the pad site issues nothing (its block still ran on the NPU)
          sites[pad.site] = {
            ...sites[pad.site],
            streams: [],
            relocs: new Int8Array(0),
            predictedCycles: 0,
            words: new Int32Array(0),
          };
        }
        sites.push({
          id,
          block: conv.block,
          conv,
          form: p.form,
          packs: p.packs,
          layouts: [],
          schedule: p.schedule,
          streams: p.streams,
          relocs: p.relocs,
          predictedCycles: p.cycles,
          words: p.words,
          macs: conv.m[0] * conv.m[1] * conv.n * conv.r[0] * conv.r[1] * conv.r[2],
        });
        const call_ = evaluate(call(siteCallName(id), p.args, "int32"));
        return withAllocs(seq([...p.before, call_, ...p.after]), p.allocs);
      }
      const pad = parsePadName(name);
      if (pad) {
        const id = sites.length;
        const p = padSiteProgram(c, pad, config);
        const [xOp, pOp] = decodeIntrinsicCall(c, padIntrinsic(pad));
        pads.set(pOp.buffer, {
          site: id,
          ctx: { key: pad, x: { buffer: xOp.buffer, offset: xOp.offset } },
        });
        sites.push({
          id,
          block: pad.block,
          pad,
          packs: [],
          layouts: [],
          schedule: p.schedule,
          streams: [p.words.length / 16],
          relocs: p.relocs,
          predictedCycles: p.cycles,
          words: p.words,
          macs: 0,
        });
        return evaluate(call(siteCallName(id), p.args, "int32"));
      }
      const key = parseRegionName(name);
      if (!key) return undefined;
      const ops = decodeIntrinsicCall(c, regionIntrinsic(key));
      const shapes = [[key.m, key.k], [key.k, key.n], [key.m, key.n]];
      const strides = ops.map((o, q) =>
        o.strides.map((s) => constStride(s, `block "${key.block}" operand ${q}`))
      );
      const layouts = shapes.map(([r, cc], q) => layoutOf(r, cc, strides[q]));
      const id = sites.length;
      const before: Stmt[] = [], after: Stmt[] = [];
      const wraps: Buffer[] = [];
      const args = ops.map((o, q) => {
        if (layouts[q] !== "pack") return bufferLoad(o.buffer, [o.offset]);
        const [rows, cols] = shapes[q];
        const P = decl(`${o.buffer.name}_pack${id}`, [rows * cols], o.buffer.dtype);
        wraps.push(P);
        const at = (r: PrimExpr, cc: PrimExpr) =>
          add(add(o.offset, mul(r, int(strides[q][0]))), mul(cc, int(strides[q][1])));
        const flat = (r: PrimExpr, cc: PrimExpr) => add(mul(r, int(cols)), cc);
        if (q < 2 || key.accumulate) before.push(copyLoops(P, flat, o.buffer, at, rows, cols));
        if (q === 2) after.push(copyLoops(o.buffer, at, P, flat, rows, cols));
        return bufferLoad(P, [int(0)]);
      });
      const cDtype = ops[2].buffer.dtype as NpuDType;
      const sp = spec(key, layouts, strides, cDtype);
      const choice = chooseMatmulSchedule(config, sp);
      const words = matmulProgram(config, sp, choice.schedule);
      const relocs = new Int8Array(words.length / 16);
      relocs.forEach((_, i) => (relocs[i] = relocationOf(words[i * 16]) ?? -1));
      sites.push({
        id,
        block: key.block,
        key,
        packs: [],
        layouts,
        schedule: choice.schedule,
        streams: [words.length / 16],
        relocs,
        predictedCycles: choice.cycles,
        words,
        macs: key.m * key.n * key.k,
      });
      let s: Stmt = seq([...before, evaluate(call(siteCallName(id), args, "int32")), ...after]);
      for (const P of wraps) s = allocate(P, s);
      return s;
    },
  });
  return { func: body === f.body ? f : { ...f, body }, sites };
}
