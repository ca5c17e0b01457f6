/**
 * Memory scopes: the named kinds of memory a target has (`global`, `shared`, a scratchpad …).
 * Scopes are open — any name a target defines is valid; buffers name them in `Buffer.scope`.
 *
 * @module
 */
import { TargetError } from "../ir/errors.ts";

/** What a vendor states about a memory scope. */
export interface MemoryScopeSpec {
  /** Name buffers use in their `scope` (letters, digits, `_`, `.`, `:`, `-`). */
  readonly name: string;
  /** Bytes available in one instance of the scope; omitted when unbounded (host memory). */
  readonly capacityBytes?: number;
  /** Alignment every allocation in the scope gets, in bytes (a power of two). */
  readonly alignmentBytes: number;
  /** The scope data is staged from (e.g. `shared` under `global`); omitted for a root. */
  readonly parent?: string;
  /**
   * Storage in this scope is allocated while kernels run (a heap), so `build` leaves its capacity
   * to the runtime (`KERNEL_OUT_OF_MEMORY`) instead of proving at compile time that every buffer
   * fits. Default: true for a root scope (device memory), false for a staged scope (a scratchpad,
   * shared memory), whose buffers `build` checks (`SCOPE_OVERFLOW`, `SCOPE_UNBOUNDED`).
   */
  readonly dynamic?: boolean;
  /** One line for reports and docs. */
  readonly description?: string;
}

/** A validated memory scope (frozen). */
export interface MemoryScope extends MemoryScopeSpec {
  /** Always `"MemoryScope"`, so specs and validated scopes are told apart. */
  readonly kind: "MemoryScope";
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;

function scopeError(name: string, field: string, message: string): TargetError {
  return new TargetError("TARGET_BAD_FIELD", message, {
    path: `scope "${name}" / ${field}`,
  });
}

/** True if `x` is a positive power of two. */
export function isPowerOfTwo(x: number): boolean {
  return Number.isInteger(x) && x > 0 && (x & (x - 1)) === 0 && x <= 2 ** 30;
}

/**
 * Define a memory scope. Its `parent` is checked when the scope joins a target.
 * Throws `TargetError` `TARGET_BAD_FIELD` naming the bad field.
 *
 * @example
 * ```ts
 * import { defineMemoryScope } from "./scope.ts";
 * const shared = defineMemoryScope({
 *   name: "shared", capacityBytes: 16384, alignmentBytes: 16, parent: "global",
 * });
 * console.assert(shared.kind === "MemoryScope");
 * ```
 */
export function defineMemoryScope(spec: MemoryScopeSpec): MemoryScope {
  const name = spec?.name;
  if (typeof name !== "string" || !NAME.test(name)) {
    throw scopeError(
      String(name),
      "name",
      `Cannot define memory scope "${String(name)}": use letters, digits, _ . : -`,
    );
  }
  if (!isPowerOfTwo(spec.alignmentBytes)) {
    throw scopeError(
      name,
      "alignmentBytes",
      `Cannot define memory scope "${name}": alignmentBytes ${spec.alignmentBytes} is not a power of two`,
    );
  }
  const cap = spec.capacityBytes;
  if (cap !== undefined && !(Number.isSafeInteger(cap) && cap > 0)) {
    throw scopeError(
      name,
      "capacityBytes",
      `Cannot define memory scope "${name}": capacityBytes ${cap} is not a positive integer`,
    );
  }
  if (spec.dynamic !== undefined && typeof spec.dynamic !== "boolean") {
    throw scopeError(
      name,
      "dynamic",
      `Cannot define memory scope "${name}": dynamic must be true or false`,
    );
  }
  if (spec.parent !== undefined && (typeof spec.parent !== "string" || spec.parent === name)) {
    throw scopeError(
      name,
      "parent",
      `Cannot define memory scope "${name}": parent "${spec.parent}" must be another scope's name`,
    );
  }
  return Object.freeze({ ...spec, kind: "MemoryScope" as const });
}
