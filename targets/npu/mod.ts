/**
 * The reference NPU: its hardware configs, instruction set (fixed-width command words, encoder,
 * decoder, disassembler), the cycle-counting simulator, the program builder and the tiled matmul
 * program generator. Browser-safe (no `Deno.*`). See `docs/npu.md`.
 *
 * The default export is the reference NPU as a Tessera target (`defineNpuTarget(REFERENCE_NPU)`):
 * `build(f, npu)` offloads GEMM-like blocks (matmul, dense, batch_matmul) and convolutions (as
 * implicit GEMMs with DMA-gathered tiles, with their bias/relu/requantisation epilogues on the
 * vector ALU) to the simulated GEMM unit and runs everything else as host code in wasm (see
 * `docs/npu.md`).
 *
 * @example
 * ```ts
 * import { matmulProgram, REFERENCE_NPU, simulate } from "./mod.ts";
 * const mem = new Uint8Array(4096);
 * const words = matmulProgram(REFERENCE_NPU, {
 *   m: 16, n: 16, k: 16, a: { address: 0 }, b: { address: 256 }, c: { address: 512 },
 *   inDtype: "int8", outDtype: "int32",
 * }, { blockM: 1, blockN: 1, blockK: 1, doubleBuffer: false });
 * const report = simulate(REFERENCE_NPU, words, mem);
 * console.assert(report.gemmTiles === 1);
 * ```
 *
 * @module
 */
import { REFERENCE_NPU } from "./config.ts";
import { defineNpuTarget } from "./target.ts";
import type { Target } from "../../sdk/mod.ts";
import type { NpuArtifact } from "./codegen.ts";

/** The reference NPU target (16×16×16 GEMM tiles, int8/float16/float32, simulated). */
const npu: Target<NpuArtifact> = defineNpuTarget(REFERENCE_NPU);
export default npu;
export { npu };
export { defineNpuTarget, npuPeak, type NpuTargetOptions } from "./target.ts";
export {
  applyEpilogue,
  convDescription,
  convIntrinsic,
  type ConvKey,
  convName,
  type EpilogueStep,
  parseConvName,
} from "./conv_region.ts";
export { type ConvPlan, planConvs } from "./conv_plan.ts";
export { type Access, foldChain, type Folded } from "./conv_epilogue.ts";
export {
  CONV_OPERANDS,
  convFeasible,
  convFits,
  type ConvLayout,
  type ConvProgram,
  convProgram,
  type ConvSchedule,
  type ConvSpec,
  wideGeometry,
} from "./conv_program.ts";
export { chooseConvSchedule, type ConvChoice, convCycles } from "./conv_schedule.ts";
export { type ConvForm, type ConvSiteProgram, convSiteProgram } from "./conv_sites.ts";
export { type HostMacBlock, isMacBlock, type NpuArtifact, npuCodegen } from "./codegen.ts";
export { NpuDevice, type NpuKernelStats, npuRuntime } from "./runtime.ts";
export { runNpuIntrinsic, type TileView } from "./run_intrinsic.ts";
export {
  accDtype,
  gemmDescription,
  NPU_SCOPES,
  type NpuIntrinsicImpl,
  npuIntrinsics,
} from "./intrinsics.ts";
export { layoutOf, type OffloadPlan, type OperandLayout, planOffload } from "./offload_plan.ts";
export {
  chipId,
  markerIntrinsic,
  offloadGemms,
  parseRegionName,
  regionIntrinsic,
  type RegionKey,
  regionName,
} from "./offload.ts";
export {
  padDescription,
  padIntrinsic,
  type PadKey,
  padName,
  type PadPlan,
  padSpecOf,
  parsePadName,
  planPads,
} from "./pad_region.ts";
export {
  choosePadSchedule,
  PAD_OPERANDS,
  type PadChoice,
  type PadOperand,
  type PadProgram,
  padProgram,
  type PadSchedule,
  type PadSpec,
} from "./pad_program.ts";
export { type PadSiteProgram, padSiteProgram } from "./pad_sites.ts";
export { lowerSites, type NpuSite, siteCallName, type SiteLowering } from "./sites.ts";
export { NPU_RUN_IMPORT, relocationOf, siteEmitters, sitesC } from "./site_c.ts";
export {
  defineNpuConfig,
  modeBytes,
  type NpuBuffer,
  type NpuConfig,
  type NpuMode,
  peakMacsPerCycle,
  REFERENCE_NPU,
  type ScratchpadSpec,
  tileCapacity,
  tileElems,
  tileShape,
} from "./config.ts";
export { type NpuCommandRef, NpuError } from "./errors.ts";
export {
  ALU_CODES,
  type AluCommand,
  type AluOp,
  BUFFER_CODES,
  COMMAND_WORDS,
  decodeCommand,
  type Deps,
  type DmaRegion,
  DTYPE_CODES,
  dtypeBytes,
  encodeCommand,
  type FinishCommand,
  type GemmCommand,
  type LoadCommand,
  type Loops3,
  MODE_CODES,
  NO_DEPS,
  type NopCommand,
  type NpuCommand,
  type NpuDType,
  type NpuQueue,
  OPCODES,
  QUEUE_CODES,
  queueOf,
  type StoreCommand,
} from "./isa.ts";
export { disassemble, disassembleWords } from "./disasm.ts";
export { NpuScratchpads, requantInt, shiftInt } from "./exec.ts";
export { type CommandTime, commandTime } from "./timing.ts";
export {
  type CommandTiming,
  decodeProgram,
  type NpuReport,
  simulate,
  type SimulateOptions,
  simulateTiming,
  type TokenCounts,
  usefulUtilization,
} from "./simulator.ts";
export {
  type AluLoop,
  type DepFlags,
  type DmaArgs,
  type GemmLoop,
  NpuProgramBuilder,
} from "./program.ts";
export {
  type EpilogueOp,
  matmulProgram,
  type MatmulSchedule,
  type MatmulSpec,
  matmulTiles,
  type MatrixRef,
  scheduleFits,
} from "./matmul_program.ts";
export { chooseMatmulSchedule, type ScheduleChoice } from "./matmul_schedule.ts";
