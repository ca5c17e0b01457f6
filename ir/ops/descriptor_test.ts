import { assert, assertEquals, assertThrows } from "../test_util.ts";
import { sizeVars } from "../func.ts";
import { findOp, OPS } from "./catalog.ts";
import { concreteShape, input, makeCaseInputs, opCase } from "./descriptor.ts";
import { OpError } from "./errors.ts";

Deno.test("catalogue names are unique and every family is present", () => {
  const names = OPS.map((o) => o.name);
  assertEquals(new Set(names).size, names.length);
  assertEquals(
    [...new Set(OPS.map((o) => o.family))].sort(),
    ["conv", "elementwise", "linalg", "nn", "pool", "reduce", "transform"],
  );
  for (const n of ["add", "conv2d", "softmax", "layer_norm", "reshape", "argmax", "dense"]) {
    assertEquals(findOp(n).name, n);
  }
  assertEquals(assertThrows(() => findOp("nope"), OpError).code, "OP_BAD_PARAM");
});

Deno.test("a case's symbolic sizes become size variables of the built function", () => {
  const op = findOp("matmul");
  const c = op.cases.find((k) => k.vars?.k !== undefined)!;
  const f = op.build(c);
  assertEquals(sizeVars(f).map((v) => v.name).sort(), ["k", "m", "n"]);
  const [a, b] = op.makeInputs(c, 3);
  assertEquals([a.shape, b.shape], [[3, 7], [7, 4]]);
});

Deno.test("inputs are reproducible by seed and respect range and nonzero", () => {
  const c = opCase(
    [
      input("a", [50], "float32", { range: [2, 3] }),
      input("b", ["n"], "int8", { nonzero: true }),
    ],
    {},
    { n: 200 },
  );
  const [a1, b1] = makeCaseInputs(c, 5);
  const [a2] = makeCaseInputs(c, 5);
  const [a3] = makeCaseInputs(c, 6);
  assertEquals(Array.from(a1.data as Float32Array), Array.from(a2.data as Float32Array));
  assert(Array.from(a1.data as Float32Array).some((v, i) => v !== a3.data[i]));
  assert(Array.from(a1.data as Float32Array).every((v) => v >= 2 && v <= 3));
  assert(!Array.from(b1.data as Int8Array).includes(0));
  assertEquals(c.label, "50:float32, n:int8 {n=200}");
  const bad = opCase([input("a", ["m"])], {});
  assertEquals(assertThrows(() => concreteShape(bad, bad.inputs[0]), OpError).code, "OP_BAD_PARAM");
});
