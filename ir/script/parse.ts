/**
 * Parsing the script form: `parseFunc`, `parseModule`, `parseExpr`, and `spanOf` for the source
 * span of any parsed node. Errors are `ParseError`s with a stable code, a `line:column` span and
 * the source attached, so `err.render()` shows the line with a caret under the offending text.
 *
 * @module
 */
import type { SourceSpan } from "../errors.ts";
import type { PrimExpr, Var } from "../expr.ts";
import type { IRModule, PrimFunc } from "../func.ts";
import type { Buffer } from "../stmt.ts";
import type { SpanMap } from "./parser.ts";
import { FuncParser } from "./parse_func.ts";

const SPANS: SpanMap = new WeakMap();

/**
 * Parse one function.
 *
 * @example
 * ```ts
 * import { parseFunc } from "./parse.ts";
 * const f = parseFunc(`func add1(A: buffer<float32>[n], B: buffer<float32>[n]) {
 *   for i in 0..n { B[i] = A[i] + 1.0 }
 * }`);
 * console.assert(f.name === "add1" && f.params.length === 2);
 * ```
 */
export function parseFunc(text: string, source = "<script>"): PrimFunc {
  const p = new FuncParser(text, source, SPANS);
  const f = p.func();
  p.end();
  return f;
}

/**
 * Parse a module: any number of functions.
 *
 * @example
 * ```ts
 * import { parseModule } from "./parse.ts";
 * const m = parseModule("func f() { eval 0 }\nfunc g() { eval 1 }");
 * console.assert(m.functions.size === 2);
 * ```
 */
export function parseModule(text: string, source = "<script>"): IRModule {
  return new FuncParser(text, source, SPANS).module();
}

/** Names an expression may use: variables and buffers, known by their `name`. */
export interface ExprEnv {
  /** Variables in scope. */
  readonly vars?: readonly Var[];
  /** Buffers in scope. */
  readonly buffers?: readonly Buffer[];
}

/**
 * Parse one expression over the given variables and buffers.
 *
 * @example
 * ```ts
 * import { parseExpr } from "./parse.ts";
 * import { variable } from "../expr.ts";
 * const i = variable("i");
 * const e = parseExpr("i // 4 + 1", { vars: [i] });
 * console.assert(e.kind === "Binary" && e.dtype === "int32");
 * ```
 */
export function parseExpr(text: string, env: ExprEnv = {}, source = "<script>"): PrimExpr {
  const p = new FuncParser(text, source, SPANS);
  p.define(env.vars ?? [], env.buffers ?? []);
  const e = p.expr().e;
  p.end();
  return e;
}

/**
 * Where a parsed node came from (for variables and buffers: their declaration), if it was
 * parsed.
 *
 * @example
 * ```ts
 * import { parseFunc, spanOf } from "./parse.ts";
 * const f = parseFunc("func f() {\n  eval 1 + 2\n}");
 * console.assert(spanOf(f.body)?.line === 2);
 * ```
 */
export function spanOf(node: object): SourceSpan | undefined {
  return SPANS.get(node);
}
