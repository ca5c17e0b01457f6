import { parseFunc } from "../../ir/script/mod.ts";
import { findOp } from "../../ir/ops/mod.ts";
import { verify } from "../../ir/verify.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { Schedule } from "../mod.ts";
import {
  assertEquivalent,
  assertSameFunc,
  assertScheduleError,
  assertTraceRoundTrip,
  elementwiseFunc,
  matmulFunc,
} from "../testing.ts";

const EW = `func f(A: buffer<float32>[64], B: buffer<float32>[64]) {
  block root() {
    for i_0 in 0..4 {
      for i_1 in 0..16 {
        block B(vi: spatial(0..64) = i_0 * 16 + i_1) {
          reads(A[vi])
          writes(B[vi])
          B[vi] = A[vi] * 2.0
        }
      }
    }
  }
}`;

Deno.test("blockize: an inner loop becomes an inner block under an outer one", () => {
  const f = parseFunc(EW);
  const sch = new Schedule(f);
  const [, inner] = sch.getLoops(sch.getBlock("B"));
  const outer = sch.blockize(inner);
  assertEquals(sch.get(outer).name, "B_o");
  assertSameFunc(
    sch.func,
    parseFunc(`func f(A: buffer<float32>[64], B: buffer<float32>[64]) {
  block root() {
    for i_0 in 0..4 {
      block B_o(vi_o: spatial(0..4) = i_0) {
        reads(A[vi_o * 16 +: 16])
        writes(B[vi_o * 16 +: 16])
        for i_1 in 0..16 {
          block B(vi_i: spatial(0..16) = i_1) {
            reads(A[vi_i + vi_o * 16])
            writes(B[vi_i + vi_o * 16])
            B[vi_i + vi_o * 16] = A[vi_i + vi_o * 16] * 2.0
          }
        }
      }
    }
  }
}`),
  );
  verify(sch.func);
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
  assert(sch.trace.toScript().includes("const b3 = sch.blockize(l2);"), sch.trace.toScript());
});

Deno.test("blockize: tiled matmul — the init moves to the outer block when k is split", () => {
  const f = matmulFunc("int32");
  const sch = new Schedule(f);
  const b = sch.getBlock("C");
  const [i, j, k] = sch.getLoops(b);
  const [io, ii] = sch.split(i, [undefined, 4]);
  const [jo, ji] = sch.split(j, [undefined, 4]);
  const [ko, ki] = sch.split(k, [undefined, 4]);
  sch.reorder(io, jo, ko, ii, ji, ki);
  const o = sch.blockize(ii);
  const text = sch.show();
  assert(text.includes("block C_o(vi_o: spatial(0..(n + 3) // 4) = i_0"), text);
  assert(text.includes("vk_o: reduce(0..4) = k_0"), text);
  assert(text.includes("block C_init("), text);
  assert(sch.get(o).init !== undefined);
  assert(sch.get(b).init === undefined, "the inner block loses its init");
  verify(sch.func);
  for (const n of [4, 6]) assertEquivalent(f, sch.func, 2, { sizes: { n } });
  assertTraceRoundTrip(sch, f);
});

Deno.test("blockize: all of the reduction inside keeps the init on the inner block", () => {
  const f = matmulFunc("int32");
  const sch = new Schedule(f);
  const b = sch.getBlock("C");
  const [i, j] = sch.getLoops(b);
  const [, ji] = sch.split(j, [3, 4]);
  sch.split(i, [undefined, 2]);
  const o = sch.blockize(ji);
  assert(sch.get(o).init === undefined);
  assert(sch.get(b).init !== undefined);
  verify(sch.func);
  assertEquivalent(f, sch.func, 2, { sizes: { n: 5 } });
  assertTraceRoundTrip(sch, f);
});

Deno.test("blockize: a non-dividing split's predicate goes inside, rewritten", () => {
  const f = elementwiseFunc(3, 10);
  const sch = new Schedule(f);
  const [, j] = sch.getLoops(sch.getBlock("B"));
  const [, j1] = sch.split(j, [undefined, 4]);
  sch.blockize(j1);
  const text = sch.show();
  assert(/where v\w*_o \* 4 \+ v\w*_i < 10|where j_1 \+ v\w*_o \* 4 < 10/.test(text), text);
  verify(sch.func);
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
});

