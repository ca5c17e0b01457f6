import { assert, assertEquals } from "../../ir/test_util.ts";
import { parseFunc } from "../../ir/script/mod.ts";
import * as ops from "../../ir/ops/mod.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { Schedule } from "../mod.ts";
import {
  assertEquivalent,
  assertSameFunc,
  assertScheduleError,
  assertTraceRoundTrip,
} from "../testing.ts";

const TWO = `func f(A: buffer<float32>[10, 16], C: buffer<float32>[10, 16]) {
  block root() {
    alloc B: buffer<float32>[10, 16]
    for i in 0..10 {
      for j in 0..16 {
        block B(vi: spatial(0..10) = i, vj: spatial(0..16) = j) {
          reads(A[vi, vj])
          writes(B[vi, vj])
          B[vi, vj] = A[vi, vj] * 2.0
        }
      }
    }
    for i1 in 0..10 {
      for j1 in 0..16 {
        block C(wi: spatial(0..10) = i1, wj: spatial(0..16) = j1) {
          reads(B[wi, wj])
          writes(C[wi, wj])
          C[wi, wj] = B[wi, wj] + 1.0
        }
      }
    }
  }
}`;

Deno.test("computeAt: a producer under a split consumer loop computes its tile, guarded", () => {
  const f = parseFunc(TWO);
  const sch = new Schedule(f);
  const [i] = sch.getLoops(sch.getBlock("C"));
  const [io] = sch.split(i, [undefined, 4]);
  sch.computeAt(sch.getBlock("B"), io);
  assertSameFunc(
    sch.func,
    parseFunc(`func f(A: buffer<float32>[10, 16], C: buffer<float32>[10, 16]) {
  block root() {
    alloc B: buffer<float32>[10, 16]
    for i1_0 in 0..3 {
      for ax0 in 0..4 {
        for ax1 in 0..16 {
          block B(vi: spatial(0..10) = ax0 + i1_0 * 4, vj: spatial(0..16) = ax1) where ax0 + i1_0 * 4 < 10 {
            reads(A[vi, vj])
            writes(B[vi, vj])
            B[vi, vj] = A[vi, vj] * 2.0
          }
        }
      }
      for i1_1 in 0..4 {
        for j1 in 0..16 {
          block C(wi: spatial(0..10) = i1_0 * 4 + i1_1, wj: spatial(0..16) = j1) where i1_0 * 4 + i1_1 < 10 {
            reads(B[wi, wj])
            writes(C[wi, wj])
            C[wi, wj] = B[wi, wj] + 1.0
          }
        }
      }
    }
  }
}`),
  );
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
});

Deno.test("computeAt: at the innermost loop, unit ranges bind directly unless preserved", () => {
  const f = parseFunc(TWO);
  const sch = new Schedule(f);
  const [, j] = sch.getLoops(sch.getBlock("C"));
  sch.computeAt(sch.getBlock("B"), j);
  assert(!sch.show().includes("ax0"), sch.show());
  assertEquivalent(f, sch.func, 1);
  const kept = new Schedule(f);
  const [, j2] = kept.getLoops(kept.getBlock("C"));
  kept.computeAt(kept.getBlock("B"), j2, { preserveUnitLoops: true });
  assert(kept.show().includes("for ax1 in 0..1"), kept.show());
  assertEquivalent(f, kept.func, 1);
  assertTraceRoundTrip(kept, f);
});

/** Schedule an op of the catalogue (first case) and check it in the interpreter. */
function onOp(name: string, fn: (sch: Schedule, f: PrimFunc) => void): Schedule {
  const d = ops.findOp(name);
  const c = d.cases[0];
  const f = d.build(c);
  const sch = new Schedule(f);
  fn(sch, f);
  assertEquivalent(f, sch.func, c.inputs.length, { sizes: c.vars, inputs: d.makeInputs(c, 3) });
  assertTraceRoundTrip(sch, f);
  return sch;
}

Deno.test("computeAt on the catalogue: conv2d's padding under the output row loop", () => {
  const sch = onOp("conv2d", (sch) => {
    const loops = sch.getLoops(sch.getBlock("T_conv2d_nchw"));
    sch.computeAt(sch.getBlock("T_conv2d_nchw_pad"), loops[2]);
  });
  // one output row needs three padded rows (of all input channels, all columns)
  assert(sch.show().includes("for ax1 in 0..3"), sch.show());
});

Deno.test("computeAt on the catalogue: max_pool2d's padding per output pixel", () => {
  onOp("max_pool2d", (sch) => {
    const loops = sch.getLoops(sch.getBlock("T_max_pool2d"));
    sch.computeAt(sch.getBlock("T_max_pool2d_pad"), loops[3]);
  });
});

