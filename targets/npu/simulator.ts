/**
 * The NPU simulator: runs a command stream exactly on a global memory and counts cycles.
 *
 * Three in-order modules (load, compute, store) run concurrently. A command starts when its module
 * is free and every token it pops has arrived; its pushes arrive when it ends. Tokens flow on four
 * channels: load→compute, compute→load, compute→store, store→compute. The result is deterministic;
 * a stream whose queues touch one tile without a token chain between them fails with `NPU_RACE`,
 * so a stream that runs computes what the hardware would under any timing.
 *
 * @module
 */
import { type NpuConfig, peakMacsPerCycle } from "./config.ts";
import { disassemble } from "./disasm.ts";
import { NpuError } from "./errors.ts";
import { execAlu, execGemm, execLoad, execStore, NpuScratchpads } from "./exec.ts";
import { checkCommand, forEachLoop, regionTiles, tileAt } from "./geometry.ts";
import {
  COMMAND_WORDS,
  decodeCommand,
  type Deps,
  dtypeBytes,
  type NpuCommand,
  type NpuQueue,
  queueOf,
} from "./isa.ts";
import { type QueueId, type Race, RaceLog } from "./races.ts";
import { commandTime, dmaBytes, iterations } from "./timing.ts";

const QUEUES: readonly NpuQueue[] = ["load", "compute", "store"];

/** When one command ran. */
export interface CommandTiming {
  /** Index in the stream. */
  readonly index: number;
  /** The queue (module) it runs on. */
  readonly queue: NpuQueue;
  /** Cycle it started. */
  readonly start: number;
  /** Cycle it completed (tokens pushed). */
  readonly end: number;
}

/** Token counts left unconsumed at the end, per channel. */
export interface TokenCounts {
  /** Tokens load → compute. */
  readonly loadToCompute: number;
  /** Tokens compute → load. */
  readonly computeToLoad: number;
  /** Tokens compute → store. */
  readonly computeToStore: number;
  /** Tokens store → compute. */
  readonly storeToCompute: number;
}

/** What a run did and how long it took. */
export interface NpuReport {
  /** Config name. */
  readonly chip: string;
  /** Cycles until every queue has drained. */
  readonly totalCycles: number;
  /** `totalCycles / clockHz`. */
  readonly seconds: number;
  /** Cycles each module was busy. */
  readonly busyCycles: { readonly load: number; readonly compute: number; readonly store: number };
  /** Cycles of GEMM and of ALU commands (part of compute's busy cycles). */
  readonly gemmCycles: number;
  /** Cycles of ALU commands. */
  readonly aluCycles: number;
  /** Tile products the GEMM unit did, and the MACs they hold (padding included). */
  readonly gemmTiles: number;
  /** MACs of those tile products (padding included). */
  readonly macs: number;
  /** MACs per cycle at full throughput. */
  readonly peakMacsPerCycle: number;
  /** `macs / (peakMacsPerCycle · totalCycles)`: the GEMM unit's share of the run. */
  readonly utilization: number;
  /** Bytes read from and written to global memory. */
  readonly bytesLoaded: number;
  /** Bytes written to global memory. */
  readonly bytesStored: number;
  /** Commands per opcode. */
  readonly commandCounts: Readonly<Record<NpuCommand["op"], number>>;
  /** Tokens left unconsumed at the end. */
  readonly leftoverTokens: TokenCounts;
  /** Per-command timings, when `trace` was asked for. */
  readonly timeline?: readonly CommandTiming[];
}

/** Options of `simulate`. */
export interface SimulateOptions {
  /** Record every command's start and end (`report.timeline`). */
  readonly trace?: boolean;
  /** Scratchpad state to start from (and leave results in); fresh zeroed scratchpads otherwise. */
  readonly scratchpads?: NpuScratchpads;
  /** Check cross-queue tile races (default true). */
  readonly checkRaces?: boolean;
  /**
   * Execute the commands' data effects (default true). With false only cycles are counted: no
   * memory is touched or checked, no races are checked (`simulateTiming`).
   */
  readonly execute?: boolean;
}

