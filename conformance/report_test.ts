import { assert, assertEquals } from "../ir/test_util.ts";
import { finalLine, jsonReport, renderTable, REPORT_SCHEMA_VERSION, summarize } from "./report.ts";
import type { CaseResult } from "./result.ts";

const results: CaseResult[] = [
  { id: "add/float32/7", op: "add", dtype: "float32", verdict: "passed", runMs: 0.01, maxUlps: 0 },
  {
    id: "matmul/float32/7x13x5",
    op: "matmul",
    dtype: "float32",
    verdict: "mismatch",
    detail: "output 0: 1 elements differ",
  },
  { id: "conv/float32/x", op: "conv", dtype: "float32", verdict: "compile-error", detail: "boom" },
];

Deno.test("summary counts passes and every kind of failure", () => {
  assertEquals(summarize(results), { passed: 1, failed: 2 });
  assertEquals(finalLine(summarize(results)), "1 passed, 2 failed");
});

Deno.test("the table lists failures first, their details, and ends with the final line", () => {
  const text = renderTable(results);
  const lines = text.split("\n");
  assert(lines[2].startsWith("matmul/float32/7x13x5"), lines[2]);
  assert(lines[4].startsWith("add/float32/7"), lines[4]);
  assert(text.includes("- conv/float32/x (compile-error):\n    boom"));
  assertEquals(lines.at(-1), "1 passed, 2 failed");
});

Deno.test("the JSON report carries the schema version and every case", () => {
  const r = JSON.parse(JSON.stringify(jsonReport("cpu", results)));
  assertEquals(r.schemaVersion, REPORT_SCHEMA_VERSION);
  assertEquals(r.target, "cpu");
  assertEquals(r.cases.length, 3);
  assertEquals(r.summary, { passed: 1, failed: 2 });
});
