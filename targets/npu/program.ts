/**
 * `NpuProgramBuilder`: emit a command stream with named fields and defaults, then `build()` the
 * words. Token flags are given per command (`deps`); the builder checks each command against the
 * config as it is added, so a bad field fails at the line that wrote it.
 *
 * @module
 */
import { type NpuBuffer, type NpuConfig, type NpuMode, tileShape } from "./config.ts";
import { checkCommand } from "./geometry.ts";
import {
  type AluOp,
  COMMAND_WORDS,
  type Deps,
  type DmaRegion,
  encodeCommand,
  type Loops3,
  NO_DEPS,
  type NpuCommand,
  type NpuDType,
  type NpuQueue,
} from "./isa.ts";

/** Token flags, all optional. */
export type DepFlags = Partial<Deps>;

/** One loop of a GEMM: its extent and the tile step of each operand. */
export interface GemmLoop {
  /** Trip count of the loop. */
  readonly extent: number;
  /** Accumulator tile step. */
  readonly acc?: number;
  /** Input tile step. */
  readonly inp?: number;
  /** Weight tile step. */
  readonly wgt?: number;
}

/** One loop of an ALU command. */
export interface AluLoop {
  /** Trip count of the loop. */
  readonly extent: number;
  /** Destination tile step. */
  readonly dst?: number;
  /** Source tile step. */
  readonly src?: number;
}

/** Fields of a LOAD or STORE; pads and transpose default to none, tileRowStride to tiles per row. */
export interface DmaArgs {
  /** Element type in global memory. */
  readonly dtype: NpuDType;
  /** Byte address in global memory. */
  readonly address: number;
  /** Rows (elements). */
  readonly rows: number;
  /** Columns (elements). */
  readonly cols: number;
  /** Elements between consecutive global rows. */
  readonly rowStride?: number;
  /** Zero padding (load) or skipped margin (store, top/left) in elements. */
  readonly pad?: {
    readonly top?: number;
    readonly bottom?: number;
    readonly left?: number;
    readonly right?: number;
  };
  /** First scratchpad tile of the region. */
  readonly base: number;
  /** Tiles between consecutive tile rows in the scratchpad. */
  readonly tileRowStride?: number;
  /** Swap rows and columns between global memory and the scratchpad. */
  readonly transpose?: boolean;
  /** Dependency-token flags. */
  readonly deps?: DepFlags;
}

const loops3 = <L>(ls: readonly L[], get: (l: L) => number): Loops3 => [
  get(ls[0]),
  get(ls[1]),
  get(ls[2]),
];

function padTo3<L extends { extent: number }>(ls: readonly L[]): readonly L[] {
  if (ls.length > 3) throw new RangeError("an NPU command has at most 3 loops");
  return [...ls, ...Array(3 - ls.length).fill({ extent: 1 })];
}

/**
 * Builds a command stream for one config.
 *
 * @example
 * ```ts
 * import { NpuProgramBuilder } from "./program.ts";
 * import { REFERENCE_NPU } from "./config.ts";
 * const p = new NpuProgramBuilder(REFERENCE_NPU);
 * p.load("input", { dtype: "int8", address: 0, rows: 16, cols: 16, base: 0, deps: { pushNext: true } });
 * p.gemm({ mode: "int8", reset: true, loops: [], deps: { popPrev: true } });
 * p.finish();
 * console.assert(p.build().length === 3 * 16);
 * ```
 */
export class NpuProgramBuilder {
  /** The commands so far. */
  readonly commands: NpuCommand[] = [];

  /** A builder for `config`. */
  constructor(readonly config: NpuConfig) {}

  /** Append a command (checked against the config); returns its index. */
  push(c: NpuCommand): number {
    checkCommand(this.config, c, this.commands.length);
    this.commands.push(c);
    return this.commands.length - 1;
  }

  /** LOAD global → `buffer`, zero-padded. */
  load(buffer: NpuBuffer, a: DmaArgs): number {
    return this.push({
      op: "load",
      buffer,
      ...this.region(buffer, a),
      dtype: a.dtype,
      deps: deps(a.deps),
    });
  }

  /** STORE accumulator → global, converted to `a.dtype`; `pad.top/left` skip a margin. */
  store(a: DmaArgs): number {
    return this.push({
      op: "store",
      buffer: "acc",
      ...this.region("acc", a),
      dtype: a.dtype,
      deps: deps(a.deps),
    });
  }

  /** GEMM over up to 3 loops (outer → inner) from the given base tiles. */
  gemm(a: {
    mode: NpuMode;
    reset?: boolean;
    acc?: number;
    inp?: number;
    wgt?: number;
    loops: readonly GemmLoop[];
    deps?: DepFlags;
  }): number {
    const ls = padTo3(a.loops);
    return this.push({
      op: "gemm",
      mode: a.mode,
      reset: a.reset ?? false,
      accBase: a.acc ?? 0,
      inpBase: a.inp ?? 0,
      wgtBase: a.wgt ?? 0,
      extents: loops3(ls, (l) => l.extent),
      accFactors: loops3(ls, (l) => l.acc ?? 0),
      inpFactors: loops3(ls, (l) => l.inp ?? 0),
      wgtFactors: loops3(ls, (l) => l.wgt ?? 0),
      deps: deps(a.deps),
    });
  }

  /** ALU `op` on accumulator tiles: with `imm` an immediate operand, else the `src` tiles. */
  alu(a: {
    op: AluOp;
    mode: NpuMode;
    dst: number;
    src?: number;
    imm?: number;
    loops: readonly AluLoop[];
    deps?: DepFlags;
  }): number {
    const ls = padTo3(a.loops);
    return this.push({
      op: "alu",
      alu: a.op,
      mode: a.mode,
      useImm: a.imm !== undefined,
      imm: a.imm ?? 0,
      dstBase: a.dst,
      srcBase: a.src ?? 0,
      extents: loops3(ls, (l) => l.extent),
      dstFactors: loops3(ls, (l) => l.dst ?? 0),
      srcFactors: loops3(ls, (l) => (a.imm !== undefined ? 0 : l.src ?? 0)),
      deps: deps(a.deps),
    });
  }

  /** NOP on `queue`: only moves tokens. */
  nop(queue: NpuQueue, flags: DepFlags): number {
    return this.push({ op: "nop", queue, deps: deps(flags) });
  }

  /** FINISH (compute queue). */
  finish(flags: DepFlags = {}): number {
    return this.push({ op: "finish", deps: deps(flags) });
  }

  /** The stream's words. */
  build(): Int32Array {
    const w = new Int32Array(this.commands.length * COMMAND_WORDS);
    this.commands.forEach((c, i) => encodeCommand(c, w, i * COMMAND_WORDS));
    return w;
  }

  /** The DMA region fields of `a`, with defaults. */
  private region(buffer: NpuBuffer, a: DmaArgs): DmaRegion {
    const p = a.pad ?? {};
    const tc = tileShape(this.config, buffer)[1];
    const transpose = a.transpose ?? false;
    const cols = (p.left ?? 0) + (transpose ? a.rows : a.cols) + (p.right ?? 0);
    return {
      address: a.address,
      rows: a.rows,
      cols: a.cols,
      rowStride: a.rowStride ?? a.cols,
      padTop: p.top ?? 0,
      padBottom: p.bottom ?? 0,
      padLeft: p.left ?? 0,
      padRight: p.right ?? 0,
      base: a.base,
      tileRowStride: a.tileRowStride ?? Math.ceil(cols / tc),
      transpose,
    };
  }
}

function deps(f: DepFlags | undefined): Deps {
  return { ...NO_DEPS, ...f };
}
