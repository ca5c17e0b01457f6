import { parseFunc } from "../../ir/script/mod.ts";
import { findOp } from "../../ir/ops/mod.ts";
import { assert } from "../../ir/test_util.ts";
import { Schedule } from "../mod.ts";
import {
  assertEquivalent,
  assertSameFunc,
  assertScheduleError,
  assertTraceRoundTrip,
} from "../testing.ts";

Deno.test("setScope: the allocation and every use move to the new scope", () => {
  const op = findOp("conv2d");
  const c = op.cases[0];
  const f = op.build(c);
  const sch = new Schedule(f);
  sch.setScope(sch.getBlock("T_conv2d_nchw_pad"), 0, "local");
  const want = parseFunc(
    sch.show().replace(`(scope="local")`, ""),
  );
  assertSameFunc(want, f);
  assert(
    sch.show().includes(`alloc T_conv2d_nchw_pad: buffer<float32>[1, 4, 11, 11](scope="local")`),
  );
  assertEquivalent(f, sch.func, 2);
  sch.setScope(sch.getBlock("T_conv2d_nchw_pad"), 0, "npu.scratch");
  assert(sch.show().includes(`scope="npu.scratch"`));
  assertTraceRoundTrip(sch, f);
  assert(sch.trace.toScript().includes(`sch.setScope(b0, 0, "local");`));
});

Deno.test("setScope errors: a parameter, a missing write, a bad name", () => {
  const op = findOp("conv2d");
  const f = op.build(op.cases[0]);
  const sch = new Schedule(f);
  const conv = sch.getBlock("T_conv2d_nchw");
  const pad = sch.getBlock("T_conv2d_nchw_pad");
  const e = assertScheduleError(sch, () => sch.setScope(conv, 0, "local"), "SCHEDULE_PARAM_BUFFER");
  assert(e.message.includes(`"T_conv2d_nchw"`) && e.path!.includes(`block "T_conv2d_nchw"`));
  assertScheduleError(sch, () => sch.setScope(pad, 1, "local"), "SCHEDULE_BAD_BUFFER_INDEX");
  assertScheduleError(sch, () => sch.setScope(pad, 0, "lo cal"), "SCHEDULE_BAD_SCOPE");
});
