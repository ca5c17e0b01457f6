import { assert, assertEquals } from "../ir/test_util.ts";
import { htmlReport } from "./html.ts";
import { junitReport } from "./junit.ts";
import {
  baselinesFromReport,
  finalLine,
  jsonReport,
  renderTable,
  REPORT_SCHEMA_VERSION,
  summarize,
} from "./report.ts";
import type { CaseResult } from "./result.ts";

const fast = (intensity: number, gflops: number, roofline: number) => ({
  flops: 100,
  bytes: 100 / intensity,
  intensity,
  gflops,
  roofline,
  timeMs: 0.01,
  timeSource: "wall" as const,
});

/** Results of every kind, passes first (the reports must reorder them). */
const RESULTS: CaseResult[] = [
  {
    id: "add/float32/7",
    op: "add",
    dtype: "float32",
    verdict: "passed",
    runMs: 0.01,
    maxUlps: 0,
    roofline: 0.25,
    cache: "hit",
    verdicts: { compiled: { ok: true, cache: "hit" }, fast: fast(0.125, 0.5, 0.25) },
  },
  {
    id: "matmul/float32/7x13x5",
    op: "matmul",
    dtype: "float32",
    verdict: "mismatch",
    detail: "output 0: 1 elements differ <&>",
    verdicts: { compiled: { ok: true, cache: "miss" }, fast: fast(1.2, 2, 0.01) },
  },
  { id: "conv/float32/x", op: "conv", dtype: "float32", verdict: "compile-error", detail: "boom" },
  {
    id: "dense/int8/4",
    op: "dense",
    dtype: "int8",
    verdict: "slow",
    roofline: 0.001,
    detail: "under its floor: 0.1% of the roofline, floor 50.0%",
    verdicts: { compiled: { ok: true, cache: "miss" }, fast: fast(3, 0.3, 0.001) },
  },
];

const target = {
  name: "cpu",
  peak: { flopsPerSecond: { float32: 51e9 }, bytesPerSecond: { global: 25e9 } },
};

Deno.test("summary counts passes, every kind of failure and cache outcomes", () => {
  const s = summarize(RESULTS);
  assertEquals([s.total, s.passed, s.failed], [4, 1, 3]);
  assertEquals(s.verdicts, {
    "compile-error": 1,
    "run-error": 0,
    timeout: 0,
    mismatch: 1,
    slow: 1,
    passed: 1,
  });
  assertEquals(s.cache, { hit: 1 });
  assertEquals(finalLine(s), "1 passed, 3 failed");
  const hung = summarize([...RESULTS, { id: "h", op: "h", dtype: "int8", verdict: "timeout" }]);
  assertEquals(finalLine(hung), "1 passed, 4 failed (1 timed out)");
});

Deno.test("the table lists failures first, their details, and ends with the final line", () => {
  const text = renderTable(RESULTS);
  const lines = text.split("\n");
  assert(lines[2].startsWith("conv/float32/x"), lines[2]);
  assert(lines[3].startsWith("matmul/float32/7x13x5"), lines[3]);
  assert(/^dense\/int8\/4 +slow /.test(lines[4]), lines[4]);
  assert(lines[5].startsWith("add/float32/7"), lines[5]);
  assert(lines[5].includes("25.0%") && lines[5].includes("hit"), lines[5]);
  assert(text.includes("- conv/float32/x (compile-error):\n    boom"));
  assertEquals(lines.at(-1), "1 passed, 3 failed");
});

Deno.test("the JSON report carries the schema version, target, run options and every case", () => {
  const r = JSON.parse(JSON.stringify(jsonReport(target, RESULTS, { quick: true })));
  assertEquals(r.schemaVersion, REPORT_SCHEMA_VERSION);
  assertEquals(r.target.name, "cpu");
  assertEquals(r.run, { quick: true });
  assertEquals(r.cases.length, 4);
  assertEquals([r.summary.passed, r.summary.failed], [1, 3]);
  assert(!Number.isNaN(Date.parse(r.generatedAt)));
  assertEquals(baselinesFromReport(r), new Map([["add/float32/7", 0.01]]));
});

Deno.test("JUnit XML: a testcase per case, failures and errors typed by verdict, escaped", () => {
  const xml = junitReport("cpu", RESULTS);
  assert(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites'));
  assert(xml.includes('tests="4" failures="2" errors="1"'), xml);
  assertEquals([...xml.matchAll(/<testcase /g)].length, 4);
  assert(xml.includes('<testcase classname="cpu.kernels.matmul" name="matmul/float32/7x13x5"'));
  assert(
    xml.includes('<failure type="mismatch" message="output 0: 1 elements differ &lt;&amp;&gt;"'),
  );
  assert(xml.includes('<failure type="slow"'));
  assert(xml.includes('<error type="compile-error" message="boom">boom</error>'));
  assert(xml.includes("roofline: 25.00%"));
});

Deno.test("HTML: self-contained, a roofline point per timed case, failures first", () => {
  const html = htmlReport(jsonReport(target, RESULTS));
  assert(!/<script|<link|src=|href=/.test(html), "no scripts, styles or images fetched");
  assertEquals([...html.matchAll(/<circle class="point /g)].length, 3);
  assert(html.includes('<path class="roof"'));
  const rows = [...html.matchAll(/<tr class="(\w+) ([\w-]+)" data-id="([^"]+)"/g)].map((m) => m[3]);
  assertEquals(rows, ["conv/float32/x", "matmul/float32/7x13x5", "dense/int8/4", "add/float32/7"]);
  assertEquals([...html.matchAll(/<tr class="failure /g)].length, 3);
  assert(html.includes("1 elements differ &lt;&amp;&gt;"));
  assert(html.includes('<span id="final-line">1 passed, 3 failed</span>'));
});
