/**
 * `validateTarget`: what a vendor learns at load rather than in a model. It re-checks the target's
 * definition (fields, SDK version, scopes), the consistency of its scopes and limits, that every
 * intrinsic's operand tiles fit their scopes, and — the heart — runs every intrinsic's
 * implementation the way the target runs it (`runtime.runIntrinsic`) against its description in
 * the reference interpreter, on random and edge-case inputs (`validate_intrinsic.ts`).
 *
 * @module
 */
import { byteSize } from "../ir/dtype.ts";
import { TargetError, TesseraError } from "../ir/errors.ts";
import { verify } from "../ir/verify.ts";
import { fieldError } from "./errors.ts";
import type { Intrinsic } from "./intrinsic.ts";
import type { IntrinsicRunner } from "./intrinsic_run.ts";
import { isPowerOfTwo } from "./scope.ts";
import { defineTarget, type Target } from "./target.ts";
import { constantShape, operandBuffers } from "./validate_inputs.ts";
import {
  type IntrinsicValidation,
  type IntrinsicValidationOptions,
  validateIntrinsic,
} from "./validate_intrinsic.ts";

/** Options of `validateTarget`. */
export interface ValidateOptions {
  /** Base seed of the input generator (default 1). */
  readonly seed?: number;
  /** Random trials per intrinsic (default 8). */
  readonly trials?: number;
  /** Run the edge cases (default true). */
  readonly edgeCases?: boolean;
  /** Validate only the intrinsics with these names (default all). */
  readonly intrinsics?: readonly string[];
  /** Run intrinsics with this instead of the target's `runtime.runIntrinsic`. */
  readonly run?: IntrinsicRunner;
  /** Skip running intrinsics (static checks only). */
  readonly static?: boolean;
}

/** What `validateTarget` found. */
export interface ValidationReport {
  /** The target's name. */
  readonly target: string;
  /** True when there are no problems. */
  readonly ok: boolean;
  /** Every problem, as the `TargetError` it would be thrown as. */
  readonly problems: readonly TargetError[];
  /** Things that work but look unintended. */
  readonly warnings: readonly string[];
  /** Per intrinsic that was run: trials, verdict, first mismatch. */
  readonly intrinsics: readonly IntrinsicValidation[];
}

function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}

function scopeProblems(t: Target, problems: TargetError[], warnings: string[]): void {
  t.scopes.forEach((s, k) => {
    const cap = s.capacityBytes;
    if (cap !== undefined && cap < s.alignmentBytes) {
      problems.push(fieldError(
        "TARGET_SCOPE_CAPACITY",
        t.name,
        `scopes[${k}].capacityBytes`,
        `Cannot use scope "${s.name}" of target "${t.name}": its capacity ${cap} bytes is less than its alignment ${s.alignmentBytes}`,
      ));
    } else if (cap !== undefined && cap % s.alignmentBytes !== 0) {
      warnings.push(
        `scope "${s.name}": capacity ${cap} bytes is not a multiple of its alignment ${s.alignmentBytes}; the tail cannot be allocated`,
      );
    }
    const parent = s.parent === undefined ? undefined : t.scopeMap.get(s.parent);
    const pcap = parent?.capacityBytes;
    if (cap !== undefined && pcap !== undefined && cap > pcap) {
      problems.push(fieldError(
        "TARGET_SCOPE_CAPACITY",
        t.name,
        `scopes[${k}].capacityBytes`,
        `Cannot use scope "${s.name}" of target "${t.name}": it holds ${cap} bytes, more than its parent "${
          parent!.name
        }" (${pcap} bytes) it is staged from`,
      ));
    }
  });
}

function limitProblems(t: Target, problems: TargetError[]): void {
  const bad = (key: string, why: string) =>
    problems.push(fieldError(
      "TARGET_BAD_LIMIT",
      t.name,
      `limits.${key}`,
      `Cannot use target "${t.name}": limits.${key} is ${String(t.limits[key])}, ${why}`,
    ));
  const l = t.limits;
  if (l.vectorBytes !== undefined && !isPowerOfTwo(l.vectorBytes)) {
    bad("vectorBytes", "need a power of two");
  }
  for (const key of ["maxThreads", "stackBytes", "maxMemoryBytes"]) {
    const v = l[key];
    if (v !== undefined && !Number.isSafeInteger(v)) bad(key, "need an integer");
  }
  if (
    l.stackBytes !== undefined && l.maxMemoryBytes !== undefined && l.stackBytes > l.maxMemoryBytes
  ) {
    bad("stackBytes", `more than limits.maxMemoryBytes (${l.maxMemoryBytes})`);
  }
}

