/**
 * Semantic matching: tiles written with other loop orders, unit loops, commuted operands, cast
 * chains and transposed operands match; a different computation fails at its first differing
 * sub-expression; a non-dividing size fails with the padEinsum suggestion, which makes it match.
 */
import { TensorizeError } from "../../ir/errors.ts";
import { cast, mul, variable } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { randomNDArray } from "../../ir/ndarray.ts";
import * as ops from "../../ir/ops/mod.ts";
import { parseFunc } from "../../ir/script/mod.ts";
import { assert, assertEquals, assertThrows } from "../../ir/test_util.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../../ir/te.ts";
import { defineIntrinsic } from "../../sdk/intrinsic.ts";
import { Schedule } from "../mod.ts";
import {
  accumulating,
  collapses,
  diagnose,
  isLossless,
  match,
  normalizeValue,
  registerIntrinsic,
  resolveIntrinsic,
} from "./mod.ts";
import { DOT4_I8, GEMM16_I8, GEMM4_F32 } from "./test_intrinsics.ts";
import { assertTensorizedEquivalent } from "./testing.ts";

/** A 4×4×4 float32 tile: loops k, (unit), j, i; commuted operands; a unit variable in an index. */
const TILE_F32 =
  `func t(A: buffer<float32>[4, 4], B: buffer<float32>[4, 4], C: buffer<float32>[4, 4]) {
  block root() {
    for k in 0..4 {
      for u in 0..1 {
        for j in 0..4 {
          for i in 0..4 {
            block C(vk: reduce(0..4) = k, vu: spatial(0..1) = u, vj: spatial(0..4) = j, vi: spatial(0..4) = i) {
              reads(C[vi, vj], B[vk, vj], A[vi, vk])
              writes(C[vi, vj])
              C[vi + vu, vj] = B[vk, vj] * A[vi, vk] + C[vi, vj]
            }
          }
        }
      }
    }
  }
}`;

/** A 16×16×16 int8 tile with a value-preserving cast chain on one operand. */
const TILE_I8 =
  `func t(A: buffer<int8>[16, 16], B: buffer<int8>[16, 16], C: buffer<int32>[16, 16]) {
  block root() {
    for k in 0..16 {
      for j in 0..16 {
        for i in 0..16 {
          block C(vk: reduce(0..16) = k, vj: spatial(0..16) = j, vi: spatial(0..16) = i) {
            reads(C[vi, vj], A[vi, vk], B[vk, vj])
            writes(C[vi, vj])
            C[vi, vj] = cast<int32>(B[vk, vj]) * cast<int32>(cast<int16>(A[vi, vk])) + C[vi, vj]
          }
        }
      }
    }
  }
}`;

function inputsOf(f: PrimFunc, seed = 3) {
  return f.params.slice(0, 2).map((p, k) => {
    if (p.kind !== "Buffer") throw new Error("buffer expected");
    return randomNDArray(p.dtype, p.shape.map((d) => (d as { value: number }).value), seed + k);
  });
}

Deno.test("match: loop order, unit loops and commuted operands do not matter", () => {
  const f = parseFunc(TILE_F32);
  const sch = new Schedule(f);
  const [k] = sch.getLoops(sch.getBlock("C"));
  const outer = sch.blockize(k);
  const m = match(sch.func, sch.get(outer).name, GEMM4_F32);
  assert(m.ok, !m.ok ? m.message : "");
  assertEquals([...m.iters].map(([d, b]) => `${d.name}->${b.name}`), [
    "vi->vi_i",
    "vj->vj_i",
    "vk->vk_i",
  ]);
  sch.tensorize(outer, GEMM4_F32);
  assertTensorizedEquivalent(f, sch.func, inputsOf(f), [GEMM4_F32]);
});

Deno.test("match: a value-preserving cast chain matches cast for cast (int8 → int32 MAC)", () => {
  const f = parseFunc(TILE_I8);
  const sch = new Schedule(f);
  const [k] = sch.getLoops(sch.getBlock("C"));
  sch.tensorize(k, GEMM16_I8);
  assertTensorizedEquivalent(f, sch.func, inputsOf(f), [GEMM16_I8]);
});

Deno.test("match: normalisation rules", () => {
  assert(
    isLossless("int8", "int16") && isLossless("uint8", "int16") && isLossless("int8", "float16"),
  );
  assert(!isLossless("int16", "float16") && !isLossless("int8", "uint8"));
  assert(isLossless("float16", "float32") && !isLossless("float32", "bfloat16"));
  // int16 through float32 into int8 saturates where the direct cast wraps: kept
  assert(!collapses("int16", "float32", "int8") && collapses("int8", "float32", "float64"));
  const x = variable("x", "int16");
  const kept = cast("int8", cast("float32", x));
  assertEquals(normalizeValue(kept), kept);
  const y = variable("y", "int8");
  assertEquals(normalizeValue(mul(cast("int32", cast("int16", y)), 2)), mul(cast("int32", y), 2));
});

