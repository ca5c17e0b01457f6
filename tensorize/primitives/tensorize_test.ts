/**
 * `tensorize`: the marker it writes (script out), its decoding before and after lowering, the
 * interpreter equivalence with markers executed by the descriptions, the trace round trip, and
 * one failing test per error code (the schedule left unchanged).
 */
import { TensorizeError } from "../../ir/errors.ts";
import { isConst } from "../../ir/expr.ts";
import { mul } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { visit } from "../../ir/node.ts";
import { randomNDArray } from "../../ir/ndarray.ts";
import { parseFunc } from "../../ir/script/mod.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../../ir/te.ts";
import { lower } from "../../ir/transform/mod.ts";
import { Schedule } from "../mod.ts";
import {
  accumulating,
  autoTensorize,
  decodeIntrinsicCall,
  descriptionHandler,
} from "../auto/mod.ts";
import { defineIntrinsic } from "../../sdk/intrinsic.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { toNumbers } from "../../ir/ndarray.ts";
import { GEMM4_F32 } from "../auto/test_intrinsics.ts";
import { assertTensorizedEquivalent } from "../auto/testing.ts";
import { assertSameFunc, assertTraceRoundTrip } from "../testing.ts";

function matmul(m: number, n: number, k: number): PrimFunc {
  const A = placeholder([m, k], "float32", "A"), B = placeholder([k, n], "float32", "B");
  const r = reduceAxis(k, "k");
  const C = compute([m, n], ([i, j]) => sum(mul(A.at(i, r), B.at(r, j)), [r]), "C");
  return createPrimFunc([A, B, C], "mm");
}

/** Split i, j, k of block C by 4 and put the tile loops innermost; returns the first tile loop. */
function tiled(f: PrimFunc) {
  const sch = new Schedule(f);
  const c = sch.getBlock("C");
  const [i, j, k] = sch.getLoops(c);
  const [io, ii] = sch.split(i, [undefined, 4]);
  const [jo, ji] = sch.split(j, [undefined, 4]);
  const [ko, ki] = sch.split(k, [undefined, 4]);
  sch.reorder(io, jo, ko, ii, ji, ki);
  return { sch, ii, c };
}

function inputs(f: PrimFunc) {
  return f.params.slice(0, 2).map((p, k) => {
    if (p.kind !== "Buffer") throw new Error("buffer expected");
    return randomNDArray(p.dtype, p.shape.map((d) => (d as { value: number }).value), 11 + k);
  });
}

/** Expect a TensorizeError with `code` and an unchanged schedule. */
function assertTensorizeError(sch: Schedule, fn: () => unknown, code: string): TensorizeError {
  const before = sch.func, length = sch.trace.length;
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (!(error instanceof TensorizeError)) throw new Error(`expected ${code}, got ${error}`);
  assertEquals(error.code, code, error.message);
  assert(sch.func === before, `the function changed (${code})`);
  assert(sch.trace.length === length, `the trace changed (${code})`);
  return error;
}

