/**
 * The Acme N1: a second NPU, defined by a vendor in this one file with Tessera's public API only.
 *
 * It differs from the reference NPU everywhere a chip can: GEMM tiles of 8×8×32 (acc[8×32] +=
 * inp[8×8] · wgt[8×32], 2048 MACs per cycle), int8 and float16 modes only (no float32 GEMM: float32
 * matmuls run on the host and the conformance report says so), scratchpads of 16/32/64 KiB, a
 * slower global memory (64 bytes per cycle after 32 cycles), an 800 MHz clock, and its own scope
 * names (`acme.sram_a`, `acme.sram_b`, `acme.accum`). The peaks follow from the config:
 * 2 · 2048 MACs/cycle · 0.8 GHz = 3.3 TOPS (int8 and float16), 51.2 GB/s to global memory (per
 * DMA engine; loads and stores run concurrently).
 *
 * Run it through the conformance kit from the repository's root:
 *
 * ```sh
 * deno task conformance --target ./examples/vendor-npu/chip.ts
 * ```
 *
 * @module
 */
import { type Target } from "../../mod.ts";
import {
  defineNpuConfig,
  defineNpuTarget,
  type NpuArtifact,
  type NpuConfig,
} from "../../targets/npu/mod.ts";

/** The Acme N1's hardware description: plain data, checked by `defineNpuConfig`. */
export const ACME_N1: NpuConfig = defineNpuConfig({
  name: "acme-n1",
  // acc[batch × blockOut] += inp[batch × blockIn] · wgt[blockIn × blockOut], one tile per cycle.
  gemm: { batch: 8, blockIn: 8, blockOut: 32, cyclesPerTile: 1 },
  modes: ["int8", "float16"],
  scratchpads: {
    // alignment: a power of two dividing the tile (input 64 B, weight 256 B, acc 1 KiB in int8)
    input: { capacityBytes: 16 * 1024, alignmentBytes: 64 },
    weight: { capacityBytes: 32 * 1024, alignmentBytes: 256 },
    acc: { capacityBytes: 64 * 1024, alignmentBytes: 1024 },
  },
  dma: { bytesPerCycle: 64, latencyCycles: 32 },
  alu: { lanes: 32 },
  computeOverheadCycles: 3,
  clockHz: 800e6,
});

/** The Acme N1 as a Tessera target: its scopes, GEMM/ALU intrinsics, codegen and simulator. */
const acme: Target<NpuArtifact> = defineNpuTarget(ACME_N1, {
  name: "acme-n1",
  scopes: { input: "acme.sram_a", weight: "acme.sram_b", acc: "acme.accum" },
  description: "Acme N1: 8x8x32 int8/float16 GEMM tiles, 16/32/64 KiB SRAMs, 800 MHz (simulated)",
});

export default acme;
