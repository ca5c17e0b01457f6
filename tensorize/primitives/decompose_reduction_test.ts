import { assert } from "../../ir/test_util.ts";
import { parseFunc } from "../../ir/script/mod.ts";
import * as ops from "../../ir/ops/mod.ts";
import { Schedule } from "../mod.ts";
import {
  assertEquivalent,
  assertSameFunc,
  assertScheduleError,
  assertTraceRoundTrip,
  matmulFunc,
} from "../testing.ts";

const MM = `func mm(A: buffer<float32>[4, 6], B: buffer<float32>[6, 5], C: buffer<float32>[4, 5]) {
  block root() {
    for i in 0..4 {
      for j in 0..5 {
        for k in 0..6 {
          block C(vi: spatial(0..4) = i, vj: spatial(0..5) = j, vk: reduce(0..6) = k) {
            reads(C[vi, vj], A[vi, vk], B[vk, vj])
            writes(C[vi, vj])
            init {
              C[vi, vj] = 0.0
            }
            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
          }
        }
      }
    }
  }
}`;

Deno.test("decomposeReduction: the init becomes a block before the loop", () => {
  const f = parseFunc(MM);
  const sch = new Schedule(f);
  const c = sch.getBlock("C");
  const [, j] = sch.getLoops(c);
  const init = sch.decomposeReduction(c, j);
  assertSameFunc(
    sch.func,
    parseFunc(
      `func mm(A: buffer<float32>[4, 6], B: buffer<float32>[6, 5], C: buffer<float32>[4, 5]) {
  block root() {
    for i in 0..4 {
      for j_1 in 0..5 {
        block C_init(wi: spatial(0..4) = i, wj: spatial(0..5) = j_1) {
          writes(C[wi, wj])
          C[wi, wj] = 0.0
        }
      }
      for j in 0..5 {
        for k in 0..6 {
          block C(vi: spatial(0..4) = i, vj: spatial(0..5) = j, vk: reduce(0..6) = k) {
            reads(C[vi, vj], A[vi, vk], B[vk, vj])
            writes(C[vi, vj])
            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
          }
        }
      }
    }
  }
}`,
    ),
  );
  assert(sch.get(init).name === "C_init");
  assertEquivalent(f, sch.func, 2);
  assertTraceRoundTrip(sch, f);
});

Deno.test("decomposeReduction after a non-dividing split keeps the spatial guard", () => {
  const f = matmulFunc();
  const sch = new Schedule(f);
  const c = sch.getBlock("C");
  const [i, j] = sch.getLoops(c);
  sch.split(j, [undefined, 5]);
  sch.decomposeReduction(c, i);
  assert(sch.show().includes("block C_init"), sch.show());
  for (const n of [1, 3]) assertEquivalent(f, sch.func, 2, { sizes: { n } });
  assertTraceRoundTrip(sch, f);
});

Deno.test("decomposeReduction on the catalogue: conv2d, reduce_max, avg_pool2d", () => {
  for (const name of ["conv2d", "reduce_max", "avg_pool2d"]) {
    const d = ops.findOp(name);
    const c = d.cases[0];
    const f = d.build(c);
    const sch = new Schedule(f);
    const blocks = [...sch.show().matchAll(/block (\w+)\(.*: reduce\(/g)].map((m) => m[1]);
    const b = sch.getBlock(blocks[0]);
    sch.decomposeReduction(b, sch.getLoops(b)[0]);
    assertEquivalent(f, sch.func, c.inputs.length, { inputs: d.makeInputs(c, 4), sizes: c.vars });
    assertTraceRoundTrip(sch, f);
  }
});

Deno.test("decomposeReduction errors, one per code", () => {
  const f = parseFunc(MM);
  const sch = new Schedule(f);
  const c = sch.getBlock("C");
  const [i, , k] = sch.getLoops(c);
  sch.reorder(k, i);
  const j2 = sch.getLoops(c)[1];
  assertScheduleError(sch, () => sch.decomposeReduction(c, j2), "SCHEDULE_LOOP_TOO_LOW");
  const g = parseFunc(
    MM.replace("for k in 0..6 {", "for k in 0..3 {").replace(
      "vk: reduce(0..6) = k",
      "vk: reduce(0..6) = k * k",
    ),
  );
  const s2 = new Schedule(g);
  const c2 = s2.getBlock("C");
  const [i2] = s2.getLoops(c2);
  assertScheduleError(s2, () => s2.decomposeReduction(c2, i2), "SCHEDULE_NOT_AFFINE");
  const h = parseFunc(`func h(A: buffer<float32>[4], B: buffer<float32>[4]) {
  block root() {
    for i in 0..4 {
      block B(vi: spatial(0..4) = i) {
        reads(A[vi])
        writes(B[vi])
        B[vi] = A[vi]
      }
    }
    for i1 in 0..4 {
      block D(v1: spatial(0..4) = i1) {
        reads(A[v1])
        writes(A[v1])
        A[v1] = A[v1] + 1.0
      }
    }
  }
}`);
  const s3 = new Schedule(h);
  const b3 = s3.getBlock("B");
  const [l3] = s3.getLoops(b3);
  assertScheduleError(s3, () => s3.decomposeReduction(b3, l3), "SCHEDULE_NOT_REDUCTION");
  const other = parseFunc(
    MM.replace(
      "block root() {",
      "block root() {\n    for z in 0..1 {\n      block Z(vz: spatial(0..1) = z) {\n        reads()\n        writes()\n        eval 0\n      }\n    }",
    ),
  );
  const s5 = new Schedule(other);
  const c5 = s5.getBlock("C");
  const [z] = s5.getLoops(s5.getBlock("Z"));
  assertScheduleError(s5, () => s5.decomposeReduction(c5, z), "SCHEDULE_LOOP_NOT_ANCESTOR");
});

Deno.test("decomposeReduction refuses a loop that repeats the update without binding it", () => {
  // After the compute-at, the write-back's loop `ax0` repeats the whole reduction (idempotent with
  // the init inside); an init hoisted above it would run once for all of its iterations.
  const f = parseFunc(MM);
  const sch = new Schedule(f);
  const c = sch.getBlock("C");
  const back = sch.cacheWrite(c, 0, "global");
  const [ax0] = sch.getLoops(back);
  sch.reverseComputeAt(c, ax0);
  const [outer, i] = sch.getLoops(c);
  assertScheduleError(sch, () => sch.decomposeReduction(c, outer), "SCHEDULE_REPEATING_LOOP");
  sch.decomposeReduction(c, i);
  assertEquivalent(f, sch.func, 2);
});

Deno.test("decomposeReduction of a blockized block binds reduction variables its init names", () => {
  // Regression: blockize moved the init (guarded by `k_1_init + vk_o * 3 < 16`) to the outer
  // block; decomposed, the init block has no vk_o, which must be its minimum there.
  const f = matmulFunc("int32");
  const sch = new Schedule(f);
  const [, , k] = sch.getLoops(sch.getBlock("C"));
  const [, k1] = sch.split(k, [undefined, 3]);
  const outer = sch.blockize(k1);
  const [, , k0] = sch.getLoops(outer);
  sch.decomposeReduction(outer, k0);
  const text = sch.show();
  assert(text.includes("block C_init() where k_1_init < 16 {"), text);
  assertEquivalent(f, sch.func, 2, { sizes: { n: 3 } });
  assertTraceRoundTrip(sch, f);
});
