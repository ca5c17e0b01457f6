/**
 * The NPU's default schedule (`codegen.schedule`): every GEMM block `planOffload` finds becomes
 * host loops over the iterators the GEMM does not cover, around one *region marker* — the
 * standard intrinsic marker (`tensorize/auto` `markerCall`) of a region intrinsic, the GEMM at
 * the region's extents M×N×K (`regionIntrinsic`): the target's M×N×K tile intrinsic repeated
 * over the padded tile grid, which the codegen emits as one double-buffered command stream
 * (`matmulProgram`). An output whose reduction is not wholly inside the region (a conv's
 * kernel window) is zero-filled first by a host block `<name>_init` and accumulated onto.
 * All other blocks are left as they are and run on the host.
 *
 * The marker survives lowering (its loads follow every layout change) and runs in the reference
 * interpreter through `intrinsicCallHandlers([regionIntrinsic(…)])`, so the scheduled function is
 * checked against the original.
 *
 * @module
 */
import type { PrimFunc } from "../../ir/func.ts";
import { rewrite } from "../../ir/node.ts";
import {
  block as makeBlock,
  blockRealize,
  bufferRegion,
  evaluate,
  type For,
  forLoop,
  fullRegion,
  loopVar,
  range,
  seq,
  type Stmt,
} from "../../ir/stmt.ts";
import { defineIntrinsic, type Intrinsic } from "../../sdk/intrinsic.ts";
import { markerCall } from "../../tensorize/auto/mod.ts";
import type { NpuConfig, NpuMode } from "./config.ts";
import { gemmDescription, type NpuIntrinsicImpl } from "./intrinsics.ts";
import { type OffloadPlan, planOffload } from "./offload_plan.ts";
import { type ConvPlan, planConvs } from "./conv_plan.ts";
import { convIntrinsic, parseConvName } from "./conv_region.ts";
import { padIntrinsic, type PadPlan, parsePadName, planPads } from "./pad_region.ts";

/** What a region marker's name says. */
export interface RegionKey {
  /** Chip name (sanitised). */
  readonly chip: string;
  /** GEMM mode. */
  readonly mode: NpuMode;
  /** Rows of C. */
  readonly m: number;
  /** Columns of C. */
  readonly n: number;
  /** Reduction length. */
  readonly k: number;
  /** Accumulate onto C (no init). */
  readonly accumulate: boolean;
  /** The block it came from. */
  readonly block: string;
}

/** Sanitised chip name used in intrinsic names. */
export function chipId(config: NpuConfig): string {
  return config.name.replace(/[^A-Za-z0-9_]/g, "_");
}

const REGION =
  /^([A-Za-z0-9_]+)\.region\.(int8|float16|float32)\.(\d+)x(\d+)x(\d+)\.(acc|init)\.(.+)$/;

