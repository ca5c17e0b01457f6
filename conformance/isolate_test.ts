import { assert, assertEquals } from "../ir/test_util.ts";
import { kernelCases } from "./kernel_cases.ts";
import { runCasesIsolated } from "./isolate.ts";

const IDS = ["relu/float32/7x13x5", "add/float32/7x13x5_13x5", "matmul/float32/7x13_13x5"];

/** A vendor module whose relu kernel spins on its thread for ~30 minutes. */
async function spinningTarget(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const testing = new URL("./testing.ts", import.meta.url).href;
  await Deno.writeTextFile(
    `${dir}/chip.ts`,
    `import { interpTarget } from "${testing}";\n` +
      `export default interpTarget({ name: "chip", hangOn: /relu/, spinMs: 18e5 }).target;\n`,
  );
  return dir;
}

Deno.test("--isolate: a case stuck in a synchronous loop is terminated; the next runs on a fresh worker", async () => {
  const dir = await spinningTarget();
  try {
    const cases = kernelCases().filter((c) => IDS.includes(c.id));
    const seen: string[] = [];
    const rs = await runCasesIsolated(
      cases,
      { targetUrl: new URL(`file://${dir}/chip.ts`).href, cases: ["builtin"], cwd: dir },
      { repeats: 0, caseTimeoutMs: 1500, onResult: (r) => seen.push(r.verdict) },
    );
    assertEquals(
      rs.map((r) => [r.id, r.verdict]),
      IDS.map((id, k) => [id, k ? "passed" : "timeout"]),
    );
    assertEquals(seen, ["timeout", "passed", "passed"]);
    assertEquals(rs[1].verdicts?.correct?.ok, true, "results cross from the worker whole");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--isolate: a worker that cannot load the target is a CONF_ISOLATE_FAILED", async () => {
  const cases = kernelCases().filter((c) => c.id === IDS[0]);
  let code: string | undefined;
  try {
    await runCasesIsolated(cases, {
      targetUrl: "file:///no/such/chip.ts",
      cases: ["builtin"],
      cwd: "/",
    });
  } catch (e) {
    code = (e as { code?: string }).code;
  }
  assertEquals(code, "CONF_ISOLATE_FAILED");
  assert(true);
});