Deno.test("computeAt on the catalogue: softmax row maximum and layer_norm sum per row", () => {
  onOp("softmax", (sch) => {
    const [i] = sch.getLoops(sch.getBlock("T_softmax_exp"));
    sch.computeAt(sch.getBlock("T_softmax_maxelem"), i);
  });
  onOp("layer_norm", (sch) => {
    const [i] = sch.getLoops(sch.getBlock("T_layer_norm_mean"));
    sch.computeAt(sch.getBlock("T_layer_norm_sum"), i);
  });
});

Deno.test("reverseComputeAt: a consumer under a split producer loop", () => {
  const f = parseFunc(TWO);
  const sch = new Schedule(f);
  const [i] = sch.getLoops(sch.getBlock("B"));
  const [io] = sch.split(i, [2, 5]);
  sch.reverseComputeAt(sch.getBlock("C"), io);
  const text = sch.show();
  assert(text.includes("for ax0 in 0..5"), text);
  assert(!text.includes("where"), text);
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
});

Deno.test("computeAt/reverseComputeAt errors, one per code; the schedule is unchanged", () => {
  const f = parseFunc(TWO);
  const sch = new Schedule(f);
  const b = sch.getBlock("B"), c = sch.getBlock("C");
  const [i, j] = sch.getLoops(b);
  const [i1] = sch.getLoops(c);
  const root = sch.getBlock("root");
  assertScheduleError(sch, () => sch.computeAt(root, i1), "SCHEDULE_ROOT_BLOCK");
  const e = assertScheduleError(sch, () => sch.computeAt(b, j), "SCHEDULE_LOOP_IS_ANCESTOR");
  assertEquals(
    e.message,
    `Cannot compute block "B" at loop "j": the loop is an ancestor of the block`,
  );
  assertScheduleError(sch, () => sch.computeAt(c, i), "SCHEDULE_OUTPUT_BLOCK");
  assertScheduleError(sch, () => sch.computeAt(b, i), "SCHEDULE_LOOP_IS_ANCESTOR");
});

Deno.test("computeAt errors: consumers/producers outside the loop, another scope, incomplete block", () => {
  const f = parseFunc(`func f(A: buffer<float32>[8], D: buffer<float32>[8], E: buffer<float32>[8]) {
  block root() {
    alloc B: buffer<float32>[8]
    alloc X: buffer<float32>[8]
    for i in 0..8 {
      block B(vi: spatial(0..8) = i) {
        reads(A[vi], X[vi])
        writes(B[vi])
        B[vi] = A[vi] + X[vi]
      }
    }
    for i1 in 0..8 {
      block D(v1: spatial(0..8) = i1) {
        reads(B[v1])
        writes(D[v1])
        D[v1] = B[v1]
      }
      block X(v2: spatial(0..8) = i1) {
        reads(A[v2])
        writes(X[v2])
        X[v2] = A[v2]
      }
    }
    for i2 in 0..8 {
      block E(v3: spatial(0..8) = i2) {
        reads(B[v3])
        writes(E[v3])
        E[v3] = B[v3]
      }
    }
    block outer() {
      for i3 in 0..8 {
        block acc(v4: spatial(0..8) = i3) {
          reads(E[v4])
          writes(E[v4])
          E[v4] = E[v4] + 1.0
        }
      }
    }
  }
}`);
  const sch = new Schedule(f);
  const [i1] = sch.getLoops(sch.getBlock("D"));
  const [i3] = sch.getLoops(sch.getBlock("acc"));
  const b = sch.getBlock("B");
  assertScheduleError(sch, () => sch.computeAt(b, i1), "SCHEDULE_CONSUMERS_NOT_UNDER_LOOP");
  const e = sch.getBlock("E"), acc = sch.getBlock("acc");
  assertScheduleError(sch, () => sch.reverseComputeAt(e, i1), "SCHEDULE_PRODUCERS_NOT_UNDER_LOOP");
  assertScheduleError(sch, () => sch.computeAt(b, i3), "SCHEDULE_NOT_SAME_SCOPE");
  assertScheduleError(sch, () => sch.reverseComputeAt(acc, i1), "SCHEDULE_NOT_SAME_SCOPE");
  const h = parseFunc(`func h(A: buffer<float32>[8], C: buffer<float32>[8]) {
  block root() {
    alloc B: buffer<float32>[8]
    for i in 0..8 {
      block B(vi: spatial(0..8) = i) {
        reads(B[vi], A[vi])
        writes(B[vi])
        B[vi] = B[vi] + A[vi]
      }
    }
    for i1 in 0..8 {
      block C(v1: spatial(0..8) = i1) {
        reads(B[v1])
        writes(C[v1])
        C[v1] = B[v1]
      }
    }
  }
}`);
  const s3 = new Schedule(h);
  const [k1] = s3.getLoops(s3.getBlock("C"));
  const b3 = s3.getBlock("B");
  assertScheduleError(s3, () => s3.computeAt(b3, k1), "SCHEDULE_NOT_COMPLETE_OR_REDUCTION");
});

