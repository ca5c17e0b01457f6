import { assert, assertEquals } from "../../ir/test_util.ts";
import { parseFunc } from "../../ir/script/mod.ts";
import { Schedule } from "../mod.ts";
import {
  assertEquivalent,
  assertSameFunc,
  assertScheduleError,
  assertTraceRoundTrip,
  matmulFunc,
} from "../testing.ts";

const MM = (order: string) =>
  parseFunc(`func mm(A: buffer<int32>[8, 4], B: buffer<int32>[4, 6], C: buffer<int32>[8, 6]) {
  block root() {
    ${order}
          block C(vi: spatial(0..8) = i, vj: spatial(0..6) = j, vk: reduce(0..4) = k) {
            reads(C[vi, vj], A[vi, vk], B[vk, vj])
            writes(C[vi, vj])
            init {
              C[vi, vj] = 0
            }
            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
          }
        }
      }
    }
  }
}`);

const IJK = "for i in 0..8 {\n for j in 0..6 {\n for k in 0..4 {";

Deno.test("reorder: k outermost; named loops swap places, the others stay", () => {
  const f = MM(IJK);
  const sch = new Schedule(f);
  const [i, , k] = sch.getLoops(sch.getBlock("C"));
  sch.reorder(k, i);
  assertSameFunc(sch.func, MM("for k in 0..4 {\n for j in 0..6 {\n for i in 0..8 {"));
  assertEquivalent(f, sch.func, 2);
  assertTraceRoundTrip(sch, f);
});

Deno.test("reorder: three loops into a new order; the reduction init stays right", () => {
  const f = MM(IJK);
  const sch = new Schedule(f);
  const [i, j, k] = sch.getLoops(sch.getBlock("C"));
  sch.reorder(j, k, i);
  assertSameFunc(sch.func, MM("for j in 0..6 {\n for k in 0..4 {\n for i in 0..8 {"));
  assertEquivalent(f, sch.func, 2);
});

Deno.test("reorder after split: tile a matmul (float, symbolic n)", () => {
  const f = matmulFunc();
  const sch = new Schedule(f);
  const [i, j, k] = sch.getLoops(sch.getBlock("C"));
  const [i0, i1] = sch.split(i, [undefined, 4]);
  const [j0, j1] = sch.split(j, [undefined, 4]);
  const [k0, k1] = sch.split(k, [2, 8]);
  sch.reorder(i0, j0, k0, i1, k1, j1);
  const names = sch.getLoops(sch.getBlock("C")).map((l) => sch.get(l).loopVar.name);
  assertEquals(names, ["i_0", "j_0", "k_0", "i_1", "k_1", "j_1"]);
  for (const n of [1, 6]) assertEquivalent(f, sch.func, 2, { sizes: { n }, rtol: 1e-5 });
  assertTraceRoundTrip(sch, f);
});

Deno.test("reorder errors: not nested, not a perfect nest, twice, dependent, mixed", () => {
  const two = parseFunc(
    `func two(A: buffer<float32>[4, 4], B: buffer<float32>[4, 4], C: buffer<float32>[4, 4]) {
  block root() {
    for i in 0..4 {
      for j in 0..4 {
        block B(vi: spatial(0..4) = i, vj: spatial(0..4) = j) {
          reads(A[vi, vj])
          writes(B[vi, vj])
          B[vi, vj] = A[vi, vj]
        }
      }
      for j2 in 0..4 {
        block C(vi: spatial(0..4) = i, vj: spatial(0..4) = j2) {
          reads(B[vi, vj])
          writes(C[vi, vj])
          C[vi, vj] = B[vi, vj]
        }
      }
    }
  }
}`,
  );
  const sch = new Schedule(two);
  const [i, j] = sch.getLoops(sch.getBlock("B"));
  const [, j2] = sch.getLoops(sch.getBlock("C"));
  assertScheduleError(sch, () => sch.reorder(j, j2), "SCHEDULE_NOT_NESTED");
  const e = assertScheduleError(sch, () => sch.reorder(j, i), "SCHEDULE_NOT_PERFECT_NEST");
  assertEquals(e.message.includes(`loop "i"`), true);
  assertScheduleError(sch, () => sch.reorder(j, j), "SCHEDULE_DUPLICATE_LOOP");

  const tri = new Schedule(parseFunc(`func t(A: buffer<float32>[8, 8]) {
  block root() {
    for i in 0..8 {
      for j in 0..i + 1 {
        block B(vi: spatial(0..8) = i, vj: spatial(0..8) = j) {
          reads()
          writes(A[vi, vj])
          A[vi, vj] = 1.0
        }
      }
    }
  }
}`));
  const [ti, tj] = tri.getLoops(tri.getBlock("B"));
  assertScheduleError(tri, () => tri.reorder(tj, ti), "SCHEDULE_DEPENDENT_EXTENT");

  // a loop binding both vj and vk (fused, then split off-grid) cannot move
  const mm = new Schedule(MM(IJK));
  const [, mj, mk] = mm.getLoops(mm.getBlock("C"));
  const [f0, f1] = mm.split(mm.fuse(mj, mk), [undefined, 8]);
  assertScheduleError(mm, () => mm.reorder(f1, f0), "SCHEDULE_REORDER_ITER_TYPE");

  const sq = new Schedule(parseFunc(`func sq(A: buffer<float32>[16]) {
  block root() {
    for i in 0..4 {
      for j in 0..4 {
        block B(vi: spatial(0..16) = i * i, vj: spatial(0..4) = j) {
          reads()
          writes(A[vi])
          A[vi] = 1.0
        }
      }
    }
  }
}`));
  const [si, sj] = sq.getLoops(sq.getBlock("B"));
  assertScheduleError(sq, () => sq.reorder(sj, si), "SCHEDULE_NOT_AFFINE");
});

Deno.test("reorder keeps a loop repeating a reduction outside its reduction loops", () => {
  // Regression: after a compute-at that recomputes S whole per iteration of r, moving k out of r
  // made each r repeat the update of S (its init runs only at k = 0).
  const f = parseFunc(`func f(A: buffer<float32>[4, 8], S: buffer<float32>[4]) {
  block root() {
    for r in 0..2 {
      for i in 0..4 {
        for k in 0..8 {
          block S(vi: spatial(0..4) = i, vk: reduce(0..8) = k) {
            reads(S[vi], A[vi, vk])
            writes(S[vi])
            init {
              S[vi] = 0.0
            }
            S[vi] = S[vi] + A[vi, vk]
          }
        }
      }
    }
  }
}`);
  const sch = new Schedule(f);
  const [r, i, k] = sch.getLoops(sch.getBlock("S"));
  const e = assertScheduleError(sch, () => sch.reorder(k, r), "SCHEDULE_REPEATING_LOOP");
  assert(e.message.includes('"r"') && e.message.includes('"k"'), e.message);
  sch.reorder(i, r); // r stays outside k
  assertEquivalent(f, sch.func, 1);
});
