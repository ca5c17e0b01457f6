/**
 * The host code of NPU sites, in C for the cpu toolchain: one function per site that writes the
 * site's command words into a buffer on the C stack (in the device's wasm memory, which is also
 * the NPU's global memory), adds the operands' byte addresses to the address words of its DMA
 * commands (LOAD input → A, LOAD weight → B, LOAD acc and STORE → C), and hands the stream to
 * the device through the host import `env.tsr_npu_run(words, count, site, stream)`, once per
 * stream of the site (a contraction site has one stream per block of output channels). A GEMM
 * site's operands are A, B, C; a contraction site's data, weights, output and bias — which
 * operand a DMA command addresses is the site's `relocs`.
 *
 * @module
 */
import type { CallEmitter } from "../cpu/mod.ts";
import { COMMAND_WORDS, OPCODES } from "./isa.ts";
import { type NpuSite, siteCallName } from "./sites.ts";

/** Name of the host import that runs a command stream. */
export const NPU_RUN_IMPORT = "tsr_npu_run";

const DECL =
  `TSR_IMPORT(${NPU_RUN_IMPORT}) int32_t __${NPU_RUN_IMPORT}(int32_t words, int32_t count, int32_t site, int32_t stream);`;

/** Which operand (0 A, 1 B, 2 C) a command's address word refers to, if any. */
export function relocationOf(header: number): number | undefined {
  const op = header & 15, sub = (header >> 8) & 15;
  if (op === OPCODES.load) return sub; // buffer code: 0 input (A), 1 weight (B), 2 acc (C)
  if (op === OPCODES.store) return 2;
  return undefined;
}

function siteFunction(site: NpuSite): string {
  const n = site.words.length / COMMAND_WORDS;
  const what = site.conv
    ? `${site.conv.mode} ${site.conv.m.join("x")}x${site.conv.n} over ${site.conv.r.join("x")}`
    : site.pad
    ? `zero padding of ${site.pad.dtype} ${site.pad.shape.join("x")}`
    : `${site.key!.mode} ${site.key!.m}x${site.key!.n}x${site.key!.k}`;
  const lines = [
    `static int32_t __tsr_npu_site_${site.id}(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e) {`,
    `  /* ${site.block}: ${what}, ${n} commands in ${site.streams.length} stream(s) */`,
  ];
  // a site with no commands (a pad folded into the gather of the site reading it) only returns
  if (n > 0) {
    lines.push(`  int32_t w[${site.words.length}];`, `  __builtin_memset(w, 0, sizeof(w));`);
  }
  const base = ["a", "b", "c", "d", "e"];
  for (let cmd = 0; cmd < n; cmd++) {
    const o = cmd * COMMAND_WORDS;
    const reloc = site.relocs[cmd];
    for (let j = 0; j < COMMAND_WORDS; j++) {
      const v = site.words[o + j];
      if (j === 1 && reloc >= 0) {
        lines.push(`  w[${o + j}] = (int32_t)(${base[reloc]} + ${v >>> 0}u);`);
      } else if (v !== 0) lines.push(`  w[${o + j}] = ${v};`);
    }
  }
  let at = 0;
  site.streams.forEach((count, k) => {
    lines.push(
      `  __${NPU_RUN_IMPORT}((int32_t)(w + ${at * COMMAND_WORDS}), ${count}, ${site.id}, ${k});`,
    );
    at += count;
  });
  lines.push("  (void)a; (void)b; (void)c; (void)d; (void)e;", "  return 0;", "}");
  return lines.join("\n");
}

/** The C parts (declarations, functions) of a kernel's sites, for `linkC`. */
export function sitesC(sites: readonly NpuSite[]): { declarations: string[]; func: string } {
  return { declarations: [DECL], func: sites.map(siteFunction).join("\n\n") };
}

/** An element's address from the C of a load of it (`X[i]`, or a 16-bit float's conversion). */
function addressOf(load: string): string {
  const inner = /^__tsr_(?:f16|bf16)_to_f32\((.*)\)$/s.exec(load)?.[1] ?? load;
  return `(uint32_t)&(${inner})`;
}

/** The C emitters of the site calls (`calls` option of `emitC`). */
export function siteEmitters(sites: readonly NpuSite[]): Record<string, CallEmitter> {
  return Object.fromEntries(
    sites.map((s) => [
      siteCallName(s.id),
      (args: readonly string[]) => {
        const a = [0, 1, 2, 3, 4].map((k) => (args[k] === undefined ? "0u" : addressOf(args[k])));
        return `__tsr_npu_site_${s.id}(${a.join(", ")})`;
      },
    ]),
  );
}
