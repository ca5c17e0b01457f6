/**
 * Users' case files (`--cases ./my_cases.ts`): a module whose default export (or `cases` export)
 * is an array of kernel cases made with `defineCase`, and optionally a `modelCases` export of
 * model cases. A file that does not import, or exports no case list, or a case without the fields
 * a case needs, is a `ConformanceError` — the CLI prints it and exits 2.
 *
 * @module
 */
import { ConformanceError } from "../ir/errors.ts";
import { defineCase, type KernelCase } from "./case.ts";
import { isTesseraLike } from "./load_target.ts";
import type { ModelCase } from "./model_cases.ts";

/** The cases of one file. */
export interface CaseFile {
  /** The module's URL. */
  readonly url: string;
  /** Its kernel cases. */
  readonly kernels: KernelCase[];
  /** Its model cases. */
  readonly models: ModelCase[];
}

function checkKernel(url: string, x: unknown, k: number): KernelCase {
  const c = x as Partial<KernelCase> | undefined;
  const missing: string[] = [
    ...(["id", "op", "dtype"] as const).filter((f) => typeof c?.[f] !== "string"),
    ...(["func", "inputs"] as const).filter((f) => typeof c?.[f] !== "function"),
  ];
  if (missing.length) {
    throw new ConformanceError(
      "CONF_CASES_INVALID",
      `Cannot use case ${k} of ${url}: it has no ${missing.join(", ")}`,
      { hint: "make each case with defineCase({ id, op, dtype, func, inputs })" },
    );
  }
  return defineCase(c as KernelCase);
}

/**
 * Import a case file.
 *
 * @example
 * ```ts ignore
 * const { kernels } = await loadCaseFile("./my_cases.ts", Deno.cwd());
 * ```
 */
export async function loadCaseFile(spec: string, cwd: string): Promise<CaseFile> {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(spec)
    ? spec
    : new URL(spec, `file://${cwd.endsWith("/") ? cwd : cwd + "/"}`).href;
  let mod: Record<string, unknown>;
  try {
    mod = await import(url);
  } catch (e) {
    if (isTesseraLike(e)) throw e; // e.g. defineCase refusing an id: reported as it is
    throw new ConformanceError(
      "CONF_CASES_LOAD_FAILED",
      `Cannot load case file ${url}: ${e instanceof Error ? e.message : String(e)}`,
      { hint: "the file must import cleanly and export default [defineCase({...}), ...]" },
    );
  }
  let list = mod.default ?? mod.cases;
  if (typeof list === "function") list = await (list as () => unknown)();
  const models = mod.modelCases;
  if (!Array.isArray(list) && !Array.isArray(models)) {
    throw new ConformanceError(
      "CONF_CASES_INVALID",
      `Cannot use case file ${url}: it exports no list of cases`,
      { hint: "export default [defineCase({...}), ...] (or `export const cases = [...]`)" },
    );
  }
  const kernels = Array.isArray(list) ? list.map((x, k) => checkKernel(url, x, k)) : [];
  return { url, kernels, models: Array.isArray(models) ? models as ModelCase[] : [] };
}
