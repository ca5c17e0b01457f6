/**
 * Small test helpers over `node:assert/strict` (JSR's std/assert is not reachable here).
 *
 * @module
 */
import { deepStrictEqual, ok } from "node:assert/strict";

/** Assert a condition. */
export function assert(cond: unknown, message?: string): asserts cond {
  ok(cond, message);
}

/** Assert deep equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  deepStrictEqual(actual, expected, message);
}

/** Assert that `fn` throws an instance of `cls`; returns the error for further checks. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  cls: new (...args: any[]) => E,
  includes?: string,
): E {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof cls)) {
      throw new Error(
        `expected ${cls.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : e}`,
      );
    }
    if (includes && !e.message.includes(includes)) {
      throw new Error(`expected message to include "${includes}", got "${e.message}"`);
    }
    return e;
  }
  throw new Error(`expected ${cls.name} to be thrown, nothing was`);
}

/** Async variant of `assertThrows`. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  cls: new (...args: any[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof cls)) {
      throw new Error(
        `expected ${cls.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : e}`,
      );
    }
    if (includes && !e.message.includes(includes)) {
      throw new Error(`expected message to include "${includes}", got "${e.message}"`);
    }
    return e;
  }
  throw new Error(`expected ${cls.name} to be thrown, nothing was`);
}
