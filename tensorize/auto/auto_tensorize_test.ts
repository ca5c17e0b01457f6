/**
 * Auto-tensorization of library ops (matmul, dense, batch_matmul, conv2d; float32 and int8;
 * aligned and unaligned sizes) with the test intrinsics: the tensorized functions compute what
 * the ops do (interpreter, markers run by the descriptions, before and after lowering), staged
 * operands live in the intrinsic's scopes, traces round-trip, and a computation no intrinsic
 * describes gets a diagnostic.
 */
import type { PrimFunc } from "../../ir/func.ts";
import { visit } from "../../ir/node.ts";
import * as ops from "../../ir/ops/mod.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { Schedule } from "../mod.ts";
import { Trace } from "../trace.ts";
import { assertTraceRoundTrip } from "../testing.ts";
import { autoTensorize } from "./mod.ts";
import { DOT4_I8, GEMM16_I8, GEMM4_F32 } from "./test_intrinsics.ts";
import { assertTensorizedEquivalent } from "./testing.ts";

type Input = { name: string; shape: number[]; dtype: string };

function opCase(op: string, inputs: Input[], attrs: Record<string, unknown> = {}) {
  const d = ops.findOp(op);
  const c = { ...d.cases[0], inputs, attrs } as typeof d.cases[0];
  return { f: d.build(c), inputs: d.makeInputs(c, 9) };
}

function markers(f: PrimFunc): string[] {
  const out: string[] = [];
  visit(f.body, (n) => void (n.kind === "Call" && n.op.startsWith("tsr.") && out.push(n.op)));
  return out;
}

function scopes(f: PrimFunc): string[] {
  const out = new Set<string>();
  visit(f.body, (n) => {
    if (n.kind === "Block") { for (const b of n.allocBuffers) out.add(b.scope); }
  });
  return [...out].sort();
}

const ALL = [GEMM16_I8, GEMM4_F32, DOT4_I8];

function tensorizeOp(
  op: string,
  block: string,
  inputs: Input[],
  attrs: Record<string, unknown> = {},
  intrinsics = ALL,
) {
  const { f, inputs: data } = opCase(op, inputs, attrs);
  const sch = new Schedule(f);
  const r = autoTensorize(sch, sch.getBlock(block), intrinsics);
  assert(r.applied, !r.applied ? r.diagnostic.message : "");
  assertTensorizedEquivalent(f, sch.func, data, intrinsics, 1e-4);
  return { f, sch, r };
}

Deno.test("autoTensorize: float32 matmul, aligned and unaligned (padded)", () => {
  for (const [m, n, k] of [[8, 12, 16], [10, 7, 5]]) {
    const { sch, r, f } = tensorizeOp("matmul", "T_matmul", [
      { name: "a", shape: [m, k], dtype: "float32" },
      { name: "b", shape: [k, n], dtype: "float32" },
    ]);
    assertEquals(r.intrinsic, "test_gemm4_f32");
    assert(markers(sch.func).length === 1);
    assertTraceRoundTrip(sch, f);
  }
});

Deno.test("autoTensorize: int8 matmul on the 16×16×16 unit, operands staged in its scopes", () => {
  for (const [m, n, k] of [[32, 16, 48], [20, 17, 33]]) {
    const { sch, r, f } = tensorizeOp("matmul", "T_matmul", [
      { name: "a", shape: [m, k], dtype: "int8" },
      { name: "b", shape: [k, n], dtype: "int8" },
    ], { outDtype: "int32" });
    assertEquals(r.intrinsic, "test_gemm16_i8");
    assertEquals(scopes(sch.func).filter((s) => s !== "global"), ["acc", "inp", "wgt"]);
    const names = new Trace(r.trace).toScript();
    assert(names.includes('cacheRead(b0, 1, "inp")') && names.includes('"acc"'), names);
    assertTraceRoundTrip(sch, f);
  }
});

Deno.test("autoTensorize: int8 dense on the dot-product intrinsic (padded)", () => {
  const { r } = tensorizeOp(
    "dense",
    "T_dense_matmul",
    [
      { name: "x", shape: [3, 21], dtype: "int8" },
      { name: "weight", shape: [5, 21], dtype: "int8" },
      { name: "bias", shape: [5], dtype: "int32" },
    ],
    { outDtype: "int32" },
    [DOT4_I8, GEMM16_I8],
  );
  assertEquals(r.intrinsic, "test_dot4_i8");
});

Deno.test("autoTensorize: float32 batch_matmul and conv2d", () => {
  tensorizeOp("batch_matmul", "T_batch_matmul", [
    { name: "a", shape: [3, 7, 13], dtype: "float32" },
    { name: "b", shape: [3, 13, 5], dtype: "float32" },
  ]);
  const { sch } = tensorizeOp("conv2d", "T_conv2d_nchw", [
    { name: "data", shape: [1, 4, 8, 8], dtype: "float32" },
    { name: "weight", shape: [8, 4, 3, 3], dtype: "float32" },
  ], { padding: 1 });
  assert(markers(sch.func).length === 1);
});

Deno.test("autoTensorize: a computation no intrinsic describes is diagnosed, nothing changes", () => {
  const { f } = opCase("max_pool2d", [{ name: "x", shape: [1, 4, 8, 8], dtype: "float32" }], {
    kernel: 2,
    strides: 2,
    padding: 0,
  });
  const sch = new Schedule(f);
  let name = "";
  visit(f.body, (n) => void (n.kind === "Block" && n.name !== "root" && (name = n.name)));
  const before = sch.func;
  const r = autoTensorize(sch, sch.getBlock(name), ALL);
  assert(!r.applied);
  assertEquals(r.diagnostics.length, 3);
  assertEquals(r.diagnostic.code, "TENSORIZE_MISMATCH");
  assert(r.diagnostic.blockExpr !== undefined, r.diagnostic.message);
  assert(sch.func === before);
});
