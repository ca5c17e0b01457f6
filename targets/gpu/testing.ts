/**
 * Test helpers of the gpu target: tests that need an adapter are ignored, with one line saying
 * why, where WebGPU has none; `checkOnGpu` builds a function, runs it and compares every output
 * with the reference interpreter under the conformance tolerances.
 *
 * @module
 */
import type { PrimFunc } from "../../ir/func.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import type { NDArray } from "../../ir/ndarray.ts";
import { build, type BuildOptions, type Kernel } from "../../sdk/mod.ts";
import { compareArrays } from "../../conformance/tolerance.ts";
import gpu, { gpuAvailable } from "./mod.ts";

const avail = gpuAvailable();
if (!avail.ok) console.log(`gpu tests skipped: ${avail.reason}`);

/** Whether gpu tests run here. */
export const HAS_GPU: boolean = avail.ok;

/** A `Deno.test` that needs a WebGPU adapter (ignored without one). */
export function gpuTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, ignore: !HAS_GPU, fn });
}

/**
 * Build `f` for gpu, run it on `inputs` and compare with the interpreter running `reference`
 * (default `f`; give the unscheduled function when `f` holds intrinsic markers); returns the
 * kernel.
 *
 * @example
 * ```ts ignore
 * await checkOnGpu(f, [a, b]);
 * ```
 */
export async function checkOnGpu(
  f: PrimFunc,
  inputs: readonly NDArray[],
  options: BuildOptions = {},
  reference: PrimFunc = f,
): Promise<Kernel> {
  const kernel = await build(f, gpu, options);
  const got = await kernel.run(inputs);
  const want = runFunc(reference, inputs);
  want.forEach((w, i) => {
    const c = compareArrays(got[i], w);
    if (!c.ok) {
      throw new Error(
        `${f.name}: output ${i} differs from the interpreter: ${
          JSON.stringify(c)
        }\n${kernel.source}`,
      );
    }
  });
  return kernel;
}
