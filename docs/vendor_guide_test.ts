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
