/**
 * Catalogue entries of the elementwise ops.
 *
 * @module
 */
import type { DType } from "../dtype.ts";
import { defineOp, input, type InputSpec, opCase, type OpDescriptor } from "./descriptor.ts";
import * as ew from "./elementwise.ts";
import { refBinary, refCast, refClip, refLeakyRelu, refUnary } from "./ref_elementwise.ts";

type Range = readonly [number, number];

type UnaryRow = readonly [string, ew.UnaryOpFn, string, Range | undefined, readonly DType[]];

const UNARY: readonly UnaryRow[] = [
  ["neg", ew.neg, "−x", undefined, ["int8", "int32"]],
  ["abs", ew.abs, "|x|", undefined, ["int8"]],
  ["exp", ew.exp, "eˣ", [-4, 4], []],
  ["log", ew.log, "ln x", [0.05, 8], []],
  ["sqrt", ew.sqrt, "√x", [0, 8], []],
  ["rsqrt", ew.rsqrt, "1/√x", [0.05, 8], []],
  ["tanh", ew.tanh, "tanh x", [-3, 3], []],
  ["sigmoid", ew.sigmoid, "1/(1+e⁻ˣ)", [-6, 6], []],
  ["erf", ew.erf, "erf x", [-3.5, 3.5], []],
  ["sin", ew.sin, "sin x", [-4, 4], []],
  ["cos", ew.cos, "cos x", [-4, 4], []],
  ["floor", ew.floor, "⌊x⌋", [-4, 4], []],
  ["ceil", ew.ceil, "⌈x⌉", [-4, 4], []],
  ["round", ew.round, "round half away from zero", [-4, 4], []],
  ["relu", ew.relu, "max(x, 0)", undefined, ["int8"]],
];

function unaryCases(range?: Range, ints: readonly DType[] = []) {
  const x = (
    shape: (number | string)[],
    dtype: DType = "float32",
  ) => [input("x", shape, dtype, range && dtype.startsWith("float") ? { range } : {})];
  return [
    opCase(x([7, 13, 5]), {}),
    opCase(x([1]), {}),
    opCase(x(["n", 9]), {}, { n: 6 }),
    opCase(x([3, 5], "float16"), {}),
    ...ints.map((d) => opCase(x([4, 11], d), {})),
  ];
}

const unaryOps: OpDescriptor[] = UNARY.map(([name, fn, summary, range, ints]) =>
  defineOp<Record<string, never>>({
    name,
    family: "elementwise",
    summary,
    cases: unaryCases(range, ints),
    apply: ([x]) => fn(x),
    reference: ([x]) => [refUnary(name, x)],
  })
);

/** Attributes of the binary ops' cases: a scalar operand instead of the second tensor. */
export interface BinaryAttrs {
  /** When set, the op is `op(x, scalar)` with one tensor input. */
  readonly scalar?: number;
}

const BINARY: readonly [string, ew.BinaryOpFn, string, readonly DType[]][] = [
  ["add", ew.add, "a + b", ["int8", "int32"]],
  ["sub", ew.sub, "a − b", ["int8"]],
  ["mul", ew.mul, "a · b", ["int8", "int32"]],
  ["div", ew.div, "a / b (integers truncate)", ["int32"]],
  ["floor_div", ew.floorDiv, "⌊a / b⌋", ["int32"]],
  ["floor_mod", ew.floorMod, "a − ⌊a / b⌋·b", ["int8"]],
  ["maximum", ew.maximum, "max(a, b)", ["int8"]],
  ["minimum", ew.minimum, "min(a, b)", ["int32"]],
  ["pow", ew.pow, "a ** b", []],
  ["equal", ew.equal, "a == b → bool", ["int8"]],
  ["not_equal", ew.notEqual, "a != b → bool", ["int8"]],
  ["less", ew.less, "a < b → bool", ["int32"]],
  ["less_equal", ew.lessEqual, "a <= b → bool", ["int32"]],
  ["greater", ew.greater, "a > b → bool", ["int8"]],
  ["greater_equal", ew.greaterEqual, "a >= b → bool", ["int8"]],
];

