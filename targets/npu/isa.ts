/**
 * The NPU's instruction set: typed commands and their fixed-width encoding. Every command is
 * `COMMAND_WORDS` (16) little-endian int32 words; word 0 is the header, the other words one field
 * each, unused words zero. The layout is documented in `docs/npu.md`; host code writes the same
 * words into memory.
 *
 * Header word: bits 0–3 opcode, 4 pop-prev, 5 pop-next, 6 push-prev, 7 push-next, 8–11 sub-op
 * (buffer, ALU op or queue), 12–15 dtype or mode, 16 flag (transpose / reset / immediate), 17–31 zero.
 *
 * @module
 */
import type { NpuBuffer, NpuMode } from "./config.ts";
import { NpuError } from "./errors.ts";

/** Words per command. */
export const COMMAND_WORDS = 16;

/** Element types of global memory a DMA reads or writes. */
export type NpuDType = "int8" | "int32" | "float16" | "float32";
/** Vector ALU operations on accumulator tiles. */
export type AluOp = "add" | "mul" | "max" | "min" | "shr" | "requant" | "mov";
/** The three in-order command queues (modules). */
export type NpuQueue = "load" | "compute" | "store";

/**
 * Dependency-token flags, as in VTA. "prev" and "next" are the neighbouring modules in the
 * load → compute → store pipeline: a pop waits for (and takes) a token the neighbour pushed, a push
 * hands one to it when the command completes.
 */
export interface Deps {
  /** Wait for and take a token from the previous module. */
  readonly popPrev: boolean;
  /** Wait for and take a token from the next module. */
  readonly popNext: boolean;
  /** Push a token to the previous module when done. */
  readonly pushPrev: boolean;
  /** Push a token to the next module when done. */
  readonly pushNext: boolean;
}

/** A 2-D strided DMA between a global matrix and a grid of scratchpad tiles. */
export interface DmaRegion {
  /** Byte address in global memory of element (0, 0). */
  readonly address: number;
  /** Rows and columns (elements) moved from or to global memory. */
  readonly rows: number;
  /** Columns (elements). */
  readonly cols: number;
  /** Elements between consecutive global rows (0 repeats one row). */
  readonly rowStride: number;
  /** Zero padding (load) or skipped margin (store, top/left only) around the block, in elements. */
  readonly padTop: number;
  /** Zero rows after the block. */
  readonly padBottom: number;
  /** Zero columns (load) or skipped columns (store) before the block. */
  readonly padLeft: number;
  /** Zero columns after the block. */
  readonly padRight: number;
  /** First scratchpad tile of the region, and tiles between consecutive tile rows. */
  readonly base: number;
  /** Tiles between consecutive tile rows in the scratchpad. */
  readonly tileRowStride: number;
  /** Swap rows and columns between global memory and the scratchpad. */
  readonly transpose: boolean;
}

/** LOAD: global → input, weight or accumulator scratchpad, zero-padded to whole tiles. */
export interface LoadCommand extends DmaRegion {
  /** The operation. */
  readonly op: "load";
  /** The scratchpad. */
  readonly buffer: NpuBuffer;
  /** Element type in global memory. */
  readonly dtype: NpuDType;
  /** Dependency-token flags. */
  readonly deps: Deps;
}

/** STORE: accumulator → global, converted to `dtype`, clipped to rows × cols. */
export interface StoreCommand extends DmaRegion {
  /** The operation. */
  readonly op: "store";
  /** The scratchpad. */
  readonly buffer: "acc";
  /** Element type in global memory. */
  readonly dtype: NpuDType;
  /** Dependency-token flags. */
  readonly deps: Deps;
}

/** Three nested loops (outer → inner); an operand's tile index is `base + Σ i_k · factor_k`. */
export type Loops3 = readonly [number, number, number];

/** GEMM: for each loop iteration, acc tile += input tile · weight tile. */
export interface GemmCommand {
  /** The operation. */
  readonly op: "gemm";
  /** Input element type of the GEMM unit. */
  readonly mode: NpuMode;
  /** Every accumulator tile the command touches starts from zero. */
  readonly reset: boolean;
  /** First accumulator tile. */
  readonly accBase: number;
  /** First input tile. */
  readonly inpBase: number;
  /** First weight tile. */
  readonly wgtBase: number;
  /** Loop extents, outer to inner. */
  readonly extents: Loops3;
  /** Accumulator tile step per loop. */
  readonly accFactors: Loops3;
  /** Input tile step per loop. */
  readonly inpFactors: Loops3;
  /** Weight tile step per loop. */
  readonly wgtFactors: Loops3;
  /** Dependency-token flags. */
  readonly deps: Deps;
}

