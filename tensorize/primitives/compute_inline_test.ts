import { assert, assertEquals } from "../../ir/test_util.ts";
import { parseFunc, print } from "../../ir/script/mod.ts";
import * as ops from "../../ir/ops/mod.ts";
import { placeholder } from "../../ir/te.ts";
import { Schedule } from "../mod.ts";
import { findBlock } from "../analysis/find.ts";
import {
  assertEquivalent,
  assertSameFunc,
  assertScheduleError,
  assertTraceRoundTrip,
} from "../testing.ts";

const CHAIN = `func f(A: buffer<float32>[8, 4], C: buffer<float32>[8, 4]) {
  block root() {
    alloc B: buffer<float32>[8, 4]
    for i in 0..8 {
      for j in 0..4 {
        block B(vi: spatial(0..8) = i, vj: spatial(0..4) = j) {
          reads(A[vi, vj])
          writes(B[vi, vj])
          B[vi, vj] = A[vi, vj] * 2.0
        }
      }
    }
    for i1 in 0..8 {
      for j1 in 0..4 {
        block C(wi: spatial(0..8) = i1, wj: spatial(0..4) = j1) {
          reads(B[wi, wj])
          writes(C[wi, wj])
          C[wi, wj] = B[wi, wj] + 1.0
        }
      }
    }
  }
}`;

Deno.test("computeInline: the producer's value replaces its loads, the buffer goes", () => {
  const f = parseFunc(CHAIN);
  const sch = new Schedule(f);
  sch.computeInline(sch.getBlock("B"));
  assertSameFunc(
    sch.func,
    parseFunc(`func f(A: buffer<float32>[8, 4], C: buffer<float32>[8, 4]) {
  block root() {
    for i1 in 0..8 {
      for j1 in 0..4 {
        block C(wi: spatial(0..8) = i1, wj: spatial(0..4) = j1) {
          reads(A[wi, wj])
          writes(C[wi, wj])
          C[wi, wj] = A[wi, wj] * 2.0 + 1.0
        }
      }
    }
  }
}`),
  );
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
});

Deno.test("reverseComputeInline: the producer stores the consumer's value", () => {
  const f = parseFunc(CHAIN);
  const sch = new Schedule(f);
  sch.reverseComputeInline(sch.getBlock("C"));
  assertSameFunc(
    sch.func,
    parseFunc(`func f(A: buffer<float32>[8, 4], C: buffer<float32>[8, 4]) {
  block root() {
    for i in 0..8 {
      for j in 0..4 {
        block B(vi: spatial(0..8) = i, vj: spatial(0..4) = j) {
          reads(A[vi, vj])
          writes(C[vi, vj])
          C[vi, vj] = A[vi, vj] * 2.0 + 1.0
        }
      }
    }
  }
}`),
  );
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
});

