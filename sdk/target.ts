/**
 * `defineTarget`: how a vendor describes a target — data (scopes, intrinsics, limits, peaks) plus
 * two objects (codegen, runtime). Built-in targets are defined the same way; a vendor module is
 * a file whose default export is a target.
 *
 * @module
 */
import { parseDType } from "../ir/dtype.ts";
import { type GraphPattern, patternProblem } from "../ir/graph/pattern.ts";
import type { Artifact, Codegen } from "./codegen.ts";
import type { Runtime } from "./device.ts";
import { fieldError } from "./errors.ts";
import type { Intrinsic } from "./intrinsic.ts";
import type { MemoryScope } from "./scope.ts";
import { incompatibility, SDK_VERSION } from "./version.ts";

/** The kinds of targets. */
export type TargetKind = "cpu" | "gpu" | "npu";

/** The kinds `defineTarget` accepts. */
export const TARGET_KINDS: readonly TargetKind[] = ["cpu", "gpu", "npu"];

/**
 * Numeric limits of a target. The named keys are the ones Tessera reads today; targets may add
 * more (all numbers).
 */
export interface TargetLimits {
  /** Widest vector the target executes natively, in bytes (16 for wasm SIMD128). */
  readonly vectorBytes?: number;
  /** Threads a kernel may use. */
  readonly maxThreads?: number;
  /** Largest device memory, in bytes. */
  readonly maxMemoryBytes?: number;
  /** Stack bytes a kernel may use. */
  readonly stackBytes?: number;
  /** Further limits. */
  readonly [key: string]: number | undefined;
}

/** The roofline: peak compute per dtype and peak bandwidth per scope. */
export interface TargetPeak {
  /** Operations per second (a multiply-add counts 2) by dtype, e.g. `{ float32: 51e9 }`. */
  readonly flopsPerSecond: Readonly<Record<string, number>>;
  /** Bytes per second by memory scope name, e.g. `{ global: 25e9 }`. */
  readonly bytesPerSecond: Readonly<Record<string, number>>;
}

/** What a vendor passes to `defineTarget`. `A` is the target's artifact type. */
export interface TargetSpec<A extends Artifact = Artifact> {
  /** Unique name, e.g. `"cpu"`, `"my-chip"`. */
  readonly name: string;
  /** Kind of hardware. */
  readonly kind: TargetKind;
  /** The SDK version the target was written for (`SDK_VERSION` at the time). */
  readonly sdkVersion: string;
  /** Memory scopes; one must be named `global`. */
  readonly scopes: readonly MemoryScope[];
  /** Native operations for tensorization (may be empty). */
  readonly intrinsics?: readonly Intrinsic[];
  /** From lowered functions to artifacts. */
  readonly codegen: Codegen<A>;
  /** Devices that load and run artifacts. */
  readonly runtime: Runtime<A>;
  /** Numeric limits. */
  readonly limits: TargetLimits;
  /** Roofline figures. */
  readonly peak: TargetPeak;
  /** One line for reports. */
  readonly description?: string;
  /**
   * Graph patterns the target accepts when graphs are partitioned across targets (`partition`
   * in `ir/graph`): op chains such as `{ name: "conv", ops: ["conv2d", "add?", "relu?"] }`,
   * `?` marking an optional op, with the dtypes allowed. None: the target is used whole or not
   * at all.
   */
  readonly graphPatterns?: readonly GraphPattern[];
}

/** A validated target (frozen). */
export interface Target<A extends Artifact = Artifact> extends TargetSpec<A> {
  /** Always `"Target"`. */
  readonly type: "Target";
  /** Intrinsics (empty when none). */
  readonly intrinsics: readonly Intrinsic[];
  /** Scopes by name. */
  readonly scopeMap: ReadonlyMap<string, MemoryScope>;
  /** Graph patterns (empty when none). */
  readonly graphPatterns: readonly GraphPattern[];
}

const NAME = /^[a-z][a-z0-9_-]*$/;

