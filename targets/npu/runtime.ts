/**
 * The NPU runtime: an `NpuDevice` is a cpu device (one shared wasm memory, the host code's
 * modules) whose memory is also the NPU's global memory. Host code calls the import
 * `env.tsr_npu_run(words, count, site)`; the device decodes the command words from its memory and
 * runs them on the simulator (`simulate`), which reads and writes the tensors in place and counts
 * cycles. Per kernel, the last run's figures are kept (`stats`): simulated cycles and seconds,
 * GEMM utilisation, the share of MACs that ran on the GEMM unit, and the ops that ran on the host.
 * `time` reports simulated device time plus the host code's own wall time (the simulator's wall
 * time excluded).
 *
 * @module
 */
import { InternalError } from "../../ir/errors.ts";
import { type PrimExpr, type Var } from "../../ir/expr.ts";
import { simplify } from "../../ir/arith/mod.ts";
import { substitute } from "../../ir/transform/mod.ts";
import type {
  DeviceArg,
  DeviceOptions,
  KernelStats,
  LoadedKernel,
  Runtime,
  TimeOptions,
  Timing,
} from "../../sdk/device.ts";
import { CpuDevice, type CpuDeviceOptions, HOST_MATH } from "../cpu/mod.ts";
import { type NpuConfig, peakMacsPerCycle } from "./config.ts";
import type { NpuArtifact } from "./codegen.ts";
import { COMMAND_WORDS } from "./isa.ts";
import { simulate } from "./simulator.ts";
import { NPU_RUN_IMPORT } from "./site_c.ts";
import { runNpuIntrinsic, type TileView } from "./run_intrinsic.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";

/** Figures of one kernel run on an NPU device. */
export interface NpuKernelStats extends KernelStats {
  /** Simulated NPU cycles, summed over the command streams the run issued. */
  readonly cycles: number;
  /** `cycles` at the config's clock. */
  readonly seconds: number;
  /** GEMM tile MACs (padding included) over peak MACs × cycles, as the simulator reports. */
  readonly utilization: number;
  /** The problem's own MACs on the GEMM unit over peak MACs × cycles (padding excluded). */
  readonly usefulUtilization: number;
  /** MACs on the GEMM unit over all MACs of the kernel (host multiply-accumulates included). */
  readonly intrinsicShare: number;
  /** MACs the GEMM unit ran (the problem's own). */
  readonly npuMacs: number;
  /**
   * The kernel's own multiply-accumulates, NPU and host (`npuMacs + hostMacs`, padding
   * excluded), as the cpu target reports `macs`. For a roofline of the NPU use `npuMacs` with
   * `seconds` (host work takes no device time): `opsPerSecond`.
   */
  readonly macs: number;
  /** MACs the GEMM unit ran, padding included (what `utilization` counts; cpu's meaning). */
  readonly intrinsicMacs: number;
  /** Bytes the DMA engines moved between global memory and the scratchpads (loads + stores). */
  readonly dmaBytes: number;
  /** The part of `dmaBytes` loaded (global → scratchpads); the rest was stored. */
  readonly dmaLoadBytes: number;
  /** Achieved operations per second of the NPU: `2 · npuMacs / seconds` (0 when it did not run). */
  readonly opsPerSecond: number;
  /** MACs the host ran. */
  readonly hostMacs: number;
  /** Command streams issued. */
  readonly streams: number;
  /** Commands issued. */
  readonly commands: number;
  /** Blocks that ran on the host. */
  readonly hostOps: readonly string[];
  /** Wall time of the run in the host code, simulator excluded (ms). */
  readonly hostMs: number;
}

interface RunState {
  readonly art: NpuArtifact;
  cycles: number;
  tileMacs: number;
  npuMacs: number;
  dmaBytes: number;
  dmaLoadBytes: number;
  streams: number;
  commands: number;
  simMs: number;
}

/** Evaluate an extent at the call's sizes (NaN when it does not reduce to a constant). */
function evalExtent(e: PrimExpr, sizes: ReadonlyMap<Var, PrimExpr>): number {
  const v = simplify(substitute(e, sizes));
  return v.kind === "IntImm" ? v.value : NaN;
}

/** A cpu device whose memory is also the global memory of a simulated NPU. */
export class NpuDevice extends CpuDevice {
  /** The target name. */
  override readonly target: string;
  /** The NPU. */
  readonly config: NpuConfig;
  private current?: RunState;
  private readonly last = new WeakMap<LoadedKernel, NpuKernelStats>();

  /**
   * Make a device (usually through the target's runtime). Host code runs on one thread unless
   * `threads` says otherwise.
   */
  constructor(config: NpuConfig, target: string, options: CpuDeviceOptions = {}) {
    const ref: { device?: NpuDevice } = {};
    super(
      {
        ...HOST_MATH,
        [NPU_RUN_IMPORT]: (words: number, count: number, site: number, stream: number) =>
          ref.device!.runStream(words, count, site, stream),
      },
      { threads: 1, ...options },
    );
    ref.device = this;
    this.config = config;
    this.target = target;
  }

