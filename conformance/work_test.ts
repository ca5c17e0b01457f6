import { assert, assertEquals } from "../ir/test_util.ts";
import { ndarray } from "../ir/ndarray.ts";
import { findOp } from "../ir/ops/catalog.ts";
import { runFunc } from "../ir/interp/mod.ts";
import { kernelCases } from "./kernel_cases.ts";
import { countWork } from "./work.ts";

function workOf(id: string) {
  const c = kernelCases().find((x) => x.id === id);
  assert(c !== undefined, id);
  const f = c.func();
  const inputs = c.inputs(1);
  return countWork(f, [...inputs, ...runFunc(f, inputs)]);
}

Deno.test("a matmul counts m·n·k multiply-accumulates, 2 operations each, and its bytes", () => {
  const w = workOf("matmul/float32/7x13_13x5");
  assertEquals(w.macs, 7 * 13 * 5);
  assertEquals(w.flops, 2 * 7 * 13 * 5);
  assertEquals(w.bytes, 4 * (7 * 13 + 13 * 5 + 7 * 5));
  assertEquals(w.mainReduces, true);
});

Deno.test("symbolic sizes are bound from the call's arrays", () => {
  const c = kernelCases().find((x) => x.op === "relu" && x.note?.includes("bound at run time"));
  assert(c !== undefined);
  const f = c.func();
  const inputs = c.inputs(1);
  const out = runFunc(f, inputs);
  const n = inputs[0].shape.reduce((a, b) => a * b, 1);
  const w = countWork(f, [...inputs, ...out]);
  assertEquals(w.flops, n, "one max per element");
  assertEquals(w.macs, 0);
  assertEquals(w.mainReduces, false);
});

Deno.test("a transpose does no arithmetic but moves bytes", () => {
  const op = findOp("transpose");
  const c = op.cases[0];
  const f = op.build(c);
  const inputs = op.makeInputs(c, 1);
  const out = runFunc(f, inputs);
  const w = countWork(f, [...inputs, ...out]);
  assertEquals(w.flops, 0);
  assertEquals(w.bytes, 2 * inputs[0].data.byteLength);
  assertEquals(countWork(f, [ndarray("float32", [1])]).flops, 0);
});

Deno.test("bounds tests of padding and concatenation are not arithmetic; leaky_relu is 2 ops", () => {
  for (const name of ["pad", "concat"]) {
    const op = findOp(name);
    const f = op.build(op.cases[0]);
    const inputs = op.makeInputs(op.cases[0], 1);
    assertEquals(countWork(f, [...inputs, ...runFunc(f, inputs)]).flops, 0, name);
  }
  const w = workOf("leaky_relu/float32/7x13x5");
  assertEquals(w.flops, 2 * 7 * 13 * 5, "a comparison and a multiply per element");
});