/** The fraction of peak that `usefulMacs` (e.g. M·N·K of the unpadded problem) reached. */
export function usefulUtilization(report: NpuReport, usefulMacs: number): number {
  return report.totalCycles === 0 ? 0 : usefulMacs / (report.peakMacsPerCycle * report.totalCycles);
}

/**
 * Count the cycles of a stream without executing it (no memory needed): what `simulate` reports,
 * minus the data. Cheap enough to compare many candidate schedules.
 *
 * @example
 * ```ts
 * import { simulateTiming } from "./simulator.ts";
 * import { REFERENCE_NPU } from "./config.ts";
 * const w = new Int32Array(16); w[0] = 6; // FINISH
 * console.assert(simulateTiming(REFERENCE_NPU, w).totalCycles === 1);
 * ```
 */
export function simulateTiming(config: NpuConfig, words: Int32Array): NpuReport {
  return simulate(config, words, new Uint8Array(0), { execute: false });
}

/**
 * Decode and check a whole stream: every command decodes and fits the config, the last command is
 * FINISH and no other is.
 */
export function decodeProgram(config: NpuConfig, words: Int32Array): NpuCommand[] {
  if (words.length === 0 || words.length % COMMAND_WORDS !== 0) {
    throw new NpuError(
      "NPU_BAD_COMMAND",
      `Cannot decode a stream of ${words.length} words: it must be a nonzero multiple of ${COMMAND_WORDS}`,
    );
  }
  const n = words.length / COMMAND_WORDS;
  const cmds: NpuCommand[] = [];
  for (let i = 0; i < n; i++) {
    const c = decodeCommand(words, i);
    const ref = () => ({ index: i, disasm: disassemble(c) });
    if (c.op === "finish" && i !== n - 1) {
      throw new NpuError("NPU_BAD_COMMAND", "Cannot run commands after FINISH", {}, ref());
    }
    if (i === n - 1 && c.op !== "finish") {
      throw new NpuError(
        "NPU_BAD_COMMAND",
        "Cannot run a stream that does not end with FINISH",
        { hint: "end every stream with a FINISH command" },
        ref(),
      );
    }
    checkCommand(config, c, i);
    cmds.push(c);
  }
  return cmds;
}

interface Token {
  readonly time: number;
  readonly clock: readonly number[];
}

/** Channel names indexed [from][to]. */
type Channel = keyof TokenCounts;
const POP: Record<NpuQueue, Partial<Record<keyof Deps, Channel>>> = {
  load: { popNext: "computeToLoad" },
  compute: { popPrev: "loadToCompute", popNext: "storeToCompute" },
  store: { popPrev: "computeToStore" },
};
const PUSH: Record<NpuQueue, Partial<Record<keyof Deps, Channel>>> = {
  load: { pushNext: "loadToCompute" },
  compute: { pushPrev: "computeToLoad", pushNext: "computeToStore" },
  store: { pushPrev: "storeToCompute" },
};

function memoryView(memory: Uint8Array): DataView {
  return new DataView(memory.buffer, memory.byteOffset, memory.byteLength);
}

/**
 * Run a stream (words, as the host writes them) on `memory` (a byte view; command addresses are
 * offsets into it, e.g. a view of a wasm memory) and return the report.
 *
 * @example
 * ```ts
 * import { simulate } from "./simulator.ts";
 * import { REFERENCE_NPU } from "./config.ts";
 * import { NpuProgramBuilder } from "./program.ts";
 * const p = new NpuProgramBuilder(REFERENCE_NPU);
 * p.finish();
 * const r = simulate(REFERENCE_NPU, p.build(), new Uint8Array(64));
 * console.assert(r.totalCycles === 1);
 * ```
 */
