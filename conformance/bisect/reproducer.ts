/**
 * A kernel that diverged, written as a standalone conformance case file: the tensor-level
 * function in script form and its inputs saved exactly, loadable by
 * `deno task conformance --cases <file> --target <target>`, which compares the target with the
 * interpreter on exactly those inputs.
 *
 * @module
 */
import { printFunc } from "../../ir/script/mod.ts";
import type { KernelVerdict } from "../../ir/graph/bisect.ts";
import { arrayToBase64 } from "./data.ts";

/** Options of `reproducerSource`. */
export interface ReproducerOptions {
  /** The case id (letters, digits and `_ . = - /`). */
  readonly id: string;
  /** Path from the case file's directory to the repository root, ending in `/` (e.g. `../`). */
  readonly root: string;
  /** Lines for the header comment (model, target, how to run). */
  readonly comment?: readonly string[];
}

/** A template literal body: backslashes, backticks and `${` escaped. */
const literal = (s: string) =>
  s.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${");

/**
 * The source of a case file reproducing one kernel verdict.
 *
 * @example
 * ```ts ignore
 * const text = reproducerSource(result.first!, { id: "bisect/mlp/lv3", root: "../" });
 * ```
 */
export function reproducerSource(v: KernelVerdict, options: ReproducerOptions): string {
  const op = String(v.prim.attrs.legalized_from ?? v.func);
  const input = (a: { dtype: string; shape: readonly number[] }, text: string) =>
    `    arrayFromBase64(${JSON.stringify(a.dtype)}, ${JSON.stringify(a.shape)}, ${
      JSON.stringify(text)
    }),`;
  return [
    ...(options.comment ?? []).map((l) => `// ${l}`),
    `import { defineCase } from "${options.root}conformance/case.ts";`,
    `import { arrayFromBase64 } from "${options.root}conformance/bisect/data.ts";`,
    `import { parseFunc } from "${options.root}ir/script/mod.ts";`,
    "",
    `/** Kernel "${v.func}" (binding "${v.binding}") in script form. */`,
    `const SCRIPT = \`${literal(printFunc(v.prim))}\`;`,
    "",
    "/** The inputs it diverged on, exactly. */",
    "const inputs = () => [",
    ...v.inputs.map((a) => input(a, arrayToBase64(a))),
    "];",
    "",
    "export default [",
    "  defineCase({",
    `    id: ${JSON.stringify(options.id)},`,
    `    op: ${JSON.stringify(op)},`,
    `    dtype: ${JSON.stringify(v.inputs[0]?.dtype ?? v.expected[0].dtype)},`,
    "    func: () => parseFunc(SCRIPT),",
    "    inputs,",
    `    outputShapes: ${JSON.stringify(v.expected.map((e) => e.shape))},`,
    `    note: ${JSON.stringify(`bisect: ${v.detail}`.slice(0, 200))},`,
    "  }),",
    "];",
    "",
  ].join("\n");
}
