import { parseFunc } from "../../ir/script/mod.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { lower } from "../../ir/transform/mod.ts";
import { visit } from "../../ir/node.ts";
import type { Buffer } from "../../ir/stmt.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { ndarray, toNumbers } from "../../ir/ndarray.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { build } from "../../sdk/mod.ts";
import cpu from "../../targets/cpu/mod.ts";
import { Schedule } from "../mod.ts";
import {
  assertEquivalent,
  assertScheduleError,
  assertTraceRoundTrip,
  inputsFor,
} from "../testing.ts";

const TWO_STAGE = `func f(A: buffer<float32>[4, 30], C: buffer<float32>[4, 30]) {
  block root() {
    alloc B: buffer<float32>[4, 30]
    for i in 0..4 {
      for j in 0..30 {
        block B(vi: spatial(0..4) = i, vj: spatial(0..30) = j) {
          reads(A[vi, vj])
          writes(B[vi, vj])
          B[vi, vj] = A[vi, vj] * 2.0
        }
      }
    }
    for i in 0..4 {
      for j in 0..30 {
        block C(vi: spatial(0..4) = i, vj: spatial(0..30) = j) {
          reads(B[vi, vj])
          writes(C[vi, vj])
          C[vi, vj] = B[vi, vj] + 1.0
        }
      }
    }
  }
}`;

function allocated(f: PrimFunc, name: string): Buffer | undefined {
  let found: Buffer | undefined;
  visit(f.body, (n) => {
    if (n.kind === "Allocate" && n.buffer.name === name) found = n.buffer;
  });
  return found;
}

Deno.test("storageAlign: the annotation, replaced per axis, and honoured by lowering", () => {
  const f = parseFunc(TWO_STAGE);
  const sch = new Schedule(f);
  const b = sch.getBlock("B");
  sch.storageAlign(b, 0, 0, 16, 0);
  sch.storageAlign(b, 0, 0, 32, 1);
  assertEquals(sch.get(b).annotations, { buffer_dim_align: "0:0:32:1" });
  assert(sch.show().includes(`@{buffer_dim_align: "0:0:32:1"}`) || sch.show().includes("0:0:32:1"));
  assertEquivalent(f, sch.func, 1);
  assertTraceRoundTrip(sch, f);
  const low = lower(sch.func);
  // stride of axis 0: 30 → 33 (33 %% 32 = 1); span (4 − 1)·33 + 29 + 1 = 129 elements
  const buf = allocated(low, "B");
  assertEquals(buf?.shape.map((d) => (d as { value: number }).value), [129]);
  const inputs = inputsFor(f, 1);
  const flat = inputs.map((a) => ndarray(a.dtype, [a.data.length], a.data));
  assertEquals(toNumbers(runFunc(low, flat)[0]), toNumbers(runFunc(f, inputs)[0]));
});

Deno.test("storageAlign: a 3-d buffer aligned on two axes, built for cpu", async () => {
  const f = parseFunc(
    TWO_STAGE.replaceAll("[4, 30]", "[3, 4, 5]").replaceAll("vi, vj", "vi, vj, vk")
      .replaceAll("for j in 0..30 {", "for j in 0..4 {\n for k in 0..5 {")
      .replaceAll("vj: spatial(0..30) = j", "vj: spatial(0..4) = j, vk: spatial(0..5) = k")
      .replaceAll("vi: spatial(0..4) = i", "vi: spatial(0..3) = i")
      .replaceAll("for i in 0..4", "for i in 0..3")
      .replaceAll("      }\n    }\n", "      }\n    }\n    }\n"),
  );
  const sch = new Schedule(f);
  const b = sch.getBlock("B");
  sch.storageAlign(b, 0, 1, 8, 0);
  sch.storageAlign(b, 0, 0, 64, 4);
  const low = lower(sch.func);
  // strides: [.., 8, 1] then axis 0: 4·8 = 32 → 68 (68 %% 64 = 4); span 2·68 + 3·8 + 4 + 1 = 165
  assertEquals(allocated(low, "B")?.shape.map((d) => (d as { value: number }).value), [165]);
  const inputs = inputsFor(f, 1);
  const want = runFunc(f, inputs);
  const kernel = await build(sch.func, cpu);
  const got = await kernel.run(inputs);
  assertEquals(toNumbers(got[0]), toNumbers(want[0]));
  assertTraceRoundTrip(sch, f);
});

Deno.test("storageAlign errors: a parameter, a missing write, bad axis/factor/offset", () => {
  const f = parseFunc(TWO_STAGE);
  const sch = new Schedule(f);
  const b = sch.getBlock("B"), c = sch.getBlock("C");
  assertScheduleError(sch, () => sch.storageAlign(c, 0, 0, 32, 0), "SCHEDULE_PARAM_BUFFER");
  assertScheduleError(sch, () => sch.storageAlign(b, 1, 0, 32, 0), "SCHEDULE_BAD_BUFFER_INDEX");
  const e = assertScheduleError(
    sch,
    () => sch.storageAlign(b, 0, 2, 32, 0),
    "SCHEDULE_STORAGE_ALIGN",
  );
  assertEquals(e.message, `Cannot align the storage of buffer "B": axis 2 is outside its rank 2`);
  assertScheduleError(sch, () => sch.storageAlign(b, 0, 0, 0, 0), "SCHEDULE_STORAGE_ALIGN");
  assertScheduleError(sch, () => sch.storageAlign(b, 0, 0, 8, 8), "SCHEDULE_STORAGE_ALIGN");
});
