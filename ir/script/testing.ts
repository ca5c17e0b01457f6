/**
 * Test helpers for the script form: assert that a function or module round-trips through text.
 * Other folders may use them for "script in, script out" tests.
 *
 * @module
 */
import { ParseError } from "../errors.ts";
import type { IRModule, PrimFunc } from "../func.ts";
import { firstMismatch } from "../structural.ts";
import { parseFunc, parseModule } from "./parse.ts";
import { printFunc, printModule } from "./printer.ts";

/**
 * Print `f`, parse the text, and throw (with the text) unless the result is structurally equal
 * to `f` and prints to the same text again. Returns the text.
 *
 * @example
 * ```ts
 * import { assertRoundTrip } from "./testing.ts";
 * import { primFunc } from "../func.ts";
 * import { evaluate } from "../stmt.ts";
 * import { int } from "../expr.ts";
 * assertRoundTrip(primFunc("f", [], evaluate(int(0))));
 * ```
 */
export function assertRoundTrip(f: PrimFunc | IRModule): string {
  const print = (x: PrimFunc | IRModule) => x.kind === "IRModule" ? printModule(x) : printFunc(x);
  const text = print(f);
  let g: PrimFunc | IRModule;
  try {
    g = f.kind === "IRModule" ? parseModule(text) : parseFunc(text);
  } catch (e) {
    if (e instanceof ParseError) throw new Error(`${e.render()}\n--- printed text:\n${text}`);
    throw e;
  }
  const m = firstMismatch(f, g);
  if (m) throw new Error(`round trip differs at ${m.pathA}: ${m.reason}\n--- text:\n${text}`);
  const again = print(g);
  if (again !== text) {
    throw new Error(`the parsed function prints differently:\n${text}\n--- again:\n${again}`);
  }
  return text;
}
