/**
 * The NPU codegen: a lowered function whose GEMM regions carry region markers (the default
 * schedule, `offload.ts`) → sites (`sites.ts`: command stream templates chosen by simulation,
 * host packing loops) → one C file for the cpu toolchain: the whole function as host code
 * (`emitC` of the cpu target) with each site a C function that writes its command words into
 * wasm memory and calls `env.tsr_npu_run` (`site_c.ts`) → wasm. Blocks that are not GEMMs stay
 * host code; the artifact lists them (`hostOps`) and how many MACs they hold (`hostMacBlocks`).
 *
 * @module
 */
import type { PrimExpr } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import type { Block } from "../../ir/stmt.ts";
import type { Codegen, CompileContext } from "../../sdk/codegen.ts";
import type { Target } from "../../sdk/target.ts";
import { blocksUnder, childBlocks } from "../../tensorize/analysis/find.ts";
import {
  type CKernel,
  compileC,
  CPU_LOWER_OPTIONS,
  type CpuArtifact,
  cpuFlags,
  emitC,
  linkC,
} from "../cpu/mod.ts";
import type { NpuConfig } from "./config.ts";
import { offloadGemms } from "./offload.ts";
import { planConvs } from "./conv_plan.ts";
import { NPU_RUN_IMPORT, siteEmitters, sitesC } from "./site_c.ts";
import { lowerSites, type NpuSite } from "./sites.ts";

/** A block that multiplies and accumulates on the host, and its iteration extents. */
export interface HostMacBlock {
  /** Block name. */
  readonly block: string;
  /** Extents of its iteration variables (their product is its MAC count). */
  readonly extents: readonly PrimExpr[];
}

/** What the NPU codegen produces: a cpu-style wasm module (the host code) plus its sites. */
export interface NpuArtifact extends CpuArtifact {
  /** The NPU config it was compiled for. */
  readonly config: NpuConfig;
  /** The offloaded GEMM regions, by site id. */
  readonly sites: readonly NpuSite[];
  /** Blocks that run on the host (as written, plus `<gemm>_init` zero-fills). */
  readonly hostOps: readonly string[];
  /** Multiply-accumulate blocks that run on the host. */
  readonly hostMacBlocks: readonly HostMacBlock[];
}

const sanitize = (s: string) => s.replace(/[^A-Za-z0-9_]/g, "_");

function stripCasts(e: PrimExpr): PrimExpr {
  return e.kind === "Cast" ? stripCasts(e.value) : e;
}

/** True if a block's update is `C = C + x·y` (a multiply-accumulate reduction). */
export function isMacBlock(b: Block): boolean {
  if (!b.init || b.body.kind !== "BufferStore") return false;
  const st = b.body, v = st.value;
  if (v.kind !== "Binary" || v.op !== "add") return false;
  const self = (e: PrimExpr) => e.kind === "BufferLoad" && e.buffer === st.buffer;
  const prod = (e: PrimExpr) => {
    const x = stripCasts(e);
    return x.kind === "Binary" && x.op === "mul";
  };
  return (self(v.a) && prod(v.b)) || (self(v.b) && prod(v.a));
}

/** The leaf blocks of a function (its computations). */
function leafBlocks(f: PrimFunc): Block[] {
  return blocksUnder(f.body).map((r) => r.block).filter((b) =>
    b.name !== "root" && childBlocks(b.body).length === 0
  );
}

/**
 * The NPU codegen for a config. Its default schedule offloads GEMM blocks (`offloadGemms`);
 * codegen option `relaxedSimd` is passed to the host code as on cpu.
 *
 * @example
 * ```ts ignore
 * const codegen = npuCodegen(REFERENCE_NPU);
 * ```
 */
export function npuCodegen(config: NpuConfig): Codegen<NpuArtifact> {
  return {
    lowerOptions: CPU_LOWER_OPTIONS,
    schedule: (f: PrimFunc, target: Target) => offloadGemms(f, config, target.intrinsics),
    async compile(lowered: PrimFunc, ctx: CompileContext): Promise<NpuArtifact> {
      const relaxedSimd = ctx.options.relaxedSimd !== false;
      const { func, sites } = lowerSites(lowered, config);
      const k = emitC(func, { relaxedSimd, calls: siteEmitters(sites) });
      const source = sites.length
        ? linkC([{ ...k, parts: sitesC(sites) } as CKernel, k])
        : k.source;
      const wasm = await compileC(source, cpuFlags({ relaxedSimd, sharedMemory: true }));
      const offloaded = new Set(sites.map((s) => s.block));
      if (sites.some((s) => s.conv?.epilogue.length)) {
        // the default schedule folded these epilogue stages into regions (deterministic)
        const plans = planConvs(ctx.original, config, ctx.target.intrinsics);
        for (const p of plans) for (const b of p.foldedBlocks) offloaded.add(sanitize(b));
      }
      const inits = [...new Set(sites.filter((s) => s.key?.accumulate).map((s) => s.block))];
      const packs = [
        ...new Set(sites.flatMap((s) => s.packs.map((p) => `${s.block}_${p}`))),
      ];
      const host = leafBlocks(ctx.original).filter((b) => !offloaded.has(sanitize(b.name)));
      return {
        target: ctx.target.name,
        entry: k.entry,
        source,
        lowered,
        wasm,
        params: k.params,
        hostImports: sites.length ? [...k.hostImports, NPU_RUN_IMPORT].sort() : k.hostImports,
        assertMessages: k.assertMessages,
        parallelTasks: k.parallelTasks,
        config,
        sites,
        hostOps: [...host.map((b) => b.name), ...inits.map((b) => `${b}_init`), ...packs],
        hostMacBlocks: host.filter(isMacBlock).map((b) => ({
          block: b.name,
          extents: b.iterVars.map((iv) => iv.dom.extent),
        })),
      };
    },
  };
}
