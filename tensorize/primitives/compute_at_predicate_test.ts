/**
 * computeAt/reverseComputeAt regressions found by the property test: the moved block's own
 * predicate, and loops that may run no iteration.
 */
import { assert } from "../../ir/test_util.ts";
import { parseFunc } from "../../ir/script/mod.ts";
import { Schedule } from "../mod.ts";
import {
  assertEquivalent,
  assertSameFunc,
  assertScheduleError,
  assertTraceRoundTrip,
  matmulFunc,
} from "../testing.ts";

Deno.test("computeAt keeps the moved block's predicate, over its iteration variables", () => {
  // Regression: rfactor after a non-dividing split guards C_rf by `k_0 * 3 + k_1 < 16`; the new
  // nest dropped it and C_rf read A[…, 16] (outside A) for the last partial sum.
  const f = matmulFunc("int32");
  const sch = new Schedule(f);
  const [, , k] = sch.getLoops(sch.getBlock("C"));
  const [k0] = sch.split(k, [undefined, 3]);
  const rf = sch.rfactor(k0, 0);
  const [, , kk] = sch.getLoops(sch.getBlock("C"));
  sch.computeAt(rf, kk);
  assertSameFunc(
    sch.func,
    parseFunc(`func mm(A: buffer<int32>[n, 16], B: buffer<int32>[16, 12], C: buffer<int32>[n, 12]) {
  block root() {
    alloc C_rf: buffer<int32>[6, n, 12]
    for i in 0..n {
      for j in 0..12 {
        for k_0 in 0..6 {
          for ax0 in 0..3 {
            block C_rf(vi: spatial(0..n) = i, vj: spatial(0..12) = j, vk_0: spatial(0..6) = k_0, vk_1: reduce(0..3) = ax0) where ax0 + k_0 * 3 < 16 {
              reads(C_rf[vk_0, vi, vj], A[vi, vk_0 * 3 + vk_1], B[vk_0 * 3 + vk_1, vj])
              writes(C_rf[vk_0, vi, vj])
              init {
                C_rf[vk_0, vi, vj] = 0
              }
              C_rf[vk_0, vi, vj] = C_rf[vk_0, vi, vj] + A[vi, vk_0 * 3 + vk_1] * B[vk_0 * 3 + vk_1, vj]
            }
          }
          block C(vi_1: spatial(0..n) = i, vj_1: spatial(0..12) = j, vk_0_1: reduce(0..6) = k_0) where k_0 * 3 < 16 {
            reads(C[vi_1, vj_1], C_rf[vk_0_1, vi_1, vj_1])
            writes(C[vi_1, vj_1])
            init {
              C[vi_1, vj_1] = 0
            }
            C[vi_1, vj_1] = C[vi_1, vj_1] + C_rf[vk_0_1, vi_1, vj_1]
          }
        }
      }
    }
  }
}`),
  );
  assertEquivalent(f, sch.func, 2, { sizes: { n: 3 } });
  assertTraceRoundTrip(sch, f);
});

/** `B` (loops and predicate given, `B[vi] = A[vi] * 2`) then `C[vj] = B[vj] + 1` over `n`. */
const chain = (n: number, nest: (block: string) => string) =>
  parseFunc(`func f(A: buffer<float32>[${n}], C: buffer<float32>[${n}]) {
  block root() {
    alloc B: buffer<float32>[${n}]
    ${
    nest(`reads(A[vi])
          writes(B[vi])
          B[vi] = A[vi] * 2.0`)
  }
    for j in 0..${n} {
      block C(vj: spatial(0..${n}) = j) {
        reads(B[vj])
        writes(C[vj])
        C[vj] = B[vj] + 1.0
      }
    }
  }
}`);

Deno.test("computeAt drops a predicate the new domain implies", () => {
  // B is split by 3 over 10 (guard i_0 * 3 + i_1 < 10 = vi < 10): the new nest needs no guard.
  const f = chain(10, (body) =>
    `for i_0 in 0..4 {
      for i_1 in 0..3 {
        block B(vi: spatial(0..10) = i_0 * 3 + i_1) where i_0 * 3 + i_1 < 10 {
          ${body}
        }
      }
    }`);
  const sch = new Schedule(f);
  const [j] = sch.getLoops(sch.getBlock("C"));
  sch.computeAt(sch.getBlock("B"), j);
  const text = sch.show();
  assert(text.includes("block B(vi: spatial(0..10) = j) {"), text);
  assertEquivalent(f, sch.func, 1);
});

