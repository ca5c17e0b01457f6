/**
 * Barrier insertion (after TVM's `ThreadSync`): inside a kernel, between sibling statements that
 * run on the threads of a workgroup (each holds a `threadIdx`-bound loop) and exchange data
 * through memory — one writes a `shared` or `global` buffer the other reads or writes — put a
 * `gpu.barrier` (WGSL `workgroupBarrier(); storageBarrier();`). A serial loop whose body has
 * such statements gets one at the end of its body too, so the next iteration's writes cannot
 * overtake the last iteration's reads. The check is by buffer, not by index: it may add a
 * barrier that is not needed, never miss one. Barriers are placed only outside thread-bound
 * loops, where control flow is uniform within a workgroup. A statement that stores to `shared`
 * or `global` memory outside thread-bound loops counts as running on the threads (invocation 0
 * makes the store for all of them). The codegen runs the pass only on kernels with more than
 * one invocation per workgroup.
 *
 * ```text
 * for bx in 0..G thread(blockIdx.x) {            for bx … {
 *   for tx in 0..64 thread(threadIdx.x) {          for tx … { S[tx] = A[…] }
 *     S[tx] = A[…] }                        →      gpu.barrier()
 *   for tx in 0..64 thread(threadIdx.x) {          for tx … { B[…] = S[63 - tx] }
 *     B[…] = S[63 - tx] } }                      }
 * ```
 *
 * @module
 */
import { call } from "../../../ir/expr.ts";
import { visit } from "../../../ir/node.ts";
import { type Buffer, evaluate, type Stmt } from "../../../ir/stmt.ts";

/** The barrier statement. */
export function barrier(): Stmt {
  return evaluate(call("gpu.barrier", [], "int32"));
}

/** Whether a statement is a barrier. */
export function isBarrier(s: Stmt): boolean {
  return s.kind === "Evaluate" && s.value.kind === "Call" && s.value.op === "gpu.barrier";
}

interface Access {
  readonly threaded: boolean;
  readonly reads: Set<Buffer>;
  readonly writes: Set<Buffer>;
}

const SYNCED = new Set(["shared", "global"]);

function accessOf(s: Stmt): Access {
  const a: Access = { threaded: false, reads: new Set(), writes: new Set() };
  visit(s, (n) => {
    if (n.kind === "For" && n.forKind === "thread" && n.threadTag.startsWith("threadIdx")) {
      (a as { threaded: boolean }).threaded = true;
    }
    if (n.kind === "BufferStore" && SYNCED.has(n.buffer.scope)) {
      a.writes.add(n.buffer);
      // a store outside thread-bound loops is made by one invocation for all (wgsl_kernel.ts)
      (a as { threaded: boolean }).threaded = true;
    }
    if (n.kind === "BufferLoad" && SYNCED.has(n.buffer.scope)) a.reads.add(n.buffer);
    if (n.kind === "Call" && n.op.startsWith("tsr.intrin.")) {
      // an intrinsic marker accumulates into its last operand
      const last = n.args[n.args.length - 1];
      if (last?.kind === "BufferLoad" && SYNCED.has(last.buffer.scope)) a.writes.add(last.buffer);
    }
  });
  return a;
}

function meets(x: Set<Buffer>, y: Set<Buffer>): boolean {
  for (const b of x) if (y.has(b)) return true;
  return false;
}

function conflict(a: Access, b: Access): boolean {
  return meets(a.writes, b.reads) || meets(a.writes, b.writes) || meets(a.reads, b.writes);
}

function merge(into: Access, a: Access): Access {
  return {
    threaded: into.threaded || a.threaded,
    reads: new Set([...into.reads, ...a.reads]),
    writes: new Set([...into.writes, ...a.writes]),
  };
}

const EMPTY: Access = { threaded: false, reads: new Set(), writes: new Set() };

function seqWithBarriers(seq: readonly Stmt[]): Stmt[] {
  const out: Stmt[] = [];
  let since: Access = EMPTY; // accesses by threaded statements since the last barrier
  for (const s0 of seq) {
    const s = sync(s0);
    const a = accessOf(s);
    if (a.threaded && since.threaded && conflict(since, a) && !isBarrier(out[out.length - 1])) {
      out.push(barrier());
      since = EMPTY;
    }
    if (isBarrier(s)) since = EMPTY;
    else if (a.threaded) since = merge(since, a);
    out.push(s);
  }
  return out;
}

/**
 * A serial loop's body whose thread loops exchange data: a barrier at its end, so the next
 * iteration's first statements cannot overtake this one's last (through allocations and lets).
 */
function loopCarried(body: Stmt): Stmt {
  if (body.kind === "Allocate" || body.kind === "LetStmt") {
    const inner = loopCarried(body.body);
    return inner === body.body ? body : { ...body, body: inner };
  }
  const parts = body.kind === "SeqStmt" ? body.seq : [body];
  if (parts.length && isBarrier(parts[parts.length - 1])) return body;
  const a = parts.map(accessOf).filter((x) => x.threaded);
  if (a.length < 2) return body;
  const all = a.reduce(merge, EMPTY);
  return conflict(all, all) ? { kind: "SeqStmt", seq: [...parts, barrier()] } : body;
}

/**
 * Insert barriers into one kernel statement (a top-level statement of a lowered function).
 *
 * @example
 * ```ts ignore
 * const synced = sync(kernelStmt);
 * ```
 */
export function sync(s: Stmt): Stmt {
  switch (s.kind) {
    case "SeqStmt": {
      const seq = seqWithBarriers(s.seq);
      return seq.length === s.seq.length && seq.every((x, k) => x === s.seq[k]) ? s : { ...s, seq };
    }
    case "For": {
      if (s.forKind === "thread" && s.threadTag.startsWith("threadIdx")) return s; // per-thread code
      let body = sync(s.body);
      if (s.forKind !== "thread") body = loopCarried(body);
      return body === s.body ? s : { ...s, body };
    }
    case "IfThenElse": {
      const then = sync(s.then), otherwise = s.otherwise && sync(s.otherwise);
      return then === s.then && otherwise === s.otherwise ? s : { ...s, then, otherwise };
    }
    case "LetStmt":
    case "Allocate":
    case "AssertStmt": {
      const body = sync(s.body);
      return body === s.body ? s : { ...s, body };
    }
  }
  return s;
}