/** ALU: for each loop iteration, dst tile = op(dst tile, src tile or immediate), elementwise. */
export interface AluCommand {
  /** The operation. */
  readonly op: "alu";
  /** The ALU operation. */
  readonly alu: AluOp;
  /** `int8` works on int32 accumulators; `float16`/`float32` on float32 ones. */
  readonly mode: NpuMode;
  /** Use the immediate instead of a source tile. */
  readonly useImm: boolean;
  /** The immediate: an int32, or a number rounded to float32 in float modes. */
  readonly imm: number;
  /** First destination tile. */
  readonly dstBase: number;
  /** First source tile. */
  readonly srcBase: number;
  /** Loop extents, outer to inner. */
  readonly extents: Loops3;
  /** Destination tile step per loop. */
  readonly dstFactors: Loops3;
  /** Source tile step per loop. */
  readonly srcFactors: Loops3;
  /** Dependency-token flags. */
  readonly deps: Deps;
}

/** NOP: moves dependency tokens only, on the given queue. */
export interface NopCommand {
  /** The operation. */
  readonly op: "nop";
  /** The queue (module) it runs on. */
  readonly queue: NpuQueue;
  /** Dependency-token flags. */
  readonly deps: Deps;
}

/** FINISH: the last command of every stream (compute queue). */
export interface FinishCommand {
  /** The operation. */
  readonly op: "finish";
  /** Dependency-token flags. */
  readonly deps: Deps;
}

/** Any command. */
export type NpuCommand =
  | LoadCommand
  | StoreCommand
  | GemmCommand
  | AluCommand
  | NopCommand
  | FinishCommand;

/** Opcodes (header bits 0–3). 0 is invalid so that zeroed memory does not decode. */
export const OPCODES: Readonly<Record<NpuCommand["op"], number>> = {
  load: 1,
  store: 2,
  gemm: 3,
  alu: 4,
  nop: 5,
  finish: 6,
};
/** Codes of the header's sub-op field. */
export const BUFFER_CODES: readonly NpuBuffer[] = ["input", "weight", "acc"];
/** ALU op codes. */
export const ALU_CODES: readonly AluOp[] = ["add", "mul", "max", "min", "shr", "requant", "mov"];
/** Queue codes (NOP). */
export const QUEUE_CODES: readonly NpuQueue[] = ["load", "compute", "store"];
/** DMA dtype codes (header bits 12–15 of LOAD/STORE). */
export const DTYPE_CODES: readonly NpuDType[] = ["int8", "int32", "float16", "float32"];
/** Mode codes (header bits 12–15 of GEMM/ALU). */
export const MODE_CODES: readonly NpuMode[] = ["int8", "float16", "float32"];

/** No dependency flags. */
export const NO_DEPS: Deps = { popPrev: false, popNext: false, pushPrev: false, pushNext: false };

/** The queue (module) that executes a command. Loads into the accumulator run on compute. */
export function queueOf(c: NpuCommand): NpuQueue {
  switch (c.op) {
    case "load":
      return c.buffer === "acc" ? "compute" : "load";
    case "store":
      return "store";
    case "nop":
      return c.queue;
    default:
      return "compute";
  }
}

/** Bytes of one element of a DMA dtype. */
export function dtypeBytes(d: NpuDType): number {
  return d === "int8" ? 1 : d === "float16" ? 2 : 4;
}

const f32 = new DataView(new ArrayBuffer(4));
function floatBits(v: number): number {
  f32.setFloat32(0, v, true);
  return f32.getInt32(0, true);
}
function bitsFloat(w: number): number {
  f32.setInt32(0, w, true);
  return f32.getFloat32(0, true);
}

function header(c: NpuCommand, sub: number, kind: number, flag: boolean): number {
  const d = c.deps;
  return OPCODES[c.op] | (d.popPrev ? 16 : 0) | (d.popNext ? 32 : 0) | (d.pushPrev ? 64 : 0) |
    (d.pushNext ? 128 : 0) | (sub << 8) | (kind << 12) | (flag ? 1 << 16 : 0);
}