/** The region intrinsic's name. */
export function regionName(key: RegionKey): string {
  return `${key.chip}.region.${key.mode}.${key.m}x${key.n}x${key.k}.${
    key.accumulate ? "acc" : "init"
  }.${key.block.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

/** Parse a region intrinsic's name (undefined when it is not one). */
export function parseRegionName(name: string): RegionKey | undefined {
  const r = REGION.exec(name);
  if (!r) return undefined;
  return {
    chip: r[1],
    mode: r[2] as NpuMode,
    m: +r[3],
    n: +r[4],
    k: +r[5],
    accumulate: r[6] === "acc",
    block: r[7],
  };
}

const REGIONS = new Map<string, Intrinsic<NpuIntrinsicImpl>>();

/**
 * The region intrinsic of a key: `C[M,N] (+)= A[M,K]·B[K,N]` in the key's mode, made once per
 * name.
 *
 * @example
 * ```ts
 * import { regionIntrinsic } from "./offload.ts";
 * const r = regionIntrinsic({ chip: "x", mode: "int8", m: 100, n: 70, k: 50, accumulate: false, block: "C" });
 * console.assert(r.name === "x.region.int8.100x70x50.init.C");
 * ```
 */
export function regionIntrinsic(key: RegionKey): Intrinsic<NpuIntrinsicImpl> {
  const name = regionName(key);
  let r = REGIONS.get(name);
  if (!r) {
    r = defineIntrinsic<NpuIntrinsicImpl>({
      name,
      description: gemmDescription(key.mode, key.m, key.n, key.k, key.accumulate),
      implementation: { command: "GEMM", mode: key.mode },
      operandScopes: {},
      cost: { cycles: 0 },
    });
    REGIONS.set(name, r);
  }
  return r;
}

/**
 * The intrinsic a marker of the default schedule names — a GEMM region, a contraction region or
 * a pad region — rebuilt from its name (undefined for other names); for the interpreter's
 * `intrinsicCallHandlers`.
 *
 * @example
 * ```ts
 * import { markerIntrinsic } from "./offload.ts";
 * console.assert(markerIntrinsic("x.region.int8.16x16x16.init.C")?.name === "x.region.int8.16x16x16.init.C");
 * console.assert(markerIntrinsic("not_a_region") === undefined);
 * ```
 */
export function markerIntrinsic(name: string): Intrinsic<NpuIntrinsicImpl> | undefined {
  const conv = parseConvName(name);
  if (conv) return convIntrinsic(conv);
  const pad = parsePadName(name);
  if (pad) return padIntrinsic(pad);
  const key = parseRegionName(name);
  return key && regionIntrinsic(key);
}

function regionStmt(config: NpuConfig, p: OffloadPlan): Stmt {
  const b = p.block;
  const key: RegionKey = {
    chip: chipId(config),
    mode: p.mode,
    m: p.m,
    n: p.n,
    k: p.k,
    accumulate: p.accumulate,
    block: b.name,
  };
  const intr = regionIntrinsic(key);
  const outer = b.iterVars.filter((iv) => !p.mapped.has(iv.v));
  const loopOf = (k: number): For => p.loops[b.iterVars.indexOf(outer[k])];
  const ins = [p.operands[0].buffer, p.operands[1].buffer];
  const out = p.operands[2].buffer;
  const region = makeBlock({
    name: `${b.name}_npu`,
    iterVars: outer,
    reads: [...new Set(p.accumulate ? [...ins, out] : ins)].map(fullRegion),
    writes: [fullRegion(out)],
    body: evaluate(markerCall(intr, p.operands)),
    annotations: { tensorized: intr.name },
  });
  let s: Stmt = blockRealize(outer.map((_, k) => loopOf(k).loopVar), true, region);
  // host loops over the uncovered iterators, in the original loop order
  const kept = p.loops.filter((l) => outer.some((_, k) => loopOf(k) === l));
  for (let k = kept.length - 1; k >= 0; k--) {
    s = forLoop(kept[k].loopVar, 0, kept[k].extent, s);
  }
  if (!p.accumulate || !b.init || b.init.kind !== "BufferStore") return s;
  // zero-fill the output first, on the host
  const spatial = b.iterVars.filter((iv) => iv.iterKind === "spatial");
  const initStore = b.init;
  const fresh = spatial.map((iv) => loopVar(iv.v.name.replace(/^v/, "") || "i"));
  let z: Stmt = blockRealize(
    fresh,
    true,
    makeBlock({
      name: `${b.name}_init`,
      iterVars: spatial,
      reads: [],
      writes: [bufferRegion(out, initStore.indices.map((i) => range(i, 1)))],
      body: initStore,
    }),
  );
  for (let k = spatial.length - 1; k >= 0; k--) z = forLoop(fresh[k], 0, spatial[k].dom.extent, z);
  return seq([z, s]);
}

/**
 * Rewrite the GEMM blocks of `f` that the NPU runs (see the module doc); `f` itself when there
 * are none.
 *
 * @example
 * ```ts ignore
 * const g = offloadGemms(f, REFERENCE_NPU, npuIntrinsics(REFERENCE_NPU));
 * ```
 */
export function offloadGemms(
  f: PrimFunc,
  config: NpuConfig,
  intrinsics: readonly Intrinsic[],
): PrimFunc {
  const convs = planConvs(f, config, intrinsics);
  // the padding stages of those convolutions run on the NPU too (`pad_region.ts`)
  const pads = planPads(f, config, new Set(convs.map((p) => p.operands[0].buffer)));
  const done = new Set(convs.map((p) => p.block));
  const plans = planOffload(f, intrinsics).filter((p) => !done.has(p.block));
  if (plans.length === 0 && convs.length === 0) return f;
  const byOuter = new Map<Stmt, Stmt>(plans.map((p) => [p.loops[0], regionStmt(config, p)]));
  for (const p of pads) byOuter.set(p.loops[0], padStmt(p));
  const removed = new Set<Stmt>();
  for (const p of convs) {
    byOuter.set(p.loops[0], convStmt(p));
    for (const l of p.folded) removed.add(l);
  }
  const g = rewrite(f, {
    pre: (n) => (removed.has(n as Stmt) ? seq([]) : byOuter.get(n as Stmt)),
  });
  // drop the emptied epilogue nests
  return rewrite(g, {
    post: (n) =>
      n.kind === "SeqStmt" && n.seq.some((x) => x.kind === "SeqStmt" && x.seq.length === 0)
        ? seq(n.seq.filter((x) => !(x.kind === "SeqStmt" && x.seq.length === 0)))
        : n,
  });
}

/** A contraction region: host loops over the uncovered iterators around one region marker. */
function convStmt(p: ConvPlan): Stmt {
  const b = p.block, intr = convIntrinsic(p.key);
  const ins = p.operands.slice(0, -1).map((o) => o.buffer);
  const out = p.operands[p.operands.length - 1].buffer;
  const region = makeBlock({
    name: `${b.name}_npu`,
    iterVars: p.group ? [...p.outer, p.group] : p.outer,
    reads: [...new Set(ins)].map(fullRegion),
    writes: [fullRegion(out)],
    body: evaluate(markerCall(intr, p.operands)),
    annotations: { tensorized: intr.name },
  });
  const loopOf = (iv: (typeof p.outer)[number]): For => p.loops[b.iterVars.indexOf(iv)];
  // a grouped convolution: one region per group, in a host loop inside the block's host loops
  const g = p.group && loopVar(p.group.v.name);
  const values = p.outer.map((iv) => loopOf(iv).loopVar);
  let s: Stmt = blockRealize(g ? [...values, g] : values, true, region);
  if (g) s = forLoop(g, 0, p.group!.dom.extent, s);
  const kept = p.loops.filter((l) => p.outer.some((iv) => loopOf(iv) === l));
  for (let k = kept.length - 1; k >= 0; k--) {
    s = forLoop(kept[k].loopVar, 0, kept[k].extent, s);
  }
  return s;
}

/** A pad region: one marker in a block of no iterators, in place of the pad block's nest. */
function padStmt(p: PadPlan): Stmt {
  const intr = padIntrinsic(p.key);
  const [x, out] = p.operands.map((o) => o.buffer);
  const region = makeBlock({
    name: `${p.block.name}_npu`,
    iterVars: [],
    reads: [fullRegion(x)],
    writes: [fullRegion(out)],
    body: evaluate(markerCall(intr, p.operands)),
    annotations: { tensorized: intr.name },
  });
  return blockRealize([], true, region);
}
