/**
 * `tessera-default`: the kernels from the operator library (`ir/ops`), built by the SDK for the
 * `cpu` target with its default schedules (`codegen.schedule`, applied by `build`) on a device with
 * one thread, and called in destination-passing style on tensors allocated once in the device's
 * (wasm) memory — no copies in the timed loop.
 *
 * @module
 */
import { createPrimFunc, placeholder } from "../../ir/te.ts";
import type { IRModule, PrimFunc } from "../../ir/func.ts";
import { ndarray } from "../../ir/ndarray.ts";
import { intrinsicsUsed } from "../../tensorize/auto/marker.ts";
import { conv2d, matmul } from "../../ir/ops/mod.ts";
import {
  build,
  type BuildOptions,
  type Device,
  type DeviceTensor,
  type Target,
} from "../../sdk/mod.ts";
import { type BenchCase, inputShapes, outputShape } from "../cases.ts";
import { type Impl, PeerUnavailable, type Prepared, reasonOf } from "./peer.ts";

/**
 * The function a case benchmarks, with concrete shapes, from the operator library.
 *
 * @example
 * ```ts
 * import { caseFunc } from "./tessera.ts";
 * import { matmulCase } from "../cases.ts";
 * console.assert(caseFunc(matmulCase(8)).params.length === 3);
 * ```
 */
export function caseFunc(c: BenchCase): PrimFunc {
  const [s0, s1] = inputShapes(c);
  if (c.kind === "matmul") {
    const dtype = c.dtype ?? "float32";
    const a = placeholder(s0, dtype, "A");
    const b = placeholder(s1, dtype, "B", c.bRange ? { range: c.bRange } : {});
    const out = matmul(a, b, { name: "C", ...(c.dtype ? { outDtype: "int32" } : {}) });
    return createPrimFunc([a, b, out], c.id);
  }
  if (c.kind === "conv2d") {
    const x = placeholder(s0, "float32", "X"), w = placeholder(s1, "float32", "W");
    const y = conv2d(x, w, { strides: c.stride, padding: c.pad, name: "Y" });
    return createPrimFunc([x, w, y], c.id);
  }
  throw new PeerUnavailable("tessera-default", `no operator for case ${c.id}`);
}

let cpu: Target | undefined;

/** Load the cpu target once (`impl` names the impl in the error). */
export async function loadCpu(impl: string): Promise<Target> {
  if (cpu) return cpu;
  try {
    cpu = (await import("../../targets/cpu/mod.ts")).default as Target;
  } catch (e) {
    throw new PeerUnavailable(impl, `cpu target: ${reasonOf(e)}`);
  }
  return cpu;
}

/**
 * Build `f` for the cpu target, place its inputs (already in the function's layouts) and its
 * output in device memory once, and call it in destination-passing style on every run.
 */
export async function prepareOnCpu(
  impl: string,
  f: PrimFunc | IRModule,
  inputs: readonly { shape: number[]; data: Float32Array }[],
  outShape: number[],
  options: BuildOptions = {},
): Promise<Prepared> {
  const kernel = await build(f, await loadCpu(impl), options);
  const dev = kernel.device;
  // Buffer dtypes come from the function (an int8 case: int8 inputs, int32 output).
  const types = kernel.func.params.flatMap((p) => (p.kind === "Buffer" ? [p.dtype] : []));
  const ins = inputs.map((x, i) => {
    const t = types[i] ?? "float32";
    const data = t === "int8" ? Int8Array.from(x.data) : x.data;
    return dev.fromArray(ndarray(t, x.shape, data));
  });
  const out = dev.allocate(outShape, types[inputs.length] ?? "float32");
  const args: DeviceTensor[] = [...ins, out];
  const used = intrinsicsUsed(kernel.lowered);
  return {
    run: () => kernel.call(args),
    result: async () => Float32Array.from((await dev.toArray(out)).data as ArrayLike<number>),
    dispose: () => args.forEach((t) => dev.free(t)),
    ...(used.length ? { note: `on ${used.join(", ")}` } : {}),
  };
}

let single: Promise<Device> | undefined;

/** A cpu device with one thread (made once). */
function oneThread(): Promise<Device> {
  return single ??= loadCpu("tessera-default").then((t) =>
    t.runtime.createDevice({ threads: 1 }) as Promise<Device>
  );
}

/** Tessera's own kernels, default schedules (`codegen.schedule`), on the cpu target (one thread). */
export const tessera: Impl = {
  name: "tessera-default",
  role: "ours",
  init: async () => {
    await loadCpu("tessera-default");
  },
  threads: () => 1,
  supports: (c: BenchCase) => c.kind === "matmul" || c.kind === "conv2d",
  async prepare(c: BenchCase, inputs: Float32Array[]): Promise<Prepared> {
    const shapes = inputShapes(c);
    const ins = inputs.map((data, i) => ({ shape: shapes[i], data }));
    // The default schedules parallelize; one thread, as this impl reports (threads: 1).
    const device = await oneThread();
    return prepareOnCpu("tessera-default", caseFunc(c), ins, outputShape(c), { device });
  },
};
