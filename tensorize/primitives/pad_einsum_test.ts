import { parseFunc } from "../../ir/script/mod.ts";
import { findOp } from "../../ir/ops/mod.ts";
import { verify } from "../../ir/verify.ts";
import { assert } from "../../ir/test_util.ts";
import { Schedule } from "../mod.ts";
import {
  assertEquivalent,
  assertSameFunc,
  assertScheduleError,
  assertTraceRoundTrip,
} from "../testing.ts";

const GEMV = `func f(A: buffer<float32>[6, 5], x: buffer<float32>[5], y: buffer<float32>[6]) {
  block root() {
    for i in 0..6 {
      for k in 0..5 {
        block y(vi: spatial(0..6) = i, vk: reduce(0..5) = k) {
          reads(y[vi], A[vi, vk], x[vk])
          writes(y[vi])
          init {
            y[vi] = 0.0
          }
          y[vi] = y[vi] + A[vi, vk] * x[vk]
        }
      }
    }
  }
}`;

Deno.test("padEinsum: a gemv padded to multiples of 4 — zero-padded inputs, copied-back output", () => {
  const f = parseFunc(GEMV);
  const sch = new Schedule(f);
  sch.padEinsum(sch.getBlock("y"), [4, 4]);
  assertSameFunc(
    sch.func,
    parseFunc(`func f(A: buffer<float32>[6, 5], x: buffer<float32>[5], y: buffer<float32>[6]) {
  block root() {
    alloc A_pad: buffer<float32>[8, 8]
    alloc x_pad: buffer<float32>[8]
    alloc y_pad: buffer<float32>[8]
    for ax0 in 0..8 {
      for ax1 in 0..8 {
        block A_pad(v0: spatial(0..8) = ax0, v1: spatial(0..8) = ax1) {
          reads(A[v0, v1])
          writes(A_pad[v0, v1])
          A_pad[v0, v1] = select(v0 < 6 && v1 < 5, A[v0, v1], 0.0)
        }
      }
    }
    for ax0_1 in 0..8 {
      block x_pad(v0_1: spatial(0..8) = ax0_1) {
        reads(x[v0_1])
        writes(x_pad[v0_1])
        x_pad[v0_1] = select(v0_1 < 5, x[v0_1], 0.0)
      }
    }
    for i in 0..8 {
      for k in 0..8 {
        block y(vi: spatial(0..8) = i, vk: reduce(0..8) = k) {
          reads(y_pad[vi], A_pad[vi, vk], x_pad[vk])
          writes(y_pad[vi])
          init {
            y_pad[vi] = 0.0
          }
          y_pad[vi] = y_pad[vi] + A_pad[vi, vk] * x_pad[vk]
        }
      }
    }
    for ax0_2 in 0..6 {
      block y_unpad(v0_2: spatial(0..6) = ax0_2) {
        reads(y_pad[v0_2])
        writes(y[v0_2])
        y[v0_2] = y_pad[v0_2]
      }
    }
  }
}`),
  );
  verify(sch.func);
  assertEquivalent(f, sch.func, 2);
  assertTraceRoundTrip(sch, f);
  assert(sch.trace.toScript().includes("sch.padEinsum(b0, [4, 4]);"));
});

Deno.test("padEinsum on matmul, batch_matmul and dense cases, then tiled and blockized", () => {
  for (const name of ["matmul", "batch_matmul", "dense"]) {
    const op = findOp(name);
    for (const c of op.cases) {
      const f = op.build(c);
      const probe = new Schedule(f);
      const blk = probe.get(probe.getChildBlocks(probe.getBlock("root")).at(-1)!);
      const sch = new Schedule(f);
      const b = sch.getBlock(blk.name);
      sch.padEinsum(b, blk.iterVars.map(() => 4));
      verify(sch.func);
      assertEquivalent(f, sch.func, c.inputs.length, { sizes: c.vars, seeds: [1] });
      const loops = sch.getLoops(b);
      const inner = sch.split(loops.at(-1)!, [undefined, 4]);
      sch.blockize(inner[1]);
      verify(sch.func);
      assertEquivalent(f, sch.func, c.inputs.length, { sizes: c.vars, seeds: [2] });
      assertTraceRoundTrip(sch, f);
    }
  }
});

Deno.test("padEinsum: spatial-only padding of an elementwise block, unit factors leave it", () => {
  const op = findOp("relu");
  const c = op.cases[0];
  const f = op.build(c);
  const sch = new Schedule(f);
  const b = sch.getBlock("T_relu");
  sch.padEinsum(b, [1, 1, 1]);
  assertSameFunc(sch.func, f);
  sch.padEinsum(b, [4, 8, 1]);
  verify(sch.func);
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
});

Deno.test("padEinsum errors: factors, not an einsum, bindings, reductions", () => {
  const f = parseFunc(GEMV);
  const sch = new Schedule(f);
  const b = sch.getBlock("y");
  assertScheduleError(sch, () => sch.padEinsum(b, [4]), "SCHEDULE_PAD_FACTORS");
  assertScheduleError(sch, () => sch.padEinsum(b, [4, 0]), "SCHEDULE_PAD_FACTORS");
  const conv = findOp("conv2d");
  const cf = conv.build(conv.cases[0]);
  const s2 = new Schedule(cf);
  const cb = s2.getBlock("T_conv2d_nchw");
  assertScheduleError(s2, () => s2.padEinsum(cb, [1, 1, 1, 1, 1, 4, 1]), "SCHEDULE_PAD_NOT_EINSUM");
  const s3 = new Schedule(f);
  const b3 = s3.getBlock("y");
  const [i] = s3.getLoops(b3);
  s3.split(i, [2, 3]);
  assertScheduleError(s3, () => s3.padEinsum(b3, [4, 1]), "SCHEDULE_PAD_BINDING");
  const maxf = parseFunc(
    GEMV.replace("y[vi] + A[vi, vk] * x[vk]", "max(y[vi], A[vi, vk] * x[vk])"),
  );
  const s4 = new Schedule(maxf);
  const b4 = s4.getBlock("y");
  s4.padEinsum(b4, [4, 1]);
  assertScheduleError(s4, () => s4.padEinsum(b4, [1, 4]), "SCHEDULE_PAD_REDUCTION");
  const div = parseFunc(
    GEMV.replaceAll("float32", "int32").replace("0.0", "0").replace(
      "A[vi, vk] * x[vk]",
      "A[vi, vk] // x[vk]",
    ),
  );
  const s5 = new Schedule(div);
  const b5 = s5.getBlock("y");
  assertScheduleError(s5, () => s5.padEinsum(b5, [1, 4]), "SCHEDULE_PAD_NOT_EINSUM");
});
