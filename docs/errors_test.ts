/**
 * The error catalogue (`docs/errors.md`) lists every code the source throws, once.
 */
import { assert, assertEquals } from "../ir/test_util.ts";

const root = new URL("../", import.meta.url);

/** Every code thrown as `new XError("CODE", …)` or through a `fail("CODE", …)` helper. */
async function thrownCodes(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const pattern = /(?:Error|fail)\(\s*"([A-Z][A-Z0-9]*_[A-Z0-9_]+)"/g;
  async function walk(dir: URL): Promise<void> {
    for await (const e of Deno.readDir(dir)) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const u = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
      if (e.isDirectory) await walk(u);
      else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
        const text = await Deno.readTextFile(u);
        for (const m of text.matchAll(pattern)) found.set(m[1], u.pathname);
      }
    }
  }
  await walk(root);
  return found;
}

async function catalogue(): Promise<string[]> {
  const text = await Deno.readTextFile(new URL("errors.md", import.meta.url));
  return [...text.matchAll(/^\| ([A-Z][A-Z0-9_]+) +\|/gm)].map((m) => m[1]);
}

Deno.test("every thrown error code is catalogued in docs/errors.md", async () => {
  const listed = new Set(await catalogue());
  const missing = [...await thrownCodes()].filter(([c]) => !listed.has(c));
  assertEquals(
    missing.map(([c, file]) => `${c} (${file})`),
    [],
    "codes thrown but missing from docs/errors.md",
  );
});

Deno.test("docs/errors.md lists each code once", async () => {
  const codes = await catalogue();
  assert(codes.length > 20, "the catalogue should not be empty");
  const dupes = codes.filter((c, i) => codes.indexOf(c) !== i);
  assertEquals(dupes, []);
});
