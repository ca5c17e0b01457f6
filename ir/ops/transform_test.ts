import { assert, assertEquals, assertThrows } from "../test_util.ts";
import { placeholder, sizeVar } from "../te.ts";
import { runFunc } from "../interp/mod.ts";
import { ndarray, randomNDArray, toNumbers } from "../ndarray.ts";
import { visit } from "../node.ts";
import { OpError } from "./errors.ts";
import { toPrimFunc } from "./func.ts";
import { expandDims, flatten, reshape, squeeze } from "./reshape.ts";
import { refReshape } from "./ref_transform.ts";
import { constOf } from "./shape.ts";
import { expectRun } from "./testing.ts";
import { broadcastTo, concat, pad, slice, transpose } from "./transform.ts";

function ops(f: ReturnType<typeof toPrimFunc>): Set<string> {
  const seen = new Set<string>();
  visit(f, (n) => {
    if (n.kind === "Binary") seen.add(n.op);
  });
  return seen;
}

Deno.test("reshape maps shared leading and trailing dimensions one to one", () => {
  const n = sizeVar("n");
  const x = placeholder([n, 12], "float32", "x");
  const f = toPrimFunc("r", [x], [reshape(x, [n, 3, 4])]);
  // only the 12 → 3×4 part goes through division, by constants: no division by n
  let divByVar = false;
  visit(f, (e) => {
    if (
      e.kind === "Binary" && (e.op === "floordiv" || e.op === "floormod") && e.b.kind !== "IntImm"
    ) divByVar = true;
  });
  assert(!divByVar);
  const a = randomNDArray("float32", [5, 12], 1);
  expectRun(f, [a], [refReshape(a, [5, 3, 4])]);
});

Deno.test("reshape across a symbolic dimension uses floordiv/floormod and is right at every size", () => {
  const n = sizeVar("n");
  const x = placeholder([n, 4, 3], "float32", "x");
  const y = reshape(x, [-1, 6]);
  assertEquals(constOf(y.shape[1]), 6);
  const f = toPrimFunc("r", [x], [y]);
  assert(ops(f).has("floordiv"));
  for (const rows of [1, 3, 4]) {
    const a = randomNDArray("float32", [rows, 4, 3], rows);
    expectRun(f, [a], [refReshape(a, [-1, 6])]);
  }
});

Deno.test("shape-only ops: expandDims, squeeze, flatten", () => {
  const x = placeholder([2, 1, 3], "float32", "x");
  assertEquals(expandDims(x, -1).shape.map(constOf), [2, 1, 3, 1]);
  assertEquals(squeeze(x).shape.map(constOf), [2, 3]);
  assertEquals(flatten(x).shape.map(constOf), [2, 3]);
});

Deno.test("slice with negative steps, concat and pad run as numpy would", () => {
  const x = placeholder([6], "int32", "x");
  const a = ndarray("int32", [6], [0, 1, 2, 3, 4, 5]);
  const run = (t: ReturnType<typeof slice>) =>
    toNumbers(runFunc(toPrimFunc("f", [x], [t]), [a])[0]);
  assertEquals(run(slice(x, { begin: [-2], step: [-2] })), [4, 2, 0]);
  assertEquals(run(slice(x, { begin: [1], end: [100], step: [2] })), [1, 3, 5]);
  assertEquals(run(slice(x, { begin: [4], end: [2] })), []);
  assertEquals(run(pad(x, [2], [1], 9)), [9, 9, 0, 1, 2, 3, 4, 5, 9]);
  assertEquals(run(concat([x, x, x], 0)).length, 18);
  assertEquals(run(transpose(broadcastTo(x, [2, 6]))).slice(0, 4), [0, 0, 1, 1]);
});

Deno.test("a symbolic slice clamps at run time", () => {
  const n = sizeVar("n");
  const x = placeholder([n], "float32", "x");
  const f = toPrimFunc("s", [x], [slice(x, { begin: [2], end: [-1] })]);
  assertEquals(runFunc(f, [randomNDArray("float32", [10])])[0].shape, [7]);
  assertEquals(runFunc(f, [randomNDArray("float32", [2])])[0].shape, [0]);
});

Deno.test("data-movement mistakes are typed errors", () => {
  const x = placeholder([4, 6], "float32", "x");
  const n = sizeVar("n");
  const s = placeholder([n, 6], "float32", "s");
  const cases: [() => unknown, string, string][] = [
    [() => reshape(x, [5, 5]), "OP_SHAPE_MISMATCH", "newShape"],
    [() => reshape(x, [-1, -1]), "OP_BAD_PARAM", "newShape"],
    [() => reshape(x, [-1, 5]), "OP_SHAPE_MISMATCH", "newShape"],
    [() => reshape(s, [sizeVar("m"), 6]), "OP_UNPROVABLE_SHAPE", "newShape"],
    [() => transpose(x, [0, 0]), "OP_BAD_AXIS", "perm"],
    [() => concat([x, placeholder([5, 5], "float32", "y")], 0), "OP_SHAPE_MISMATCH", "xs[1]"],
    [() => concat([x, placeholder([4, 6], "int8", "y")], 0), "OP_DTYPE_MISMATCH", "xs[1]"],
    [() => concat([], 0), "OP_BAD_PARAM", "xs"],
    [() => pad(x, [-1]), "OP_BAD_PARAM", "before"],
    [() => pad(x, [1, 1, 1]), "OP_BAD_PARAM", "before"],
    [() => slice(x, { begin: [0], step: [0] }), "OP_BAD_PARAM", "step"],
    [() => slice(x, { begin: [0], axes: [2] }), "OP_BAD_AXIS", "axes"],
    [() => squeeze(x, [0]), "OP_BAD_AXIS", "axes"],
    [() => expandDims(x, 4), "OP_BAD_AXIS", "axis"],
    [() => broadcastTo(x, [3, 6]), "OP_SHAPE_MISMATCH", "shape"],
    [() => broadcastTo(x, [6]), "OP_SHAPE_MISMATCH", "shape"],
  ];
  for (const [fn, code, arg] of cases) {
    const e = assertThrows(fn, OpError);
    assertEquals(e.code, code, e.message);
    assert(e.path!.endsWith(`argument "${arg}"`), e.path);
  }
});
