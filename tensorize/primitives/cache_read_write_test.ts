import { assert, assertEquals } from "../../ir/test_util.ts";
import { parseFunc } from "../../ir/script/mod.ts";
import * as ops from "../../ir/ops/mod.ts";
import { Schedule } from "../mod.ts";
import { findBlock } from "../analysis/find.ts";
import {
  assertEquivalent,
  assertSameFunc,
  assertScheduleError,
  assertTraceRoundTrip,
  matmulFunc,
} from "../testing.ts";

const EW = `func f(A: buffer<float32>[8, 4], C: buffer<float32>[8, 4]) {
  block root() {
    for i in 0..8 {
      for j in 0..4 {
        block C(vi: spatial(0..8) = i, vj: spatial(0..4) = j) {
          reads(A[vi, vj])
          writes(C[vi, vj])
          C[vi, vj] = A[vi, vj] + 1.0
        }
      }
    }
  }
}`;

Deno.test("cacheRead: a copy block into a shared buffer before the reader", () => {
  const f = parseFunc(EW);
  const sch = new Schedule(f);
  const a = sch.cacheRead(sch.getBlock("C"), 0, "shared");
  assertSameFunc(
    sch.func,
    parseFunc(`func f(A: buffer<float32>[8, 4], C: buffer<float32>[8, 4]) {
  block root() {
    alloc A_shared: buffer<float32>[8, 4](scope = "shared")
    for ax0 in 0..8 {
      for ax1 in 0..4 {
        block A_shared(v0: spatial(0..8) = ax0, v1: spatial(0..4) = ax1) {
          reads(A[v0, v1])
          writes(A_shared[v0, v1])
          A_shared[v0, v1] = A[v0, v1]
        }
      }
    }
    for i in 0..8 {
      for j in 0..4 {
        block C(vi: spatial(0..8) = i, vj: spatial(0..4) = j) {
          reads(A_shared[vi, vj])
          writes(C[vi, vj])
          C[vi, vj] = A_shared[vi, vj] + 1.0
        }
      }
    }
  }
}`),
  );
  assert(sch.get(a).name === "A_shared");
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
});

Deno.test("cacheWrite: the block writes a local cache, copied back after it", () => {
  const f = parseFunc(EW);
  const sch = new Schedule(f);
  sch.cacheWrite(sch.getBlock("C"), 0, "local");
  const text = sch.show();
  assert(text.includes("C_local[vi, vj] = A[vi, vj] + 1.0"), text);
  assert(text.includes("C[v0, v1] = C_local[v0, v1]"), text);
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
});

Deno.test("cache stages on the catalogue: matmul, softmax, conv2d (with chosen consumers)", () => {
  for (
    const [name, fn] of [
      ["matmul", (s: Schedule) => {
        const c = s.getBlock("T_matmul");
        s.cacheRead(c, 1, "shared");
        s.cacheRead(c, 2, "local");
        s.cacheWrite(c, 0, "local");
      }],
      ["softmax", (s: Schedule) => {
        const e = s.getBlock("T_softmax_exp");
        s.cacheRead(e, 0, "local", [e]);
        s.cacheWrite(s.getBlock("T_softmax_expsum"), 0, "local");
      }],
      ["conv2d", (s: Schedule) => {
        s.cacheRead(s.getBlock("T_conv2d_nchw"), 1, "shared");
        s.cacheWrite(s.getBlock("T_conv2d_nchw"), 0, "local");
      }],
    ] as const
  ) {
    const d = ops.findOp(name);
    const c = d.cases[0];
    const f = d.build(c);
    const sch = new Schedule(f);
    fn(sch);
    assertEquivalent(f, sch.func, c.inputs.length, { inputs: d.makeInputs(c, 2) });
    assertTraceRoundTrip(sch, f);
  }
});