export function simulate(
  config: NpuConfig,
  words: Int32Array,
  memory: Uint8Array,
  options: SimulateOptions = {},
): NpuReport {
  const cmds = decodeProgram(config, words);
  const view = memoryView(memory);
  const pads = options.scratchpads ?? new NpuScratchpads(config);
  const execute = options.execute !== false;
  const races = options.checkRaces === false || !execute ? undefined : new RaceLog(config);
  const order: number[][] = [[], [], []];
  cmds.forEach((c, i) => order[QUEUES.indexOf(queueOf(c))].push(i));
  const pos = [0, 0, 0], freeAt = [0, 0, 0], busy = [0, 0, 0];
  const clocks = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  const tokens: Record<Channel, Token[]> = {
    loadToCompute: [],
    computeToLoad: [],
    computeToStore: [],
    storeToCompute: [],
  };
  const counts = { load: 0, store: 0, gemm: 0, alu: 0, nop: 0, finish: 0 };
  const timeline: CommandTiming[] = [];
  let doneAt = 0, gemmCycles = 0, aluCycles = 0, gemmTiles = 0, bytesLoaded = 0, bytesStored = 0;

  const popCache = new Map<NpuCommand, Channel[]>();
  const pops = (q: QueueId, c: NpuCommand): Channel[] => {
    let r = popCache.get(c);
    if (!r) {
      r = (Object.keys(POP[QUEUES[q]]) as (keyof Deps)[]).filter((f) => c.deps[f]).map((f) =>
        POP[QUEUES[q]][f]!
      );
      popCache.set(c, r);
    }
    return r;
  };

  for (;;) {
    let best = -1, bestStart = Infinity;
    for (let q = 0; q < 3; q++) {
      if (pos[q] >= order[q].length) continue;
      const need = pops(q as QueueId, cmds[order[q][pos[q]]]);
      if (need.some((ch) => tokens[ch].length === 0)) continue;
      const start = Math.max(freeAt[q], ...need.map((ch) => tokens[ch][0].time));
      if (start < bestStart) [best, bestStart] = [q, start];
    }
    if (best < 0) {
      if (pos.every((p, q) => p >= order[q].length)) break;
      throw deadlock(cmds, order, pos, pops);
    }
    const q = best as QueueId;
    const index = order[q][pos[q]++];
    const c = cmds[index];
    const clock = clocks[q];
    for (const ch of pops(q, c)) {
      const t = tokens[ch].shift()!;
      for (let k = 0; k < 3; k++) clock[k] = Math.max(clock[k], t.clock[k]);
    }
    clock[q] = pos[q];
    if (races) checkRaces(config, races, c, q, clock, cmds, order, index);
    const time = commandTime(config, c);
    const cycles = time.busy;
    const end = bestStart + time.latency;
    freeAt[q] = bestStart + cycles;
    doneAt = Math.max(doneAt, end);
    busy[q] += cycles;
    counts[c.op]++;
    switch (c.op) {
      case "load":
        if (execute) {
          checkGlobal(c, index, view);
          execLoad(pads, view, c);
        }
        bytesLoaded += dmaBytes(c);
        break;
      case "store":
        if (execute) {
          checkGlobal(c, index, view);
          execStore(pads, view, c);
        }
        bytesStored += dmaBytes(c);
        break;
      case "gemm":
        if (execute) execGemm(pads, c);
        gemmTiles += iterations(c.extents);
        gemmCycles += cycles;
        break;
      case "alu":
        if (execute) execAlu(pads, c);
        aluCycles += cycles;
        break;
    }
    for (const f of Object.keys(PUSH[QUEUES[q]]) as (keyof Deps)[]) {
      if (c.deps[f]) tokens[PUSH[QUEUES[q]][f]!].push({ time: end, clock: [...clock] });
    }
    if (options.trace) timeline.push({ index, queue: QUEUES[q], start: bestStart, end });
  }

  const totalCycles = doneAt;
  const g = config.gemm;
  const macs = gemmTiles * g.batch * g.blockIn * g.blockOut;
  const peak = peakMacsPerCycle(config);
  return {
    chip: config.name,
    totalCycles,
    seconds: totalCycles / config.clockHz,
    busyCycles: { load: busy[0], compute: busy[1], store: busy[2] },
    gemmCycles,
    aluCycles,
    gemmTiles,
    macs,
    peakMacsPerCycle: peak,
    utilization: totalCycles === 0 ? 0 : macs / (peak * totalCycles),
    bytesLoaded,
    bytesStored,
    commandCounts: counts,
    leftoverTokens: {
      loadToCompute: tokens.loadToCompute.length,
      computeToLoad: tokens.computeToLoad.length,
      computeToStore: tokens.computeToStore.length,
      storeToCompute: tokens.storeToCompute.length,
    },
    ...(options.trace ? { timeline } : {}),
  };
}