Deno.test("blockize on the catalogue: conv2d NCHW/NHWC, pooling, dense at several depths", () => {
  for (const name of ["conv2d", "max_pool2d", "dense", "relu"]) {
    const op = findOp(name);
    for (const c of op.cases.slice(0, 4)) {
      const f = op.build(c);
      const probe = new Schedule(f);
      const blocks = probe.getChildBlocks(probe.getBlock("root"));
      const last = probe.get(blocks.at(-1)!).name;
      for (let depth = 0; depth < 3; depth++) {
        const sch = new Schedule(f);
        const loops = sch.getLoops(sch.getBlock(last));
        if (depth >= loops.length) continue;
        sch.blockize(loops[loops.length - 1 - depth]);
        verify(sch.func);
        assertEquivalent(f, sch.func, c.inputs.length, { sizes: c.vars, seeds: [1] });
        assertTraceRoundTrip(sch, f);
      }
    }
  }
});

Deno.test("blockize errors: several blocks, a non-loop body, an interleaved binding", () => {
  const two = parseFunc(`func f(A: buffer<float32>[8], B: buffer<float32>[8]) {
  block root() {
    for i in 0..8 {
      block A(vi: spatial(0..8) = i) {
        writes(A[vi])
        A[vi] = 1.0
      }
      block B(vi: spatial(0..8) = i) {
        reads(A[vi])
        writes(B[vi])
        B[vi] = A[vi]
      }
    }
  }
}`);
  const s1 = new Schedule(two);
  const [i] = s1.getLoops(s1.getBlock("A"));
  const e = assertScheduleError(s1, () => s1.blockize(i), "SCHEDULE_BLOCKIZE_BLOCKS");
  assert(e.message.includes(`"A", "B"`), e.message);
  const guarded = parseFunc(`func f(A: buffer<float32>[8]) {
  block root() {
    for i in 0..8 {
      if i < 4 {
        block A(vi: spatial(0..8) = i) {
          writes(A[vi])
          A[vi] = 1.0
        }
      }
    }
  }
}`);
  const s3 = new Schedule(guarded);
  const [g] = s3.getLoops(s3.getBlock("A"));
  const e3 = assertScheduleError(s3, () => s3.blockize(g), "SCHEDULE_BLOCKIZE_BLOCKS");
  assert(e3.message.includes("not reached through loops only"), e3.message);
  const f = matmulFunc("int32");
  const s2 = new Schedule(f);
  const [, j] = s2.getLoops(s2.getBlock("C"));
  const [j0, j1] = s2.split(j, [3, 4]);
  s2.reorder(j1, j0);
  const [, , inner] = s2.getLoops(s2.getBlock("C"));
  assertScheduleError(s2, () => s2.blockize(inner), "SCHEDULE_BLOCKIZE_NOT_DIVISIBLE");
});

Deno.test("blockize guards the outer block when its value may leave its domain", () => {
  // Regression: i (7) and j (5) fused, split by 5 into 8 tiles: vi_o = i_j_fused_0 reached 7,
  // outside 0..7, where only the inner blocks were guarded.
  const f = parseFunc(`func f(A: buffer<float32>[7, 5], C: buffer<float32>[7, 5]) {
  block root() {
    for i in 0..7 {
      for j in 0..5 {
        block C(vi: spatial(0..7) = i, vj: spatial(0..5) = j) {
          reads(A[vi, vj])
          writes(C[vi, vj])
          C[vi, vj] = A[vi, vj] + 1.0
        }
      }
    }
  }
}`);
  const sch = new Schedule(f);
  const [i, j] = sch.getLoops(sch.getBlock("C"));
  const ij = sch.fuse(i, j);
  const [, inner] = sch.split(ij, [8, undefined]);
  sch.blockize(inner);
  const text = sch.show();
  assert(
    text.includes("block C_o(vi_o: spatial(0..7) = i_j_fused_0) where i_j_fused_0 < 7 {"),
    text,
  );
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
});
