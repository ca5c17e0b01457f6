import { assert, assertEquals } from "../ir/test_util.ts";
import { int8ValueRange } from "./05_int8_value_range.ts";

Deno.test("example 05: a declared 7-bit range puts int8 matmul on the relaxed dot, exactly; bad input is refused", async () => {
  const r = await int8ValueRange();
  assertEquals(r.declared, { B: [0, 127] });
  assertEquals(r.rangedIntrinsics, ["cpu.mma_u7i8"]);
  assertEquals(r.plainIntrinsics, ["cpu.mma_i8"]);
  assert(r.exact, "both kernels equal the interpreter");
  assertEquals(r.outOfRangeCode, "CALL_VALUE_RANGE");
  assert(r.outOfRangeMessage.includes("B[0, 5] = -3"), r.outOfRangeMessage);
});
