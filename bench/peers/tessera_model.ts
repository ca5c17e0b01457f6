/**
 * `tessera-default` on whole models: the ONNX bytes imported (`importOnnx`), fused
 * (`FUSED_PASSES`) and run by the graph executor on the cpu target with its default schedules,
 * on a device with 1 or 2 threads. Weights are uploaded once (the executor keeps constants on
 * the device); each run uploads the input and downloads the output, as onnxruntime's `run` takes
 * and returns host tensors.
 *
 * @module
 */
import { GraphExecutor } from "../../ir/graph/executor.ts";
import { importOnnx } from "../../ir/graph/onnx/import.ts";
import { FUSED_PASSES } from "../../ir/graph/pipelines.ts";
import { ndarray } from "../../ir/ndarray.ts";
import type { Device } from "../../sdk/mod.ts";
import { targetBackend } from "../../sdk/graph_backend.ts";
import type { BenchCase } from "../cases.ts";
import { type Impl, PeerUnavailable, type Prepared } from "./peer.ts";
import { loadCpu } from "./tessera.ts";

const NAME = "tessera-default";

/**
 * Tessera on the model cases, `threads` threads.
 *
 * @example
 * ```ts ignore
 * import { tesseraModel } from "./tessera_model.ts";
 * const impl = tesseraModel(1);
 * await impl.init();
 * ```
 */
export function tesseraModel(threads: number): Impl {
  let device: Promise<Device> | undefined;
  return {
    name: NAME,
    variant: "graph",
    role: "ours",
    init: async () => {
      const cpu = await loadCpu(NAME);
      device ??= cpu.runtime.createDevice({ threads }) as Promise<Device>;
      await device;
    },
    threads: () => threads,
    supports: (c: BenchCase) => c.kind === "model",
    async prepare(c: BenchCase, inputs: Float32Array[]): Promise<Prepared> {
      if (c.kind !== "model" || !device) throw new PeerUnavailable(NAME, `no model for ${c.id}`);
      const backend = await targetBackend(await loadCpu(NAME), { device: await device });
      const ex = new GraphExecutor(importOnnx(c.onnx), { backend, passes: FUSED_PASSES });
      const x = ndarray("float32", c.inputShape, inputs[0]);
      let last: Float32Array | undefined;
      return {
        async run() {
          last = (await ex.run([x]))[0].data as Float32Array;
        },
        result() {
          if (!last) throw new PeerUnavailable(NAME, "result() before run()");
          return last.slice();
        },
        dispose: () => ex.dispose(),
      };
    },
  };
}
