/**
 * Parallel loops to C: the body of each outermost `parallel` loop becomes an exported task
 * function `void task(const args *a, int32_t begin, int32_t end)` running iterations
 * `[min + begin, min + end)`, and the loop itself becomes a call of the host import
 * `env.tsr_parallel_for(task id, &args, extent)` with the loop's free variables and buffers
 * packed in a struct on the caller's stack. The runtime splits `[0, extent)` into chunks
 * across its worker threads and the calling thread (thread_pool.ts) and returns when all are
 * done; a device with one thread calls the task once on the whole range.
 *
 * ```c
 * typedef struct { int32_t __tsr_lo; float *A; int32_t n; } __tsr_par_f_0_args;
 * __attribute__((export_name("__tsr_par_f_0")))
 * void __tsr_par_f_0(const __tsr_par_f_0_args *restrict args, int32_t begin, int32_t end) {
 *   float *restrict A = (float *)__builtin_assume_aligned(args->A, 64);
 *   const int32_t n = args->n;
 *   for (int32_t i = args->__tsr_lo + begin; i < args->__tsr_lo + end; i++) { … }
 * }
 * … in the kernel:  { __tsr_par_f_0_args a = { lo, A, n };
 *                      __tsr_parallel_for(0, &a, extent, (double)(n) * 1); }
 *                    (an extent of 1 calls the task directly)
 * ```
 *
 * The last argument estimates the work of one iteration — the elements its stores write, the
 * product of the loop extents around each store, summed — as a C expression of values known
 * where the loop starts, or -1 when some extent is not (it depends on a value bound inside the
 * loop) or the body calls something (an intrinsic, whose work is unknown). The runtime runs a
 * loop whose `extent × work` is small on the calling thread alone: waking workers would cost
 * more than they save.
 *
 * Only the outermost parallel loop of a nest is outlined: parallel loops inside a task run
 * serially, and so do parallel loops over int64 variables. Iterations of a parallel loop must
 * be independent (schedules check it); their order across threads is unspecified.
 *
 * @module
 */
import { byteSize, lanesOf } from "../../ir/dtype.ts";
import type { PrimExpr, Var } from "../../ir/expr.ts";
import { children, isStmt, visit } from "../../ir/node.ts";
import type { Buffer, For, Stmt } from "../../ir/stmt.ts";
import type { CContext } from "./c_context.ts";
import { emitExpr } from "./c_expr.ts";
import { Lines } from "./c_lines.ts";
import { cStorage, cValue } from "./c_types.ts";
import { vtype } from "./c_vector.ts";

/** Emits a statement (c_stmt.ts's `emitStmt`, passed in to keep the modules acyclic). */
export type StmtEmitter = (ctx: CContext, s: Stmt, out: Lines) => void;

/** One value the task reads from the caller: a variable or a buffer pointer. */
type Capture =
  | { readonly kind: "var"; readonly v: Var; readonly outer: string; readonly vector: boolean }
  | { readonly kind: "buffer"; readonly b: Buffer; readonly outer: string };

/** True if loop `s` becomes a task: parallel, outermost, over int32, outlining enabled. */
export function outlinesParallel(ctx: CContext, s: For): boolean {
  return s.forKind === "parallel" && !ctx.inParallel && ctx.options.parallel !== false &&
    s.loopVar.dtype === "int32";
}

/** Variables and buffers the loop body reads that are bound outside it, in first-use order. */
function captures(ctx: CContext, s: For): Capture[] {
  const out: Capture[] = [];
  const seen = new Set<unknown>();
  const note = (n: Var | Buffer) => {
    if (seen.has(n)) return;
    seen.add(n);
    if (n.kind === "Var") {
      const b = ctx.lookupVar(n);
      if (b) out.push({ kind: "var", v: n, outer: b.name, vector: b.vector });
    } else {
      const name = ctx.lookupBuffer(n);
      if (name !== undefined) out.push({ kind: "buffer", b: n, outer: name });
    }
  };
  const walk = (root: Stmt | For["extent"]) =>
    visit(root, (n) => {
      if (n.kind === "Buffer") {
        note(n);
        return false; // a buffer's shape is not evaluated where it is used
      }
      if (n.kind === "Var") note(n);
      if (n.kind === "Allocate") { for (const e of n.buffer.shape) walk(e); // evaluated inside
       }
    });
  walk(s.body);
  return out;
}

/** True if `e` can be evaluated where the loop starts: only scalar variables bound there. */
function boundOutside(ctx: CContext, e: PrimExpr): boolean {
  let ok = true;
  visit(e, (n) => {
    if (n.kind === "Var") {
      const b = ctx.lookupVar(n);
      if (!b || b.vector) ok = false;
    } else if (n.kind === "BufferLoad" || n.kind === "Call") ok = false;
    return ok;
  });
  return ok;
}