Deno.test("computeAt refuses a predicate over a loop it leaves that no binding expresses", () => {
  // B runs twice per i (loop r is bound to nothing) and only while r < 1: no iteration variable
  // carries r to the new nest.
  const f = chain(4, (body) =>
    `for r in 0..2 {
      for i in 0..4 {
        block B(vi: spatial(0..4) = i) where r < 1 {
          ${body}
        }
      }
    }`);
  const sch = new Schedule(f);
  const [j] = sch.getLoops(sch.getBlock("C"));
  const b = sch.getBlock("B");
  assertScheduleError(sch, () => sch.computeAt(b, j), "SCHEDULE_PREDICATE_NOT_MOVABLE");
});

Deno.test("reverseComputeAt refuses a loop that may run no iteration", () => {
  // Regression: a cache stage clipped to the buffer gave `for a in 0..2 - vo`; D moved under it
  // never ran for vo ≥ 2.
  const f = parseFunc(`func f(A: buffer<float32>[4], C: buffer<float32>[4]) {
  block root() {
    for i in 0..4 {
      block O(vo: spatial(0..4) = i) {
        alloc X: buffer<float32>[4]
        reads(A[vo])
        writes(C[vo])
        for a in 0..2 - vo {
          block P(v: spatial(0..4) = vo + a) {
            reads(A[v])
            writes(X[v])
            X[v] = A[v] * 2.0
          }
        }
        block D() {
          reads(X[vo], A[vo])
          writes(C[vo])
          C[vo] = select(vo < 2, X[vo], A[vo])
        }
      }
    }
  }
}`);
  const sch = new Schedule(f);
  const [a] = sch.getLoops(sch.getBlock("P"));
  const d = sch.getBlock("D");
  const e = assertScheduleError(
    sch,
    () => sch.reverseComputeAt(d, a),
    "SCHEDULE_REGION_NOT_COVERED",
  );
  assert(e.message.includes("no iteration"), e.message);
});

Deno.test("block primitives refuse blocks and loops inside a block's init", () => {
  // Regression: a cache stage moved under a loop of the outer block's init was copied only on
  // the reduction's first iteration, into a cache allocated anew on every one.
  const sch = new Schedule(matmulFunc("int32"));
  const c = sch.getBlock("C");
  const [i, j, k] = sch.getLoops(c);
  sch.reorder(k, i, j);
  sch.blockize(i); // C_o (over k) with init { for i_init, j_init: C_init }
  const stage = sch.cacheRead(c, 1, "local");
  const init = sch.getBlock("C_init");
  const [iInit] = sch.getLoops(init);
  const e = assertScheduleError(sch, () => sch.computeAt(stage, iInit), "SCHEDULE_IN_INIT");
  assert(e.message.includes('init of block "C_o"'), e.message);
  assertScheduleError(sch, () => sch.reverseComputeAt(init, iInit), "SCHEDULE_IN_INIT");
  assertScheduleError(sch, () => sch.cacheWrite(init, 0, "local"), "SCHEDULE_IN_INIT");
  assertScheduleError(sch, () => sch.computeInline(init), "SCHEDULE_IN_INIT");
});

Deno.test("reverseComputeAt refuses a place where a loop repeats a reduction's update", () => {
  // Regression: C moved under P's loop i, below k (a reduction loop of C) and j (which binds
  // nothing of C, so repeats it): each j would add the k-th products again.
  const f = parseFunc(
    `func f(A: buffer<float32>[4, 3], B: buffer<float32>[3], C: buffer<float32>[4]) {
  block root() {
    alloc P: buffer<float32>[4, 3]
    for k in 0..3 {
      for j in 0..2 {
        for i in 0..4 {
          block P(vi: spatial(0..4) = i, vk: spatial(0..3) = k) {
            reads(A[vi, vk])
            writes(P[vi, vk])
            P[vi, vk] = A[vi, vk] * 2.0
          }
        }
      }
      for i1 in 0..4 {
        block C(wi: spatial(0..4) = i1, wk: reduce(0..3) = k) {
          reads(C[wi], P[wi, wk], B[wk])
          writes(C[wi])
          init {
            C[wi] = 0.0
          }
          C[wi] = C[wi] + P[wi, wk] * B[wk]
        }
      }
    }
  }
}`,
  );
  const sch = new Schedule(f);
  const [, , i] = sch.getLoops(sch.getBlock("P"));
  const c = sch.getBlock("C");
  const e = assertScheduleError(sch, () => sch.reverseComputeAt(c, i), "SCHEDULE_REPEATING_LOOP");
  assert(e.message.includes('"j"') && e.message.includes('"k"'), e.message);
});
