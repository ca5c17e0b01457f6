import { assert, assertEquals } from "../ir/test_util.ts";
import { OPS } from "../ir/ops/catalog.ts";
import { kernelCases, SHAPE_CLASSES } from "./kernel_cases.ts";

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

Deno.test("every shape class is among the cases, for matmul too", () => {
  const cases = kernelCases();
  for (const t of SHAPE_CLASSES) {
    assert(cases.some((c) => c.tags?.includes(t)), `a ${t} case`);
  }
  const mm = cases.filter((c) => c.op === "matmul").flatMap((c) => c.tags ?? []);
  for (const t of ["odd", "prime", "aligned", "large", "symbolic"]) assert(mm.includes(t), t);
  assert(cases.some((c) => c.id === "matmul/float32/31x37_37x41"), "a prime GEMM");
  assert(cases.some((c) => c.note?.includes("bound at run time")), "a symbolic size");
});

Deno.test("quick: every op, every (shape class, dtype) pair but large ones; ids are stable", () => {
  const all = kernelCases();
  const quick = kernelCases({ quick: true });
  assertEquals(new Set(quick.map((c) => c.op)).size, OPS.length);
  assert(quick.length < all.length / 3, `${quick.length} of ${all.length}`);
  assert(!quick.some((c) => c.tags?.includes("large")), "no large case");
  const pairs = (cs: typeof all) =>
    new Set(
      cs.flatMap((c) => (c.tags ?? []).filter((t) => t !== "large").map((t) => `${t}/${c.dtype}`)),
    );
  assertEquals([...pairs(quick)].sort(), [...pairs(all)].sort());
  assertEquals(kernelCases().map((c) => c.id), all.map((c) => c.id));
});
