import { assert, assertEquals, assertThrows } from "../test_util.ts";
import { placeholder, sizeVar } from "../te.ts";
import { runFunc } from "../interp/mod.ts";
import { ndarray, randomNDArray, toNumbers } from "../ndarray.ts";
import { OpError } from "./errors.ts";
import { toPrimFunc } from "./func.ts";
import { gelu, layerNorm, logSoftmax, softmax } from "./nn.ts";
import { refLayerNorm, refSoftmax } from "./ref_nn.ts";
import { expectRun } from "./testing.ts";

Deno.test("softmax subtracts the maximum: huge logits stay finite", () => {
  const x = placeholder([1, 3], "float32", "x");
  const a = ndarray("float32", [1, 3], [1000, 1001, 1002]);
  const [p] = expectRun(toPrimFunc("sm", [x], [softmax(x)]), [a], [refSoftmax(a)]);
  assert(toNumbers(p).every(Number.isFinite));
  const [lp] = runFunc(toPrimFunc("lsm", [x], [logSoftmax(x)]), [a]);
  assert(Math.abs(toNumbers(lp)[2] - -0.40760596) < 1e-6);
});

Deno.test("layer norm over the last two axes of a tensor with a symbolic batch", () => {
  const n = sizeVar("n");
  const x = placeholder([n, 3, 4], "float32", "x");
  const g = placeholder([3, 4], "float32", "gamma");
  const b = placeholder([3, 4], "float32", "beta");
  const f = toPrimFunc("ln", [x, g, b], [layerNorm(x, g, b, { axes: [-2, -1] })]);
  for (const rows of [1, 5]) {
    const xs = [
      randomNDArray("float32", [rows, 3, 4], rows),
      randomNDArray("float32", [3, 4], 2),
      randomNDArray("float32", [3, 4], 3),
    ];
    expectRun(f, xs, [refLayerNorm(xs[0], xs[1], xs[2], { axes: [-2, -1] })]);
  }
});

Deno.test("gelu: the erf form and the tanh approximation agree to about 1e-3", () => {
  const x = placeholder([64], "float32", "x");
  const a = randomNDArray("float32", [64], 5, -4, 4);
  const [exact] = runFunc(toPrimFunc("g", [x], [gelu(x)]), [a]);
  const [approx] = runFunc(toPrimFunc("g", [x], [gelu(x, { approximate: "tanh" })]), [a]);
  const e = toNumbers(exact);
  const t = toNumbers(approx);
  assert(e.every((v, i) => Math.abs(v - t[i]) < 2e-3));
  assert(e.some((v, i) => v !== t[i]), "the two forms are different functions");
});

Deno.test("nn mistakes are typed errors", () => {
  const x = placeholder([4, 5], "float32", "x");
  const cases: [() => unknown, string, string][] = [
    [() => softmax(placeholder([4], "int32", "x")), "OP_DTYPE_MISMATCH", "x"],
    [() => softmax(x, { axis: 2 }), "OP_BAD_AXIS", "axis"],
    [() => layerNorm(x, undefined, undefined, { axes: [0] }), "OP_BAD_AXIS", "axes"],
    [() => layerNorm(x, placeholder([4], "float32", "g")), "OP_SHAPE_MISMATCH", "gamma"],
    [() => layerNorm(x, undefined, placeholder([5], "float16", "b")), "OP_DTYPE_MISMATCH", "beta"],
    [() => layerNorm(x, undefined, undefined, { epsilon: -1 }), "OP_BAD_PARAM", "epsilon"],
    [() => gelu(x, { approximate: "sigmoid" as "tanh" }), "OP_BAD_PARAM", "approximate"],
  ];
  for (const [fn, code, arg] of cases) {
    const e = assertThrows(fn, OpError);
    assertEquals(e.code, code, e.message);
    assert(e.path!.endsWith(`argument "${arg}"`), e.path);
  }
});
