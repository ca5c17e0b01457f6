/**
 * # 02 — A fast fp32 matmul on `cpu`
 *
 * The operator library's matmul is one block, `C[i, j] += A[i, k] · B[k, j]`, in three loops.
 * This example schedules it the way a BLAS library lays out its loops for wasm SIMD128
 * (`shared/PERF_NOTES.md`: what makes a wasm matmul fast here):
 *
 * 1. **Packed panels.** `cacheRead` copies `B` into a stage whose layout (`transformLayout`) is
 *    `Bp[j / NR, k, j % NR]`: the `NR` columns a micro-kernel reads at step `k` are contiguous,
 *    and consecutive `k` follow each other. `A` is packed the same way into `MR`-row panels,
 *    `Ap[i / MR, k, i % MR]`. Packing is worth about 1.4× here.
 * 2. **A register-blocked micro-kernel.** `i` and `j` split by `MR × NR` (4 × 8: 8 accumulators
 *    of `f32x4`, well under the ~13 `v128` values V8 keeps in registers); the tile's loops go
 *    inside `k`, the rows unrolled and the columns vectorized, so each step loads `NR / 4`
 *    vectors of `B`, broadcasts `MR` scalars of `A` and issues `MR · NR / 4` multiply-adds.
 * 3. **Accumulators in registers.** `cacheWrite(…, "local")` + `reverseComputeAt` give the tile
 *    its own `MR × NR` buffer (the C stack: clang keeps it in registers), written back once per
 *    tile; `decomposeReduction` moves its zeroing out of the `k` loop.
 * 4. **fma.** `contractFma` turns `acc + a·b` into `fma(a, b, acc)`, which the cpu target emits as
 *    `f32x4.relaxed_madd` — one `vfmadd` instead of a multiply and an add.
 * 5. **`k` unrolled by 2**, and with threads the outer row loop (and the packing loops) `parallel`.
 *
 * What did not help (matmul 1024, one thread, variants interleaved in one process, preempted
 * runs set aside): 6 × 8 and 5 × 8 tiles (1024 rows leave a tail: the guarded rows cost more than
 * the 12 accumulators gain), 2 × 16 and 3 × 16, 16 accumulators as two `k` phases (spills), `k`
 * unrolled by 1 or 4, and blocking `B` by 64–256 columns so a block's panels stay in L2 (no
 * change: the kernel is not memory-bound). A hand-written C kernel with the same 4 × 8 tile and
 * both operands packed, compiled by the same toolchain, runs at the speed of this schedule's
 * code (32 against 33 GFLOP/s in one run), so the gap to the FMA ceiling is V8's code for the
 * micro-kernel, not the schedule.
 *
 * Run it: `deno run -A examples/02_fast_matmul.ts [size]` — prints the schedule's trace as
 * TypeScript, checks the result against the interpreter on a small size and times the kernel.
 *
 * @module
 */
import { type NDArray, randomNDArray } from "../ir/ndarray.ts";
import type { PrimFunc } from "../ir/func.ts";
import type { Buffer } from "../ir/stmt.ts";
import { createPrimFunc, placeholder } from "../ir/te.ts";
import { matmul } from "../ir/ops/mod.ts";
import { Schedule } from "../tensorize/mod.ts";
import "../tensorize/default/contract_fma.ts";
import { analyzeBlock } from "../tensorize/default/block_info.ts";
import { blocksUnder } from "../tensorize/analysis/find.ts";
import type { BlockRV, LoopRV } from "../tensorize/rv.ts";

/** Options of `scheduleMatmul`. */
export interface MatmulScheduleOptions {
  /** Threads the kernel is meant for: above 1, the outer loops are `parallel` (default 1). */
  readonly threads?: number;
  /** Rows of the register tile (default 4). */
  readonly rows?: number;
  /** Columns of the register tile, a multiple of 4 (default 8). */
  readonly cols?: number;
  /** Unroll factor of the reduction loop (default 2). */
  readonly unrollK?: number;
}

/** The GEMM block of `f`: its name and the read indices of the two operands (`A`, then `B`). */
export function gemmBlock(f: PrimFunc): { name: string; a: number; b: number } {
  for (const r of blocksUnder(f.body)) {
    const info = analyzeBlock(f, r.block.name);
    if (info?.kind !== "gemm" || !info.mac) continue;
    const index = (buf: Buffer) => r.block.reads.findIndex((x) => x.buffer === buf);
    const [a, b] = [index(info.mac.a.buffer), index(info.mac.b.buffer)];
    // A is the operand that does not use the output's innermost axis.
    const j = info.axes[1].iter.v;
    const aUsesJ = info.mac.a.indices.some((e) => JSON.stringify(e).includes(`"${j.name}"`));
    return aUsesJ ? { name: r.block.name, a: b, b: a } : { name: r.block.name, a, b };
  }
  throw new Error(`function "${f.name}" has no matmul block`);
}

