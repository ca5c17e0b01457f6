/**
 * `docs/conformance.md` shows working code: its case file runs through the conformance command on
 * the cpu target, and the error it shows is the one the command prints.
 */
import { assert, assertEquals } from "../ir/test_util.ts";

const root = new URL("../", import.meta.url).href;
const cli = new URL("../conformance/cli.ts", import.meta.url).pathname;

async function run(args: string[], cwd: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, ...args],
    cwd,
    // the cpu toolchain's wasm cache of this checkout (the case's own cache is a fresh --cache-dir)
    env: { NO_COLOR: "1", TESSERA_CACHE_DIR: `${new URL(".cache/tessera", root).pathname}` },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("the guide's case file runs: its floor is not enforced on wall time, its baseline is used", async () => {
  const doc = await Deno.readTextFile(new URL("conformance.md", import.meta.url));
  const block = /```ts\n([\s\S]*?)```/.exec(doc)![1];
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/my_cases.ts`, block.replaceAll("../tessera/", root));
    const r = await run(
      ["--cases", "./my_cases.ts", "--format", "json", "--cache-dir", `${dir}/cache`],
      dir,
    );
    assertEquals(r.code, 0, r.stderr);
    const [c] = JSON.parse(r.stdout).cases;
    assertEquals([c.id, c.verdict], ["scale/float32/n=1000", "passed"]);
    assertEquals(c.verdicts.fast.floor, { roofline: 0.001 });
    assertEquals(c.verdicts.fast.baselineMs, 0.05);
    assert(c.verdicts.fast.baselineRatio > 0);
    assertEquals(c.verdicts.fast.flops, 1000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the guide's load error is the one the command prints", async () => {
  const doc = await Deno.readTextFile(new URL("conformance.md", import.meta.url));
  const shown = /```text\n(error\[[\s\S]*?)```/.exec(doc)![1].trimEnd();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/my-chip.ts`,
      `import { defineMemoryScope, defineTarget, SDK_VERSION } from "${root}sdk/mod.ts";
export default defineTarget({ name: "my-chip", kind: "npu", sdkVersion: SDK_VERSION,
  scopes: [defineMemoryScope({ name: "global", alignmentBytes: 64 })],
  codegen: { compile: () => Promise.reject(new Error("no")) },
  runtime: { createDevice: () => Promise.reject(new Error("no")) },
  limits: {}, peak: { flopsPerSecond: { int8: 1e9 }, bytesPerSecond: { global: 1e9, sram: 1e9 } } });
`,
    );
    const r = await run(["--target", "./my-chip.ts"], dir);
    assertEquals(r.code, 2);
    assertEquals(r.stderr.trimEnd(), shown);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
