/**
 * The conformance command end to end, in a fresh Deno process: exit codes, the table's final line,
 * the JSON report, and a broken vendor module.
 */
import { assert, assertEquals } from "../ir/test_util.ts";

const cli = new URL("./cli.ts", import.meta.url).pathname;

async function run(args: string[], cwd?: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("a filtered run on cpu passes, prints the table and the final line, exits 0", async () => {
  const dir = await Deno.makeTempDir();
  const r = await run(["--filter", "^(relu|add)/float32/n=", "--report-dir", dir]);
  assertEquals(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert(/^\d+ passed, 0 failed$/.test(lines.at(-1)!), lines.at(-1));
  assert(r.stdout.includes("bound at run time"));
  const report = JSON.parse(await Deno.readTextFile(`${dir}/report.json`));
  assertEquals(report.target, "cpu");
  assert(report.cases.length >= 2);
  assertEquals(report.summary.failed, 0);
});

Deno.test("usage errors and unloadable targets exit 2 with a reason", async () => {
  const bad = await run(["--format", "xml"]);
  assertEquals(bad.code, 2);
  assert(bad.stderr.includes("xml"), bad.stderr);
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/throws.ts`, `throw new Error("chip exploded");\n`);
  await Deno.writeTextFile(`${dir}/empty.ts`, `export const x = 1;\n`);
  const throws = await run(["--target", "./throws.ts"], dir);
  assertEquals(throws.code, 2);
  assert(
    throws.stderr.includes("CONF_TARGET_LOAD_FAILED") && throws.stderr.includes("chip exploded"),
  );
  const empty = await run(["--target", "./empty.ts"], dir);
  assertEquals(empty.code, 2);
  assert(empty.stderr.includes("CONF_TARGET_NO_DEFAULT"), empty.stderr);
  const unknown = await run(["--target", "tpu"]);
  assertEquals(unknown.code, 2);
  assert(unknown.stderr.includes("CONF_UNKNOWN_TARGET"), unknown.stderr);
});