function deadlock(
  cmds: readonly NpuCommand[],
  order: number[][],
  pos: number[],
  pops: (q: QueueId, c: NpuCommand) => Channel[],
): NpuError {
  const waits: string[] = [];
  let first = -1;
  for (let q = 0; q < 3; q++) {
    if (pos[q] >= order[q].length) continue;
    const i = order[q][pos[q]];
    if (first < 0 || i < first) first = i;
    waits.push(
      `${QUEUES[q]} waits at #${i} (${disassemble(cmds[i])}) for ${
        pops(q as QueueId, cmds[i]).join(" and ")
      }`,
    );
  }
  return new NpuError(
    "NPU_DEADLOCK",
    `Cannot finish the stream: every remaining queue waits for a token that is never pushed — ${
      waits.join("; ")
    }`,
    { hint: "every pop needs a matching push on the same channel earlier in the other queue" },
    { index: first, disasm: disassemble(cmds[first]) },
  );
}

function checkGlobal(
  c: NpuCommand & { op: "load" | "store" },
  index: number,
  view: DataView,
): void {
  const eb = dtypeBytes(c.dtype);
  const ref = () => ({ index, disasm: disassemble(c) });
  if (c.rows === 0 || c.cols === 0) return;
  if (c.address % eb !== 0) {
    throw new NpuError(
      "NPU_MISALIGNED",
      `Cannot ${c.op} ${c.dtype} at byte address ${c.address}: it is not a multiple of ${eb}`,
      {},
      ref(),
    );
  }
  const last = c.address + ((c.rows - 1) * c.rowStride + c.cols) * eb;
  if (last > view.byteLength) {
    throw new NpuError(
      "NPU_OUT_OF_BOUNDS",
      `Cannot ${c.op} bytes ${c.address}..${last - 1}: global memory has ${view.byteLength} bytes`,
      {},
      ref(),
    );
  }
}

function checkRaces(
  config: NpuConfig,
  log: RaceLog,
  c: NpuCommand,
  q: QueueId,
  clock: readonly number[],
  cmds: readonly NpuCommand[],
  order: number[][],
  index: number,
): void {
  const seq = clock[q];
  const fail = (r: Race | undefined) => {
    if (!r) return;
    const other = order[r.queue][r.seq - 1];
    throw new NpuError(
      "NPU_RACE",
      `Cannot order this ${QUEUES[q]} command after #${other} (${
        disassemble(cmds[other])
      }) on the ${
        QUEUES[r.queue]
      } queue: both touch ${r.buffer} tile ${r.tile} and no dependency token orders them`,
      { hint: `push a token from #${other}'s queue and pop it here (or on an earlier command)` },
      { index, disasm: disassemble(c) },
    );
  };
  const acc = (buffer: "input" | "weight" | "acc", tile: number, write: boolean) =>
    fail(log.access(buffer, tile, write, q, seq, clock));
  switch (c.op) {
    case "load":
    case "store": {
      const [ty, tx] = regionTiles(config, c);
      for (let y = 0; y < ty; y++) {
        for (let x = 0; x < tx; x++) {
          acc(c.buffer, c.base + y * c.tileRowStride + x, c.op === "load");
        }
      }
      return;
    }
    case "gemm":
      forEachLoop(c.extents, (i0, i1, i2) => {
        acc("input", tileAt(c.inpBase, c.inpFactors, i0, i1, i2), false);
        acc("weight", tileAt(c.wgtBase, c.wgtFactors, i0, i1, i2), false);
        acc("acc", tileAt(c.accBase, c.accFactors, i0, i1, i2), true);
      });
      return;
    case "alu":
      forEachLoop(c.extents, (i0, i1, i2) => {
        if (!c.useImm) acc("acc", tileAt(c.srcBase, c.srcFactors, i0, i1, i2), false);
        acc("acc", tileAt(c.dstBase, c.dstFactors, i0, i1, i2), true);
      });
      return;
  }
}