  /**
   * `env.tsr_npu_run`: simulate `count` commands at byte address `words`, stream `stream` of
   * site `site`.
   */
  private runStream(words: number, count: number, site: number, stream: number): number {
    const st = this.current;
    if (!st) throw new InternalError("an NPU command stream was issued outside a kernel run");
    const s = st.art.sites[site];
    if (!s) throw new InternalError(`kernel "${st.art.entry}" has no NPU site ${site}`);
    const buffer = this.mem.buffer;
    const cmds = new Int32Array(buffer, words >>> 0, count * COMMAND_WORDS).slice();
    const t0 = performance.now();
    const report = simulate(this.config, cmds, new Uint8Array(buffer));
    st.simMs += performance.now() - t0;
    st.cycles += report.totalCycles;
    st.tileMacs += report.macs;
    st.dmaBytes += report.bytesLoaded + report.bytesStored;
    st.dmaLoadBytes += report.bytesLoaded;
    if (stream === 0) st.npuMacs += s.macs; // a site's streams together compute its MACs
    st.streams++;
    st.commands += count;
    return 0;
  }

  /** Run a loaded kernel synchronously; its figures are kept for `stats`. */
  override invoke(kernel: LoadedKernel, args: readonly DeviceArg[]): void {
    const art = kernel.artifact as NpuArtifact;
    const st: RunState = {
      art,
      cycles: 0,
      tileMacs: 0,
      npuMacs: 0,
      dmaBytes: 0,
      dmaLoadBytes: 0,
      streams: 0,
      commands: 0,
      simMs: 0,
    };
    this.current = st;
    const t0 = performance.now();
    try {
      super.invoke(kernel, args);
    } finally {
      this.current = undefined;
    }
    const hostMs = performance.now() - t0 - st.simMs;
    this.last.set(kernel, this.finish(st, args, hostMs));
  }

  /** The figures of a finished run (host MACs evaluated at the call's sizes). */
  private finish(st: RunState, args: readonly DeviceArg[], hostMs: number): NpuKernelStats {
    const sizes = new Map<Var, PrimExpr>();
    st.art.lowered.params.forEach((p, k) => {
      const a = args[k];
      if (p.kind === "Var" && (typeof a === "number" || typeof a === "bigint")) {
        sizes.set(p, { kind: "IntImm", dtype: p.dtype, value: Number(a) } as PrimExpr);
      }
    });
    let hostMacs = 0;
    for (const b of st.art.hostMacBlocks) {
      hostMacs += b.extents.reduce((n, e) => n * evalExtent(e, sizes), 1);
    }
    const peak = peakMacsPerCycle(this.config) * st.cycles;
    const all = st.npuMacs + hostMacs;
    return {
      cycles: st.cycles,
      seconds: st.cycles / this.config.clockHz,
      utilization: peak > 0 ? st.tileMacs / peak : 0,
      usefulUtilization: peak > 0 ? st.npuMacs / peak : 0,
      intrinsicShare: all > 0 ? st.npuMacs / all : 0,
      npuMacs: st.npuMacs,
      macs: st.npuMacs + hostMacs,
      intrinsicMacs: st.tileMacs,
      dmaBytes: st.dmaBytes,
      dmaLoadBytes: st.dmaLoadBytes,
      opsPerSecond: st.cycles > 0 ? (2 * st.npuMacs * this.config.clockHz) / st.cycles : 0,
      hostMacs,
      streams: st.streams,
      commands: st.commands,
      hostOps: st.art.hostOps,
      hostMs,
    };
  }

  /** Figures of the kernel's last run on this device. */
  override stats(kernel: LoadedKernel): NpuKernelStats | undefined {
    return this.last.get(kernel);
  }

  /**
   * Time repeated runs: each sample is the simulated NPU time plus the host code's wall time
   * (the simulator's own wall time excluded), in milliseconds.
   */
  override time(
    kernel: LoadedKernel,
    args: readonly DeviceArg[],
    options: TimeOptions = {},
  ): Promise<Timing> {
    try {
      for (let i = 0; i < (options.warmup ?? 1); i++) this.invoke(kernel, args);
      const samples: number[] = [];
      const repeat = Math.max(1, options.repeat ?? 5);
      for (let i = 0; i < repeat; i++) {
        this.invoke(kernel, args);
        const s = this.last.get(kernel)!;
        samples.push(s.seconds * 1e3 + s.hostMs);
      }
      const sorted = [...samples].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
      return Promise.resolve({ medianMs: median, minMs: sorted[0], samplesMs: samples });
    } catch (e) {
      return Promise.reject(e);
    }
  }
}

/**
 * The NPU runtime for a config: makes `NpuDevice`s (device options as for cpu devices; host
 * code on one thread by default).
 *
 * @example
 * ```ts
 * import { npuRuntime } from "./runtime.ts";
 * import { REFERENCE_NPU } from "./config.ts";
 * const device = await npuRuntime(REFERENCE_NPU, "npu").createDevice();
 * console.assert(device.target === "npu");
 * ```
 */
export function npuRuntime(config: NpuConfig, target: string): Runtime<NpuArtifact> {
  const runtime = {
    /** Run one intrinsic on tiles as the NPU does (a small stream on the simulator). */
    runIntrinsic: (intrinsic: Intrinsic, tiles: readonly TileView[]): Promise<void> => {
      try {
        runNpuIntrinsic(config, intrinsic, tiles);
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    },
    createDevice: (options?: DeviceOptions): Promise<NpuDevice> => {
      try {
        return Promise.resolve(
          new NpuDevice(config, target, (options ?? {}) as CpuDeviceOptions),
        );
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
  return runtime;
}