/** The work of one iteration of `body` as a C `double` expression, or "-1.0" (see the module comment). */
function iterationWork(ctx: CContext, body: Stmt): string {
  const work = (n: Stmt): string | undefined => {
    if (n.kind === "BufferStore") return String(lanesOf(n.value.dtype));
    if (n.kind === "Evaluate") return undefined;
    const parts: string[] = [];
    for (const c of children(n)) {
      if (!isStmt(c)) continue;
      const w = work(c);
      if (w === undefined) return undefined;
      parts.push(w);
    }
    const inner = parts.length === 0
      ? "0"
      : parts.length === 1
      ? parts[0]
      : `(${parts.join(" + ")})`;
    if (n.kind !== "For") return inner;
    if (!boundOutside(ctx, n.extent)) return undefined;
    return `(double)(${emitExpr(ctx, n.extent)}) * ${inner}`;
  };
  return work(body) ?? "-1.0";
}

/** The declaration of `name` holding capture `c`. */
function captureDecl(ctx: CContext, c: Capture, name: string): string {
  if (c.kind === "buffer") return `${cStorage(c.b.dtype)} *${name}`;
  return `${c.vector ? vtype(ctx, c.v.dtype) : cValue(c.v.dtype)} ${name}`;
}

/** Bind each capture to its task-local name while `body` runs. */
function withCaptures(
  ctx: CContext,
  caps: readonly Capture[],
  names: readonly string[],
  body: () => void,
  k = 0,
): void {
  if (k === caps.length) return body();
  const c = caps[k];
  const next = () => withCaptures(ctx, caps, names, body, k + 1);
  if (c.kind === "buffer") ctx.withBuffer(c.b, names[k], next);
  else ctx.withVar(c.v, c.vector, next, names[k]);
}

/**
 * Emit parallel loop `s` as an outlined task and a `tsr_parallel_for` call (see the module
 * comment); `emitBody` emits statements.
 */
export function emitParallelFor(ctx: CContext, s: For, out: Lines, emitBody: StmtEmitter): void {
  const id = ctx.tasks.length;
  const task = `__tsr_par_${ctx.func}_${id}`;
  ctx.tasks.push(task);
  const argsType = `${task}_args`;
  const caps = captures(ctx, s);
  const fields = caps.map((c) => c.outer); // unique C names in the kernel

  // The task function: unpack the captures, then the loop over [lo + begin, lo + end).
  const body = new Lines();
  const names = caps.map((c) => ctx.fresh(c.kind === "var" ? c.v.name : c.b.name));
  caps.forEach((c, k) => {
    if (c.kind === "var") {
      body.add(`const ${captureDecl(ctx, c, names[k])} = args->${fields[k]};`);
      return;
    }
    const st = cStorage(c.b.dtype);
    const aligned = c.b.alignment > byteSize(c.b.dtype)
      ? `(${st} *)__builtin_assume_aligned(args->${fields[k]}, ${c.b.alignment})`
      : `args->${fields[k]}`;
    body.add(`${st} *restrict ${names[k]} = ${aligned};`);
  });
  const outerParallel = ctx.inParallel;
  ctx.inParallel = true;
  try {
    withCaptures(ctx, caps, names, () =>
      ctx.withVar(s.loopVar, false, (i) => {
        const head = `int32_t ${i} = args->__tsr_lo + begin; ${i} < args->__tsr_lo + end; ${i}++`;
        body.block(`for (${head}) {`, () => emitBody(ctx, s.body, body));
      }));
  } finally {
    ctx.inParallel = outerParallel;
  }
  const struct = [
    "typedef struct {",
    "  int32_t __tsr_lo;",
    ...caps.map((c, k) => `  ${captureDecl(ctx, c, fields[k])};`),
    `} ${argsType};`,
  ];
  ctx.functions.push([
    ...struct,
    `__attribute__((export_name("${task}")))`,
    `void ${task}(const ${argsType} *restrict args, int32_t begin, int32_t end) {`,
    ...body.lines,
    "}",
  ].join("\n"));

  // The call site: min and extent evaluated once, the captures packed, the host splits the range.
  const run = ctx.hostImport("tsr_parallel_for");
  out.block("{", () => {
    const lo = ctx.fresh(`${s.loopVar.name}_lo`);
    const n = ctx.fresh(`${s.loopVar.name}_n`);
    const a = ctx.fresh(`${s.loopVar.name}_args`);
    out.add(`const int32_t ${lo} = ${emitExpr(ctx, s.min)};`);
    out.add(`const int32_t ${n} = ${emitExpr(ctx, s.extent)};`);
    const work = iterationWork(ctx, s.body);
    const values = [lo, ...caps.map((c) => c.outer)];
    out.block(`if (${n} > 0) {`, () => {
      out.add(`${argsType} ${a} = { ${values.join(", ")} };`);
      // one iteration (batch 1): run the task here, without a round trip through the host
      out.add(`if (${n} == 1) ${task}(&${a}, 0, 1);`);
      out.add(`else ${run}(${id}, &${a}, ${n}, ${work});`);
    });
  });
}
