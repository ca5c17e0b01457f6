import { assert } from "../../ir/test_util.ts";
import { parseFunc } from "../../ir/script/mod.ts";
import { ndarray } from "../../ir/ndarray.ts";
import * as ops from "../../ir/ops/mod.ts";
import { Schedule } from "../mod.ts";
import {
  assertEquivalent,
  assertSameFunc,
  assertScheduleError,
  assertTraceRoundTrip,
} from "../testing.ts";

const SUM = `func s(A: buffer<float32>[4, 8], B: buffer<float32>[4]) {
  block root() {
    for i in 0..4 {
      for k in 0..8 {
        block B(vi: spatial(0..4) = i, vk: reduce(0..8) = k) {
          reads(B[vi], A[vi, vk])
          writes(B[vi])
          init {
            B[vi] = 0.0
          }
          B[vi] = B[vi] + A[vi, vk]
        }
      }
    }
  }
}`;

Deno.test("rfactor: partial sums along a new axis, then a write-back reduction", () => {
  const f = parseFunc(SUM);
  const sch = new Schedule(f);
  const [, k] = sch.getLoops(sch.getBlock("B"));
  const [ko] = sch.split(k, [2, 4]);
  const rf = sch.rfactor(ko, 1);
  assertSameFunc(
    sch.func,
    parseFunc(`func s(A: buffer<float32>[4, 8], B: buffer<float32>[4]) {
  block root() {
    alloc B_rf: buffer<float32>[4, 2]
    for i in 0..4 {
      for k_0 in 0..2 {
        for k_1 in 0..4 {
          block B_rf(vi: spatial(0..4) = i, vk_0: spatial(0..2) = k_0, vk_1: reduce(0..4) = k_1) {
            reads(B_rf[vi, vk_0], A[vi, vk_0 * 4 + vk_1])
            writes(B_rf[vi, vk_0])
            init {
              B_rf[vi, vk_0] = 0.0
            }
            B_rf[vi, vk_0] = B_rf[vi, vk_0] + A[vi, vk_0 * 4 + vk_1]
          }
        }
      }
    }
    for i_1 in 0..4 {
      for k_0_1 in 0..2 {
        block B(wi: spatial(0..4) = i_1, wk_0: reduce(0..2) = k_0_1) {
          reads(B[wi], B_rf[wi, wk_0])
          writes(B[wi])
          init {
            B[wi] = 0.0
          }
          B[wi] = B[wi] + B_rf[wi, wk_0]
        }
      }
    }
  }
}`),
  );
  assert(sch.get(rf).name === "B_rf");
  assertEquivalent(f, sch.func, 1, { rtol: 1e-6 });
  assertTraceRoundTrip(sch, f);
});

Deno.test("rfactor on the catalogue: reduce_max, reduce_sum, matmul, non-dividing splits", () => {
  for (
    const [name, factor, axis] of [["reduce_max", 3, 0], ["reduce_sum", 4, -1], [
      "matmul",
      5,
      1,
    ]] as const
  ) {
    const d = ops.findOp(name);
    const c = d.cases[0];
    const f = d.build(c);
    const sch = new Schedule(f);
    const blk = sch.getBlock(sch.show().match(/block (\w+)\(.*: reduce\(/)![1]);
    const loops = sch.getLoops(blk);
    const [, inner] = sch.split(loops[loops.length - 1], [undefined, factor]);
    sch.rfactor(inner, axis);
    assertEquivalent(f, sch.func, c.inputs.length, {
      inputs: d.makeInputs(c, 6),
      sizes: c.vars,
      rtol: 1e-5,
    });
    assertTraceRoundTrip(sch, f);
  }
});

Deno.test("rfactor errors, one per code", () => {
  const f = parseFunc(SUM);
  const sch = new Schedule(f);
  const [i, k] = sch.getLoops(sch.getBlock("B"));
  assertScheduleError(sch, () => sch.rfactor(i, 0), "SCHEDULE_RFACTOR_LOOP");
  assertScheduleError(sch, () => sch.rfactor(k, 3), "SCHEDULE_BAD_ARGUMENT");
  const g = parseFunc(SUM.replace("B[vi] = 0.0", "B[vi] = 1.0"));
  const s2 = new Schedule(g);
  const [, k2] = s2.getLoops(s2.getBlock("B"));
  assertScheduleError(s2, () => s2.rfactor(k2, 0), "SCHEDULE_RFACTOR_REDUCER");
  const h = parseFunc(SUM.replace("vk: reduce(0..8) = k", "vk: reduce(0..8) = k * k % 8"));
  const s3 = new Schedule(h);
  const [, k3] = s3.getLoops(s3.getBlock("B"));
  assertScheduleError(s3, () => s3.rfactor(k3, 0), "SCHEDULE_NOT_AFFINE");
  const two = parseFunc(
    `func t(A: buffer<float32>[4], B: buffer<float32>[4], C: buffer<float32>[4]) {
  block root() {
    for i in 0..4 {
      block B(vi: spatial(0..4) = i) {
        reads(A[vi])
        writes(B[vi])
        B[vi] = A[vi]
      }
      block C(wi: spatial(0..4) = i) {
        reads(A[wi])
        writes(C[wi])
        C[wi] = A[wi]
      }
    }
  }
}`,
  );
  const s4 = new Schedule(two);
  const [l4] = s4.getLoops(s4.getBlock("B"));
  assertScheduleError(s4, () => s4.rfactor(l4, 0), "SCHEDULE_RFACTOR_NEST");
  const one = parseFunc(`func o(A: buffer<float32>[4], B: buffer<float32>[4]) {
  block root() {
    for i in 0..4 {
      block B(vi: spatial(0..4) = i) {
        reads(A[vi])
        writes(B[vi])
        B[vi] = A[vi]
      }
    }
  }
}`);
  const s5 = new Schedule(one);
  const [l5] = s5.getLoops(s5.getBlock("B"));
  assertScheduleError(s5, () => s5.rfactor(l5, 0), "SCHEDULE_NOT_REDUCTION");
});

Deno.test("rfactor of a non-dividing split's outer loop: the write-back skips unwritten partials", () => {
  // k in 0..5 split by [4, 2]: k_0 = 3 has no instance (6, 7 ≥ 5), so its partial is never
  // initialised; the write-back must not read it (all inputs negative, a 0 would win the max).
  const f = parseFunc(`func m(A: buffer<float32>[3, 5], B: buffer<float32>[3]) {
  block root() {
    for i in 0..3 {
      for k in 0..5 {
        block B(vi: spatial(0..3) = i, vk: reduce(0..5) = k) {
          reads(B[vi], A[vi, vk])
          writes(B[vi])
          init {
            B[vi] = -inf
          }
          B[vi] = max(B[vi], A[vi, vk])
        }
      }
    }
  }
}`);
  const sch = new Schedule(f);
  const [, k] = sch.getLoops(sch.getBlock("B"));
  const [k0] = sch.split(k, [4, undefined]);
  sch.rfactor(k0, 0);
  const a = ndarray("float32", [3, 5], Array.from({ length: 15 }, (_, n) => -1 - n));
  assertEquivalent(f, sch.func, 1, { inputs: [a] });
  assertTraceRoundTrip(sch, f);
});
