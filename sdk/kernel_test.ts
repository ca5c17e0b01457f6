/**
 * `Kernel.call` remembers the call signatures it bound (dtypes, shapes, scalar values, repeated
 * tensors): a repeat call reuses the size values, and every check still applies to calls that
 * differ from a remembered one in any way.
 */
import { CallError } from "../ir/errors.ts";
import { add, mul, variable } from "../ir/expr.ts";
import { ndarray, toNumbers } from "../ir/ndarray.ts";
import { compute, createPrimFunc, placeholder, sizeVar } from "../ir/te.ts";
import { assert, assertEquals, assertRejects } from "../ir/test_util.ts";
import type { DeviceArg, LoadedKernel } from "./device.ts";
import { build } from "./mod.ts";
import { InterpDevice, interpreterTarget } from "./testing.ts";

/** An interpreter device that records the lowered arguments of each run. */
class RecordingDevice extends InterpDevice {
  calls: DeviceArg[][] = [];
  override run(kernel: LoadedKernel, args: readonly DeviceArg[]): Promise<void> {
    this.calls.push([...args]);
    return super.run(kernel, args);
  }
}

const target = interpreterTarget(() => new RecordingDevice("interp", 2));

/** C = A * s + B over a symbolic n. */
function axpy() {
  const n = sizeVar("n");
  const s = variable("s", "float32");
  const A = placeholder([n], "float32", "A");
  const B = placeholder([n], "float32", "B");
  const C = compute([n], ([i]) => add(mul(A.at(i), s), B.at(i)), "C");
  return createPrimFunc([A, s, B, C], "axpy");
}

const code = async (p: () => Promise<unknown>, want: string) => {
  const e = await assertRejects(p, CallError);
  assertEquals(e.code, want, e.message);
};

Deno.test("repeat calls reuse the sizes they bound; new shapes and scalars bind afresh", async () => {
  const kernel = await build(axpy(), target);
  const d = kernel.device as RecordingDevice;
  const t = (xs: number[]) => d.fromArray(ndarray("float32", [xs.length], xs));
  const [a3, b3, c3] = [t([1, 2, 3]), t([10, 20, 30]), t([0, 0, 0])];
  const [a5, b5, c5] = [t([1, 1, 1, 1, 1]), t([1, 2, 3, 4, 5]), t([0, 0, 0, 0, 0])];
  await kernel.call([a3, 2, b3, c3]);
  await kernel.call([a5, 2, b5, c5]);
  await kernel.call([a3, 2, b3, c3]);
  await kernel.call([a3, 3, b3, c3]);
  assertEquals(toNumbers(await d.toArray(c3)), [13, 26, 39]);
  assertEquals(toNumbers(await d.toArray(c5)), [3, 4, 5, 6, 7]);
  const lowered = d.calls.map((c) => c.map((x) => (typeof x === "object" ? x.shape[0] : x)));
  // A, s, B, C (tensors by length here), then the size n
  assertEquals(lowered, [[3, 2, 3, 3, 3], [5, 2, 5, 5, 5], [3, 2, 3, 3, 3], [3, 3, 3, 3, 3]]);
  // more signatures than a kernel remembers: the oldest are bound again, correctly
  for (let n = 1; n <= 12; n++) {
    const ones = Array.from({ length: n }, () => 1);
    const out = t(ones.map(() => 0));
    await kernel.call([t(ones), n, t(ones), out]);
    assertEquals(toNumbers(await d.toArray(out)), ones.map(() => n + 1));
  }
  await kernel.call([a5, 1, b5, c5]);
  assertEquals(toNumbers(await d.toArray(c5)), [2, 3, 4, 5, 6]);
  assertEquals(d.calls.at(-1)!.at(-1), 5);
});

Deno.test("a call that differs from a remembered one in any way is checked in full", async () => {
  const kernel = await build(axpy(), target);
  const d = kernel.device;
  const f32 = (n: number) => d.allocate([n], "float32");
  const [a, b, c] = [f32(3), f32(3), f32(3)];
  const runs = (d as RecordingDevice).calls.length;
  await kernel.call([a, 2, b, c]);
  await kernel.call([a, 2, b, c]); // remembered
  await code(() => kernel.call([a, 2, b, f32(4)]), "CALL_SHAPE_MISMATCH");
  await code(() => kernel.call([a, 2, b, d.allocate([3], "int32")]), "CALL_DTYPE_MISMATCH");
  await code(() => kernel.call([a, 2, b, d.allocate([3, 1], "float32")]), "CALL_SHAPE_MISMATCH");
  await code(() => kernel.call([a, b, b, c]), "CALL_ARG_KIND");
  await code(() => kernel.call([a, "2" as unknown as number, b, c]), "CALL_ARG_KIND");
  await code(() => kernel.call([a, 2, b]), "CALL_ARITY");
  const other = await target.runtime.createDevice();
  await code(() => kernel.call([a, 2, b, other.allocate([3], "float32")]), "CALL_DEVICE_MISMATCH");
  // the same tensor for a read-only and a written parameter, after a call with distinct ones
  await code(() => kernel.call([a, 2, b, a]), "CALL_ALIASED");
  // two read-only parameters may share a tensor; remembered, then written-to aliasing still fails
  await kernel.call([a, 2, a, c]);
  await kernel.call([a, 2, a, c]);
  await code(() => kernel.call([a, 2, c, c]), "CALL_ALIASED");
  const gone = f32(3);
  await kernel.call([a, 2, b, gone]);
  d.free(gone);
  await code(() => kernel.call([a, 2, b, gone]), "CALL_TENSOR_FREED");
  const ran = (d as RecordingDevice).calls.length - runs;
  assert(ran === 5, `${ran} runs: only the calls that passed the checks ran`);
});