Deno.test("inlining on the catalogue: conv2d/pool padding, softmax exp, layer_norm mean, a chain", () => {
  const cases: [string, (s: Schedule) => void][] = [
    ["conv2d", (s) => s.computeInline(s.getBlock("T_conv2d_nchw_pad"))],
    ["avg_pool2d", (s) => s.computeInline(s.getBlock(s.show().match(/block (\w+_pad)\(/)![1]))],
    ["softmax", (s) => s.computeInline(s.getBlock("T_softmax_exp"))],
    ["layer_norm", (s) => {
      s.computeInline(s.getBlock("T_layer_norm_mean"));
      s.computeInline(s.getBlock("T_layer_norm_rstd"));
    }],
  ];
  for (const [name, fn] of cases) {
    const d = ops.findOp(name);
    const c = d.cases[0];
    const f = d.build(c);
    const sch = new Schedule(f);
    fn(sch);
    assertEquivalent(f, sch.func, c.inputs.length, { inputs: d.makeInputs(c, 5), rtol: 1e-5 });
    assertTraceRoundTrip(sch, f);
  }
  const A = placeholder([6, 5], "float32", "A");
  const f = ops.toPrimFunc("chain", [A], [ops.add(ops.relu(ops.exp(A)), A)]);
  const sch = new Schedule(f);
  sch.reverseComputeInline(sch.getBlock("T_relu"));
  sch.computeInline(sch.getBlock("T_exp"));
  assert(!sch.show().includes("alloc"), sch.show());
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
});

Deno.test("computeInline/reverseComputeInline errors, one per code", () => {
  const f = parseFunc(
    `func f(A: buffer<float32>[8], I: buffer<float32>[4], C: buffer<float32>[8], D: buffer<float32>[8], E: buffer<float32>[4]) {
  block root() {
    alloc B: buffer<float32>[8]
    alloc S: buffer<float32>[1]
    alloc H: buffer<float32>[8]
    for i in 0..8 {
      block B(vi: spatial(0..8) = i) {
        reads(A[vi])
        writes(B[vi])
        B[vi] = A[vi] * 2.0
      }
    }
    for i1 in 0..8 {
      block S(v1: reduce(0..8) = i1) {
        reads(S[0], B[v1])
        writes(S[0])
        init {
          S[0] = 0.0
        }
        S[0] = S[0] + B[v1]
      }
    }
    for i2 in 0..8 {
      block C(v2: spatial(0..8) = i2) {
        reads(B[v2], S[0])
        writes(C[v2])
        C[v2] = B[v2] + S[0]
      }
    }
    for i3 in 0..8 {
      block H(v3: spatial(0..8) = i3) {
        reads(A[7 - v3])
        writes(H[7 - v3])
        H[7 - v3] = A[7 - v3]
      }
    }
    for i4 in 0..8 {
      block D(v4: spatial(0..8) = i4) {
        reads(H[v4])
        writes(D[v4])
        D[v4] = H[v4]
      }
    }
    for i5 in 0..4 {
      block E(v5: spatial(0..4) = i5) {
        reads(A[v5], I[v5])
        writes(E[v5])
        E[v5] = A[v5] + I[v5]
      }
    }
  }
}`,
  );
  const sch = new Schedule(f);
  const [s, c, h, d, e, root] = ["S", "C", "H", "D", "E", "root"].map((n) => sch.getBlock(n));
  assertScheduleError(sch, () => sch.computeInline(root), "SCHEDULE_ROOT_BLOCK");
  assertScheduleError(sch, () => sch.computeInline(s), "SCHEDULE_NOT_COMPLETE");
  assertScheduleError(sch, () => sch.computeInline(h), "SCHEDULE_INLINE_BODY");
  assertScheduleError(sch, () => sch.computeInline(c), "SCHEDULE_OUTPUT_BLOCK");
  assertScheduleError(sch, () => sch.reverseComputeInline(c), "SCHEDULE_PRODUCER_COUNT");
  assertScheduleError(sch, () => sch.reverseComputeInline(s), "SCHEDULE_NOT_COMPLETE");
  assertScheduleError(sch, () => sch.reverseComputeInline(d), "SCHEDULE_INLINE_BODY");
  assertScheduleError(sch, () => sch.reverseComputeInline(e), "SCHEDULE_PRODUCER_COUNT");
  const g = parseFunc(`func g(A: buffer<float32>[8], C: buffer<float32>[8], D: buffer<float32>[4]) {
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
      block C(v1: spatial(0..8) = i1) {
        reads(B[v1])
        writes(C[v1])
        C[v1] = B[v1]
      }
    }
    for i2 in 0..4 {
      block D(v2: spatial(0..4) = i2) {
        reads(B[v2])
        writes(D[v2])
        D[v2] = B[v2]
      }
    }
  }
}`);
  const s2 = new Schedule(g);
  const c2 = s2.getBlock("C");
  assertScheduleError(s2, () => s2.reverseComputeInline(c2), "SCHEDULE_OTHER_CONSUMERS");
  const g2 = parseFunc(s2.show().replace(/ {4}for i1 in 0\.\.8 \{[\s\S]*?\n {4}\}\n/, ""));
  const s3 = new Schedule(g2);
  const d3 = s3.getBlock("D");
  assertScheduleError(s3, () => s3.reverseComputeInline(d3), "SCHEDULE_REGION_NOT_COVERED");
  const o = parseFunc(
    CHAIN.replace("alloc B: buffer<float32>[8, 4]\n", "").replace(
      "C: buffer<float32>[8, 4])",
      "C: buffer<float32>[8, 4], B: buffer<float32>[8, 4])",
    ),
  );
  const s4 = new Schedule(o);
  const c4 = s4.getBlock("C");
  assertScheduleError(s4, () => s4.reverseComputeInline(c4), "SCHEDULE_OUTPUT_BLOCK");
});

Deno.test("inlining inside a blockized block: the intermediate must belong to the scope", () => {
  // Regression: the write-back of a cache stage inside B_o writes B (allocated at the root, read
  // by C outside B_o); inlining it put loads of B_local, B_o's own buffer, into C.
  const f = parseFunc(CHAIN);
  const sch = new Schedule(f);
  const [, j] = sch.getLoops(sch.getBlock("B"));
  sch.blockize(j);
  const back = sch.cacheWrite(sch.getBlock("B"), 0, "local");
  const e = assertScheduleError(sch, () => sch.computeInline(back), "SCHEDULE_OUTPUT_BLOCK");
  assert(e.message.includes('"B_o" does not allocate'), e.message);
  assertEquivalent(f, sch.func, 1);
});

const WAR = (reader: string) =>
  `func f(A: buffer<float32>[4], D: buffer<float32>[4], T: buffer<float32>[4]) {
  block root() {
    alloc B: buffer<float32>[4]
    for i in 0..4 {
      block B(vi: spatial(0..4) = i) {
        reads(A[vi])
        writes(B[vi])
        B[vi] = A[vi] * 2.0
      }
    }
    for i in 0..4 {
      block E(vi: spatial(0..4) = i) {
        reads(${reader}[vi])
        writes(D[vi])
        D[vi] = ${reader}[vi] + 1.0
      }
    }
    for i in 0..4 {
      block C(vi: spatial(0..4) = i) {
        reads(B[vi])
        writes(T[vi])
        T[vi] = B[vi] + 1.0
      }
    }
  }
}`;

Deno.test("reverseComputeInline refuses to move a store above a block that reads it first", () => {
  // C's store of T moves up to B's place: E, between them, would read the new T, not the old.
  const sch = new Schedule(parseFunc(WAR("T")));
  const c = sch.getBlock("C");
  const e = assertScheduleError(
    sch,
    () => sch.reverseComputeInline(c),
    "SCHEDULE_DEPENDENCY_ORDER",
  );
  assert(e.message.includes('"E"') && e.message.includes('"T"'), e.message);
  // E reading A instead is no dependency: B then stores T directly
  const f = parseFunc(WAR("A"));
  const ok = new Schedule(f);
  ok.reverseComputeInline(ok.getBlock("C"));
  assert(ok.show().includes("T[vi] = A[vi] * 2.0 + 1.0"), ok.show());
  assertEquivalent(f, ok.func, 1);
  assertTraceRoundTrip(ok, f);
});

Deno.test("computeInline into a blockized consumer refreshes the outer block's reads", () => {
  // Regression: C_o kept reading B (removed); block order by declared regions then let a
  // compute-at move A's producer past C_o.
  const f = parseFunc(CHAIN);
  const sch = new Schedule(f);
  const [, j] = sch.getLoops(sch.getBlock("C"));
  sch.blockize(j);
  sch.computeInline(sch.getBlock("B"));
  const outer = findBlock(sch.func, "C_o")!.block;
  assertEquals(outer.reads.map((r) => print(r)), ["A[wi_o, 0..4]"]);
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
});
