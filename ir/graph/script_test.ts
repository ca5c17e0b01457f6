import { assert, assertEquals, assertThrows } from "../test_util.ts";
import { mul } from "../expr.ts";
import { ParseError } from "../errors.ts";
import { ndarray, randomNDArray } from "../ndarray.ts";
import * as ops from "../ops/mod.ts";
import { placeholder, sizeVar } from "../te.ts";
import { GraphBuilder } from "./builder.ts";
import { parseGraphFunc, parseGraphModule } from "./parse.ts";
import { printGraphFunc, printGraphModule } from "./print.ts";
import { graphFirstMismatch } from "./structural.ts";
import type { GraphModule } from "./ir.ts";

function roundTrip(mod: GraphModule): string {
  const text = printGraphModule(mod);
  const back = parseGraphModule(text);
  assertEquals(graphFirstMismatch(mod, back), undefined, text);
  assertEquals(printGraphModule(back), text);
  return text;
}

Deno.test("script: a module of both levels round-trips", () => {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n", "k"]);
  const w = b.constant(ndarray("float32", [2, 3], [1, -2.5, 3, 0, -0, NaN]), "w");
  const y = b.dense(x, w);
  const t = b.callExtern("vendor.topk", [y], [{ shape: ["n", 2] }, {
    shape: ["n", 2],
    dtype: "int32",
  }], {
    attrs: { k: 2, axes: [1, -1], mode: "max", largest: true },
    pure: false,
  });
  const m = sizeVar("m");
  const A = placeholder([m], "float32", "A");
  const f = ops.toPrimFunc("relu_m", [A], [ops.relu(A)]);
  const r = b.callTIR(f, [b.reshape(y, [-1])], { shape: [mul(b.sizeVar("n"), 2)] });
  b.output(b.matchShape(b.getItem(t, 0), ["n", "two"]), r);
  const text = roundTrip(b.finish());
  assert(text.includes(`check(k == 3, "dim 1 of operand 0 and dim 1 of operand 1 (weight)")`));
  assert(
    text.includes(
      `call_extern "vendor.topk"(dense_0) {k: 2, axes: [1, -1], mode: "max", largest: true} impure`,
    ),
  );
  assert(text.includes("const w<float32>[2, 3](1, -2.5, 3, 0, -0, nan)"));
});

Deno.test("script: an MLP with int8 and bool constants round-trips", () => {
  const b = new GraphBuilder("mlp");
  const x = b.input("x", ["batch", 8], "int8");
  const w = b.constant(randomNDArray("int8", [4, 8], 3), "w");
  const y = b.dense(x, w, undefined, { outDtype: "int32" });
  const z = b.op("greater", [y], { scalar: 0 });
  b.output(b.tuple([y, z]));
  roundTrip(b.finish());
});

Deno.test("script: parse errors carry line:column and codes", () => {
  const head = "graph f(x: tensor<float32>[n, 4]) {\n  dataflow {\n";
  const bad = (body: string) =>
    assertThrows(() => parseGraphModule(`${head}${body}\n  }\n  return x\n}`), ParseError);
  const e1 = bad("    y: tensor<float32>[n, 5] = relu(x)");
  assertEquals(e1.code, "PARSE_GRAPH_TYPE_MISMATCH");
  assertEquals(e1.span?.line, 3);
  assertEquals(bad("    y: tensor<float32>[n, 4] = relu(q)").code, "PARSE_UNKNOWN_NAME");
  assertEquals(bad("    y: tensor<float32>[n, 4] = frob(x)").code, "PARSE_INVALID_GRAPH");
  assertEquals(bad("    y: tensor<float32>[n, 4] = call_tir g(x)").code, "PARSE_UNKNOWN_NAME");
  assertEquals(
    bad("    y: tensor<float32>[n, 4] = relu(x)\n    y: tensor<float32>[n, 4] = relu(x)").code,
    "PARSE_DUPLICATE_NAME",
  );
  assertEquals(
    bad('    y: tensor<float32>[n, 4] = relu(x) check(n, "x")').code,
    "PARSE_UNEXPECTED_TOKEN",
  );
  assertEquals(bad("    y: tensor<float32>[n, 4] = get_item(x, 0)").code, "PARSE_INVALID_GRAPH");
  assertEquals(
    assertThrows(() => parseGraphFunc("graph f() { return x }"), ParseError).code,
    "PARSE_UNKNOWN_NAME",
  );
});

Deno.test("script: printGraphFunc elides large constants when asked", () => {
  const b = new GraphBuilder("f");
  b.output(b.add(b.input("x", [64]), b.constant(randomNDArray("float32", [64], 1), "bias")));
  const f = b.finish().graphs.get("f")!;
  assert(printGraphFunc(f, { maxConstantElements: 16 }).includes("const bias<float32>[64](…)"));
  assert(graphFirstMismatch(parseGraphFunc(printGraphFunc(f)), f) === undefined);
});