Deno.test("cacheRead/cacheWrite errors, one per code; the schedule is unchanged", () => {
  const f = matmulFunc();
  const sch = new Schedule(f);
  const c = sch.getBlock("C"), root = sch.getBlock("root");
  assertScheduleError(sch, () => sch.cacheRead(c, 3, "shared"), "SCHEDULE_BAD_BUFFER_INDEX");
  assertScheduleError(sch, () => sch.cacheWrite(c, 1, "local"), "SCHEDULE_BAD_BUFFER_INDEX");
  assertScheduleError(sch, () => sch.cacheRead(c, 1, "no scope"), "SCHEDULE_BAD_SCOPE");
  assertScheduleError(sch, () => sch.cacheWrite(root, 0, "local"), "SCHEDULE_ROOT_BLOCK");
  // C reads C (its accumulator) and writes it: no cache read of it for C
  assertScheduleError(sch, () => sch.cacheRead(c, 0, "local"), "SCHEDULE_CACHE_CONSUMER");
  const g = parseFunc(`func g(A: buffer<float32>[4], B: buffer<float32>[4], D: buffer<float32>[4]) {
  block root() {
    for i in 0..4 {
      block B1(v: spatial(0..4) = i) {
        reads(A[v])
        writes(B[v])
        B[v] = A[v]
      }
    }
    for i1 in 0..4 {
      block D1(v1: spatial(0..4) = i1) {
        reads(B[v1])
        writes(D[v1])
        D[v1] = B[v1]
      }
    }
    for i2 in 0..4 {
      block B2(v2: spatial(0..4) = i2) {
        reads(A[v2])
        writes(B[v2])
        B[v2] = A[v2] * 2.0
      }
    }
    for i3 in 0..4 {
      block D2(v3: spatial(0..4) = i3) {
        reads(B[v3], D[v3])
        writes(D[v3])
        D[v3] = D[v3] + B[v3]
      }
    }
  }
}`);
  const s2 = new Schedule(g);
  const d1 = s2.getBlock("D1"), b1 = s2.getBlock("B1");
  assertScheduleError(s2, () => s2.cacheWrite(b1, 0, "local"), "SCHEDULE_MULTIPLE_WRITERS");
  assertScheduleError(s2, () => s2.cacheRead(d1, 0, "local"), "SCHEDULE_NO_INSERT_POSITION");
  assertScheduleError(s2, () => s2.cacheRead(d1, 0, "local", [b1]), "SCHEDULE_CACHE_CONSUMER");
});

Deno.test("cacheWrite refuses when a reader was moved into the writer's loop nest", () => {
  // The write-back of the first cache runs under C's loop; a second cacheWrite of C would copy
  // into C_local after that nest, too late for the write-back that reads C_local inside it.
  const sch = new Schedule(parseFunc(EW));
  const c = sch.getBlock("C");
  const back = sch.cacheWrite(c, 0, "local");
  const [, j] = sch.getLoops(c);
  sch.reverseComputeAt(back, j);
  assertEquivalent(parseFunc(EW), sch.func, 1);
  const e = assertScheduleError(
    sch,
    () => sch.cacheWrite(c, 0, "global"),
    "SCHEDULE_NO_INSERT_POSITION",
  );
  assert(e.message.includes(`"C_local"`), e.message);
});

const EW_BLOCKIZED = `func f(A: buffer<float32>[8, 4], C: buffer<float32>[8, 4]) {
  block root() {
    for i in 0..8 {
      block C_o(vi_o: spatial(0..8) = i) {
        reads(A[vi_o, 0..4])
        writes(C[vi_o, 0..4])
        for j in 0..4 {
          block C(vj_i: spatial(0..4) = j) {
            reads(A[vi_o, vj_i])
            writes(C[vi_o, vj_i])
            C[vi_o, vj_i] = A[vi_o, vj_i] + 1.0
          }
        }
      }
    }
  }
}`;