Deno.test("match: a transposed operand is a strided view (dense against the gemm)", () => {
  const d = ops.findOp("dense");
  const c = {
    ...d.cases[0],
    inputs: [
      { name: "x", shape: [8, 8], dtype: "float32" as const },
      { name: "weight", shape: [4, 8], dtype: "float32" as const },
      { name: "bias", shape: [4], dtype: "float32" as const },
    ],
  };
  const f = d.build(c);
  const sch = new Schedule(f);
  const b = sch.getBlock("T_dense_matmul");
  const diag = diagnose(sch, b, GEMM4_F32);
  assert(!diag.ok && diag.code === "TENSORIZE_NOT_TILED", JSON.stringify(diag));
  assert(diag.suggestions.length === 1 && diag.suggestions[0].steps.at(-1)!.includes("tensorize"));
  new Function(
    "sch",
    `const b0 = sch.getBlock("T_dense_matmul");\n${diag.suggestions[0].steps.join("\n")}`,
  )(
    sch,
  );
  assertTensorizedEquivalent(f, sch.func, d.makeInputs(c, 5), [GEMM4_F32]);
});

Deno.test("match: a different computation fails at its first differing sub-expression", () => {
  const f = parseFunc(TILE_F32.replace("B[vk, vj] * A[vi, vk]", "A[vi, vk] - B[vk, vj]"));
  const sch = new Schedule(f);
  const outer = sch.blockize(sch.getLoops(sch.getBlock("C"))[0]);
  const m = match(sch.func, sch.get(outer).name, GEMM4_F32);
  assert(!m.ok);
  assertEquals(m.code, "TENSORIZE_MISMATCH");
  assertEquals(m.blockExpr, "A[vi_i, vk_i] - B[vk_i, vj_i]");
  assert(m.descriptionExpr!.includes("*"), m.descriptionExpr);
  assert(m.message.includes("operators differ (sub vs mul)"), m.message);
});

Deno.test("match: a non-dividing size suggests padEinsum first, and the suggestion matches", () => {
  const A = placeholder([10, 5], "float32", "A"), B = placeholder([5, 7], "float32", "B");
  const k = reduceAxis(5, "k");
  const C = compute([10, 7], ([i, j]) => sum(mul(A.at(i, k), B.at(k, j)), [k]), "C");
  const f = createPrimFunc([A, B, C], "mm");
  const sch = new Schedule(f);
  const d = diagnose(sch, sch.getBlock("C"), GEMM4_F32);
  assert(!d.ok);
  assertEquals(d.code, "TENSORIZE_NOT_DIVISIBLE");
  assertEquals(d.dimensions.map((x) => [x.iterator, x.extent, x.divides]), [
    ["vi", "10", false],
    ["vj", "7", false],
    ["vk", "5", false],
  ]);
  const steps = d.suggestions[0].steps;
  assertEquals(steps[0], "sch.padEinsum(b0, [4, 4, 4]);");
  const fresh = new Schedule(f);
  new Function("sch", `const b0 = sch.getBlock("C");\n${steps.join("\n")}`)(fresh);
  assertTensorizedEquivalent(f, fresh.func, inputsOf(f), [GEMM4_F32]);
  // the failed tensorize of the leaf block carries the same checked steps in its hint
  const e = assertThrows(() => sch.tensorize(sch.getBlock("C"), GEMM4_F32), TensorizeError);
  assertEquals(e.code, "TENSORIZE_NOT_DIVISIBLE");
  assert(/sch\.padEinsum\(b\d+, \[4, 4, 4\]\);/.test(e.hint!), e.hint);
});

Deno.test("match: matmul, batch_matmul and conv2d blocks match their intrinsics as patterns", () => {
  const cases: [string, PrimFunc, string][] = [];
  const bm = ops.findOp("batch_matmul");
  cases.push(["T_batch_matmul", bm.build(bm.cases[0]), "TENSORIZE_NOT_DIVISIBLE"]);
  const cv = ops.findOp("conv2d");
  cases.push(["T_conv2d_nchw", cv.build(cv.cases[0]), "TENSORIZE_NOT_DIVISIBLE"]);
  const dn = ops.findOp("dense");
  cases.push(["T_dense_matmul", dn.build(dn.cases[3]), "TENSORIZE_NOT_DIVISIBLE"]);
  for (const [block, f, code] of cases) {
    const sch = new Schedule(f);
    const intrinsic = f.params.some((p) => p.kind === "Buffer" && p.dtype === "int8")
      ? DOT4_I8
      : GEMM4_F32;
    const d = diagnose(sch, sch.getBlock(block), intrinsic);
    assert(!d.ok && d.code === code, `${block}: ${!d.ok && d.message}`);
  }
});

Deno.test("match: intrinsic registry and descriptions", () => {
  assertThrows(() => resolveIntrinsic("no_such_intrinsic"), TensorizeError);
  const e1 = assertThrows(() => resolveIntrinsic("no_such_intrinsic"), TensorizeError);
  assertEquals(e1.code, "TENSORIZE_UNKNOWN_INTRINSIC");
  const other = defineIntrinsic({ ...GEMM4_F32, description: GEMM16_I8.description });
  const e2 = assertThrows(() => registerIntrinsic(other), TensorizeError);
  assertEquals(e2.code, "TENSORIZE_DUPLICATE_INTRINSIC");
  // a description with two computations (dense + bias) is refused when used
  const d = ops.findOp("dense");
  const twoBlocks = defineIntrinsic({
    name: "test_two_blocks",
    description: accumulating(d.build(d.cases[0])),
    implementation: null,
    operandScopes: {},
    cost: { cycles: 1 },
  });
  const e3 = assertThrows(() => match(d.build(d.cases[0]), "T_dense", twoBlocks), TensorizeError);
  assertEquals(e3.code, "TENSORIZE_BAD_DESCRIPTION");
});