/**
 * Encode one command into `COMMAND_WORDS` words at `out[offset…]`.
 *
 * @example
 * ```ts
 * import { COMMAND_WORDS, encodeCommand, NO_DEPS } from "./isa.ts";
 * const w = new Int32Array(COMMAND_WORDS);
 * encodeCommand({ op: "finish", deps: NO_DEPS }, w, 0);
 * console.assert(w[0] === 6);
 * ```
 */
export function encodeCommand(c: NpuCommand, out: Int32Array, offset: number): void {
  const w = out.subarray(offset, offset + COMMAND_WORDS);
  w.fill(0);
  switch (c.op) {
    case "load":
    case "store": {
      const dt = DTYPE_CODES.indexOf(c.dtype);
      w[0] = header(c, BUFFER_CODES.indexOf(c.buffer), dt, c.transpose);
      const f = [c.address, c.rows, c.cols, c.rowStride, c.padTop, c.padBottom, c.padLeft];
      f.push(c.padRight, c.base, c.tileRowStride);
      f.forEach((v, i) => w[1 + i] = v | 0);
      return;
    }
    case "gemm":
      w[0] = header(c, 0, MODE_CODES.indexOf(c.mode), c.reset);
      [c.accBase, c.inpBase, c.wgtBase, ...c.extents, ...c.accFactors, ...c.inpFactors]
        .concat(c.wgtFactors).forEach((v, i) => w[1 + i] = v);
      return;
    case "alu": {
      w[0] = header(c, ALU_CODES.indexOf(c.alu), MODE_CODES.indexOf(c.mode), c.useImm);
      const imm = c.mode === "int8" ? c.imm | 0 : floatBits(c.imm);
      [c.dstBase, c.srcBase, imm, ...c.extents, ...c.dstFactors, ...c.srcFactors]
        .forEach((v, i) => w[1 + i] = v);
      return;
    }
    case "nop":
      w[0] = header(c, QUEUE_CODES.indexOf(c.queue), 0, false);
      return;
    case "finish":
      w[0] = header(c, 0, 0, false);
      return;
  }
}

const OPS_BY_CODE: readonly (NpuCommand["op"] | undefined)[] = (() => {
  const t: (NpuCommand["op"] | undefined)[] = new Array(16).fill(undefined);
  for (const [k, v] of Object.entries(OPCODES)) t[v] = k as NpuCommand["op"];
  return t;
})();

/** A structurally invalid command word group. */
function badWords(index: number, what: string): NpuError {
  return new NpuError(
    "NPU_BAD_COMMAND",
    `Cannot decode command #${index}: ${what}`,
    { path: `npu command #${index}` },
  );
}

const tri = (w: Int32Array, i: number): Loops3 => [w[i], w[i + 1], w[i + 2]];

/**
 * Decode the command at `words[index · COMMAND_WORDS …]`. Fails with `NPU_BAD_COMMAND` on an
 * unknown opcode, an out-of-range field, nonzero reserved bits or words, or negative sizes.
 *
 * @example
 * ```ts
 * import { decodeCommand } from "./isa.ts";
 * const w = new Int32Array(16); w[0] = 6;
 * console.assert(decodeCommand(w, 0).op === "finish");
 * ```
 */
export function decodeCommand(words: Int32Array, index: number): NpuCommand {
  const w = words.subarray(index * COMMAND_WORDS, (index + 1) * COMMAND_WORDS);
  if (w.length !== COMMAND_WORDS) throw badWords(index, "the stream ends inside it");
  const h = w[0];
  const opcode = h & 15, sub = (h >> 8) & 15, kind = (h >> 12) & 15, flag = ((h >> 16) & 1) === 1;
  if (h >>> 17 !== 0) {
    throw badWords(index, `reserved header bits set (0x${(h >>> 0).toString(16)})`);
  }
  const op = OPS_BY_CODE[opcode];
  if (!op) throw badWords(index, `unknown opcode ${opcode}`);
  const deps: Deps = {
    popPrev: (h & 16) !== 0,
    popNext: (h & 32) !== 0,
    pushPrev: (h & 64) !== 0,
    pushNext: (h & 128) !== 0,
  };
  const used = op === "load" || op === "store" ? 11 : op === "gemm" ? 16 : op === "alu" ? 13 : 1;
  for (let i = used; i < COMMAND_WORDS; i++) {
    if (w[i] !== 0) throw badWords(index, `reserved word ${i} of ${op.toUpperCase()} is ${w[i]}`);
  }
  const pick = <T>(table: readonly T[], code: number, what: string): T => {
    if (code >= table.length) throw badWords(index, `unknown ${what} code ${code}`);
    return table[code];
  };
  const cmd = decodeBody(op, w, deps, sub, kind, flag, pick);
  checkShape(cmd, index);
  return cmd;
}

