import { parseFunc } from "../../ir/script/mod.ts";
import { findOp } from "../../ir/ops/mod.ts";
import * as ops from "../../ir/ops/mod.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { toNumbers } from "../../ir/ndarray.ts";
import { placeholder } from "../../ir/te.ts";
import { verify } from "../../ir/verify.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import type { Buffer } from "../../ir/stmt.ts";
import { Schedule } from "../mod.ts";
import { indexMap } from "../index_map.ts";
import { floordiv, floormod } from "../../ir/expr.ts";
import {
  assertEquivalent,
  assertSameFunc,
  assertScheduleError,
  assertTraceRoundTrip,
  inputsFor,
} from "../testing.ts";

const TWO_STAGE = `func f(A: buffer<float32>[4, 14], C: buffer<float32>[4, 14]) {
  block root() {
    alloc B: buffer<float32>[4, 14]
    for i in 0..4 {
      for j in 0..14 {
        block B(vi: spatial(0..4) = i, vj: spatial(0..14) = j) {
          reads(A[vi, vj])
          writes(B[vi, vj])
          B[vi, vj] = A[vi, vj] * 2.0
        }
      }
    }
    for i in 0..4 {
      for j in 0..14 {
        block C(vi: spatial(0..4) = i, vj: spatial(0..14) = j) {
          reads(B[vi, vj])
          writes(C[vi, vj])
          C[vi, vj] = B[vi, vj] + 1.0
        }
      }
    }
  }
}`;

Deno.test("transformLayout: a transpose rewrites the allocation, every access and region", () => {
  const f = parseFunc(TWO_STAGE);
  const sch = new Schedule(f);
  sch.transformLayout(sch.getBlock("C"), ["read", 0], "(i, j) => [j, i]");
  assertSameFunc(
    sch.func,
    parseFunc(
      TWO_STAGE.replace("alloc B: buffer<float32>[4, 14]", "alloc B: buffer<float32>[14, 4]")
        .replaceAll("B[vi, vj]", "B[vj, vi]"),
    ),
  );
  verify(sch.func);
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
});

Deno.test("transformLayout: an IndexMap object, a split that divides, by buffer name", () => {
  const f = parseFunc(TWO_STAGE.replaceAll("14", "12"));
  const sch = new Schedule(f);
  sch.transformLayout(
    sch.getBlock("B"),
    "B",
    indexMap((i, j) => [floordiv(j, 4), i, floormod(j, 4)]),
  );
  assert(sch.show().includes("alloc B: buffer<float32>[3, 4, 4]"), sch.show());
  assert(sch.show().includes("B[vj // 4, vi, vj %% 4] = A[vi, vj] * 2.0"), sch.show());
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
  assert(
    sch.trace.toScript().includes(`sch.transformLayout(b0, "B", "(i, j) => [j // 4, i, j %% 4]");`),
  );
});

Deno.test("transformLayout: a non-dividing split pads, and padValue fills the padding", () => {
  const f = parseFunc(TWO_STAGE);
  const sch = new Schedule(f);
  sch.transformLayout(sch.getBlock("B"), ["write", 0], "(i, j) => [j // 4, i, j %% 4]", {
    padValue: 0,
  });
  const text = sch.show();
  assert(text.includes("alloc B: buffer<float32>[4, 4, 4]"), text);
  assert(text.includes("block B_pad_value("), text);
  assert(text.includes("where 14 <= ax0 * 4 + ax2"), text);
  verify(sch.func);
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
});

Deno.test("transformLayout on conv2d and pooling: the padded input buffer to NHWC and blocked", () => {
  for (const name of ["conv2d", "max_pool2d", "avg_pool2d"]) {
    const op = findOp(name);
    for (const c of op.cases.slice(0, 5)) {
      const f = op.build(c);
      const block = f.body.kind === "BlockRealize" ? f.body.block : undefined;
      const pad = block?.allocBuffers[0];
      if (!pad || pad.shape.length !== 4) continue;
      for (const map of ["(n, c, h, w) => [n, h, w, c]", "(n, c, h, w) => [h, w, n * 1 + 0, c]"]) {
        const sch = new Schedule(f);
        const producer = sch.getBlock(pad.name);
        sch.transformLayout(producer, ["write", 0], map.replace("n * 1 + 0", "n"));
        verify(sch.func);
        assertEquivalent(f, sch.func, c.inputs.length, { sizes: c.vars, seeds: [1] });
        assertTraceRoundTrip(sch, f);
      }
    }
  }
});

