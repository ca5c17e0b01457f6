/**
 * Loop kinds: `parallel(loop)`, `vectorize(loop)`, `unroll(loop)` and `bind(loop, thread)`.
 * Only the loop's kind changes (and its thread axis); lowering acts on it.
 *
 * Legality of parallel, vectorize and bind, after TVM: every block under the loop has affine
 * bindings (`SCHEDULE_NOT_AFFINE`), binds only spatial variables to the loop
 * (`SCHEDULE_NOT_SPATIAL`), and — so that iterations write disjoint places — a block directly
 * under the loop whose bindings ignore the loop may only write storage that is private to an
 * iteration (`local` scope, or allocated under the loop) (`SCHEDULE_LOOP_CARRIED`).
 * Vectorize also refuses a loop inside a vectorized loop or around a parallel, vectorized or
 * thread-bound loop (`SCHEDULE_VECTORIZE_NESTED`). Bind takes a thread axis
 * (`blockIdx|threadIdx|vthread` `.x|.y|.z`, else `SCHEDULE_BAD_THREAD`) that no loop around or
 * inside it is bound to already (`SCHEDULE_THREAD_REBOUND`). Unroll is always legal.
 *
 * @module
 */
import type { PrimFunc } from "../../ir/func.ts";
import type { Var } from "../../ir/expr.ts";
import { visit } from "../../ir/node.ts";
import type { Buffer, For, ForKind, Stmt } from "../../ir/stmt.ts";
import { bindingProblem, iterKindsOf } from "../analysis/affine.ts";
import { findLoop, loopsAbove, replaceStmt, walkStmts } from "../analysis/find.ts";
import { scheduleError } from "../errors.ts";
import { type InstructionKind, literal, registerInstruction, scriptCall } from "../instruction.ts";
import { Schedule } from "../schedule.ts";
import type { LoopRV } from "../rv.ts";
import { asLoop } from "./inputs.ts";

/** Thread axes `bind` accepts. */
export const THREAD_AXES: readonly string[] = ["blockIdx", "threadIdx", "vthread"].flatMap((a) =>
  ["x", "y", "z"].map((d) => `${a}.${d}`)
);

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface ForKindMethods {
  /**
   * Run a loop's iterations in parallel (spatial loops only).
   *
   * @example
   * ```ts ignore
   * sch.parallel(l1);
   * ```
   */
  parallel(loop: LoopRV): void;
  /** Vectorize a loop (spatial loops only, no parallel/vector loop inside or around). */
  vectorize(loop: LoopRV): void;
  /** Unroll a loop. */
  unroll(loop: LoopRV): void;
  /** Bind a loop to a thread axis such as `"blockIdx.x"` or `"threadIdx.x"`. */
  bind(loop: LoopRV, thread: string): void;
}

type Action = "parallelize" | "vectorize" | "bind";

/**
 * Set the kind of the loop with variable `v` of `f` (pure), after the legality checks of that
 * kind. `thread` is the thread axis for `bind`.
 */
export function setLoopKind(f: PrimFunc, v: Var, kind: ForKind, thread = ""): PrimFunc {
  const loc = findLoop(f, v);
  if (!loc) throw scheduleError(f, "SCHEDULE_UNKNOWN_RV", `Cannot find loop "${v.name}"`);
  const { loop, path } = loc;
  if (kind === "parallel") checkParallel(f, loop, path, "parallelize");
  if (kind === "vectorized") {
    checkParallel(f, loop, path, "vectorize");
    checkVectorNesting(f, loop, path);
  }
  if (kind === "thread") {
    checkThread(f, loop, path, thread);
    checkParallel(f, loop, path, "bind");
  }
  return replaceStmt(f, loop, { ...loop, forKind: kind, threadTag: thread });
}

function checkParallel(f: PrimFunc, loop: For, path: readonly Stmt[], action: Action): void {
  const v = loop.loopVar;
  const above = loopsAbove(path);
  const privates = new Set<Buffer>();
  walkStmts(loop, (s) => {
    if (s.kind === "Block") { for (const b of s.allocBuffers) privates.add(b); }
    if (s.kind === "Allocate") privates.add(s.buffer);
  });
  walkStmts(loop, (s, inner) => {
    if (s.kind !== "BlockRealize") return;
    const nested = inner.some((t) => t.kind === "Block");
    const loops = nested ? loopsAbove(inner) : [...above, ...loopsAbove(inner)];
    const name = s.block.name;
    const problem = bindingProblem(f, s, loops);
    if (problem !== undefined) {
      throw scheduleError(
        f,
        "SCHEDULE_NOT_AFFINE",
        `Cannot ${action} loop "${v.name}": the bindings of block "${name}" are not affine (${problem})`,
        { loop: v, block: name },
      );
    }
    const kinds = iterKindsOf(s, v);
    if (kinds.reduce) {
      throw scheduleError(
        f,
        "SCHEDULE_NOT_SPATIAL",
        `Cannot ${action} loop "${v.name}": block "${name}" binds a reduction variable to it`,
        { loop: v, block: name, hint: "split or reorder so the reduction runs in a serial loop" },
      );
    }
    if (!nested && !kinds.spatial && !isUnit(loop)) {
      const shared = s.block.writes.find((w) =>
        w.buffer.scope !== "local" && !privates.has(w.buffer)
      );
      if (shared) {
        throw scheduleError(
          f,
          "SCHEDULE_LOOP_CARRIED",
          `Cannot ${action} loop "${v.name}": block "${name}" does not depend on it, so every iteration writes the same part of buffer "${shared.buffer.name}"`,
          { loop: v, block: name },
        );
      }
    }
  });
}