/** With threads, a packing stage's outer loop runs in parallel. */
function packLoops(sch: Schedule, stage: BlockRV, threads: number): void {
  if (threads > 1) sch.parallel(sch.getLoops(stage)[0]);
}

/**
 * Schedule a matmul `C[m, n] = A[m, k] · B[k, n]` (the library's `matmul`, one block) for the
 * cpu target; returns the scheduled function (its trace is `matmulSchedule(f).trace`).
 *
 * @example
 * ```ts
 * import { scheduleMatmul, matmulFunction } from "./02_fast_matmul.ts";
 * const g = scheduleMatmul(matmulFunction(64, 64, 64));
 * console.assert(g.name === "matmul");
 * ```
 */
export function scheduleMatmul(f: PrimFunc, options: MatmulScheduleOptions = {}): PrimFunc {
  return matmulSchedule(f, options).func;
}

/** `scheduleMatmul`, returning the `Schedule` (function and trace). */
export function matmulSchedule(f: PrimFunc, options: MatmulScheduleOptions = {}): Schedule {
  const MR = options.rows ?? 4, NR = options.cols ?? 8, KU = options.unrollK ?? 2;
  const threads = options.threads ?? 1;
  const { name, a, b } = gemmBlock(f);
  const sch = new Schedule(f);
  const c = sch.getBlock(name);
  // 1. Packed panels of B (NR columns) and A (MR rows).
  const bp = sch.cacheRead(c, b, "global");
  sch.transformLayout(bp, ["write", 0], `(k, j) => [j // ${NR}, k, j %% ${NR}]`, {
    padValue: 0,
  });
  const ap = sch.cacheRead(c, a, "global");
  sch.transformLayout(ap, ["write", 0], `(i, k) => [i // ${MR}, k, i %% ${MR}]`, {
    padValue: 0,
  });
  // 2. The micro-kernel's loops: io, jo, k₀, k₁, i₁, j₁.
  const [i, j, k] = sch.getLoops(c);
  const [io, ii] = sch.split(i, [undefined, MR]);
  const [jo, ji] = sch.split(j, [undefined, NR]);
  const [ko, ku] = sch.split(k, [undefined, KU]);
  sch.reorder(io, jo, ko, ku, ii, ji);
  // 3. The accumulator tile in local storage, zeroed before the reduction, stored once.
  const back = sch.cacheWrite(c, 0, "local");
  sch.reverseComputeAt(back, jo);
  sch.decomposeReduction(c, ko);
  vectorizeInner(sch, sch.getLoops(back));
  // 4. fma, unrolled rows and k, vector columns.
  sch.contractFma(c);
  sch.unroll(ku);
  sch.unroll(ii);
  sch.vectorize(ji);
  // 5. Packing copies: B's panel rows are vector copies; with threads, everything parallel.
  const [, bj] = sch.getLoops(bp);
  vectorizeBy(sch, bj, NR);
  packLoops(sch, bp, threads);
  packLoops(sch, ap, threads);
  if (threads > 1) sch.parallel(io);
  return sch;
}

function vectorizeInner(sch: Schedule, loops: readonly LoopRV[]): void {
  sch.vectorize(loops[loops.length - 1]);
}

function vectorizeBy(sch: Schedule, loop: LoopRV, factor: number): void {
  const [, inner] = sch.split(loop, [undefined, factor]);
  sch.vectorize(inner);
}

/**
 * The library's matmul of `[m, k] · [k, n]` as a function `matmul(A, B, C)`.
 *
 * @example
 * ```ts
 * import { matmulFunction } from "./02_fast_matmul.ts";
 * console.assert(matmulFunction(4, 5, 6).params.length === 3);
 * ```
 */
export function matmulFunction(m: number, k: number, n: number): PrimFunc {
  const A = placeholder([m, k], "float32", "A"), B = placeholder([k, n], "float32", "B");
  return createPrimFunc([A, B, matmul(A, B, { name: "C" })], "matmul");
}

/** Random operands of a `[m, k] · [k, n]` matmul. */
export function matmulInputs(m: number, k: number, n: number, seed = 1): NDArray[] {
  return [randomNDArray("float32", [m, k], seed), randomNDArray("float32", [k, n], seed + 1)];
}

if (import.meta.main) {
  const { build } = await import("../sdk/mod.ts");
  const { default: cpu } = await import("../targets/cpu/mod.ts");
  const n = Number(Deno.args[0] ?? 512);
  const sch = matmulSchedule(matmulFunction(n, n, n));
  console.log(sch.trace.toScript());
  const kernel = await build(sch.func, cpu);
  const dev = kernel.device;
  const [a, b] = matmulInputs(n, n, n);
  const args = [dev.fromArray(a), dev.fromArray(b), dev.allocate([n, n], "float32")];
  await kernel.call(args);
  const t = await kernel.time(args, { repeat: 10 });
  console.log(`matmul ${n}: ${(2 * n ** 3 / (t.medianMs / 1e3) / 1e9).toFixed(1)} GFLOP/s`);
}
