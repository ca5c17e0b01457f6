import { assert, assertEquals } from "../../ir/test_util.ts";
import { parseFunc, printFunc } from "../../ir/script/mod.ts";
import { Schedule } from "../schedule.ts";
import "../primitives/get.ts";
import {
  assertEquivalent,
  assertSameFunc,
  assertScheduleError,
  assertTraceRoundTrip,
  elementwiseFunc,
  matmulFunc,
} from "../testing.ts";
import "./contract_fma.ts";

Deno.test("contractFma: a multiply-accumulate becomes fma(a, b, acc)", () => {
  const f = parseFunc(`func f(A: buffer<float32>[4], B: buffer<float32>[4], C: buffer<float32>[1]) {
  block root() {
    for k in 0..4 {
      block C(vk: reduce(0..4) = k) {
        reads(C[0], A[vk], B[vk])
        writes(C[0])
        init {
          C[0] = 0.0
        }
        C[0] = C[0] + A[vk] * B[vk]
      }
    }
  }
}`);
  const sch = new Schedule(f);
  sch.contractFma(sch.getBlock("C"));
  const want = printFunc(f).replace("C[0] + A[vk] * B[vk]", "fma(A[vk], B[vk], C[0])");
  assert(want !== printFunc(f));
  assertSameFunc(sch.func, parseFunc(want));
  assertEquivalent(f, sch.func, 2);
  assertTraceRoundTrip(sch, f);
});

Deno.test("contractFma: products on either side of a sum, in every float32 sum of the block", () => {
  const f = elementwiseFunc(3, 5); // B = A·2 + 1
  const sch = new Schedule(f);
  sch.contractFma(sch.getBlock("B"));
  assert(printFunc(sch.func).includes("fma(A[vi, vj], 2.0, 1.0)"), printFunc(sch.func));
  assertEquivalent(f, sch.func, 1);
  assertEquals(sch.trace.toScript().split("\n")[1], "sch.contractFma(b0);");
});

Deno.test("contractFma: integer sums are not contracted (SCHEDULE_NO_CONTRACTION)", () => {
  const sch = new Schedule(matmulFunc("int32"));
  const c = sch.getBlock("C");
  const e = assertScheduleError(sch, () => sch.contractFma(c), "SCHEDULE_NO_CONTRACTION");
  assert(e.message.includes('block "C"'));
});
