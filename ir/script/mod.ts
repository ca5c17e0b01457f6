/**
 * The textual script form of Tessera IR: a printer and a parser that round-trip
 * (`structuralEqual(parseFunc(printFunc(f)), f)`) at every stage of lowering. The grammar is in
 * `grammar.ts`, read by both sides.
 *
 * @example
 * ```ts
 * import { parseFunc, printFunc } from "./mod.ts";
 * const text = `func scale(A: buffer<float32>[n], B: buffer<float32>[n]) {
 *   for i in 0..n {
 *     B[i] = A[i] * 2.0
 *   }
 * }`;
 * console.assert(printFunc(parseFunc(text)) === text);
 * ```
 *
 * @module
 */
export { printFunc, printModule, printNode as print } from "./printer.ts";
export { type ExprEnv, parseExpr, parseFunc, parseModule, spanOf } from "./parse.ts";
