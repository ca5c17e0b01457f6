import { assert, assertEquals } from "../ir/test_util.ts";
import { OPS } from "../ir/ops/catalog.ts";
import { kernelCases } from "./kernel_cases.ts";

Deno.test("every op of the library is covered at 3 or more shapes, with unique ids", () => {
  const cases = kernelCases();
  const ids = cases.map((c) => c.id);
  assertEquals(new Set(ids).size, ids.length, "ids are unique");
  for (const op of OPS) {
    const n = cases.filter((c) => c.op === op.name).length;
    assert(n >= 3, `${op.name} has ${n} cases`);
  }
  assert(cases.length >= 60, `${cases.length} cases`);
});

Deno.test("odd and run-time-bound sizes are among the cases", () => {
  const cases = kernelCases();
  assert(cases.some((c) => c.id.includes("7x13x5")), "an odd 7x13x5 shape");
  assert(cases.some((c) => c.note?.includes("bound at run time")), "a symbolic size");
});

Deno.test("quick picks one case per op; ids are stable between calls", () => {
  const quick = kernelCases({ quick: true });
  assertEquals(quick.length, OPS.length);
  assertEquals(kernelCases().map((c) => c.id), kernelCases().map((c) => c.id));
});
