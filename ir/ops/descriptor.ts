/**
 * Op descriptors: what the conformance suite needs to test an op on any target — how to build
 * it for a case (shapes, dtypes, attributes, which sizes are symbolic), how to make inputs, and
 * a plain-TypeScript reference to compare with.
 *
 * A case names its symbolic sizes with strings in input shapes (`["n", 13]`) and binds them in
 * `vars` (`{ n: 7 }`): `build` makes one size variable per name, `makeInputs` uses the values.
 *
 * @module
 */
import type { DType } from "../dtype.ts";
import type { PrimExpr, Var } from "../expr.ts";
import type { PrimFunc } from "../func.ts";
import { type NDArray, randomNDArray } from "../ndarray.ts";
import { placeholder, sizeVar, type Tensor } from "../te.ts";
import { opError } from "./errors.ts";
import { toPrimFunc } from "./func.ts";

/** A dimension of a case: a number, or the name of a size variable bound in `vars`. */
export type DimSpec = number | string;

/** One input of a case. */
export interface InputSpec {
  /** Parameter name (`A`, `data`, `weight`, …). */
  readonly name: string;
  /** Shape; strings are symbolic sizes. */
  readonly shape: readonly DimSpec[];
  /** Element dtype. */
  readonly dtype: DType;
  /** Range of the random values `[lo, hi]` (default: randomNDArray's for the dtype). */
  readonly range?: readonly [number, number];
  /** Keep zero out of the values (divisors): zeros become 1. */
  readonly nonzero?: boolean;
}

/** One test case of an op. */
export interface OpCase<A = unknown> {
  /** Short description, e.g. `"7x13x5 + 13x5 float32"`. */
  readonly label: string;
  /** The op's inputs in order. */
  readonly inputs: readonly InputSpec[];
  /** Values of the symbolic sizes named in the shapes (or attributes). */
  readonly vars?: Readonly<Record<string, number>>;
  /** Op attributes (strides, axes, …), shared by `apply` and `reference`. */
  readonly attrs: A;
}

/** Resolves a size variable name to its expression in the function being built. */
export type DimResolver = (name: string) => PrimExpr;

/** An op in the catalogue. */
export interface OpDescriptor<A = unknown> {
  /** Catalogue name, e.g. `"conv2d"`. */
  readonly name: string;
  /** Family: `elementwise`, `reduce`, `linalg`, `conv`, `pool`, `nn`, `transform`. */
  readonly family: string;
  /** One line on what it computes. */
  readonly summary: string;
  /** Sample cases: several shapes incl. odd sizes and at least one symbolic size. */
  readonly cases: readonly OpCase<A>[];
  /** Apply the op to DSL tensors (symbolic sizes in attributes resolve through `dim`). */
  apply(inputs: readonly Tensor[], attrs: A, dim: DimResolver): Tensor;
  /** The plain-TypeScript reference on concrete arrays. */
  reference(
    inputs: readonly NDArray[],
    attrs: A,
    vars: Readonly<Record<string, number>>,
  ): NDArray[];
  /** Build the function of a case: parameters are the inputs, then the output. */
  build(c: OpCase<A>): PrimFunc;
  /** Reproducible random inputs for a case. */
  makeInputs(c: OpCase<A>, seed?: number): NDArray[];
}

/** What `defineOp` needs. */
export interface OpDefinition<A> {
  /** Catalogue name. */
  readonly name: string;
  /** Family (see `OpDescriptor.family`). */
  readonly family: string;
  /** One line on what it computes. */
  readonly summary: string;
  /** Sample cases. */
  readonly cases: readonly OpCase<A>[];
  /** Apply the op to DSL tensors. */
  apply(inputs: readonly Tensor[], attrs: A, dim: DimResolver): Tensor;
  /** The plain-TypeScript reference. */
  reference(
    inputs: readonly NDArray[],
    attrs: A,
    vars: Readonly<Record<string, number>>,
  ): NDArray[];
}