Deno.test("computeAt errors: unbounded, unmappable and uncovered regions", () => {
  const f = parseFunc(`func f(A: buffer<float32>[8], I: buffer<int32>[8], C: buffer<float32>[8]) {
  block root() {
    alloc B: buffer<float32>[8]
    for i in 0..8 {
      block B(vi: spatial(0..8) = i) {
        reads(A[vi])
        writes(B[vi])
        B[vi] = A[vi]
      }
    }
    for i1 in 0..2 {
      for j1 in 0..4 {
        block C(v1: spatial(0..8) = i1 * 4 + j1) {
          reads(B[I[v1]], I[v1])
          writes(C[v1])
          C[v1] = B[I[v1]]
        }
      }
    }
  }
}`);
  const sch = new Schedule(f);
  const [i1] = sch.getLoops(sch.getBlock("C"));
  const b = sch.getBlock("B");
  assertScheduleError(sch, () => sch.computeAt(b, i1), "SCHEDULE_REGION_UNBOUNDED");
  const g = parseFunc(`func g(A: buffer<float32>[8], C: buffer<float32>[8]) {
  block root() {
    alloc B: buffer<float32>[8]
    for i in 0..4 {
      for j in 0..2 {
        block B(vi: spatial(0..4) = i, vj: spatial(0..2) = j) {
          reads(A[vi * 2 + vj])
          writes(B[vi * 2 + vj])
          B[vi * 2 + vj] = A[vi * 2 + vj]
        }
      }
    }
    for i1 in 0..8 {
      block C(v1: spatial(0..8) = i1) {
        reads(B[v1])
        writes(C[v1])
        C[v1] = B[v1]
      }
    }
  }
}`);
  const s2 = new Schedule(g);
  const [k1] = s2.getLoops(s2.getBlock("C"));
  const b2 = s2.getBlock("B");
  assertScheduleError(s2, () => s2.computeAt(b2, k1), "SCHEDULE_REGION_PATTERN");
  const h = parseFunc(`func h(A: buffer<float32>[8], C: buffer<float32>[8]) {
  block root() {
    alloc B: buffer<float32>[8]
    for i in 0..4 {
      block B(vi: spatial(0..4) = i) {
        reads(A[vi])
        writes(B[vi])
        B[vi] = A[vi]
      }
    }
    for i1 in 0..8 {
      block C(v1: spatial(0..8) = i1) {
        reads(B[v1])
        writes(C[v1])
        C[v1] = B[v1]
      }
    }
  }
}`);
  const s3 = new Schedule(h);
  const [l] = s3.getLoops(s3.getBlock("B"));
  const c3 = s3.getBlock("C");
  assertScheduleError(s3, () => s3.reverseComputeAt(c3, l), "SCHEDULE_REGION_NOT_COVERED");
});

Deno.test("reverseComputeAt refuses to move a block after a loop that follows its consumers", () => {
  // B's only consumer C runs before D's loop: moving B there would make C read B unwritten.
  const f = parseFunc(`func f(A: buffer<float32>[8], C: buffer<float32>[8], D: buffer<float32>[8]) {
  block root() {
    alloc B: buffer<float32>[8]
    for i in 0..8 {
      block B(vi: spatial(0..8) = i) {
        reads(A[vi])
        writes(B[vi])
        B[vi] = A[vi] * 2.0
      }
    }
    for i1 in 0..8 {
      block C(vi: spatial(0..8) = i1) {
        reads(B[vi])
        writes(C[vi])
        C[vi] = B[vi] + 1.0
      }
    }
    for i2 in 0..8 {
      block D(vi: spatial(0..8) = i2) {
        reads(A[vi])
        writes(D[vi])
        D[vi] = A[vi] + 3.0
      }
    }
  }
}`);
  const sch = new Schedule(f);
  const [i2] = sch.getLoops(sch.getBlock("D"));
  const b = sch.getBlock("B");
  const e = assertScheduleError(
    sch,
    () => sch.reverseComputeAt(b, i2),
    "SCHEDULE_DEPENDENCY_ORDER",
  );
  assert(e.message.includes('"B"') && e.message.includes('"i2"') && e.message.includes('"C"'));
});

Deno.test("reverseComputeAt refuses a loop that drives a producer's reduction", () => {
  const f = parseFunc(`func f(A: buffer<float32>[4, 8], C: buffer<float32>[4]) {
  block root() {
    alloc S: buffer<float32>[4]
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
    for i1 in 0..4 {
      block C(vi: spatial(0..4) = i1) {
        reads(S[vi])
        writes(C[vi])
        C[vi] = S[vi] * 2.0
      }
    }
  }
}`);
  const sch = new Schedule(f);
  const [i, k] = sch.getLoops(sch.getBlock("S"));
  const c = sch.getBlock("C");
  assertScheduleError(sch, () => sch.reverseComputeAt(c, k), "SCHEDULE_LOOP_TOO_LOW");
  sch.reverseComputeAt(c, i);
  assertEquivalent(f, sch.func, 1);
});
