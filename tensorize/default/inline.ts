/**
 * The inline step that runs before the block rules (after DLight's `try_inline`): injective
 * producers of intermediate buffers — padding, exponentials feeding a sum, casts — are folded into
 * their consumers with `computeInline`, so no intermediate is written and read back. A producer
 * that calls a math function is inlined only where each consumer reads each element once (at
 * plain iteration variables), so no `exp` is computed again for every window position.
 *
 * @module
 */
import { ScheduleError } from "../../ir/errors.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { visit } from "../../ir/node.ts";
import type { Buffer } from "../../ir/stmt.ts";
import { blocksUnder } from "../analysis/find.ts";
import type { Schedule } from "../schedule.ts";
import { analyzeBlock, type BlockInfo } from "./block_info.ts";

function callsMath(b: BlockInfo): boolean {
  let found = false;
  visit(b.store.value, (n) => {
    if (n.kind === "Call") found = true;
    return !found;
  });
  return found;
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

/**
 * Inline every injective block of `sch` whose buffer is an intermediate, where legal; returns
 * the names of the blocks inlined.
 *
 * @example
 * ```ts
 * import { inlineInjective } from "./inline.ts";
 * import { Schedule } from "../mod.ts";
 * import { OPS } from "../../ir/ops/mod.ts";
 * const op = OPS.find((o) => o.name === "conv2d")!;
 * const sch = new Schedule(op.build(op.cases[0]));
 * console.assert(inlineInjective(sch).length === 1);
 * ```
 */
export function inlineInjective(sch: Schedule): string[] {
  const done: string[] = [];
  const names = blocksUnder(sch.func.body).map((r) => r.block.name);
  for (const name of names) {
    const f = sch.func;
    const b = analyzeBlock(f, name);
    if (!b || (b.kind !== "injective" && b.kind !== "transpose")) continue;
    const buf = b.store.buffer;
    if (isParam(f, buf) || (callsMath(b) && !readAtPoints(f, buf))) continue;
    try {
      sch.computeInline(sch.getBlock(name));
      done.push(name);
    } catch (e) {
      if (!(e instanceof ScheduleError)) throw e;
    }
  }
  return done;
}