Deno.test("cacheWrite inside a blockized block stages the block's own tile", () => {
  // Regression: the analyzer did not know vi_o's domain, so [vi_o, vi_o] was "clipped" to the
  // whole buffer and every outer instance copied all of C_local (garbage outside its row) to C.
  const f = parseFunc(EW_BLOCKIZED);
  const sch = new Schedule(f);
  sch.cacheWrite(sch.getBlock("C"), 0, "local");
  assertSameFunc(
    sch.func,
    parseFunc(`func f(A: buffer<float32>[8, 4], C: buffer<float32>[8, 4]) {
  block root() {
    for i in 0..8 {
      block C_o(vi_o: spatial(0..8) = i) {
        alloc C_local: buffer<float32>[8, 4](scope="local")
        reads(A[vi_o, 0..4])
        writes(C[vi_o, 0..4])
        for j in 0..4 {
          block C(vj_i: spatial(0..4) = j) {
            reads(A[vi_o, vj_i])
            writes(C_local[vi_o, vj_i])
            C_local[vi_o, vj_i] = A[vi_o, vj_i] + 1.0
          }
        }
        for ax0 in 0..1 {
          for ax1 in 0..4 {
            block C_local(v0: spatial(0..8) = vi_o + ax0, v1: spatial(0..4) = ax1) {
              reads(C_local[v0, v1])
              writes(C[v0, v1])
              C[v0, v1] = C_local[v0, v1]
            }
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

Deno.test("cacheRead inside a blockized tile of a non-dividing split copies the tile, guarded", () => {
  const text = (n: number) =>
    `func f(A: buffer<float32>[${n}, 4], C: buffer<float32>[${n}, 4]) {
  block root() {
    for i in 0..${n} {
      for j in 0..4 {
        block C(vi: spatial(0..${n}) = i, vj: spatial(0..4) = j) {
          reads(A[vi, vj])
          writes(C[vi, vj])
          C[vi, vj] = A[vi, vj] + 1.0
        }
      }
    }
  }
}`;
  const f = parseFunc(text(10));
  const sch = new Schedule(f);
  const [i] = sch.getLoops(sch.getBlock("C"));
  const [, i1] = sch.split(i, [undefined, 4]);
  sch.blockize(i1);
  sch.cacheRead(sch.getBlock("C"), 0, "shared");
  const shown = sch.show();
  // rows vi_o*4 .. vi_o*4+3 of A, the last tile's rows past 9 left out by the predicate
  assert(shown.includes("for ax0 in 0..4 {"), shown);
  assert(shown.includes("v0: spatial(0..10) = vi_o * 4 + ax0"), shown);
  assert(shown.includes("where vi_o * 4 + ax0 < 10"), shown);
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
});

Deno.test("cacheWrite refuses a block that reads values another block wrote (stale cache)", () => {
  // Regression: after decomposeReduction and blockize, the update block reads C's running sums
  // written by C_init outside the scope; a fresh C_local would start from garbage.
  const f = matmulFunc("int32");
  const sch = new Schedule(f);
  const c = sch.getBlock("C");
  const [i, j] = sch.getLoops(c);
  sch.decomposeReduction(c, i);
  sch.blockize(j);
  const update = sch.getBlock("C");
  const e = assertScheduleError(
    sch,
    () => sch.cacheWrite(update, 0, "local"),
    "SCHEDULE_CACHE_STALE_READ",
  );
  assert(e.message.includes("no init"), e.message);
});

Deno.test("cache stages of a blockized outer block redirect the blocks inside it too", () => {
  // The inner block's init makes the write cache hold the running sums (the outer block has no
  // init of its own), and its regions name the caches, not the originals.
  const f = matmulFunc("int32");
  const sch = new Schedule(f);
  const [, j] = sch.getLoops(sch.getBlock("C"));
  const outer = sch.blockize(j);
  sch.cacheRead(outer, 1, "shared");
  sch.cacheWrite(outer, 0, "local");
  const inner = findBlock(sch.func, "C")!.block;
  assertEquals(
    [...inner.reads, ...inner.writes].map((r) => r.buffer.name),
    ["C_local", "A_shared", "B", "C_local"],
  );
  assertEquivalent(f, sch.func, 2, { sizes: { n: 3 } });
  assertTraceRoundTrip(sch, f);
});

Deno.test("cacheWrite of a blockized block writes back what its inner blocks write, not its declared region", () => {
  // Regression (property test, seed 705): T_not_equal_local_o declares writes of a whole row
  // (blockize relaxes v1_i over its domain 0..13) but writes one element per instance; copying
  // the declared region back put stale cache values over the other outer instances' results.
  const f = parseFunc(
    `func not_equal(a: buffer<float32>[7, 1, 5], b: buffer<float32>[1, 13, 1], T_not_equal: buffer<bool>[7, 13, 5]) {
  block root() {
    for i in 0..7 {
      for j in 0..13 {
        block T_not_equal_o(vi_o: spatial(0..7) = i, vj_o: spatial(0..13) = j) {
          alloc T_not_equal_local: buffer<bool>[7, 13, 5](scope="local")
          reads(a[vi_o, 0, 0..5], b[0, vj_o, 0])
          writes(T_not_equal[vi_o, vj_o, 0..5])
          for ax0 in 0..1 {
            for ax0_1 in 0..5 {
              block T_not_equal(vk_i: spatial(0..5) = ax0_1) {
                reads(a[vi_o, 0, vk_i], b[0, vj_o, 0])
                writes(T_not_equal_local[vi_o, vj_o, vk_i])
                T_not_equal_local[vi_o, vj_o, vk_i] = a[vi_o, 0, vk_i] != b[0, vj_o, 0]
              }
            }
            block T_not_equal_local_o(v0_o: spatial(0..7) = vi_o + ax0) {
              reads(T_not_equal_local[v0_o, 0..13, 0..5])
              writes(T_not_equal[v0_o, 0..13, 0..5])
              for ax1 in 0..1 {
                for ax2 in 0..5 {
                  block T_not_equal_local(v1_i: spatial(0..13) = vj_o + ax1, v2_i: spatial(0..5) = ax2) {
                    reads(T_not_equal_local[v0_o, v1_i, v2_i])
                    writes(T_not_equal[v0_o, v1_i, v2_i])
                    T_not_equal[v0_o, v1_i, v2_i] = T_not_equal_local[v0_o, v1_i, v2_i]
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}`,
  );
  const sch = new Schedule(f);
  sch.cacheWrite(sch.getBlock("T_not_equal_local_o"), 0, "local");
  const text = sch.show();
  assert(text.includes("v1: spatial(0..13) = vj_o + ax1"), text);
  assertEquivalent(f, sch.func, 2);
});