function decodeBody(
  op: NpuCommand["op"],
  w: Int32Array,
  deps: Deps,
  sub: number,
  kind: number,
  flag: boolean,
  pick: <T>(table: readonly T[], code: number, what: string) => T,
): NpuCommand {
  switch (op) {
    case "load":
    case "store": {
      const buffer = pick(BUFFER_CODES, sub, "buffer");
      const region = {
        address: w[1] >>> 0,
        rows: w[2],
        cols: w[3],
        rowStride: w[4],
        padTop: w[5],
        padBottom: w[6],
        padLeft: w[7],
        padRight: w[8],
        base: w[9],
        tileRowStride: w[10],
        transpose: flag,
      };
      const dtype = pick(DTYPE_CODES, kind, "dtype");
      return op === "load"
        ? { op, buffer, dtype, ...region, deps }
        : { op, buffer: buffer as "acc", dtype, ...region, deps };
    }
    case "gemm":
      return {
        op,
        mode: pick(MODE_CODES, kind, "mode"),
        reset: flag,
        accBase: w[1],
        inpBase: w[2],
        wgtBase: w[3],
        extents: tri(w, 4),
        accFactors: tri(w, 7),
        inpFactors: tri(w, 10),
        wgtFactors: tri(w, 13),
        deps,
      };
    case "alu": {
      const mode = pick(MODE_CODES, kind, "mode");
      return {
        op,
        alu: pick(ALU_CODES, sub, "ALU op"),
        mode,
        useImm: flag,
        imm: mode === "int8" ? w[3] : bitsFloat(w[3]),
        dstBase: w[1],
        srcBase: w[2],
        extents: tri(w, 4),
        dstFactors: tri(w, 7),
        srcFactors: tri(w, 10),
        deps,
      };
    }
    case "nop":
      return { op, queue: pick(QUEUE_CODES, sub, "queue"), deps };
    case "finish":
      return { op, deps };
  }
}

/** Field checks that need no config: sizes ≥ 0, deps that name a neighbour the queue has. */
function checkShape(c: NpuCommand, index: number): void {
  const neg = (name: string, v: number) => {
    if (v < 0) throw badWords(index, `${name} is negative (${v})`);
  };
  if (c.op === "load" || c.op === "store") {
    for (const f of ["rows", "cols", "rowStride", "padTop", "padBottom", "padLeft", "padRight"]) {
      neg(f, (c as unknown as Record<string, number>)[f]);
    }
    neg("base", c.base);
    neg("tileRowStride", c.tileRowStride);
    if (c.op === "store" && c.buffer !== "acc") throw badWords(index, "STORE reads only acc");
    if (c.op === "store" && (c.padBottom !== 0 || c.padRight !== 0)) {
      throw badWords(index, "STORE has no bottom/right padding (it clips)");
    }
    if (c.op === "load" && c.buffer !== "acc" && c.dtype === "int32") {
      throw badWords(
        index,
        `LOAD of int32 into ${c.buffer} (input/weight hold int8, float16 or float32)`,
      );
    }
  }
  if (c.op === "gemm" || c.op === "alu") c.extents.forEach((e, i) => neg(`extent ${i}`, e));
  const q = queueOf(c);
  if (q === "load" && (c.deps.popPrev || c.deps.pushPrev)) {
    throw badWords(index, "the load queue has no previous module to pop from or push to");
  }
  if (q === "store" && (c.deps.popNext || c.deps.pushNext)) {
    throw badWords(index, "the store queue has no next module to pop from or push to");
  }
}
