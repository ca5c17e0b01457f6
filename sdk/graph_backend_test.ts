import { assert, assertEquals } from "../ir/test_util.ts";
import { ndarray, randomNDArray, toNumbers } from "../ir/ndarray.ts";
import { GraphBuilder } from "../ir/graph/builder.ts";
import { GraphExecutor } from "../ir/graph/executor.ts";
import cpu from "../targets/cpu/mod.ts";
import type { CpuDevice } from "../targets/cpu/runtime.ts";
import type { CpuTensor } from "../targets/cpu/tensor.ts";
import { defaultDevice } from "./build.ts";
import type { DeviceTensor } from "./device.ts";
import { targetBackend } from "./graph_backend.ts";
import type { Target } from "./target.ts";
import { HostTensor, InterpDevice } from "./testing.ts";

Deno.test("targetBackend(cpu): views share their base's memory, zero-filled, freed with it", async () => {
  const device = await defaultDevice(cpu) as CpuDevice;
  const be = await targetBackend(cpu, { device });
  const base = be.allocate([8], "float32") as CpuTensor;
  const a = be.view(base, [2, 3]) as CpuTensor;
  (a.data as Float32Array).set([1, 2, 3, 4, 5, 6]);
  assertEquals(a.byteOffset, base.byteOffset);
  assertEquals(toNumbers(await be.download(base)), [1, 2, 3, 4, 5, 6, 0, 0]);
  const b = be.view(base, [4]) as CpuTensor;
  assertEquals(toNumbers(await be.download(b)), [0, 0, 0, 0]); // zero-filled, as allocate
  let tooBig: unknown;
  try {
    be.view(base, [9]);
  } catch (e) {
    tooBig = e;
  }
  assertEquals((tooBig as { code?: string }).code, "BAD_SHAPE");
  be.free(base);
  assert(a.freed && b.freed, "views die with their base");
});

Deno.test("targetBackend: a device without views gives each view memory of its own, one per shape", async () => {
  const device = new InterpDevice("interp");
  const freed: DeviceTensor[] = [];
  const free = device.free.bind(device);
  device.free = (t) => (freed.push(t), free(t));
  const be = await targetBackend({ name: "interp" } as Target, { device });
  const base = be.allocate([8], "int32");
  const a = be.view(base, [2, 2]) as HostTensor;
  (a.array.data as Int32Array).fill(3);
  const b = be.view(base, [2, 2]) as HostTensor; // the value after a in the same storage
  assertEquals([freed.length, freed[0] === a], [1, true]);
  assertEquals(toNumbers(b.array), [0, 0, 0, 0]);
  const c = be.view(base, [3]);
  be.free(base);
  assertEquals(new Set(freed), new Set([a, b, c, base]));
});

Deno.test("targetBackend(cpu): a graph's second run at the same sizes allocates only its result", async () => {
  const device = await defaultDevice(cpu) as CpuDevice;
  let allocs = 0;
  const allocate = device.allocate.bind(device);
  device.allocate = (shape, dtype) => (allocs++, allocate(shape, dtype));
  const fromArray = device.fromArray.bind(device); // uploads allocate without zero-filling
  device.fromArray = (a) => (allocs++, fromArray(a));
  const b = new GraphBuilder("main");
  let h = b.input("x", ["n", 4]);
  for (let k = 0; k < 5; k++) h = b.op(k % 2 ? "relu" : "neg", [h]);
  b.output(h);
  const mod = b.finish();
  const ex = new GraphExecutor(mod, { backend: await targetBackend(cpu, { device }) });
  const ref = new GraphExecutor(mod);
  const counts: number[] = [];
  for (const n of [3, 3, 5]) {
    const x = randomNDArray("float32", [n, 4], n);
    const before = allocs;
    const [y] = await ex.run([x]);
    counts.push(allocs - before);
    assertEquals(toNumbers(y), toNumbers((await ref.run([x]))[0]));
  }
  // input upload + result, plus 2 storages (4 intermediates alternate) when n is new
  assertEquals(counts, [4, 2, 4]);
  ex.dispose();
  const x = ndarray("float32", [1, 4], [1, -2, 3, -4]); // storages made anew after dispose
  assertEquals(toNumbers((await ex.run([x]))[0]), toNumbers((await ref.run([x]))[0]));
});
