/**
 * Readable one-line disassembly of NPU commands, used in errors, traces and tests.
 *
 * ```
 * LOAD.int8 input[0 +5/row] <- g[0x1000] 100x70 stride 70 pad 0,12,0,10 ; push-next
 * GEMM.int8 reset acc[0] inp[0] wgt[0] loops 7x4x5 acc 4,1,0 inp 5,0,1 wgt 0,1,4 ; pop-prev
 * ALU.int8 requant acc[0] imm 8 loops 28x1x1 dst 1,0,0
 * STORE.int8 g[0x8000] 100x50 stride 50 <- acc[0 +4/row] skip 0,0 ; pop-prev
 * ```
 *
 * @module
 */
import { COMMAND_WORDS, decodeCommand, type Deps, type NpuCommand } from "./isa.ts";

function deps(d: Deps): string {
  const f = [
    d.popPrev && "pop-prev",
    d.popNext && "pop-next",
    d.pushPrev && "push-prev",
    d.pushNext && "push-next",
  ].filter(Boolean);
  return f.length ? ` ; ${f.join(" ")}` : "";
}

const hex = (a: number) => `0x${a.toString(16)}`;
const tri = (t: readonly number[]) => t.join(",");

/**
 * Disassemble one command.
 *
 * @example
 * ```ts
 * import { disassemble } from "./disasm.ts";
 * import { NO_DEPS } from "./isa.ts";
 * console.assert(disassemble({ op: "finish", deps: { ...NO_DEPS, popNext: true } }) === "FINISH ; pop-next");
 * ```
 */
export function disassemble(c: NpuCommand): string {
  switch (c.op) {
    case "load": {
      const t = c.transpose ? " transpose" : "";
      return `LOAD.${c.dtype} ${c.buffer}[${c.base} +${c.tileRowStride}/row] <- g[${
        hex(c.address)
      }] ${c.rows}x${c.cols} stride ${c.rowStride} pad ${c.padTop},${c.padBottom},${c.padLeft},${c.padRight}${t}${
        deps(c.deps)
      }`;
    }
    case "store": {
      const t = c.transpose ? " transpose" : "";
      return `STORE.${c.dtype} g[${
        hex(c.address)
      }] ${c.rows}x${c.cols} stride ${c.rowStride} <- acc[${c.base} +${c.tileRowStride}/row] skip ${c.padTop},${c.padLeft}${t}${
        deps(c.deps)
      }`;
    }
    case "gemm":
      return `GEMM.${c.mode}${
        c.reset ? " reset" : ""
      } acc[${c.accBase}] inp[${c.inpBase}] wgt[${c.wgtBase}] loops ${c.extents.join("x")} acc ${
        tri(c.accFactors)
      } inp ${tri(c.inpFactors)} wgt ${tri(c.wgtFactors)}${deps(c.deps)}`;
    case "alu": {
      const src = c.useImm ? `imm ${c.imm}` : `acc[${c.srcBase}]`;
      const srcF = c.useImm ? "" : ` src ${tri(c.srcFactors)}`;
      return `ALU.${c.mode} ${c.alu} acc[${c.dstBase}] ${src} loops ${c.extents.join("x")} dst ${
        tri(c.dstFactors)
      }${srcF}${deps(c.deps)}`;
    }
    case "nop":
      return `NOP ${c.queue}${deps(c.deps)}`;
    case "finish":
      return `FINISH${deps(c.deps)}`;
  }
}

/**
 * Disassemble a whole word stream, one numbered line per command.
 *
 * @example
 * ```ts
 * import { disassembleWords } from "./disasm.ts";
 * const w = new Int32Array(16); w[0] = 6;
 * console.assert(disassembleWords(w) === "   0  FINISH");
 * ```
 */
export function disassembleWords(words: Int32Array): string {
  const lines: string[] = [];
  for (let i = 0; i < Math.ceil(words.length / COMMAND_WORDS); i++) {
    lines.push(`${String(i).padStart(4)}  ${disassemble(decodeCommand(words, i))}`);
  }
  return lines.join("\n");
}
