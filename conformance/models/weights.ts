/**
 * Deterministic weights for the model writers: every tensor drawn from its own seed, uniform in
 * `±1/√fanIn` (the usual initialisation scale, so activations stay near unit size through the
 * layers and a float32 comparison stays meaningful).
 *
 * @module
 */
import type { TensorProto } from "../../ir/graph/onnx/codec.ts";
import { initializer } from "../../ir/graph/onnx/write.ts";
import { randomNDArray } from "../../ir/ndarray.ts";

/**
 * Hands out initializers with seeds `base`, `base + 1`, … in the order they are asked for, so a
 * model is the same file on every run.
 *
 * @example
 * ```ts
 * import { Weights } from "./weights.ts";
 * const w = new Weights(1);
 * const t = w.uniform("W", [4, 8], 8);
 * console.assert(t.name === "W" && w.all.length === 1);
 * ```
 */
export class Weights {
  /** Every initializer made so far. */
  readonly all: TensorProto[] = [];
  private seed: number;

  /** Start at seed `base`. */
  constructor(base: number) {
    this.seed = base;
  }

  /** A float32 tensor uniform in `±1/√fanIn`. */
  uniform(name: string, shape: readonly number[], fanIn: number): TensorProto {
    const s = 1 / Math.sqrt(fanIn);
    return this.push(initializer(name, randomNDArray("float32", shape, this.seed++, -s, s)));
  }

  /** A float32 tensor uniform in `[lo, hi)` (norm scales, running variances, …). */
  range(name: string, shape: readonly number[], lo: number, hi: number): TensorProto {
    return this.push(initializer(name, randomNDArray("float32", shape, this.seed++, lo, hi)));
  }

  /** A constant tensor given by value. */
  push(t: TensorProto): TensorProto {
    this.all.push(t);
    return t;
  }
}
