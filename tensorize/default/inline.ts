/**
 * The inline step that runs before the block rules (after DLight's `try_inline`): injective
 * producers of intermediate buffers — exponentials feeding a sum, means, casts — are folded into
 * their consumers with `computeInline`, so no intermediate is written and read back. Two
 * exceptions keep a producer as a stage, where inlining would repeat its work for every window
 * position:
 *
 * - a producer that calls a math function, unless one consumer reads it, each element once (at
 *   plain iteration variables): softmax's `exp(x − max)` feeds both the sum and the division, and
 *   inlined it would run twice per element (on cpu the exponential is most of softmax's time:
 *   as a stage, 1×12×128×128 went from 1.64 to 1.02 ms);
 * - a producer that selects (padding: `select(in bounds, x, 0)`) feeding a reduction: the
 *   select would run for every tap of a convolution or pooling window, lane by lane where the
 *   vector straddles the border. Measured on cpu, conv2d 64→64 3×3 at 56×56 runs at 4 GFLOP/s
 *   with the padding inlined and at 22 with it as a stage (one vectorized pass over the input).
 *
 * @module
 */
import "../primitives/get.ts";
import "../primitives/compute_inline.ts";
import { ScheduleError } from "../../ir/errors.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { visit } from "../../ir/node.ts";
import type { Buffer } from "../../ir/stmt.ts";
import { blocksUnder } from "../analysis/find.ts";
import type { Schedule } from "../schedule.ts";
import { analyzeBlock, type BlockInfo } from "./block_info.ts";

function has(b: BlockInfo, kind: "Call" | "Select"): boolean {
  let found = false;
  visit(b.store.value, (n) => {
    if (n.kind === kind) found = true;
    return !found;
  });
  return found;
}

/** Whether a reduction block (one with an init) of `f` reads `buf`. */
function readByReduction(f: PrimFunc, buf: Buffer): boolean {
  return blocksUnder(f.body).some((r) =>
    r.block.init !== undefined && r.block.reads.some((x) => x.buffer === buf)
  );
}

/** How many blocks of `f` read `buf`. */
function readers(f: PrimFunc, buf: Buffer): number {
  return blocksUnder(f.body).filter((r) => r.block.reads.some((x) => x.buffer === buf)).length;
}

/** Whether every load of `buf` in `f` indexes it with plain variables only. */
function readAtPoints(f: PrimFunc, buf: Buffer): boolean {
  let ok = true;
  for (const r of blocksUnder(f.body)) {
    visit(r.block.body, (n) => {
      if (n.kind === "BufferLoad" && n.buffer === buf && n.indices.some((e) => e.kind !== "Var")) {
        ok = false;
      }
      return ok;
    });
  }
  return ok;
}

function isParam(f: PrimFunc, buf: Buffer): boolean {
  return f.params.some((p) => p === buf);
}

/** Options of `inlineInjective`. */
export interface InlineOptions {
  /**
   * Inline a math producer read by several blocks too, recomputing it in each (default false).
   * Right where a stage costs a memory round trip that recomputing in registers does not: the
   * gpu, where the stage would be a workspace buffer between dispatches.
   */
  readonly recomputeMath?: boolean;
}

/**
 * Inline every injective block of `sch` whose buffer is an intermediate, where legal; returns
 * the names of the blocks inlined.
 *
 * @example
 * ```ts
 * import { inlineInjective } from "./inline.ts";
 * import { Schedule } from "../mod.ts";
 * import { OPS } from "../../ir/ops/mod.ts";
 * const op = OPS.find((o) => o.name === "layer_norm")!;
 * const sch = new Schedule(op.build(op.cases[0]));
 * console.assert(inlineInjective(sch).join() === "T_layer_norm_mean,T_layer_norm_rstd");
 * ```
 */
export function inlineInjective(sch: Schedule, options: InlineOptions = {}): string[] {
  const recompute = options.recomputeMath === true;
  const done: string[] = [];
  const names = blocksUnder(sch.func.body).map((r) => r.block.name);
  for (const name of names) {
    const f = sch.func;
    const b = analyzeBlock(f, name);
    if (!b || (b.kind !== "injective" && b.kind !== "transpose")) continue;
    const buf = b.store.buffer;
    if (isParam(f, buf)) continue;
    if (has(b, "Call") && (!readAtPoints(f, buf) || (!recompute && readers(f, buf) > 1))) continue;
    if (has(b, "Select") && readByReduction(f, buf)) continue;
    try {
      sch.computeInline(sch.getBlock(name));
      done.push(name);
    } catch (e) {
      if (!(e instanceof ScheduleError)) throw e;
    }
  }
  return done;
}