function checkScopes(name: string, scopes: readonly MemoryScope[]): Map<string, MemoryScope> {
  if (!Array.isArray(scopes)) {
    throw fieldError(
      "TARGET_BAD_FIELD",
      name,
      "scopes",
      `Cannot define target "${name}": scopes must be an array`,
    );
  }
  const map = new Map<string, MemoryScope>();
  scopes.forEach((s, k) => {
    if (s?.kind !== "MemoryScope") {
      throw fieldError(
        "TARGET_BAD_FIELD",
        name,
        `scopes[${k}]`,
        `Cannot define target "${name}": scopes[${k}] was not made by defineMemoryScope`,
      );
    }
    if (map.has(s.name)) {
      throw fieldError(
        "TARGET_DUPLICATE_SCOPE",
        name,
        `scopes[${k}]`,
        `Cannot define target "${name}": scope "${s.name}" is defined twice`,
      );
    }
    map.set(s.name, s);
  });
  if (!map.has("global")) {
    throw fieldError(
      "TARGET_NO_GLOBAL_SCOPE",
      name,
      "scopes",
      `Cannot define target "${name}": it has no scope named "global"`,
      "buffers default to the global scope; define it",
    );
  }
  scopes.forEach((s, k) => {
    if (s.parent !== undefined && !map.has(s.parent)) {
      throw fieldError(
        "TARGET_UNKNOWN_SCOPE",
        name,
        `scopes[${k}].parent`,
        `Cannot define target "${name}": scope "${s.name}" has parent "${s.parent}", which the target does not define`,
      );
    }
    const seen = new Set<string>([s.name]);
    for (let p = s.parent; p !== undefined; p = map.get(p)!.parent) {
      if (seen.has(p)) {
        throw fieldError(
          "TARGET_SCOPE_CYCLE",
          name,
          `scopes[${k}].parent`,
          `Cannot define target "${name}": the parents of scope "${s.name}" form a cycle`,
        );
      }
      seen.add(p);
    }
  });
  return map;
}

function checkIntrinsics(
  name: string,
  list: readonly Intrinsic[],
  scopes: Map<string, MemoryScope>,
): void {
  const seen = new Set<string>();
  list.forEach((x, k) => {
    if (x?.kind !== "Intrinsic") {
      throw fieldError(
        "TARGET_BAD_FIELD",
        name,
        `intrinsics[${k}]`,
        `Cannot define target "${name}": intrinsics[${k}] was not made by defineIntrinsic`,
      );
    }
    if (seen.has(x.name)) {
      throw fieldError(
        "TARGET_DUPLICATE_INTRINSIC",
        name,
        `intrinsics[${k}]`,
        `Cannot define target "${name}": intrinsic "${x.name}" is defined twice`,
      );
    }
    seen.add(x.name);
    for (const [operand, scope] of Object.entries(x.operandScopes)) {
      if (!scopes.has(scope)) {
        throw fieldError(
          "TARGET_UNKNOWN_SCOPE",
          name,
          `intrinsics[${k}].operandScopes.${operand}`,
          `Cannot define target "${name}": intrinsic "${x.name}" puts operand "${operand}" in scope "${scope}", which the target does not define`,
        );
      }
    }
  });
}

function checkGraphPatterns(name: string, list: unknown): readonly GraphPattern[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    throw fieldError(
      "TARGET_BAD_FIELD",
      name,
      "graphPatterns",
      `Cannot define target "${name}": graphPatterns must be an array of { name, ops, dtypes? }`,
    );
  }
  const seen = new Set<string>();
  list.forEach((p: GraphPattern, k) => {
    const why = patternProblem(p);
    if (why) {
      const field = `graphPatterns[${k}]${why[0] ? `.${why[0]}` : ""}`;
      throw fieldError(
        "TARGET_BAD_FIELD",
        name,
        field,
        `Cannot define target "${name}": ${field} ${why[1]}`,
        'a pattern is { name: "conv", ops: ["conv2d", "add?", "relu?"], dtypes?: ["float32"] }',
      );
    }
    if (seen.has(p.name)) {
      throw fieldError(
        "TARGET_BAD_FIELD",
        name,
        `graphPatterns[${k}].name`,
        `Cannot define target "${name}": graph pattern "${p.name}" is defined twice`,
      );
    }
    seen.add(p.name);
  });
  return Object.freeze(list.map((p) => Object.freeze({ ...p })));
}

function positive(x: unknown): boolean {
  return typeof x === "number" && Number.isFinite(x) && x > 0;
}

/** Why a key of a record is not accepted: an error code and a reason. */
type KeyCheck = (key: string) => readonly [code: string, reason: string] | undefined;

function checkNumbers(name: string, field: string, rec: unknown, keyOk: KeyCheck): void {
  if (typeof rec !== "object" || rec === null) {
    throw fieldError(
      "TARGET_BAD_FIELD",
      name,
      field,
      `Cannot define target "${name}": ${field} must be an object of numbers`,
    );
  }
  for (const [k, v] of Object.entries(rec)) {
    if (v === undefined) continue;
    const why = keyOk(k);
    if (why) {
      throw fieldError(
        why[0],
        name,
        `${field}.${k}`,
        `Cannot define target "${name}": ${field}.${k}: ${why[1]}`,
      );
    }
    if (!positive(v)) {
      throw fieldError(
        "TARGET_BAD_FIELD",
        name,
        `${field}.${k}`,
        `Cannot define target "${name}": ${field}.${k} is ${String(v)}, need a positive number`,
      );
    }
  }
}

