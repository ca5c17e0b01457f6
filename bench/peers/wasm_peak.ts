/**
 * `wasm-peak` and `wasm-peak-fma`: a hand-written C micro-kernel — f32x4 multiply-adds on
 * independent accumulators that never leave registers — compiled by the cpu target's toolchain
 * (`compileC`), to show the wasm SIMD ceiling of this machine in the same run as the kernels.
 * `wasm-peak` uses `f32x4.mul` + `f32x4.add` (plain SIMD128, what the kernels may use by default);
 * `wasm-peak-fma` uses `f32x4.relaxed_madd` (V8 lowers it to a real FMA here).
 *
 * @module
 */
import { type BenchCase, caseFlops } from "../cases.ts";
import { type Impl, PeerUnavailable, type Prepared, reasonOf } from "./peer.ts";

type Toolchain = typeof import("../../targets/cpu/toolchain.ts");

const ENTRY = "tsr_peak";

/** Independent v128 registers the kernels update: most that V8 keeps without spilling. */
export const PEAK_REGS = 12;

/**
 * The C source of a micro-kernel with `regs` v128 registers updated every trip, each in its own
 * dependency chain. `fma`: `a = relaxed_madd(a, x, y)` (8 flops a register). Otherwise half the
 * registers do `a = a·x` and half `a = a + y` (4 flops each): independent multiply and add
 * streams, as in a matmul micro-kernel where the product does not depend on the accumulator.
 * The caller passes x = 1, y = 0 (mul+add) or x < 1 (fma) at run time, so values stay normal and
 * nothing folds. The lanes are summed and returned so nothing is dead code.
 *
 * @example
 * ```ts
 * import { peakSource } from "./wasm_peak.ts";
 * console.assert(peakSource(4, false).includes("a1 = wasm_f32x4_add(a1, y);"));
 * ```
 */
export function peakSource(regs: number, fma: boolean): string {
  const ids = Array.from({ length: regs }, (_, i) => i);
  const step = (i: number) =>
    fma
      ? `a${i} = wasm_f32x4_relaxed_madd(a${i}, x, y);`
      : i % 2 === 0
      ? `a${i} = wasm_f32x4_mul(a${i}, x);`
      : `a${i} = wasm_f32x4_add(a${i}, y);`;
  return [
    "#include <wasm_simd128.h>",
    `float ${ENTRY}(int iters, float xs, float ys) {`,
    "  v128_t x = wasm_f32x4_splat(xs), y = wasm_f32x4_splat(ys);",
    ...ids.map((i) => `  v128_t a${i} = wasm_f32x4_splat((float)${i + 1});`),
    "  for (int i = 0; i < iters; i++) {",
    ...ids.map((i) => `    ${step(i)}`),
    "  }",
    `  v128_t s = ${ids.map((i) => `a${i}`).reduce((p, q) => `wasm_f32x4_add(${p}, ${q})`)};`,
    "  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 3);",
    "}",
  ].join("\n");
}

/** Flops one trip of a kernel does: 4 lanes × (2 for a fused multiply-add, else 1) per register. */
export function flopsPerTrip(regs: number, fma: boolean): number {
  return regs * 4 * (fma ? 2 : 1);
}

let toolchain: Toolchain | undefined;

async function loadToolchain(name: string): Promise<void> {
  if (toolchain) return;
  try {
    toolchain = await import("../../targets/cpu/toolchain.ts");
  } catch (e) {
    throw new PeerUnavailable(name, `cpu toolchain: ${reasonOf(e)}`);
  }
}

/** A compiled peak kernel: `(trips, x, y) → sum of lanes 0 and 3 of the registers' sum`. */
export type PeakKernel = (iters: number, x: number, y: number) => number;

/**
 * Load the toolchain, compile and instantiate a peak kernel (its only import may be
 * `env.memory`); throws `PeerUnavailable` when that cannot be done here.
 */
export async function peakKernel(fma: boolean): Promise<PeakKernel> {
  const name = fma ? "wasm-peak-fma" : "wasm-peak";
  await loadToolchain(name);
  let bytes: Uint8Array;
  try {
    const flags = toolchain!.cpuFlags({ relaxedSimd: fma, exports: [ENTRY] });
    bytes = await toolchain!.compileC(peakSource(PEAK_REGS, fma), flags);
  } catch (e) {
    throw new PeerUnavailable(name, `compileC failed: ${reasonOf(e)}`);
  }
  const mod = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  const env: Record<string, WebAssembly.ImportValue> = {};
  for (const imp of WebAssembly.Module.imports(mod)) {
    if (imp.module === "env" && imp.kind === "memory") {
      env[imp.name] = new WebAssembly.Memory({ initial: 64 });
    } else throw new PeerUnavailable(name, `unexpected import ${imp.module}.${imp.name}`);
  }
  const inst = await WebAssembly.instantiate(mod, { env });
  return inst.exports[ENTRY] as PeakKernel;
}

function peakImpl(name: string, fma: boolean): Impl {
  return {
    name,
    role: "ceiling",
    init: () => loadToolchain(name),
    threads: () => 1,
    supports: (c: BenchCase) => c.kind === "peak",
    async prepare(c: BenchCase): Promise<Prepared> {
      if (c.kind !== "peak") throw new PeerUnavailable(name, `no kernel for ${c.id}`);
      const fn = await peakKernel(fma);
      const iters = Math.round(caseFlops(c) / flopsPerTrip(PEAK_REGS, fma));
      const [x, y] = fma ? [0.9999, 1e-4] : [1, 0];
      let sink = 0;
      return {
        run: () => {
          sink += fn(iters, x, y);
        },
        result: () => new Float32Array([sink]),
        dispose: () => {},
      };
    },
  };
}

/** The SIMD128 ceiling: f32x4 mul + add. */
export const wasmPeak: Impl = peakImpl("wasm-peak", false);
/** The relaxed-SIMD ceiling: f32x4 relaxed_madd (a fused multiply-add here). */
export const wasmPeakFma: Impl = peakImpl("wasm-peak-fma", true);
