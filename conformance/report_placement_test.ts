import { assert, assertEquals } from "../ir/test_util.ts";
import { htmlReport } from "./html.ts";
import { junitReport } from "./junit.ts";
import { jsonReport, renderTable } from "./report.ts";
import { placementFigures, placementHtml, placementSummary } from "./report_placement.ts";
import type { CaseResult, ModelPlacement } from "./result.ts";

const placement: ModelPlacement = {
  fallback: "cpu",
  offloadTarget: "npu",
  copies: 2,
  flops: 100,
  macsByTarget: { npu: 30, cpu: 10 },
  offloadedMacShare: 0.75,
  kernels: [
    { func: "fused_dense_add", target: "npu", calls: 2, macs: 30, reason: "dense+add <matches>" },
    { func: "layer_norm", target: "cpu", calls: 1, macs: 10, reason: "fallback" },
  ],
};
const model: CaseResult = {
  id: "onnx/m",
  op: "m",
  dtype: "float32",
  suite: "models",
  verdict: "passed",
  placement,
};
const kernel: CaseResult = { id: "k", op: "k", dtype: "float32", verdict: "passed" };

Deno.test("placement: one summary line, the kernels in the table, HTML and JUnit reports", () => {
  assertEquals(
    placementSummary(placement),
    "75.0% of MACs on npu (npu: 1 kernel, 30 MACs; cpu: 1 kernel, 10 MACs; 2 copies per run)",
  );
  const all = placementSummary({ ...placement, offloadTarget: undefined, copies: 1 });
  assert(all.startsWith("all on cpu") && all.endsWith("1 copy per run)"), all);
  const table = renderTable([kernel, model]);
  const tail = table.slice(table.indexOf("Placement (what ran where):"));
  assert(tail.includes("- onnx/m: 75.0% of MACs on npu"), table);
  assert(/fused_dense_add\s+npu\s+30 MACs {2}dense\+add <matches>/.test(tail), tail);
  assert(!renderTable([kernel]).includes("Placement"));
  const html = htmlReport(jsonReport({ name: "npu" }, [kernel, model]));
  assert(html.includes('<p class="placement-summary" data-id="onnx/m">75.0% of MACs'), html);
  assert(html.includes("dense+add &#60;matches&#62;"), "reasons are escaped");
  assertEquals(placementHtml([kernel]), "");
  const xml = junitReport("npu", [kernel, model]);
  assert(xml.includes("placement: 75.0% of MACs on npu"), xml);
  assert(xml.includes("&lt;matches&gt;"), "JUnit escapes the kernels' reasons");
  assertEquals(placementFigures(kernel), "");
});