function intrinsicProblems(t: Target, x: Intrinsic, k: number, problems: TargetError[]): boolean {
  const field = `intrinsics[${k}]`;
  try {
    verify(x.description);
  } catch (e) {
    if (!(e instanceof TesseraError)) throw e;
    problems.push(fieldError(
      "TARGET_INTRINSIC_DESCRIPTION",
      t.name,
      `${field}.description`,
      `Cannot use intrinsic "${x.name}" of target "${t.name}": its description does not verify: ${e.message}`,
    ));
    return false;
  }
  const scalar = x.description.params.find((p) => p.kind !== "Buffer");
  if (scalar) {
    problems.push(fieldError(
      "TARGET_INTRINSIC_DESCRIPTION",
      t.name,
      `${field}.description`,
      `Cannot use intrinsic "${x.name}" of target "${t.name}": its description has a scalar parameter "${scalar.name}"; intrinsics take buffers only`,
    ));
    return false;
  }
  const operands = operandBuffers(x);
  const symbolic = operands.find((b) => constantShape(b) === undefined);
  if (symbolic) {
    problems.push(fieldError(
      "TARGET_INTRINSIC_DESCRIPTION",
      t.name,
      `${field}.description`,
      `Cannot use intrinsic "${x.name}" of target "${t.name}": operand "${symbolic.name}" has a symbolic shape; an intrinsic works on tiles of constant shape`,
    ));
    return false;
  }
  // Operands live together while the intrinsic runs: their tiles, each aligned, must fit.
  const perScope = new Map<string, { bytes: number; names: string[] }>();
  for (const b of operands) {
    const scope = x.operandScopes[b.name] ?? "global";
    const s = t.scopeMap.get(scope);
    if (!s) continue; // defineTarget reports unknown operand scopes
    const bytes = constantShape(b)!.reduce((n, d) => n * d, byteSize(b.dtype));
    const u = perScope.get(scope) ?? { bytes: 0, names: [] };
    u.bytes += roundUp(bytes, s.alignmentBytes);
    u.names.push(`${b.name} (${bytes} bytes)`);
    perScope.set(scope, u);
  }
  let ok = true;
  for (const [scope, u] of perScope) {
    const cap = t.scopeMap.get(scope)!.capacityBytes;
    if (cap !== undefined && u.bytes > cap) {
      ok = false;
      problems.push(fieldError(
        "TARGET_INTRINSIC_TILE_TOO_LARGE",
        t.name,
        `${field}.operandScopes`,
        `Cannot use intrinsic "${x.name}" of target "${t.name}": its operands ${
          u.names.join(", ")
        } need ${u.bytes} bytes of scope "${scope}" (aligned), which holds ${cap}`,
      ));
    }
  }
  return ok;
}

/**
 * Validate a target: its definition, scopes, limits, intrinsic tiles, and every intrinsic's
 * implementation against its description. Never throws for a bad target: every problem is in the
 * report (turn it into one error with `validationFailure`).
 *
 * @example
 * ```ts ignore
 * import { validateTarget, validationFailure } from "./validate.ts";
 * const report = await validateTarget(myChip);
 * const error = validationFailure(report);
 * if (error) throw error; // e.g. TARGET_INTRINSIC_MISMATCH naming the intrinsic and element
 * ```
 */
export async function validateTarget(
  target: Target,
  options: ValidateOptions = {},
): Promise<ValidationReport> {
  const name = typeof target?.name === "string" ? target.name : String(target?.name);
  const problems: TargetError[] = [];
  const warnings: string[] = [];
  let t: Target;
  try {
    t = defineTarget(target); // a target object may not come from defineTarget (or be stale)
  } catch (e) {
    if (!(e instanceof TargetError)) throw e;
    return { target: name, ok: false, problems: [e], warnings, intrinsics: [] };
  }
  scopeProblems(t, problems, warnings);
  limitProblems(t, problems);
  const wanted = options.intrinsics && new Set(options.intrinsics);
  const runnable: Intrinsic[] = [];
  t.intrinsics.forEach((x, k) => {
    if (intrinsicProblems(t, x, k, problems) && (!wanted || wanted.has(x.name))) runnable.push(x);
  });
  const intrinsics: IntrinsicValidation[] = [];
  const run = options.run ?? t.runtime.runIntrinsic?.bind(t.runtime);
  if (runnable.length && !options.static) {
    if (!run) {
      problems.push(fieldError(
        "TARGET_INTRINSIC_NOT_RUNNABLE",
        t.name,
        "runtime.runIntrinsic",
        `Cannot validate the intrinsics of target "${t.name}" (${
          runnable.map((x) => `"${x.name}"`).join(", ")
        }): its runtime has no runIntrinsic`,
        "give the runtime runIntrinsic(intrinsic, tiles), which runs one intrinsic the way the target does",
      ));
    } else {
      for (const x of runnable) {
        const opts: IntrinsicValidationOptions = {
          ...options,
          target: t.name,
          alignmentOf: (p) => t.scopeMap.get(x.operandScopes[p] ?? "global")?.alignmentBytes ?? 1,
        };
        const r = await validateIntrinsic(x, run, opts);
        intrinsics.push(r);
        if (r.error) problems.push(r.error);
      }
    }
  }
  for (const x of t.intrinsics) {
    const out = operandBuffers(x).at(-1);
    if (out && t.peak.flopsPerSecond[out.dtype] === undefined) {
      const ins = operandBuffers(x).map((b) => b.dtype);
      if (!ins.some((d) => t.peak.flopsPerSecond[d] !== undefined)) {
        warnings.push(
          `intrinsic "${x.name}": peak.flopsPerSecond gives none of its dtypes (${
            [...new Set(ins)].join(", ")
          }); reports cannot compute its roofline`,
        );
      }
    }
  }
  return { target: t.name, ok: problems.length === 0, problems, warnings, intrinsics };
}

/**
 * One error for a failed report (undefined when it passed): the first problem, its message
 * followed by how many more there are and their codes.
 *
 * @example
 * ```ts
 * import { validationFailure } from "./validate.ts";
 * console.assert(
 *   validationFailure({ target: "t", ok: true, problems: [], warnings: [], intrinsics: [] }) === undefined,
 * );
 * ```
 */
export function validationFailure(report: ValidationReport): TargetError | undefined {
  const [first, ...rest] = report.problems;
  if (!first) return undefined;
  const more = rest.length
    ? ` (and ${rest.length} more problem${rest.length > 1 ? "s" : ""}: ${
      rest.map((e) => e.code).join(", ")
    })`
    : "";
  if (!more) return first;
  return new TargetError(first.code, first.message + more, {
    path: first.path,
    hint: first.hint,
  });
}
