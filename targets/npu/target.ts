/**
 * `defineNpuTarget(config)`: an NPU as a Tessera target, defined only through the public SDK —
 * scratchpad scopes from the config's capacities and alignments, the GEMM and ALU intrinsics
 * (DSL descriptions), the codegen (GEMM regions offloaded as command streams, everything else
 * host code through the cpu toolchain), the runtime (a simulated NPU sharing the host's wasm
 * memory) and the roofline (GEMM MACs per cycle × clock, DMA bytes per cycle × clock).
 *
 * @module
 */
import {
  defineMemoryScope,
  defineTarget,
  SDK_VERSION,
  type Target,
  type TargetPeak,
} from "../../sdk/mod.ts";
import { MAX_PAGES, PAGE_BYTES } from "../cpu/mod.ts";
import { defineNpuConfig, modeBytes, type NpuConfig, peakMacsPerCycle } from "./config.ts";
import { type NpuArtifact, npuCodegen } from "./codegen.ts";
import { NPU_SCOPES, npuIntrinsics } from "./intrinsics.ts";
import { npuRuntime } from "./runtime.ts";

/**
 * The roofline of a config, from the simulator's own figures: per mode, 2 operations per MAC ×
 * `peakMacsPerCycle` × clock; global memory, one DMA engine's rate (`dma.bytesPerCycle` × clock:
 * what a kernel's loads, or its stores, reach at most; the two engines run concurrently, so a
 * kernel's `dmaBytes / seconds` stays below twice it); each
 * scratchpad, what the GEMM unit reads from it per cycle at peak in the widest enabled mode
 * (the accumulator: one tile of 4-byte elements per tile product).
 *
 * @example
 * ```ts
 * import { npuPeak } from "./target.ts";
 * import { REFERENCE_NPU } from "./config.ts";
 * console.assert(npuPeak(REFERENCE_NPU).flopsPerSecond.int8 === 2 * 4096 * 1e9);
 * ```
 */
export function npuPeak(
  config: NpuConfig,
  scopes: { readonly input: string; readonly weight: string; readonly acc: string } = NPU_SCOPES,
): TargetPeak {
  const g = config.gemm, hz = config.clockHz / g.cyclesPerTile;
  const flops: Record<string, number> = {};
  for (const m of config.modes) flops[m] = 2 * peakMacsPerCycle(config) * config.clockHz;
  const widest = Math.max(...config.modes.map(modeBytes));
  return {
    flopsPerSecond: flops,
    bytesPerSecond: {
      global: config.dma.bytesPerCycle * config.clockHz,
      [scopes.input]: g.batch * g.blockIn * widest * hz,
      [scopes.weight]: g.blockIn * g.blockOut * widest * hz,
      [scopes.acc]: g.batch * g.blockOut * 4 * hz,
    },
  };
}

/** Options of `defineNpuTarget`. */
export interface NpuTargetOptions {
  /** Target name (default `"npu"`). */
  readonly name?: string;
  /** Scope names of the input, weight and accumulator scratchpads (default `npu.inp/wgt/acc`). */
  readonly scopes?: { readonly input: string; readonly weight: string; readonly acc: string };
  /** One line for reports. */
  readonly description?: string;
}

/**
 * The target of an NPU config.
 *
 * @example
 * ```ts
 * import { defineNpuTarget } from "./target.ts";
 * import { REFERENCE_NPU } from "./config.ts";
 * const npu = defineNpuTarget(REFERENCE_NPU);
 * console.assert(npu.kind === "npu" && npu.scopeMap.has("npu.acc"));
 * ```
 */
export function defineNpuTarget(
  config: NpuConfig,
  options: NpuTargetOptions = {},
): Target<NpuArtifact> {
  defineNpuConfig(config);
  const name = options.name ?? "npu";
  const scopes = options.scopes ?? NPU_SCOPES;
  const sp = config.scratchpads;
  return defineTarget<NpuArtifact>({
    name,
    kind: "npu",
    sdkVersion: SDK_VERSION,
    description: options.description ??
      `${config.name}: ${config.gemm.batch}x${config.gemm.blockIn}x${config.gemm.blockOut} GEMM tiles (${
        config.modes.join(", ")
      }), simulated; host code in wasm`,
    scopes: [
      defineMemoryScope({
        name: "global",
        alignmentBytes: 64,
        capacityBytes: MAX_PAGES * PAGE_BYTES,
        description: "the host's wasm memory, also the NPU's global memory (DMA source/target)",
      }),
      ...(["input", "weight", "acc"] as const).map((b) =>
        defineMemoryScope({
          name: scopes[b],
          capacityBytes: sp[b].capacityBytes,
          alignmentBytes: sp[b].alignmentBytes,
          parent: "global",
          description: `the NPU's ${b} scratchpad`,
        })
      ),
    ],
    intrinsics: npuIntrinsics(config, scopes),
    codegen: npuCodegen(config),
    runtime: npuRuntime(config, name),
    limits: {
      vectorBytes: 16,
      maxThreads: 1,
      maxMemoryBytes: MAX_PAGES * PAGE_BYTES,
      gemmBatch: config.gemm.batch,
      gemmBlockIn: config.gemm.blockIn,
      gemmBlockOut: config.gemm.blockOut,
    },
    peak: npuPeak(config, scopes),
    // graph-level offload (ir/graph partition): GEMM-like producers with their bias/relu epilogue
    graphPatterns: (["dense", "matmul", "batch_matmul", "conv2d"] as const).map((op) => ({
      name: op,
      ops: [op, "add?", "relu?"],
      dtypes: config.modes.filter((m) => m !== "int8"), // int8 needs a requantising epilogue
    })),
  });
}
