/**
 * Load a target for the conformance kit: a built-in name (`cpu`), or a vendor module given as a
 * path or URL whose default export is a target made with `defineTarget` (a plain target spec is
 * validated with `defineTarget` here). Every target is then checked with `validateTarget` (scopes,
 * limits, each intrinsic run against its description); a failure is the `TargetError` of its first
 * problem, which the CLI prints before exiting with code 2.
 *
 * @module
 */
import { ConformanceError, TesseraError } from "../ir/errors.ts";
import { defineTarget, type Target, type TargetSpec } from "../sdk/mod.ts";
import { validateTarget, validationFailure } from "../sdk/validate.ts";
import type { Floor } from "./result.ts";

/**
 * What a vendor module may export beside its target, as `export const conformance = {...}`:
 * the target-level defaults of a conformance run.
 */
export interface TargetConformanceDefaults {
  /** The floor of cases that declare none. */
  readonly floor?: Floor;
}

/** A loaded target and what its module says about conformance. */
export interface LoadedTarget {
  /** The validated target. */
  readonly target: Target;
  /** The module's URL. */
  readonly url: string;
  /** The module's `conformance` export, checked. */
  readonly defaults: TargetConformanceDefaults;
}

/**
 * Whether an error thrown while importing a vendor module is a Tessera error (by shape: the
 * module may import another copy of Tessera, by URL, whose classes differ from ours). Such an
 * error — `defineTarget` refusing a field at the module's top level — is reported as it is.
 */
export function isTesseraLike(e: unknown): e is Error & { code: string; render(): string } {
  const x = e as { code?: unknown; render?: unknown };
  return e instanceof Error && typeof x.code === "string" && /^[A-Z][A-Z0-9_]+$/.test(x.code) &&
    typeof x.render === "function";
}

function checkDefaults(url: string, x: unknown): TargetConformanceDefaults {
  if (x === undefined) return {};
  const bad = (why: string) =>
    new ConformanceError(
      "CONF_TARGET_INVALID",
      `Cannot use the conformance defaults of ${url}: ${why}`,
      { hint: "export const conformance = { floor: { roofline: 0.5 } } (fractions in 0..1)" },
    );
  if (typeof x !== "object" || x === null) throw bad("`conformance` must be an object");
  const floor = (x as TargetConformanceDefaults).floor;
  if (floor !== undefined) {
    for (const [k, v] of Object.entries(floor)) {
      if (k !== "roofline" && k !== "baseline") throw bad(`floor.${k} is not a floor`);
      if (typeof v !== "number" || !(v >= 0)) throw bad(`floor.${k} is ${v}, need a number >= 0`);
    }
  }
  return { floor };
}

/** Built-in targets by name, as module URLs (imported only when asked for). */
export const BUILTIN_TARGETS: Readonly<Record<string, string>> = {
  cpu: new URL("../targets/cpu/mod.ts", import.meta.url).href,
  npu: new URL("../targets/npu/mod.ts", import.meta.url).href,
  gpu: new URL("../targets/gpu/mod.ts", import.meta.url).href,
};

/**
 * Conformance defaults of the built-in targets (a vendor module declares its own with
 * `export const conformance = {...}`). The npu's time is its simulator's exact cycle count, so a
 * floor there is deterministic: 1% of its roofline, which every tensorized case of the catalogue
 * clears (the least, a 4×9×3 float16 GEMM on 16×16×16 tiles, reaches 1.7%); the cpu's wall-clock
 * and gpu's wall-clock time is noisy, so they have none (floors there are opt-in: `--floor` with
 * `--wall-clock-floors`).
 */
export const BUILTIN_DEFAULTS: Readonly<Record<string, TargetConformanceDefaults>> = {
  cpu: {},
  gpu: {},
  npu: { floor: { roofline: 0.01 } },
};

/** A module specifier for `name`: a built-in, a URL, or a path relative to `cwd`. */
export function targetModuleUrl(name: string, cwd: string): string {
  if (BUILTIN_TARGETS[name]) return BUILTIN_TARGETS[name];
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(name)) return name;
  if (!/[./\\]/.test(name)) {
    throw new ConformanceError(
      "CONF_UNKNOWN_TARGET",
      `Cannot load target "${name}": it is not a built-in target, a path or a URL`,
      { hint: `built-in targets: ${Object.keys(BUILTIN_TARGETS).join(", ")}; or ./my-chip.ts` },
    );
  }
  const base = new URL(`file://${cwd.endsWith("/") ? cwd : cwd + "/"}`);
  return new URL(name, base).href;
}

/**
 * Import and validate a target.
 *
 * @example
 * ```ts ignore
 * import { loadTarget } from "./load_target.ts";
 * const cpu = await loadTarget("cpu");
 * ```
 */
export async function loadTarget(name: string, cwd: string = Deno.cwd()): Promise<Target> {
  return (await loadTargetModule(name, cwd)).target;
}

/**
 * Import and validate a target, with the module's conformance defaults.
 *
 * @example
 * ```ts ignore
 * import { loadTargetModule } from "./load_target.ts";
 * const { target, defaults } = await loadTargetModule("./my-chip.ts", Deno.cwd());
 * ```
 */
export async function loadTargetModule(
  name: string,
  cwd: string = Deno.cwd(),
): Promise<LoadedTarget> {
  const url = targetModuleUrl(name, cwd);
  let mod: Record<string, unknown>;
  try {
    mod = await import(url);
  } catch (e) {
    if (isTesseraLike(e)) throw e;
    throw new ConformanceError(
      "CONF_TARGET_LOAD_FAILED",
      `Cannot load target module ${url}: ${e instanceof Error ? e.message : String(e)}`,
      { hint: "the module must import cleanly and default-export defineTarget({...})" },
    );
  }
  // A module may say its hardware is absent here (the gpu without an adapter): the run is skipped.
  if (typeof mod.available === "function") {
    const a = (mod.available as () => { ok: boolean; reason?: string })();
    if (!a.ok) {
      throw new ConformanceError(
        "CONF_TARGET_UNAVAILABLE",
        `Target "${name}" is not available here: ${a.reason ?? "its module says so"}`,
      );
    }
  }
  const t = mod.default as Partial<Target> | undefined;
  if (t === undefined || t === null || typeof t !== "object") {
    throw new ConformanceError(
      "CONF_TARGET_NO_DEFAULT",
      `Cannot use target module ${url}: it has no default export that is a target`,
      { hint: "end the module with `export default defineTarget({...})`" },
    );
  }
  let target: Target;
  try {
    target = t.type === "Target" ? t as Target : defineTarget(t as TargetSpec);
  } catch (e) {
    if (e instanceof TesseraError) throw e;
    throw new ConformanceError(
      "CONF_TARGET_INVALID",
      `Cannot use target module ${url}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  // A wrong intrinsic or scope is reported here, at load, not as wrong results in a case.
  const failure = validationFailure(await validateTarget(target));
  if (failure) throw failure;
  const defaults = mod.conformance === undefined && BUILTIN_TARGETS[name]
    ? BUILTIN_DEFAULTS[name] ?? {}
    : checkDefaults(url, mod.conformance);
  return { target, url, defaults };
}
