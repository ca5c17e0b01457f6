/**
 * `docs/vendor-guide.md` shows only real code: every `ts` block is a run of lines of a tested file
 * (the module `deno task new-target my-chip` writes, or the Acme N1 and its test), compared line
 * by line with indentation ignored; every repository path a `sh` block names exists.
 */
import { assert, assertEquals } from "../ir/test_util.ts";
import { targetTemplate } from "../sdk/cli/target_template.ts";

const root = new URL("../", import.meta.url);

async function sources(): Promise<Map<string, string[]>> {
  const lines = (text: string) => text.split("\n").map((l) => l.trim());
  const out = new Map<string, string[]>();
  out.set("new-target my-chip", lines(targetTemplate({ name: "my-chip", tessera: "./" })));
  for (const f of ["examples/vendor-npu/chip.ts", "examples/vendor-npu/chip_test.ts"]) {
    out.set(f, lines(await Deno.readTextFile(new URL(f, root))));
  }
  return out;
}

function blocks(markdown: string, lang: string): string[][] {
  const re = new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g");
  return [...markdown.matchAll(re)].map((m) =>
    m[1].split("\n").map((l) => l.trim()).filter((l) => l !== "")
  );
}

/** Whether `snippet` (blank lines dropped) is a run of `file`'s lines (blank lines dropped). */
function contains(file: readonly string[], snippet: readonly string[]): boolean {
  const body = file.filter((l) => l !== "");
  for (let s = 0; s + snippet.length <= body.length; s++) {
    if (snippet.every((l, k) => body[s + k] === l)) return true;
  }
  return false;
}

Deno.test("every ts block of the vendor guide is copied from a tested file", async () => {
  const guide = await Deno.readTextFile(new URL("vendor-guide.md", import.meta.url));
  const files = await sources();
  const snippets = blocks(guide, "ts");
  assert(snippets.length >= 6, `found ${snippets.length} ts blocks`);
  const orphans = snippets.filter((s) => ![...files.values()].some((f) => contains(f, s)));
  assertEquals(orphans.map((s) => s[0]), [], "blocks found in no tested file (first lines)");
});

Deno.test("the repository paths in the vendor guide's commands exist", async () => {
  const guide = await Deno.readTextFile(new URL("vendor-guide.md", import.meta.url));
  const paths = blocks(guide, "sh").flat().concat(guide.split("\n"))
    .flatMap((
      l,
    ) => [...l.matchAll(/(?:\.\/)?((?:examples|sdk|conformance|docs|targets)\/[\w./-]+)/g)])
    .map((m) => m[1].replace(/[.,)]+$/, ""));
  assert(paths.length > 5, `found ${paths.length} paths`);
  const missing: string[] = [];
  for (const p of new Set(paths)) {
    try {
      await Deno.stat(new URL(p, root));
    } catch {
      missing.push(p);
    }
  }
  assertEquals(missing, []);
});

/** Case counts the docs state, each a number of the catalogue: all cases, or `--quick`'s. */
const COUNT_CLAIMS: readonly RegExp[] = [
  /`(\d+) passed, 0 failed`/g, // a run's final line
  /\ball (\d+) (?:kernel )?cases\b/gi,
  /\((\d+) cases[;,)]/g,
  /deno task conformance .*# .*\((\d+)\)$/gm, // a command's comment: `# everything (310)`
];
const COUNTED_DOCS = [
  "docs/vendor-guide.md",
  "docs/conformance.md",
  "docs/architecture.md",
  "docs/npu.md",
  "docs/gpu.md",
  "examples/vendor-npu/README.md",
];

Deno.test("the case counts the docs state are the catalogue's (all cases or --quick)", async () => {
  const { kernelCases } = await import("../conformance/kernel_cases.ts");
  const counts = new Set([kernelCases().length, kernelCases({ quick: true }).length]);
  const stale: string[] = [];
  let claims = 0;
  for (const f of COUNTED_DOCS) {
    // sample output (```text blocks) shows filtered runs: not a claim about the catalogue
    const text = (await Deno.readTextFile(new URL(f, root))).replace(/```text\n[\s\S]*?```/g, "");
    for (const re of COUNT_CLAIMS) {
      for (const m of text.matchAll(re)) {
        claims++;
        if (!counts.has(Number(m[1]))) stale.push(`${f}: ${m[0]}`);
      }
    }
  }
  assert(claims >= 6, `found ${claims} count claims`);
  assertEquals(stale, [], `counts now: ${[...counts].join(", ")}`);
});

Deno.test("the vendor guide's sample report has the table's columns", async () => {
  const { renderTable } = await import("../conformance/report.ts");
  const guide = await Deno.readTextFile(new URL("vendor-guide.md", import.meta.url));
  const sample = blocks(guide, "text").find((b) => b[0].startsWith("case "));
  assert(sample !== undefined, "no sample report in the guide");
  const device = renderTable([{
    id: "x",
    op: "x",
    dtype: "int8",
    verdict: "passed",
    cycles: 1,
    hostOps: [],
  }]).split("\n")[0];
  const columns = (line: string) => line.trim().split(/\s{2,}/);
  assertEquals(columns(sample[0]), columns(device));
});
