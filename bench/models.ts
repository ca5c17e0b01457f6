/**
 * Whole-model bench cases: the MLP, the small CNN and the transformer encoder block of
 * `conformance/models/` at fixed sizes (batch 1, sequence 32), run by tessera (the fused graph on
 * the cpu target), onnxruntime-web and onnxruntime-node from the same ONNX bytes. A case's FLOPs
 * are counted once from the model itself: the fused module is run with a backend that computes
 * nothing and counts each kernel's operations at the call's shapes (`conformance/work.ts`).
 *
 * @module
 */
import type { Backend } from "../ir/graph/backend.ts";
import { GraphExecutor } from "../ir/graph/executor.ts";
import { importOnnx } from "../ir/graph/onnx/import.ts";
import { FUSED_PASSES } from "../ir/graph/pipelines.ts";
import { type NDArray, ndarray } from "../ir/ndarray.ts";
import { concrete, MODELS } from "../conformance/models/mod.ts";
import { countWork } from "../conformance/work.ts";

/** One model at fixed sizes, as a bench case. */
export interface ModelBenchCase {
  /** Case id, e.g. `model_transformer_b1_s32`. */
  readonly id: string;
  /** Discriminant. */
  readonly kind: "model";
  /** The model's name (`mlp`, `cnn`, `transformer`). */
  readonly model: string;
  /** The ONNX bytes. */
  readonly onnx: Uint8Array;
  /** The graph input's name. */
  readonly input: string;
  /** Its concrete shape. */
  readonly inputShape: number[];
  /** The graph output's name. */
  readonly output: string;
  /** Its concrete shape. */
  readonly outputShape: number[];
  /** Arithmetic operations of one run (a multiply-add counts 2), counted over every kernel. */
  readonly flops: number;
}

/** The sizes the bench runs the models at. */
export const MODEL_SIZES: Readonly<Record<string, number>> = { N: 1, batch: 1, seq: 32 };

/** A backend that runs nothing and adds each call's operations to `tally.flops`. */
function countingBackend(tally: { flops: number }): Backend {
  const host = (shape: readonly number[], dtype: NDArray["dtype"]) => ndarray(dtype, [...shape]);
  return {
    name: "count",
    prepare: (f) =>
      Promise.resolve((args) => {
        tally.flops += countWork(f, args as unknown as NDArray[]).flops;
        return Promise.resolve();
      }),
    upload: (a) => a,
    allocate: host,
    view: (t, shape) => host(shape, t.dtype),
    download: (t) => Promise.resolve(host(t.shape, t.dtype)),
    free: () => {},
  };
}

/** Operations of one run of `bytes` on an input of `shape` (fused as tessera runs it). */
async function countFlops(bytes: Uint8Array, shape: number[]): Promise<number> {
  const tally = { flops: 0 };
  const ex = new GraphExecutor(importOnnx(bytes), {
    backend: countingBackend(tally),
    passes: FUSED_PASSES,
  });
  await ex.run([ndarray("float32", shape)]);
  return tally.flops;
}

/**
 * The model cases of `deno task bench`, in table order.
 *
 * @example
 * ```ts ignore
 * const cases = await modelBenchCases();
 * console.assert(cases[0].id === "model_mlp_b1");
 * ```
 */
export async function modelBenchCases(): Promise<ModelBenchCase[]> {
  const out: ModelBenchCase[] = [];
  for (const m of MODELS) {
    const onnx = m.build();
    const inputShape = concrete(m.inputShape, MODEL_SIZES);
    const seq = m.inputShape.includes("seq") ? `_s${MODEL_SIZES.seq}` : "";
    out.push({
      id: `model_${m.name}_b1${seq}`,
      kind: "model",
      model: m.name,
      onnx,
      input: m.input,
      inputShape,
      output: m.output,
      outputShape: concrete(m.outputShape, MODEL_SIZES),
      flops: await countFlops(onnx, inputShape),
    });
  }
  return out;
}