Deno.test("tensorize: the block's body becomes the marker over its operand tiles", () => {
  const f = matmul(8, 8, 8);
  const { sch, ii } = tiled(f);
  sch.tensorize(ii, GEMM4_F32);
  const expected = parseFunc(
    `func mm(A: buffer<float32>[8, 8], B: buffer<float32>[8, 8], C: buffer<float32>[8, 8]) {
  block root() {
    for i_0 in 0..2 {
      for j_0 in 0..2 {
        for k_0 in 0..2 {
          block C_o(vi_o: spatial(0..2) = i_0, vj_o: spatial(0..2) = j_0, vk_o: reduce(0..2) = k_0) @{tensorized: "test_gemm4_f32"} {
            reads(A[vi_o * 4 +: 4, vk_o * 4 +: 4], B[vk_o * 4 +: 4, vj_o * 4 +: 4], C[vi_o * 4 +: 4, vj_o * 4 +: 4])
            writes(C[vi_o * 4 +: 4, vj_o * 4 +: 4])
            init {
              for i_1_init in 0..4 {
                for j_1_init in 0..4 {
                  block C_init(vi_i_init: spatial(0..4) = i_1_init, vj_i_init: spatial(0..4) = j_1_init) {
                    writes(C[vi_i_init + vi_o * 4, vj_i_init + vj_o * 4])
                    C[vi_i_init + vi_o * 4, vj_i_init + vj_o * 4] = 0.0
                  }
                }
              }
            }
            eval call<int32>("tsr.intrin.test_gemm4_f32", A[vi_o * 4, vk_o * 4], A[vi_o * 4 + 1, vk_o * 4], A[vi_o * 4, vk_o * 4 + 1], A[vi_o * 4 + 3, vk_o * 4 + 3], B[vk_o * 4, vj_o * 4], B[vk_o * 4 + 1, vj_o * 4], B[vk_o * 4, vj_o * 4 + 1], B[vk_o * 4 + 3, vj_o * 4 + 3], C[vi_o * 4, vj_o * 4], C[vi_o * 4 + 1, vj_o * 4], C[vi_o * 4, vj_o * 4 + 1], C[vi_o * 4 + 3, vj_o * 4 + 3])
          }
        }
      }
    }
  }
}`,
  );
  assertSameFunc(sch.func, expected);
  assertTensorizedEquivalent(f, sch.func, inputs(f), [GEMM4_F32]);
  assertTraceRoundTrip(sch, f);
  // the check can fail: markers run by another computation (C += Aᵀ·B) give other results
  const wrong = defineIntrinsic({ ...GEMM4_F32, name: "test_wrong", description: transposedA() });
  const calls = { "tsr.intrin.test_gemm4_f32": descriptionHandler(wrong) };
  const data = inputs(f);
  const [got] = runFunc(sch.func, data, undefined, { calls });
  const [want] = runFunc(f, data);
  assert(toNumbers(got).some((x, k) => Math.abs(x - toNumbers(want)[k]) > 1e-3));
});

function transposedA(): PrimFunc {
  const A = placeholder([4, 4], "float32", "A"), B = placeholder([4, 4], "float32", "B");
  const r = reduceAxis(4, "k");
  const C = compute([4, 4], ([i, j]) => sum(mul(A.at(r, i), B.at(r, j)), [r]), "C");
  return accumulating(createPrimFunc([A, B, C], "wrong"));
}

Deno.test("tensorize: markers decode to base offsets and constant strides, before and after lowering", () => {
  const f = matmul(8, 12, 8);
  const { sch, ii } = tiled(f);
  sch.tensorize(ii, GEMM4_F32);
  for (const g of [sch.func, lower(sch.func)]) {
    const found: string[] = [];
    visit(g.body, (n) => {
      if (n.kind !== "Call" || !n.op.startsWith("tsr.intrin.")) return;
      for (const op of decodeIntrinsicCall(n, GEMM4_F32)) {
        assert(op.strides.every((s) => isConst(s)), "strides are constants");
        found.push(`${op.param.name}:${op.strides.map((s) => (s as { value: number }).value)}`);
      }
    });
    // row-major A[8, 8], B[8, 12], C[8, 12]: one step along a tile row or column
    assertEquals(found, ["A:8,1", "B:12,1", "C:12,1"]);
  }
});