/** A loop of one iteration cannot race with itself. */
function isUnit(loop: For): boolean {
  return loop.extent.kind === "IntImm" && loop.extent.value === 1;
}

function checkVectorNesting(f: PrimFunc, loop: For, path: readonly Stmt[]): void {
  const outer = path.find((s): s is For => s.kind === "For" && s.forKind === "vectorized");
  let inner: For | undefined;
  visit(loop.body, (n) => {
    if (inner) return false;
    if (n.kind === "For" && n.forKind !== "serial" && n.forKind !== "unrolled") inner = n;
  });
  const other = outer ?? inner;
  if (other) {
    throw scheduleError(
      f,
      "SCHEDULE_VECTORIZE_NESTED",
      `Cannot vectorize loop "${loop.loopVar.name}": it is ${outer ? "inside" : "around"} ${
        describeKind(other)
      } loop "${other.loopVar.name}"`,
      { loop: loop.loopVar, hint: "vectorize the innermost loop of a nest" },
    );
  }
}

function describeKind(l: For): string {
  return l.forKind === "thread" ? `the ${l.threadTag}` : `the ${l.forKind}`;
}

function checkThread(f: PrimFunc, loop: For, path: readonly Stmt[], thread: string): void {
  const v = loop.loopVar;
  if (!THREAD_AXES.includes(thread)) {
    throw scheduleError(
      f,
      "SCHEDULE_BAD_THREAD",
      `Cannot bind loop "${v.name}" to "${thread}": not a thread axis`,
      { loop: v, hint: `use one of ${THREAD_AXES.join(", ")}` },
    );
  }
  let same = path.find((s): s is For => s.kind === "For" && s.threadTag === thread);
  visit(loop.body, (n) => {
    if (same) return false;
    if (n.kind === "For" && n.threadTag === thread) same = n;
  });
  if (same) {
    throw scheduleError(
      f,
      "SCHEDULE_THREAD_REBOUND",
      `Cannot bind loop "${v.name}" to ${thread}: loop "${same.loopVar.name}" in the same nest is bound to it`,
      { loop: v },
    );
  }
}

function kindInstruction(
  name: string,
  method: string,
  kind: ForKind,
): InstructionKind<Record<string, never>> {
  return registerInstruction<Record<string, never>>({
    name,
    apply(sch, inputs) {
      const v = sch.loopOf(asLoop(sch, inputs[0])).loop.loopVar;
      sch.setFunc(setLoopKind(sch.func, v, kind));
      return [];
    },
    toScript: (p) => scriptCall(method, p.inputs, []),
  });
}

/** `sch.parallel(loop)`. */
export const PARALLEL: InstructionKind<Record<string, never>> = kindInstruction(
  "Parallel",
  "parallel",
  "parallel",
);
/** `sch.vectorize(loop)`. */
export const VECTORIZE: InstructionKind<Record<string, never>> = kindInstruction(
  "Vectorize",
  "vectorize",
  "vectorized",
);
/** `sch.unroll(loop)`. */
export const UNROLL: InstructionKind<Record<string, never>> = kindInstruction(
  "Unroll",
  "unroll",
  "unrolled",
);

/** `sch.bind(loop, thread)`. */
export const BIND: InstructionKind<{ thread: string }> = registerInstruction<{ thread: string }>({
  name: "Bind",
  apply(sch, inputs, attrs) {
    const v = sch.loopOf(asLoop(sch, inputs[0])).loop.loopVar;
    sch.setFunc(setLoopKind(sch.func, v, "thread", attrs.thread));
    return [];
  },
  toScript: (p) => scriptCall("bind", [...p.inputs, literal(p.attrs.thread)], []),
});

Schedule.prototype.parallel = function (this: Schedule, loop: LoopRV): void {
  this.apply(PARALLEL, [loop], {});
};
Schedule.prototype.vectorize = function (this: Schedule, loop: LoopRV): void {
  this.apply(VECTORIZE, [loop], {});
};
Schedule.prototype.unroll = function (this: Schedule, loop: LoopRV): void {
  this.apply(UNROLL, [loop], {});
};
Schedule.prototype.bind = function (this: Schedule, loop: LoopRV, thread: string): void {
  this.apply(BIND, [loop], { thread });
};
