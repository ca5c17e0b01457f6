/**
 * The cpu target's C code generator: a lowered `PrimFunc` (notes/lowered_form.md) becomes one
 * self-contained C function for clang → wasm32 + SIMD128 (contract: notes/cpu_abi.md).
 *
 * - Buffer parameters are `restrict` pointers (byte addresses in the shared memory) with
 *   `__builtin_assume_aligned` to the buffer's alignment; scalar parameters are their C types.
 * - Semantics are those of docs/semantics.md, bit for bit: c_scalar.ts (operators, casts, math),
 *   c_vector.ts (vector forms), c_expr.ts (lazy selects, lanes), c_stmt.ts (statements).
 * - Math functions without an exact wasm instruction are host imports `env.tsr_<op>` (f64 → f64,
 *   host_math.ts); `Allocate` above 16 KiB or of symbolic size uses `env.tsr_alloc`/`tsr_free`;
 *   a failed assert calls `env.tsr_assert_fail(id)` with `id` indexing `assertMessages`.
 * - The outermost `parallel` loops become exported tasks run through `env.tsr_parallel_for`
 *   (c_parallel.ts).
 *
 * @module
 */
import type { DType } from "../../ir/dtype.ts";
import { lanesOf } from "../../ir/dtype.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { CContext, type EmitOptions, unsupported } from "./c_context.ts";
import { C_PRELUDE, hostImportDecl } from "./c_prelude.ts";
import { emitStmt, Lines } from "./c_stmt.ts";
import { byteSize } from "../../ir/dtype.ts";
import { cStorage, cValue, scalarInfo } from "./c_types.ts";

export type { CallEmitter, EmitOptions } from "./c_context.ts";

/** A parameter of a kernel's C entry point, in lowered-parameter order. */
export type CParam =
  | { readonly kind: "buffer"; readonly name: string; readonly dtype: DType }
  | { readonly kind: "scalar"; readonly name: string; readonly dtype: DType };

/** A generated C kernel (notes/cpu_abi.md). */
export interface CKernel {
  /** Self-contained C source (no libc headers). */
  readonly source: string;
  /** Exported symbol: `"tsr_" + f.name`. */
  readonly entry: string;
  /** Entry parameters: buffers are i32 byte addresses, scalars their C types (int64 → BigInt). */
  readonly params: readonly CParam[];
  /** Names of the `env.*` functions the module imports (besides `env.memory`). */
  readonly hostImports: readonly string[];
  /** Assert messages, indexed by the id passed to `env.tsr_assert_fail`. */
  readonly assertMessages: readonly string[];
  /**
   * Export names of the outlined parallel loop bodies, indexed by the task id the kernel passes
   * to `env.tsr_parallel_for(task, args, extent)`; each is `(args, begin, end)` (c_parallel.ts).
   */
  readonly parallelTasks: readonly string[];
  /** The parts `source` is made of, so several kernels can share one C file (`linkC`). */
  readonly parts: { readonly declarations: readonly string[]; readonly func: string };
}

function signature(ctx: CContext, f: PrimFunc, prologue: string[]): [string[], CParam[]] {
  const decls: string[] = [];
  const params: CParam[] = [];
  for (const p of f.params) {
    if (!scalarInfo(p.dtype) || lanesOf(p.dtype) !== 1) {
      unsupported(ctx, `parameter "${p.name}" has dtype ${p.dtype}`);
    }
    const name = ctx.fresh(p.name);
    if (p.kind === "Buffer") {
      const st = cStorage(p.dtype);
      ctx.bindBuffer(p, name);
      decls.push(`${st} *restrict ${name}`);
      if (p.alignment > byteSize(p.dtype)) {
        prologue.push(`${name} = (${st} *)__builtin_assume_aligned(${name}, ${p.alignment});`);
      }
      params.push({ kind: "buffer", name: p.name, dtype: p.dtype });
    } else {
      ctx.bindVar(p, name);
      decls.push(`${cValue(p.dtype)} ${name}`);
      params.push({ kind: "scalar", name: p.name, dtype: p.dtype });
    }
  }
  return [decls, params];
}

/**
 * Generate C for a lowered function.
 *
 * @example
 * ```ts
 * import { emitC } from "./codegen_c.ts";
 * import { primFunc } from "../../ir/func.ts";
 * import { bufferLoad, mul, variable } from "../../ir/expr.ts";
 * import { bufferStore, decl, forLoop, loopVar } from "../../ir/stmt.ts";
 * const n = variable("n");
 * const A = decl("A", [n]);
 * const B = decl("B", [n]);
 * const i = loopVar("i");
 * const f = primFunc("double", [A, B, n], forLoop(i, 0, n, bufferStore(B, mul(bufferLoad(A, [i]), 2), [i])));
 * const k = emitC(f);
 * console.assert(k.entry === "tsr_double" && k.params.length === 3);
 * console.assert(k.source.includes("float *restrict A"));
 * ```
 */
export function emitC(f: PrimFunc, options: EmitOptions = {}): CKernel {
  const ctx = new CContext(f.name, options);
  const entry = `tsr_${f.name}`;
  ctx.fresh(entry);
  const prologue: string[] = [];
  const [decls, params] = signature(ctx, f, prologue);
  const body = new Lines();
  for (const p of prologue) body.add(p);
  emitStmt(ctx, f.body, body);
  const func = [
    ...ctx.functions.map((t) => t + "\n"),
    `__attribute__((export_name("${entry}")))`,
    `void ${entry}(${decls.join(", ") || "void"}) {`,
    ...body.lines,
    "}",
  ].join("\n");
  const hostImports = [...ctx.imports].sort();
  const declarations = [...hostImports.map(hostImportDecl), ...ctx.declarations()];
  const parts = { declarations, func };
  return {
    source: linkParts([parts], `kernel "${f.name}"`),
    entry,
    params,
    hostImports,
    assertMessages: [...ctx.asserts],
    parallelTasks: [...ctx.tasks],
    parts,
  };
}

function linkParts(parts: readonly CKernel["parts"][], what: string): string {
  const seen = new Set<string>();
  const decls: string[] = [];
  for (const p of parts) {
    for (const d of p.declarations) {
      if (!seen.has(d)) {
        seen.add(d);
        decls.push(d);
      }
    }
  }
  return [
    `/* Tessera cpu ${what}: generated C for clang --target=wasm32 -msimd128 */`,
    C_PRELUDE,
    ...decls,
    "",
    ...parts.map((p) => p.func + "\n"),
  ].join("\n");
}

/**
 * One C source defining several kernels (shared prelude, helpers and imports), so they compile
 * in one toolchain call. Each kernel keeps its own entry and assert ids.
 *
 * @example
 * ```ts
 * import { emitC, linkC } from "./codegen_c.ts";
 * import { primFunc } from "../../ir/func.ts";
 * import { evaluate } from "../../ir/stmt.ts";
 * import { int } from "../../ir/expr.ts";
 * const a = emitC(primFunc("a", [], evaluate(int(0))));
 * const b = emitC(primFunc("b", [], evaluate(int(0))));
 * console.assert(linkC([a, b]).includes("tsr_b"));
 * ```
 */
export function linkC(kernels: readonly CKernel[]): string {
  return linkParts(kernels.map((k) => k.parts), `module of ${kernels.length} kernels`);
}