/** The concrete shape of an input under a case's size bindings. */
export function concreteShape(c: OpCase<unknown>, spec: InputSpec): number[] {
  return spec.shape.map((d) => {
    if (typeof d === "number") return d;
    const v = c.vars?.[d];
    if (v === undefined) {
      throw opError("OP_BAD_PARAM", c.label, spec.name, `size "${d}" has no value in vars`);
    }
    return v;
  });
}

/**
 * Reproducible random inputs for a case (seed + input position per input).
 *
 * @example
 * ```ts
 * import { makeCaseInputs } from "./descriptor.ts";
 * const [a] = makeCaseInputs({
 *   label: "n",
 *   inputs: [{ name: "A", shape: ["n", 3], dtype: "int8", nonzero: true }],
 *   vars: { n: 2 },
 *   attrs: {},
 * });
 * console.assert(a.shape.join() === "2,3" && !Array.from(a.data as Int8Array).includes(0));
 * ```
 */
export function makeCaseInputs(c: OpCase<unknown>, seed = 1): NDArray[] {
  return c.inputs.map((s, k) => {
    const a = randomNDArray(
      s.dtype,
      concreteShape(c, s),
      seed * 101 + k,
      s.range?.[0],
      s.range?.[1],
    );
    if (s.nonzero) {
      for (let i = 0; i < a.data.length; i++) if (Number(a.data[i]) === 0) a.data[i] = 1;
    }
    return a;
  });
}

/**
 * Build a case's function: one placeholder per input (symbolic sizes as size variables shared by
 * name), the op applied, parameters inputs then output.
 */
export function buildCase<A>(
  name: string,
  apply: OpDefinition<A>["apply"],
  c: OpCase<A>,
): PrimFunc {
  const vars = new Map<string, Var>();
  const dim: DimResolver = (n) => {
    let v = vars.get(n);
    if (!v) vars.set(n, v = sizeVar(n));
    return v;
  };
  const ph = c.inputs.map((s) =>
    placeholder(s.shape.map((d) => (typeof d === "string" ? dim(d) : d)), s.dtype, s.name)
  );
  return toPrimFunc(name, ph, [apply(ph, c.attrs, dim)]);
}

/**
 * Make a descriptor from a definition (adds `build` and `makeInputs`).
 *
 * @example
 * ```ts
 * import { defineOp } from "./descriptor.ts";
 * import { relu } from "./elementwise.ts";
 * import { refUnary } from "./ref_elementwise.ts";
 * const op = defineOp({
 *   name: "relu",
 *   family: "elementwise",
 *   summary: "max(x, 0)",
 *   cases: [{ label: "4", inputs: [{ name: "x", shape: [4], dtype: "float32" }], attrs: {} }],
 *   apply: ([x]) => relu(x),
 *   reference: ([x]) => [refUnary("relu", x)],
 * });
 * console.assert(op.build(op.cases[0]).params.length === 2);
 * ```
 */
export function defineOp<A>(def: OpDefinition<A>): OpDescriptor<A> {
  return {
    ...def,
    build: (c) => buildCase(def.name, def.apply, c),
    makeInputs: (c, seed) => makeCaseInputs(c, seed),
  };
}

/** Shorthand for an input spec. @example `input("A", [7, "n"], "int8")` */
export function input(
  name: string,
  shape: readonly DimSpec[],
  dtype: DType = "float32",
  extra: { range?: readonly [number, number]; nonzero?: boolean } = {},
): InputSpec {
  return { name, shape, dtype, ...extra };
}

/** Shorthand for a case whose label lists its input shapes and dtypes. */
export function opCase<A>(
  inputs: readonly InputSpec[],
  attrs: A,
  vars?: Readonly<Record<string, number>>,
  note?: string,
): OpCase<A> {
  const shapes = inputs.map((s) => `${s.shape.join("x") || "scalar"}:${s.dtype}`).join(", ");
  const bound = vars ? ` {${Object.entries(vars).map(([k, v]) => `${k}=${v}`).join(", ")}}` : "";
  return { label: `${shapes}${bound}${note ? ` ${note}` : ""}`, inputs, vars, attrs };
}
