/**
 * Catalogue entries of the reductions and of `matmul`, `batch_matmul`, `dense`.
 *
 * @module
 */
import type { Tensor } from "../te.ts";
import { defineOp, input, opCase, type OpDescriptor } from "./descriptor.ts";
import { batchMatmul, dense, type DenseOptions, matmul, type MatmulOptions } from "./linalg.ts";
import {
  argmax,
  argmin,
  type ArgOptions,
  reduceMax,
  reduceMean,
  reduceMin,
  type ReduceOptions,
  reduceProd,
  reduceSum,
} from "./reduce.ts";
import { refBatchMatmul, refDense, refMatmul } from "./ref_linalg.ts";
import { refArg, refReduce, type RefReduceKind } from "./ref_reduce.ts";

const REDUCERS: readonly [string, RefReduceKind, (x: Tensor, o: ReduceOptions) => Tensor][] = [
  ["sum", "sum", reduceSum],
  ["mean", "mean", reduceMean],
  ["prod", "prod", reduceProd],
  ["max", "max", reduceMax],
  ["min", "min", reduceMin],
];

function reduceCases(kind: RefReduceKind) {
  const x = (
    shape: (number | string)[],
    dtype = "float32",
  ) => [
    input("x", shape, dtype, kind === "prod" && dtype === "float32" ? { range: [0.5, 1.5] } : {}),
  ];
  const ints = kind === "mean" ? [] : [
    opCase(
      x([4, 11], "int8"),
      kind === "sum" || kind === "prod" ? { axes: [1], outDtype: "int32" } : { axes: [1] },
    ),
  ];
  return [
    opCase<ReduceOptions>(x([7, 13, 5]), { axes: [1] }),
    opCase<ReduceOptions>(x([7, 13, 5]), { axes: [0, 2], keepdims: true }),
    opCase<ReduceOptions>(x([3, 5]), {}, undefined, "(all axes)"),
    opCase<ReduceOptions>(x(["n", 13]), { axes: -1 }, { n: 6 }),
    opCase<ReduceOptions>(x([2, "n", 3]), { axes: [0, 1], keepdims: true }, { n: 5 }),
    ...ints,
  ];
}

const reduceOps: OpDescriptor[] = REDUCERS.map(([name, kind, fn]) =>
  defineOp<ReduceOptions>({
    name: `reduce_${name}`,
    family: "reduce",
    summary: `${name} over axes, with keepdims`,
    cases: reduceCases(kind),
    apply: ([x], a) => fn(x, a),
    reference: ([x], a) => [refReduce(kind, x, a)],
  })
);

const argOps: OpDescriptor[] = (["argmax", "argmin"] as const).map((name) =>
  defineOp<ArgOptions>({
    name,
    family: "reduce",
    summary: `int32 index of the first ${name === "argmax" ? "maximum" : "minimum"} along an axis`,
    cases: [
      opCase([input("x", [7, 13, 5])], { axis: 1 }),
      opCase([input("x", [7, 13, 5])], { axis: -1, keepdims: true }),
      opCase([input("x", ["n", 9], "int8", { range: [-3, 3] })], { axis: 1 }, { n: 6 }),
      opCase([input("x", [11])], {}),
    ],
    apply: ([x], a) => (name === "argmax" ? argmax(x, a) : argmin(x, a)),
    reference: ([x], a) => [refArg(name, x, a)],
  })
);

/** The reduction and linear-algebra entries of the catalogue. */
export const REDUCE_OPS: readonly OpDescriptor[] = [
  ...reduceOps,
  ...argOps,
  defineOp<MatmulOptions>({
    name: "matmul",
    family: "linalg",
    summary: "C = A·B for 2-D operands (optional transposes, outDtype accumulator)",
    cases: [
      opCase([input("a", [7, 13]), input("b", [13, 5])], {}),
      opCase([input("a", [13, 7]), input("b", [5, 13])], { transposeA: true, transposeB: true }),
      opCase([input("a", ["m", 16]), input("b", [16, 9])], {}, { m: 5 }),
      opCase([input("a", ["m", "k"]), input("b", ["k", "n"])], {}, { m: 3, k: 7, n: 4 }),
      opCase([input("a", [6, 19], "int8"), input("b", [19, 5], "int8")], { outDtype: "int32" }),
      opCase([input("a", [4, 9], "float16"), input("b", [9, 3], "float16")], {
        outDtype: "float32",
      }),
    ],
    apply: ([a, b], o) => matmul(a, b, o),
    reference: ([a, b], o) => [refMatmul(a, b, o)],
  }),
  defineOp<MatmulOptions>({
    name: "batch_matmul",
    family: "linalg",
    summary: "numpy matmul: last two dimensions multiply, batch dimensions broadcast",
    cases: [
      opCase([input("a", [3, 7, 13]), input("b", [3, 13, 5])], {}),
      opCase([input("a", [2, 1, 4, 6]), input("b", [3, 6, 5])], {}),
      opCase([input("a", ["b", 5, 8]), input("b", [8, 3])], {}, { b: 3 }),
      opCase([input("a", [2, 9, 4]), input("b", [2, 5, 9])], {
        transposeA: true,
        transposeB: true,
      }),
      opCase([input("a", [2, 3, 17], "int8"), input("b", [2, 17, 4], "int8")], {
        outDtype: "int32",
      }),
    ],
    apply: ([a, b], o) => batchMatmul(a, b, o),
    reference: ([a, b], o) => [refBatchMatmul(a, b, o)],
  }),
  defineOp<DenseOptions>({
    name: "dense",
    family: "linalg",
    summary: "x·Wᵀ + bias with W as [N, K]",
    cases: [
      opCase([input("x", [7, 13]), input("weight", [5, 13]), input("bias", [5])], {}),
      opCase([input("x", [2, 3, 11]), input("weight", [6, 11])], {}),
      opCase([input("x", ["n", 16]), input("weight", [9, 16]), input("bias", [9])], {}, { n: 4 }),
      opCase(
        [
          input("x", [3, 21], "int8"),
          input("weight", [5, 21], "int8"),
          input("bias", [5], "int32", { range: [-100, 100] }),
        ],
        { outDtype: "int32" },
      ),
    ],
    apply: ([x, w, b], o) => dense(x, w, b, o),
    reference: ([x, w, b], o) => [refDense(x, w, b, o)],
  }),
];
