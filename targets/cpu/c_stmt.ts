/**
 * Statements to C: plain `for` loops (every loop kind but an outermost `parallel` one runs
 * serially, in order, so clang may vectorize only what keeps that meaning; parallel loops become
 * tasks, c_parallel.ts), `if`, declarations for lets, stack or heap storage
 * for `Allocate`, host calls for failed asserts, and scalar or vector stores.
 *
 * @module
 */
import { byteSize, elementOf, lanesOf } from "../../ir/dtype.ts";
import type { PrimExpr } from "../../ir/expr.ts";
import type { Allocate, BufferStore, For, Stmt } from "../../ir/stmt.ts";
import { TargetError } from "../../ir/errors.ts";
import { type CContext, unsupported } from "./c_context.ts";
import { emitCondition, emitExpr, encode } from "./c_expr.ts";
import { contiguousBase, vectorStore } from "./c_memory.ts";
import { scalarBinary } from "./c_scalar.ts";
import { cStorage, cValue, paren, scalarInfo } from "./c_types.ts";
import { vtype } from "./c_vector.ts";
import { Lines } from "./c_lines.ts";
import { emitParallelFor, outlinesParallel } from "./c_parallel.ts";

export { Lines };

/** Largest constant-size allocation placed on the C stack, in bytes. */
export const STACK_ALLOC_LIMIT = 16384;

function notLowered(ctx: CContext, what: string): never {
  throw new TargetError(
    "CPU_NOT_LOWERED",
    `Cannot emit C for function "${ctx.func}": ${what}`,
    { path: `func "${ctx.func}"`, hint: "lower the function first (ir/transform lower)" },
  );
}

/** Emit statement `s`. */
export function emitStmt(ctx: CContext, s: Stmt, out: Lines): void {
  switch (s.kind) {
    case "SeqStmt":
      for (const t of s.seq) emitStmt(ctx, t, out);
      return;
    case "BufferStore":
      return emitStore(ctx, s, out);
    case "For":
      return emitFor(ctx, s, out);
    case "IfThenElse": {
      const c = emitCondition(ctx, s.cond);
      const other = s.otherwise;
      out.block(`if (${c}) {`, () => emitStmt(ctx, s.then, out), other ? "" : "}");
      if (other) out.block("} else {", () => emitStmt(ctx, other, out));
      return;
    }
    case "LetStmt": {
      const vector = lanesOf(s.v.dtype) > 1;
      const value = emitExpr(ctx, s.value);
      const type = vector ? vtype(ctx, s.v.dtype) : cValue(s.v.dtype);
      // A fresh name per binding: the declaration can sit in the enclosing block.
      ctx.withVar(s.v, vector, (name) => {
        out.add(`const ${type} ${name} = ${value};`);
        emitStmt(ctx, s.body, out);
      });
      return;
    }
    case "Allocate":
      return emitAllocate(ctx, s, out);
    case "AssertStmt": {
      const id = ctx.assertId(s.message);
      const fail = ctx.hostImport("tsr_assert_fail");
      out.add(`if (!${paren(emitCondition(ctx, s.cond))}) ${fail}(${id});`);
      return emitStmt(ctx, s.body, out);
    }
    case "Evaluate":
      if (s.value.kind === "IntImm" || s.value.kind === "FloatImm") return;
      out.add(`(void)(${emitExpr(ctx, s.value)});`);
      return;
    case "Block":
    case "BlockRealize":
      return notLowered(ctx, `it still holds ${s.kind === "Block" ? "block" : "a block realize"}`);
  }
}

function singleIndex(ctx: CContext, buffer: string, indices: readonly PrimExpr[]): PrimExpr {
  if (indices.length !== 1) {
    notLowered(ctx, `buffer "${buffer}" is accessed with ${indices.length} indices, not one`);
  }
  return indices[0];
}

