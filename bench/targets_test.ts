import { assert, assertEquals } from "../ir/test_util.ts";
import type { Row } from "./harness.ts";
import { formatVerdicts, ISSUE3_TARGETS, TARGET_CASES, verdicts } from "./targets.ts";

const ok = (c: string, impl: string, role: Row["role"], threads: number, gflops: number): Row => ({
  case: c,
  impl,
  role,
  threads,
  status: "ok",
  ms: 1,
  gflops,
});
const MM = TARGET_CASES.matmul, CONV = TARGET_CASES.conv;
const rows: Row[] = [
  ok(MM, "tessera", "ours", 1, 42),
  ok(MM, "tessera", "ours", 2, 80),
  ok(MM, "tessera-default", "ours", 1, 30),
  ok(MM, "tfjs-wasm", "peer", 1, 34),
  ok(MM, "onnxruntime-web", "peer", 1, 25),
  ok(MM, "onnxruntime-web", "peer", 2, 40),
  { ...ok(CONV, "tessera", "ours", 1, 33), variant: "NHWC" },
  ok(CONV, "tessera-default", "ours", 1, 30),
  ok(CONV, "tfjs-wasm", "peer", 1, 30),
  ok("wasm_peak_f32", "wasm-peak", "ceiling", 1, 50),
];

Deno.test("verdicts: every target's ratio from our best row of the run, met or not", () => {
  const v = verdicts(rows);
  assertEquals(v.map((x) => [x.value, x.met]), [
    [42 / 34, true],
    [42 / 25, true],
    [42 / 50, true],
    [80 / 42, true],
    [33 / 30, false],
  ]);
  assertEquals(v[4].ours, "tessera [NHWC] 1T 33.00 GFLOP/s");
  assertEquals(v.map((x) => x.goal), ISSUE3_TARGETS.map((t) => t.goal));
});

Deno.test("verdicts: a target whose rows were not measured has no value and no verdict", () => {
  const v = verdicts(rows.filter((r) => r.impl !== "tfjs-wasm" && r.threads !== 2));
  assertEquals(v.map((x) => x.met), [undefined, true, true, undefined, undefined]);
  assert(!("value" in v[0]));
});

Deno.test("formatVerdicts: a line per target with goal, value, met / NOT MET, and a count", () => {
  const t = formatVerdicts(rows);
  assert(t.startsWith("issue 3 targets (ratios of this run): 4 of 5 met"), t);
  assert(/conv2d 1x64x56x56 3x3, 1 thread, vs tfjs-wasm +≥ 1.20× +1.10× +NOT MET/.test(t), t);
  assert(/of wasm-peak +≥ 75% +84% +met +\(tessera 1T 42.00 GFLOP\/s\)/.test(t), t);
  assert(formatVerdicts([]).includes("0 of 5 met") && formatVerdicts([]).includes("not measured"));
});
