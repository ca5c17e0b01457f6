import { assert, assertEquals, assertThrows } from "../test_util.ts";
import { placeholder, sizeVar } from "../te.ts";
import { runFunc } from "../interp/mod.ts";
import { ndarray, randomNDArray, toNumbers } from "../ndarray.ts";
import type { Block, BlockRealize } from "../stmt.ts";
import { conv2d, depthwiseConv2d } from "./conv.ts";
import { OpError } from "./errors.ts";
import { toPrimFunc } from "./func.ts";
import { avgPool2d, globalAvgPool2d, maxPool2d } from "./pool.ts";
import { refConv2d } from "./ref_conv.ts";
import { refAvgPool2d } from "./ref_pool.ts";
import { constOf } from "./shape.ts";
import { expectRun } from "./testing.ts";

Deno.test("conv2d output size follows ⌊(H + pT + pB − d·(KH − 1) − 1)/s⌋ + 1 at every bound size", () => {
  const h = sizeVar("h");
  const data = placeholder([1, 2, h, 9], "float32", "data");
  const weight = placeholder([3, 2, 3, 3], "float32", "weight");
  const opts = {
    strides: [2, 1] as const,
    padding: [1, 0, 2, 1] as const,
    dilation: [2, 1] as const,
  };
  const out = conv2d(data, weight, opts);
  assertEquals(constOf(out.shape[3]), Math.floor((9 + 0 + 1 - 2 - 1) / 1) + 1);
  const f = toPrimFunc("conv", [data, weight], [out]);
  const w = randomNDArray("float32", [3, 2, 3, 3], 9);
  for (const H of [5, 6, 11]) {
    const x = randomNDArray("float32", [1, 2, H, 9], H);
    const [y] = expectRun(f, [x, w], [refConv2d(x, w, opts)]);
    assertEquals(y.shape[2], Math.floor((H + 1 + 2 - 2 * 2 - 1) / 2) + 1);
  }
});

Deno.test("padding is its own stage, so the convolution block is a plain reduction", () => {
  const data = placeholder([1, 4, 9, 9], "float32", "data");
  const weight = placeholder([8, 4, 3, 3], "float32", "weight");
  const f = toPrimFunc("conv", [data, weight], [conv2d(data, weight, { padding: 1 })]);
  const root = (f.body as BlockRealize).block as Block;
  assertEquals(root.allocBuffers.map((b) => b.name), ["T_conv2d_nchw_pad"]);
  const g = toPrimFunc("conv", [data, weight], [conv2d(data, weight)]);
  assertEquals(((g.body as BlockRealize).block as Block).allocBuffers.length, 0);
});

Deno.test("depthwise conv keeps a symbolic channel count symbolic", () => {
  const c = sizeVar("c");
  const data = placeholder([1, c, 6, 6], "float32", "data");
  const weight = placeholder([c, 2, 3, 3], "float32", "weight");
  const out = depthwiseConv2d(data, weight, { padding: 1 });
  assertEquals(out.shape[1].kind, "Binary");
  const f = toPrimFunc("dw", [data, weight], [out]);
  const [y] = runFunc(f, [
    randomNDArray("float32", [1, 3, 6, 6]),
    randomNDArray("float32", [3, 2, 3, 3]),
  ]);
  assertEquals(y.shape, [1, 6, 6, 6]);
});

Deno.test("max pooling's padding never wins, even over all-negative int8 windows", () => {
  const x = placeholder([1, 1, 2, 2], "int8", "x");
  const f = toPrimFunc("mp", [x], [maxPool2d(x, { kernel: 2, padding: 1 })]);
  const [y] = runFunc(f, [ndarray("int8", [1, 1, 2, 2], [-100, -90, -80, -70])]);
  assertEquals(toNumbers(y), [-100, -90, -90, -80, -70, -70, -80, -70, -70]);
});

Deno.test("average pooling counts only real elements unless countIncludePad", () => {
  const x = placeholder([1, 1, 3, 3], "float32", "x");
  const ones = ndarray("float32", [1, 1, 3, 3], new Array(9).fill(1));
  const exclude = toPrimFunc("ap", [x], [avgPool2d(x, { kernel: 2, padding: 1 })]);
  const include = toPrimFunc("ap", [x], [
    avgPool2d(x, { kernel: 2, padding: 1, countIncludePad: true }),
  ]);
  assertEquals(toNumbers(runFunc(exclude, [ones])[0]), new Array(16).fill(1));
  const [inc] = expectRun(include, [ones], [
    refAvgPool2d(ones, { kernel: 2, padding: 1, countIncludePad: true }),
  ]);
  assertEquals(toNumbers(inc).slice(0, 4), [0.25, 0.5, 0.5, 0.25]);
});

Deno.test("convolution and pooling mistakes are typed errors", () => {
  const d = placeholder([1, 4, 9, 9], "float32", "data");
  const w = placeholder([8, 4, 3, 3], "float32", "weight");
  const wi = placeholder([8, 4, 3, 3], "int8", "weight");
  const cases: [() => unknown, string, string][] = [
    [() => conv2d(d, placeholder([8, 3, 3, 3], "float32", "w")), "OP_SHAPE_MISMATCH", "weight"],
    [
      () => conv2d(d, placeholder([7, 2, 3, 3], "float32", "w"), { groups: 2 }),
      "OP_SHAPE_MISMATCH",
      "weight",
    ],
    [() => conv2d(d, w, { groups: 0 }), "OP_BAD_PARAM", "groups"],
    [() => conv2d(d, w, { strides: 0 }), "OP_BAD_PARAM", "strides"],
    [
      () => conv2d(d, w, { padding: [1, 2, 3] as unknown as [number, number] }),
      "OP_BAD_PARAM",
      "padding",
    ],
    [() => conv2d(d, w, { layout: "NCWH" as "NCHW" }), "OP_BAD_PARAM", "layout"],
    [() => conv2d(d, wi), "OP_DTYPE_MISMATCH", "weight"],
    [() => conv2d(d, placeholder([8, 4, 12, 3], "float32", "w")), "OP_SHAPE_MISMATCH", "weight"],
    [() => conv2d(placeholder([4, 9, 9], "float32", "x"), w), "OP_BAD_RANK", "data"],
    [
      () => depthwiseConv2d(d, placeholder([3, 1, 3, 3], "float32", "w")),
      "OP_SHAPE_MISMATCH",
      "weight",
    ],
    [() => maxPool2d(d, { kernel: 2, padding: 2 }), "OP_BAD_PARAM", "padding"],
    [() => maxPool2d(d, { kernel: 10 }), "OP_SHAPE_MISMATCH", "kernel"],
    [
      () => avgPool2d(placeholder([1, 1, 4, 4], "int8", "x"), { kernel: 2 }),
      "OP_DTYPE_MISMATCH",
      "x",
    ],
    [() => globalAvgPool2d(placeholder([4, 4], "float32", "x")), "OP_BAD_RANK", "x"],
  ];
  for (const [fn, code, arg] of cases) {
    const e = assertThrows(fn, OpError);
    assertEquals(e.code, code, e.message);
    assert(e.path!.endsWith(`argument "${arg}"`), e.path);
  }
});
