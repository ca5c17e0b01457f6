/**
 * Catalogue entries of the data-movement ops.
 *
 * @module
 */
import type { ExprLike } from "../expr.ts";
import { defineOp, input, opCase, type OpDescriptor } from "./descriptor.ts";
import { expandDims, flatten, reshape, squeeze } from "./reshape.ts";
import {
  refBroadcastTo,
  refConcat,
  refPad,
  refReshape,
  refSlice,
  refTranspose,
} from "./ref_transform.ts";
import { broadcastTo, concat, pad, slice, type SliceParams, transpose } from "./transform.ts";

/** A shape attribute: numbers, size variable names, and `-1` (reshape only). */
export type ShapeAttr = readonly (number | string)[];

const resolve = (s: ShapeAttr, vars: Readonly<Record<string, number>>): number[] =>
  s.map((d) => (typeof d === "string" ? vars[d] : d));

/** The data-movement entries of the catalogue. */
export const TRANSFORM_OPS: readonly OpDescriptor[] = [
  defineOp<{ perm?: readonly number[] }>({
    name: "transpose",
    family: "transform",
    summary: "permute dimensions",
    cases: [
      opCase([input("x", [7, 13, 5])], { perm: [2, 0, 1] }),
      opCase([input("x", [7, 13])], {}),
      opCase([input("x", ["n", 3, "m", 2])], { perm: [3, 1, 0, 2] }, { n: 4, m: 5 }),
      opCase([input("x", [3, 4], "int8")], { perm: [1, 0] }),
    ],
    apply: ([x], a) => transpose(x, a.perm),
    reference: ([x], a) => [refTranspose(x, a.perm)],
  }),
  defineOp<{ shape: ShapeAttr }>({
    name: "reshape",
    family: "transform",
    summary: "the same elements in a new shape (row-major; -1 inferred; symbolic sizes)",
    cases: [
      opCase([input("x", [7, 13, 5])], { shape: [13, 35] }),
      opCase([input("x", [7, 13, 5])], { shape: [5, -1, 7] }),
      opCase([input("x", ["n", 12])], { shape: ["n", 3, 4] }, { n: 5 }),
      opCase([input("x", ["n", 4, 3])], { shape: [-1, 6] }, { n: 3 }),
      opCase([input("x", [2, "n", 6])], { shape: [2, "n", 2, 3] }, { n: 3 }),
      opCase([input("x", [3, "n", 4])], { shape: [-1] }, { n: 5 }),
      opCase([input("x", [6, 4], "int8")], { shape: [3, 8] }),
    ],
    apply: ([x], a, dim) =>
      reshape(x, a.shape.map((d): ExprLike => (typeof d === "string" ? dim(d) : d))),
    reference: ([x], a, vars) => [refReshape(x, resolve(a.shape, vars))],
  }),
  defineOp<{ axis: number }>({
    name: "concat",
    family: "transform",
    summary: "join tensors along an axis",
    cases: [
      opCase([input("a", [7, 3, 5]), input("b", [7, 4, 5])], { axis: 1 }),
      opCase([input("a", [2, 3]), input("b", [5, 3]), input("c", [1, 3])], { axis: 0 }),
      opCase([input("a", ["n", 3]), input("b", ["n", "m"])], { axis: -1 }, { n: 4, m: 5 }),
      opCase([input("a", [3], "int8"), input("b", [4], "int8")], { axis: 0 }),
    ],
    apply: (xs, a) => concat(xs, a.axis),
    reference: (xs, a) => [refConcat(xs, a.axis)],
  }),
  defineOp<{ before: readonly number[]; after: readonly number[]; value?: number }>({
    name: "pad",
    family: "transform",
    summary: "constant padding per axis, before and after",
    cases: [
      opCase([input("x", [7, 13, 5])], { before: [1, 0, 2], after: [0, 3, 1] }),
      opCase([input("x", [3, 4])], { before: [2, 2], after: [2, 2], value: -1.5 }),
      opCase([input("x", ["n", 5])], { before: [1, 1], after: [2, 0] }, { n: 3 }),
      opCase([input("x", [4, 4], "int8")], { before: [0, 1], after: [1, 0], value: 7 }),
    ],
    apply: ([x], a) => pad(x, a.before, a.after, a.value),
    reference: ([x], a) => [refPad(x, a.before, a.after, a.value)],
  }),
  defineOp<SliceParams>({
    name: "slice",
    family: "transform",
    summary: "static strided window per axis (Python semantics, negative steps)",
    cases: [
      opCase([input("x", [7, 13, 5])], { begin: [1, 2], end: [6, 11], step: [2, 3] }),
      opCase([input("x", [10, 6])], { begin: [-1, 1], end: [undefined, -1], step: [-3, 1] }),
      opCase([input("x", ["n", 8])], { begin: [1, 0], end: [-1, 8], step: [1, 2] }, { n: 7 }),
      opCase([input("x", [3, "n"])], { begin: [5], end: [undefined], step: [-2], axes: [1] }, {
        n: 9,
      }),
      opCase([input("x", [9], "int8")], { begin: [20], end: [30] }, undefined, "(empty)"),
    ],
    apply: ([x], a) => slice(x, a),
    reference: ([x], a) => [refSlice(x, a)],
  }),
  defineOp<{ shape: ShapeAttr }>({
    name: "broadcast_to",
    family: "transform",
    summary: "broadcast numpy-style to a shape",
    cases: [
      opCase([input("x", [13, 1])], { shape: [7, 13, 5] }),
      opCase([input("x", [1])], { shape: [3, 4] }),
      opCase([input("x", ["n", 1])], { shape: [2, "n", 6] }, { n: 3 }),
    ],
    apply: ([x], a, dim) =>
      broadcastTo(x, a.shape.map((d): ExprLike => (typeof d === "string" ? dim(d) : d))),
    reference: ([x], a, vars) => [refBroadcastTo(x, resolve(a.shape, vars))],
  }),
  defineOp<{ axis: number }>({
    name: "expand_dims",
    family: "transform",
    summary: "insert a dimension of size 1",
    cases: [
      opCase([input("x", [7, 13])], { axis: 1 }),
      opCase([input("x", [5])], { axis: -1 }),
      opCase([input("x", ["n", 3])], { axis: 0 }, { n: 4 }),
    ],
    apply: ([x], a) => expandDims(x, a.axis),
    reference: ([x], a) => {
      const s = [...x.shape];
      s.splice(a.axis < 0 ? a.axis + s.length + 1 : a.axis, 0, 1);
      return [refReshape(x, s)];
    },
  }),
  defineOp<{ axes?: readonly number[] }>({
    name: "squeeze",
    family: "transform",
    summary: "remove dimensions of size 1",
    cases: [
      opCase([input("x", [7, 1, 13, 1])], {}),
      opCase([input("x", [1, 5, 1])], { axes: [0] }),
      opCase([input("x", ["n", 1, 3])], { axes: [1] }, { n: 4 }),
    ],
    apply: ([x], a) => squeeze(x, a.axes),
    reference: ([x], a) => [
      refReshape(x, x.shape.filter((d, k) => (a.axes ? !a.axes.includes(k) : d !== 1))),
    ],
  }),
  defineOp<{ axis?: number }>({
    name: "flatten",
    family: "transform",
    summary: "keep the leading axes, collapse the rest into one",
    cases: [
      opCase([input("x", [7, 13, 5])], {}),
      opCase([input("x", [2, 3, 4, 5])], { axis: 2 }),
      opCase([input("x", ["n", 3, 4])], { axis: 1 }, { n: 5 }),
    ],
    apply: ([x], a) => flatten(x, a.axis),
    reference: ([x], a) => {
      const k = a.axis ?? 1;
      return [refReshape(x, [...x.shape.slice(0, k), -1])];
    },
  }),
];