Deno.test("tensorize: a hand-written tile smaller than the intrinsic's does not match", () => {
  const f = parseFunc(
    `func mm(A: buffer<float32>[n, 4], B: buffer<float32>[4, 4], C: buffer<float32>[n, 4]) {
  block root() {
    for io in 0..n {
      block C_o(vio: spatial(0..n) = io) {
        reads(A[vio * 1 +: 1, 0 +: 4], B[0 +: 4, 0 +: 4], C[vio +: 1, 0 +: 4])
        writes(C[vio +: 1, 0 +: 4])
        for j in 0..4 {
          for k in 0..4 {
            block C(vj: spatial(0..4) = j, vk: reduce(0..4) = k) {
              reads(C[vio, vj], A[vio, vk], B[vk, vj])
              writes(C[vio, vj])
              C[vio, vj] = C[vio, vj] + A[vio, vk] * B[vk, vj]
            }
          }
        }
      }
    }
  }
}`,
  );
  const sch = new Schedule(f);
  // one row of C per execution: no iterator is left for the intrinsic's rows
  const b = sch.getBlock("C_o");
  const e = assertTensorizeError(sch, () => sch.tensorize(b, GEMM4_F32), "TENSORIZE_MISMATCH");
  assert(e.message.includes("no spatial iterator left"), e.message);
});

Deno.test("tensorize: errors", () => {
  const f = matmul(8, 8, 8);
  const { sch, ii, c } = tiled(f);
  assertTensorizeError(
    sch,
    () => sch.tensorize(ii, "no_such_intrinsic"),
    "TENSORIZE_UNKNOWN_INTRINSIC",
  );
  // a leaf block is one point
  assertTensorizeError(sch, () => sch.tensorize(c, GEMM4_F32), "TENSORIZE_NOT_TILED");
  // a tile of 8 along i
  const s2 = new Schedule(f);
  const [i] = s2.getLoops(s2.getBlock("C"));
  assertTensorizeError(s2, () => s2.tensorize(i, GEMM4_F32), "TENSORIZE_EXTENT_MISMATCH");
  // the whole reduction inside the tile keeps the init on the inner block
  const f4 = matmul(4, 4, 4);
  const s3 = new Schedule(f4);
  const [i4] = s3.getLoops(s3.getBlock("C"));
  assertTensorizeError(s3, () => s3.tensorize(i4, GEMM4_F32), "TENSORIZE_INIT_MISMATCH");
  // … which decomposeReduction fixes
  s3.decomposeReduction(s3.getBlock("C"), s3.getLoops(s3.getBlock("C"))[0]);
  s3.tensorize(s3.getLoops(s3.getBlock("C"))[0], GEMM4_F32);
  assertTensorizedEquivalent(f4, s3.func, inputs(f4), [GEMM4_F32]);
  // a split that does not divide leaves a predicate on the tile
  const f6 = matmul(6, 4, 4);
  const s4 = new Schedule(f6);
  const [i6, j6, k6] = s4.getLoops(s4.getBlock("C"));
  s4.decomposeReduction(s4.getBlock("C"), i6);
  const [, i6i] = s4.split(i6, [undefined, 4]);
  void j6, k6;
  assertTensorizeError(s4, () => s4.tensorize(i6i, GEMM4_F32), "TENSORIZE_PREDICATE");
  // a block whose body is not one store
  const two = parseFunc(`func f(A: buffer<float32>[4], B: buffer<float32>[4]) {
  block root() {
    for i in 0..4 {
      block B(vi: spatial(0..4) = i) {
        reads(A[vi])
        writes(B[vi])
        B[vi] = A[vi]
        B[vi] = B[vi] + 1.0
      }
    }
  }
}`);
  const s5 = new Schedule(two);
  const [i5] = s5.getLoops(s5.getBlock("B"));
  assertTensorizeError(s5, () => s5.tensorize(i5, GEMM4_F32), "TENSORIZE_UNSUPPORTED_BLOCK");
  // a marker that is not one
  const e = (() => {
    try {
      decodeIntrinsicCall({
        kind: "Call",
        op: "tsr.intrin.test_gemm4_f32",
        args: [],
        dtype: "int32",
      }, GEMM4_F32);
    } catch (x) {
      return x;
    }
  })();
  assert(e instanceof TensorizeError && e.code === "TENSORIZE_BAD_MARKER");
  // no intrinsics to choose from
  const s6 = new Schedule(f);
  const r = autoTensorize(s6, s6.getBlock("C"), []);
  assert(!r.applied && r.diagnostic.code === "TENSORIZE_NO_INTRINSIC");
});