Deno.test("transformLayout on an elementwise chain: intermediate blocked by 4 with padding", () => {
  const x = placeholder([6, 10], "float32", "x"), y = placeholder([6, 10], "float32", "y");
  const f = ops.toPrimFunc("chain", [x, y], [ops.relu(ops.add(ops.mul(x, y), x))]);
  const inner = f.body.kind === "BlockRealize" ? f.body.block.allocBuffers : [];
  assert(inner.length >= 1);
  const sch = new Schedule(f);
  for (const b of inner) {
    const producer = sch.getBlock(b.name);
    sch.transformLayout(producer, ["write", 0], "(i, j) => [j // 4, i, j %% 4]", { padValue: 1 });
  }
  verify(sch.func);
  assertEquivalent(f, sch.func, 2);
  assertTraceRoundTrip(sch, f);
});

Deno.test("transformLayout of a parameter with allowParams changes the signature", () => {
  const op = findOp("matmul");
  const c = op.cases[0];
  const f = op.build(c);
  const sch = new Schedule(f);
  const blk = sch.getBlock("T_matmul");
  assertScheduleError(
    sch,
    () => sch.transformLayout(blk, ["write", 0], "(i, j) => [j, i]"),
    "SCHEDULE_PARAM_BUFFER",
  );
  sch.transformLayout(blk, ["write", 0], "(i, j) => [j, i]", { allowParams: true });
  const out = sch.func.params[2] as Buffer;
  assertEquals(out.shape.map((d) => (d as { value: number }).value), [5, 7]);
  const inputs = inputsFor(f, 2);
  const [want] = runFunc(f, inputs);
  const [got] = runFunc(sch.func, inputs);
  const w = toNumbers(want), g = toNumbers(got);
  for (let i = 0; i < 7; i++) {
    for (let j = 0; j < 5; j++) assert(Math.abs(g[j * 7 + i] - w[i * 5 + j]) < 1e-4);
  }
  assertTraceRoundTrip(sch, f);
});

Deno.test("transformLayout errors: each code, and the schedule is unchanged", () => {
  const f = parseFunc(TWO_STAGE);
  const sch = new Schedule(f);
  const b = sch.getBlock("B");
  assertScheduleError(
    sch,
    () => sch.transformLayout(b, ["read", 0], "(i, j) => [j, i]"),
    "SCHEDULE_PARAM_BUFFER",
  );
  const e = assertScheduleError(
    sch,
    () => sch.transformLayout(b, ["write", 3], "(i, j) => [j, i]"),
    "SCHEDULE_BAD_BUFFER_INDEX",
  );
  assert(e.message.includes(`block "B"`), e.message);
  assertScheduleError(
    sch,
    () => sch.transformLayout(b, "Z", "(i, j) => [j, i]"),
    "SCHEDULE_NO_BUFFER",
  );
  assertScheduleError(sch, () => sch.transformLayout(b, "B", "(i) => [i]"), "SCHEDULE_INDEX_MAP");
  assertScheduleError(
    sch,
    () => sch.transformLayout(b, "B", "(i, j) => [i]"),
    "SCHEDULE_INDEX_MAP",
  );
  assertScheduleError(
    sch,
    () => sch.transformLayout(b, "B", "(i, j) => [i * j, 0]"),
    "SCHEDULE_INDEX_MAP",
  );
  const p = assertScheduleError(
    sch,
    () => sch.transformLayout(b, "B", "(i, j) => [j // 4, i, j %% 4]"),
    "SCHEDULE_LAYOUT_PADDING",
  );
  assert(p.hint?.includes("padValue"));
  const strided = parseFunc(
    TWO_STAGE.replace("A: buffer<float32>[4, 14]", "A: buffer<float32>[4, 14](strides = [16, 1])"),
  );
  const s2 = new Schedule(strided);
  const b2 = s2.getBlock("B");
  assertScheduleError(
    s2,
    () => s2.transformLayout(b2, "A", "(i, j) => [j, i]", { allowParams: true }),
    "SCHEDULE_STRIDED_BUFFER",
  );
});