const validDType: KeyCheck = (k) => {
  try {
    parseDType(k);
    return undefined;
  } catch {
    return ["TARGET_BAD_FIELD", `"${k}" is not a dtype`];
  }
};

/**
 * Define a target. Validates every field and throws a `TargetError` whose `path` names it
 * (codes TARGET_BAD_FIELD, TARGET_BAD_KIND, TARGET_SDK_INCOMPATIBLE, TARGET_DUPLICATE_SCOPE,
 * TARGET_UNKNOWN_SCOPE, TARGET_NO_GLOBAL_SCOPE, TARGET_SCOPE_CYCLE, TARGET_DUPLICATE_INTRINSIC).
 *
 * @example
 * ```ts
 * import { defineMemoryScope, defineTarget, SDK_VERSION } from "./mod.ts";
 * const t = defineTarget({
 *   name: "toy", kind: "cpu", sdkVersion: SDK_VERSION,
 *   scopes: [defineMemoryScope({ name: "global", alignmentBytes: 64 })],
 *   codegen: { compile: () => Promise.reject(new Error("toy")) },
 *   runtime: { createDevice: () => Promise.reject(new Error("toy")) },
 *   limits: {}, peak: { flopsPerSecond: { float32: 1e9 }, bytesPerSecond: { global: 1e9 } },
 * });
 * console.assert(t.scopeMap.has("global"));
 * ```
 */
export function defineTarget<A extends Artifact>(spec: TargetSpec<A>): Target<A> {
  const name = spec?.name;
  if (typeof name !== "string" || !NAME.test(name)) {
    throw fieldError(
      "TARGET_BAD_FIELD",
      String(name),
      "name",
      `Cannot define target "${String(name)}": a name is lower-case letters, digits, _ and -`,
    );
  }
  if (!TARGET_KINDS.includes(spec.kind)) {
    throw fieldError(
      "TARGET_BAD_KIND",
      name,
      "kind",
      `Cannot define target "${name}": kind "${String(spec.kind)}" is not one of ${
        TARGET_KINDS.join(", ")
      }`,
    );
  }
  const why = typeof spec.sdkVersion === "string"
    ? incompatibility(spec.sdkVersion)
    : "it is missing";
  if (why) {
    throw fieldError(
      "TARGET_SDK_INCOMPATIBLE",
      name,
      "sdkVersion",
      `Cannot load target "${name}" written for SDK ${
        String(spec.sdkVersion)
      } into SDK ${SDK_VERSION}: ${why}`,
      "rebuild the target against this SDK",
    );
  }
  const scopeMap = checkScopes(name, spec.scopes);
  const intrinsics = spec.intrinsics ?? [];
  if (!Array.isArray(intrinsics)) {
    throw fieldError(
      "TARGET_BAD_FIELD",
      name,
      "intrinsics",
      `Cannot define target "${name}": intrinsics must be an array`,
    );
  }
  checkIntrinsics(name, intrinsics, scopeMap);
  if (typeof spec.codegen?.compile !== "function") {
    throw fieldError(
      "TARGET_BAD_FIELD",
      name,
      "codegen.compile",
      `Cannot define target "${name}": codegen.compile must be a function`,
    );
  }
  if (spec.codegen.schedule !== undefined && typeof spec.codegen.schedule !== "function") {
    throw fieldError(
      "TARGET_BAD_FIELD",
      name,
      "codegen.schedule",
      `Cannot define target "${name}": codegen.schedule must be a function when given`,
    );
  }
  if (typeof spec.runtime?.createDevice !== "function") {
    throw fieldError(
      "TARGET_BAD_FIELD",
      name,
      "runtime.createDevice",
      `Cannot define target "${name}": runtime.createDevice must be a function`,
    );
  }
  checkNumbers(name, "limits", spec.limits, () => undefined);
  if (typeof spec.peak !== "object" || spec.peak === null) {
    throw fieldError(
      "TARGET_BAD_FIELD",
      name,
      "peak",
      `Cannot define target "${name}": peak must give flopsPerSecond and bytesPerSecond`,
    );
  }
  checkNumbers(name, "peak.flopsPerSecond", spec.peak.flopsPerSecond, validDType);
  checkNumbers(
    name,
    "peak.bytesPerSecond",
    spec.peak.bytesPerSecond,
    (k) =>
      scopeMap.has(k)
        ? undefined
        : ["TARGET_UNKNOWN_SCOPE", `scope "${k}" is not defined by the target`],
  );
  const graphPatterns = checkGraphPatterns(name, spec.graphPatterns);
  return Object.freeze({
    ...spec,
    intrinsics: Object.freeze([...intrinsics]),
    graphPatterns,
    scopeMap,
    type: "Target" as const,
  });
}