function binaryCases(name: string, ints: readonly DType[]) {
  const divides = name === "div" || name.startsWith("floor_");
  const isPow = name === "pow";
  const a = (shape: (number | string)[], dtype: DType = "float32"): InputSpec =>
    input("a", shape, dtype, isPow ? { range: [0.1, 3] } : {});
  const b = (shape: (number | string)[], dtype: DType = "float32"): InputSpec =>
    input(
      "b",
      shape,
      dtype,
      isPow
        ? { range: [-2, 2] }
        : divides
        ? (dtype.startsWith("float") ? { range: [0.25, 2] } : { nonzero: true })
        : {},
    );
  // Comparisons need equal values to show: small integers as floats.
  const cmpRange = name.includes("equal") ? { range: [-3, 3] as const } : {};
  const fl = (spec: InputSpec): InputSpec =>
    cmpRange.range && spec.dtype.startsWith("float") ? { ...spec, ...cmpRange } : spec;
  return [
    opCase([fl(a([7, 13, 5])), fl(b([13, 5]))], {}),
    opCase([fl(a([7, 1, 5])), fl(b([1, 13, 1]))], {}),
    opCase([fl(a(["n", 13])), fl(b([13]))], {}, { n: 6 }),
    opCase([fl(a(["n", "m"])), fl(b(["n", "m"]))], {}, { n: 3, m: 5 }),
    opCase([fl(a([5, 3]))], { scalar: isPow ? 2 : 3 }, undefined, `(${name} 3)`),
    ...ints.map((d) => opCase([a([4, 11], d), b([11], d)], {})),
  ];
}

const binaryOps: OpDescriptor[] = BINARY.map(([name, fn, summary, ints]) =>
  defineOp<BinaryAttrs>({
    name,
    family: "elementwise",
    summary,
    cases: binaryCases(name, ints),
    apply: ([a, b], attrs) => fn(a, attrs.scalar ?? b),
    reference: ([a, b], attrs) => [refBinary(name, a, attrs.scalar ?? b)],
  })
);

/** The elementwise entries of the catalogue. */
export const ELEMENTWISE_OPS: readonly OpDescriptor[] = [
  ...unaryOps,
  ...binaryOps,
  defineOp<{ dtype: DType }>({
    name: "cast",
    family: "elementwise",
    summary: "convert to another dtype (float→int truncates and saturates, int→int wraps)",
    cases: [
      opCase([input("x", [7, 13, 5], "float32", { range: [-300, 300] })], { dtype: "int8" }),
      opCase([input("x", ["n", 9], "int32", { range: [-1000, 1000] })], { dtype: "int8" }, {
        n: 5,
      }),
      opCase([input("x", [4, 11], "int8")], { dtype: "float32" }),
      opCase([input("x", [3, 7], "float32")], { dtype: "float16" }),
    ],
    apply: ([x], a) => ew.cast(x, a.dtype),
    reference: ([x], a) => [refCast(x, a.dtype)],
  }),
  defineOp<{ lo: number; hi: number }>({
    name: "clip",
    family: "elementwise",
    summary: "min(max(x, lo), hi)",
    cases: [
      opCase([input("x", [7, 13, 5])], { lo: -0.5, hi: 0.25 }),
      opCase([input("x", ["n", 9])], { lo: 0, hi: 0.5 }, { n: 5 }),
      opCase([input("x", [4, 11], "int8")], { lo: -3, hi: 4 }),
    ],
    apply: ([x], a) => ew.clip(x, a.lo, a.hi),
    reference: ([x], a) => [refClip(x, a.lo, a.hi)],
  }),
  defineOp<{ alpha: number }>({
    name: "leaky_relu",
    family: "elementwise",
    summary: "x ≥ 0 ? x : alpha·x",
    cases: [
      opCase([input("x", [7, 13, 5])], { alpha: 0.1 }),
      opCase([input("x", ["n", 9])], { alpha: 0.01 }, { n: 5 }),
      opCase([input("x", [3])], { alpha: 0.2 }),
    ],
    apply: ([x], a) => ew.leakyRelu(x, a.alpha),
    reference: ([x], a) => [refLeakyRelu(x, a.alpha)],
  }),
];
