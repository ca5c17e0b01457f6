/**
 * What the WGSL emitter learns about a kernel before emitting it: its launch (workgroup size,
 * grid, which thread-bound loops need a guard), the buffers it writes, the storage buffers it
 * accesses only as aligned `vec4`s, and the local buffers it can keep in scalar variables.
 *
 * @module
 */
import { max, type PrimExpr } from "../../ir/expr.ts";
import { InternalError, TargetError } from "../../ir/errors.ts";
import { visit } from "../../ir/node.ts";
import type { Buffer, For, Stmt } from "../../ir/stmt.ts";
import { structuralEqual } from "../../ir/structural.ts";
import type { KernelEnv } from "./wgsl_kernel.ts";
import { isPacked, storageBits } from "./wgsl_types.ts";

/** Thread axis letters. */
export const AXES = ["x", "y", "z"] as const;

/** The kind and axis of a thread-bound loop. */
export function tagOf(f: For): { kind: "block" | "thread" | "vthread"; axis: number } {
  const [a, d] = f.threadTag.split(".");
  const axis = AXES.indexOf(d as "x");
  if (a === "blockIdx") return { kind: "block", axis };
  if (a === "threadIdx") return { kind: "thread", axis };
  return { kind: "vthread", axis };
}

/** Per thread axis: the loops bound to it. */
interface Launch {
  readonly loops: For[][];
}

/** The launch of a kernel: workgroup size, grid, and which thread loops need a guard. */
export function collectLaunch(body: Stmt, func: string): {
  wg: [number, number, number];
  grid: [PrimExpr, PrimExpr, PrimExpr];
  guard: (f: For) => boolean;
} {
  const blocks: Launch = { loops: [[], [], []] }, threads: Launch = { loops: [[], [], []] };
  visit(body, (n) => {
    if (n.kind !== "For" || n.forKind !== "thread") return;
    const t = tagOf(n);
    if (t.kind === "block") blocks.loops[t.axis].push(n);
    if (t.kind === "thread") threads.loops[t.axis].push(n);
  });
  const wg: [number, number, number] = [1, 1, 1];
  threads.loops.forEach((ls, k) => {
    for (const l of ls) {
      if (l.extent.kind !== "IntImm") {
        throw new TargetError(
          "GPU_SYMBOLIC_THREAD_EXTENT",
          `Cannot compile loop "${l.loopVar.name}" bound to ${l.threadTag} for the gpu target: its extent is symbolic, a workgroup size must be a constant`,
          {
            path: `func "${func}" / loop "${l.loopVar.name}"`,
            hint: "split the loop by a constant factor and bind the inner loop",
          },
        );
      }
      wg[k] = Math.max(wg[k], l.extent.value);
    }
  });
  const grid = blocks.loops.map((ls) =>
    ls.reduce<PrimExpr | undefined>(
      (m, l) => (m === undefined ? l.extent : max(m, l.extent)),
      undefined,
    ) ??
      ({ kind: "IntImm", dtype: "int32", value: 1 } as PrimExpr)
  ) as [PrimExpr, PrimExpr, PrimExpr];
  const exact = (ls: For[]) => ls.every((l) => structuralEqual(l.extent, ls[0].extent));
  const guard = (f: For): boolean => {
    const t = tagOf(f);
    const ls = (t.kind === "block" ? blocks : threads).loops[t.axis];
    return !exact(ls) ||
      (t.kind === "thread" && (f.extent as { value: number }).value !== wg[t.axis]);
  };
  return { wg, grid, guard };
}

/** Whether `e` is a multiple of 4 for every value of its variables (by its form). */
export function multipleOf4(e: PrimExpr): boolean {
  if (e.kind === "IntImm") return e.value % 4 === 0;
  if (e.kind !== "Binary") return false;
  if (e.op === "add" || e.op === "sub") return multipleOf4(e.a) && multipleOf4(e.b);
  if (e.op === "mul") return multipleOf4(e.a) || multipleOf4(e.b);
  return false;
}

/**
 * Storage buffers of 32-bit elements that a kernel only accesses as 4-lane vectors at indices
 * `ramp(4k, 1, 4)`: they are declared `array<vec4<T>>` and read and written a `vec4` at a time.
 */
export function vec4Buffers(s: Stmt, env: KernelEnv): Set<Buffer> {
  const ok = new Map<Buffer, boolean>();
  visit(s, (n) => {
    if (n.kind !== "BufferLoad" && n.kind !== "BufferStore") return;
    if (!env.slots.has(n.buffer)) return;
    const i = n.indices[0];
    const aligned = i.kind === "Ramp" && i.lanes === 4 && i.stride.kind === "IntImm" &&
      i.stride.value === 1 && multipleOf4(i.base) && storageBits(n.buffer.dtype) === 32 &&
      !isPacked(n.buffer.dtype);
    ok.set(n.buffer, (ok.get(n.buffer) ?? true) && aligned);
  });
  // intrinsic markers address elements: never vectorize a buffer they touch
  visit(s, (n) => {
    if (n.kind === "Call" && env.intrinsics?.has(n.op)) {
      for (const a of n.args) if (a.kind === "BufferLoad") ok.set(a.buffer, false);
    }
  });
  return new Set([...ok].filter(([, v]) => v).map(([b]) => b));
}

/** Largest local buffer kept in scalar variables. */
export const MAX_SCALARIZED = 128;

/** The constant of an emitted index (`12i`). */
export function constIndex(index: string): number {
  const m = /^(-?\d+)i$/.exec(index);
  if (!m) {
    throw new InternalError(`gpu codegen: index ${index} of a scalarized buffer is not constant`);
  }
  return Number(m[1]);
}

/** Whether every access to `b` in `s` has a constant (scalar) index. */
export function constantIndices(b: Buffer, s: Stmt): boolean {
  let ok = true;
  visit(s, (n) => {
    if ((n.kind === "BufferLoad" || n.kind === "BufferStore") && n.buffer === b) {
      if (n.indices[0].kind !== "IntImm") ok = false;
    }
    return ok;
  });
  return ok;
}

/** Buffers a kernel writes: stores, and intrinsic markers' accumulators (their last operand). */
export function writtenBuffers(s: Stmt, env: KernelEnv): Set<Buffer> {
  const out = new Set<Buffer>();
  visit(s, (n) => {
    if (n.kind === "BufferStore") out.add(n.buffer);
    if (n.kind === "Call" && env.intrinsics?.has(n.op)) {
      const last = n.args[n.args.length - 1];
      if (last.kind === "BufferLoad") out.add(last.buffer);
    }
  });
  return out;
}