function emitStore(ctx: CContext, s: BufferStore, out: Lines): void {
  const b = s.buffer;
  const index = singleIndex(ctx, b.name, s.indices);
  const lanes = lanesOf(index.dtype);
  const name = ctx.bufferOf(b);
  if (lanes === 1) {
    if (lanesOf(s.value.dtype) !== 1) {
      unsupported(ctx, `a vector stored at a scalar index of "${b.name}"`);
    }
    out.add(`${name}[${emitExpr(ctx, index)}] = ${encode(b.dtype, emitExpr(ctx, s.value))};`);
    return;
  }
  const vd = `${elementOf(b.dtype)}x${lanes}`;
  const scalarValue = lanesOf(s.value.dtype) === 1;
  const base = contiguousBase(index);
  if (base) {
    const v = emitExpr(ctx, s.value);
    const value = scalarValue ? `(${vtype(ctx, vd)})${paren(v)}` : v;
    out.add(vectorStore(ctx, b, emitExpr(ctx, base), value, lanes));
    return;
  }
  // Scatter, lane by lane in lane order (a later lane wins where indices coincide).
  out.block("{", () => {
    const ix = ctx.fresh("ix");
    const v = ctx.fresh("v");
    out.add(`const ${vtype(ctx, index.dtype)} ${ix} = ${emitExpr(ctx, index)};`);
    const type = scalarValue ? cValue(b.dtype) : vtype(ctx, vd);
    out.add(`const ${type} ${v} = ${emitExpr(ctx, s.value)};`);
    for (let l = 0; l < lanes; l++) {
      out.add(`${name}[${ix}[${l}]] = ${encode(b.dtype, scalarValue ? v : `${v}[${l}]`)};`);
    }
  });
}

function isSimple(e: PrimExpr): boolean {
  return e.kind === "IntImm" || e.kind === "Var";
}

function emitFor(ctx: CContext, s: For, out: Lines): void {
  if (outlinesParallel(ctx, s)) return emitParallelFor(ctx, s, out, emitStmt);
  const d = s.loopVar.dtype;
  const t = cValue(d);
  const fromZero = s.min.kind === "IntImm" && s.min.value === 0;
  const run = (head: (i: string) => string) =>
    ctx.withVar(s.loopVar, false, (i) => {
      out.block(`for (${head(i)}) {`, () => emitStmt(ctx, s.body, out));
    });
  if (fromZero && isSimple(s.extent)) {
    const n = emitExpr(ctx, s.extent);
    return run((i) => `${t} ${i} = 0; ${i} < ${paren(n)}; ${i}++`);
  }
  // min and extent are evaluated once, on entry
  out.block("{", () => {
    const lo = ctx.fresh(`${s.loopVar.name}_lo`);
    const hi = ctx.fresh(`${s.loopVar.name}_hi`);
    out.add(`const ${t} ${lo} = ${emitExpr(ctx, s.min)};`);
    out.add(`const ${t} ${hi} = ${scalarBinary(ctx, "add", d, lo, emitExpr(ctx, s.extent))};`);
    run((i) => `${t} ${i} = ${lo}; ${i} < ${hi}; ${i}++`);
  });
}

function emitAllocate(ctx: CContext, s: Allocate, out: Lines): void {
  const b = s.buffer;
  if (!scalarInfo(b.dtype) || lanesOf(b.dtype) !== 1) {
    unsupported(ctx, `buffer "${b.name}" has dtype ${b.dtype}; buffers hold scalar elements`);
  }
  if (b.shape.length !== 1) {
    notLowered(ctx, `allocation "${b.name}" has ${b.shape.length} dimensions`);
  }
  const st = cStorage(b.dtype);
  const size = byteSize(b.dtype);
  const align = Math.max(b.alignment, size);
  const name = ctx.fresh(b.name);
  const n = b.shape[0];
  out.block("{", () => {
    if (n.kind === "IntImm" && n.value * size <= STACK_ALLOC_LIMIT) {
      out.add(`${st} ${name}[${Math.max(1, n.value)}] __attribute__((aligned(${align})));`);
      out.add(`__builtin_memset(${name}, 0, sizeof(${name}));`);
      ctx.withBuffer(b, name, () => emitStmt(ctx, s.body, out));
      return;
    }
    const alloc = ctx.hostImport("tsr_alloc");
    const free = ctx.hostImport("tsr_free");
    const bytes = ctx.fresh(`${b.name}_bytes`);
    out.add(`const int32_t ${bytes} = (int32_t)((uint32_t)${paren(emitExpr(ctx, n))} * ${size}u);`);
    out.add(
      `${st} *restrict ${name} = (${st} *)__builtin_assume_aligned(${alloc}(${bytes}, ${align}), ${align});`,
    );
    out.add(`__builtin_memset(${name}, 0, (uint32_t)${bytes});`);
    ctx.withBuffer(b, name, () => emitStmt(ctx, s.body, out));
    out.add(`${free}(${name});`);
  });
}
