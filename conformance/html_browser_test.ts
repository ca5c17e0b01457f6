/**
 * The HTML report as a browser renders it: a small run on the interpreter target (one case
 * crashes, one is wrong), its HTML opened in headless Chromium (Debian's `chromium`; install it with
 * `.ci/install_chromium.sh`), and the rendered DOM checked for the roofline points and the
 * failure rows. Skipped, saying why, when `chromium` is not on PATH.
 */
import { assert, assertEquals } from "../ir/test_util.ts";
import { htmlReport } from "./html.ts";
import { kernelCases } from "./kernel_cases.ts";
import { jsonReport, targetInfo } from "./report.ts";
import { runCases } from "./runner.ts";
import { interpTarget } from "./testing.ts";

async function chromiumPath(): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      const p = `${dir}/chromium`;
      if ((await Deno.stat(p)).isFile) return p;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

const chromium = await chromiumPath();
if (!chromium) {
  console.warn(
    "html_browser_test: skipped, `chromium` is not on PATH (run .ci/install_chromium.sh)",
  );
}

Deno.test({
  name: "headless Chromium renders the report: a point per timed case, failure rows first",
  ignore: !chromium,
  async fn() {
    const ids = [
      "relu/float32/7x13x5",
      "add/float32/7x13x5_13x5",
      "matmul/float32/7x13_13x5",
      "softmax/float32/7x13",
    ];
    const cases = kernelCases().filter((c) => ids.includes(c.id));
    assertEquals(cases.length, 4);
    const { target } = interpTarget({ crashOn: /^add/, wrongOn: /^relu/, cycles: 5000 });
    const results = await runCases(cases, target, { repeats: 0 });
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/report.html`;
      await Deno.writeTextFile(file, htmlReport(jsonReport(targetInfo(target), results)));
      const out = await new Deno.Command(chromium!, {
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--no-first-run",
          `--user-data-dir=${dir}/profile`,
          "--dump-dom",
          `file://${file}`,
        ],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(90_000),
      }).output();
      const dom = new TextDecoder().decode(out.stdout);
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
      // The DOM as parsed: SVG elements in the SVG namespace keep their attributes.
      assert(dom.includes('<svg id="roofline"'), dom.slice(0, 400));
      const points = [...dom.matchAll(/<circle class="point (\w[\w-]*)" data-id="([^"]+)"/g)];
      assertEquals(points.map((m) => m[2]).sort(), [
        "matmul/float32/7x13_13x5",
        "softmax/float32/7x13",
      ]);
      const rows = [...dom.matchAll(/<tr class="(failure|passed) [\w-]+" data-id="([^"]+)"/g)];
      assertEquals(rows.map((m) => [m[1], m[2]]), [
        ["failure", "add/float32/7x13x5_13x5"],
        ["failure", "relu/float32/7x13x5"],
        ["passed", "matmul/float32/7x13_13x5"],
        ["passed", "softmax/float32/7x13"],
      ]);
      assert(dom.includes("2 passed, 2 failed"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
