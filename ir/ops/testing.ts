/**
 * Test helpers of the operator library: run a function in the reference interpreter and compare
 * with expected arrays under the dtype's tolerance.
 *
 * @module
 */
import { compareArrays } from "../../conformance/tolerance.ts";
import type { PrimFunc } from "../func.ts";
import { runFunc } from "../interp/mod.ts";
import type { NDArray } from "../ndarray.ts";
import { verify } from "../verify.ts";

/** Verify `f`, run it on `inputs`, and check each output against `want` (throws on mismatch). */
export function expectRun(
  f: PrimFunc,
  inputs: readonly NDArray[],
  want: readonly NDArray[],
): NDArray[] {
  verify(f);
  const got = runFunc(f, inputs);
  if (got.length !== want.length) {
    throw new Error(`${f.name}: ${got.length} outputs, expected ${want.length}`);
  }
  got.forEach((g, k) => {
    const c = compareArrays(g, want[k]);
    if (!c.ok) {
      throw new Error(
        `${f.name} output ${k}: ${
          c.reason ?? `${c.mismatches} mismatches, first ${JSON.stringify(c.first)}`
        }`,
      );
    }
  });
  return got;
}

/** The error code of what `fn` throws (undefined if it throws nothing). */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? `(no code: ${(e as Error).message})`;
  }
  return undefined;
}
