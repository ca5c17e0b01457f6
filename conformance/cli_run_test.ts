/**
 * The conformance command end to end, in fresh Deno processes: exit codes, the table's final
 * line, the four reports, a second run answered by the artifact cache, users' case files (kernel
 * and model cases), the models suite without cases, broken vendor modules, and the command run by
 * URL.
 */
import { assert, assertEquals } from "../ir/test_util.ts";
import { fromFileUrl, serveDirectory } from "../ir/test_serve.ts";

const cli = new URL("./cli.ts", import.meta.url).pathname;
const root = fromFileUrl(new URL("../", import.meta.url));

async function run(args: string[], cwd?: string, entry = cli) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", entry, ...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A directory with a vendor module (the interpreter target, wrong on `triple`) and a case file. */
async function fixtures(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const at = (p: string) => new URL(p, import.meta.url).href;
  await Deno.writeTextFile(
    `${dir}/chip.ts`,
    `import { interpTarget } from "${at("./testing.ts")}";\n` +
      `export default interpTarget({ name: "chip", wrongOn: /^triple/ }).target;\n` +
      `export const conformance = { floor: { roofline: 0.5 } };\n`,
  );
  await Deno.writeTextFile(
    `${dir}/my_cases.ts`,
    `import { defineCase } from "${at("./case.ts")}";
import { compute, createPrimFunc, placeholder, sizeVar } from "${at("../ir/te.ts")}";
import { mul } from "${at("../ir/expr.ts")}";
import { randomNDArray } from "${at("../ir/ndarray.ts")}";
import { runFunc } from "${at("../ir/interp/mod.ts")}";
import { build } from "${at("../sdk/mod.ts")}";
const scale = (name, k) => () => {
  const n = sizeVar("n");
  const A = placeholder([n], "float32", "A");
  return createPrimFunc([A, compute([n], ([i]) => mul(A.at(i), k), "B")], name);
};
const inputs = (seed) => [randomNDArray("float32", [37], seed)];
export default [
  defineCase({ id: "double/float32/n=37", op: "double", dtype: "float32", func: scale("double", 2), inputs }),
  defineCase({ id: "triple/float32/n=37", op: "triple", dtype: "float32", func: scale("triple", 3), inputs }),
];
export const modelCases = [{
  id: "tiny_model/float32/n=37",
  model: "tiny_model",
  dtype: "float32",
  build: async (target) => {
    const k = await build(scale("double", 2)(), target);
    return (xs) => k.run(xs);
  },
  inputs,
  oracle: (xs) => runFunc(scale("double", 2)(), xs),
}];
`,
  );
  return dir;
}

Deno.test("a filtered cpu run passes, writes four reports; the second run is all cache hits", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const args = ["--filter", "^(relu|add)/float32/n=", "--cache-dir", `${dir}/cache`];
    const r = await run([...args, "--report-dir", `${dir}/out`]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert(/^\d+ passed, 0 failed$/.test(lines.at(-1)!), lines.at(-1));
    assert(r.stdout.includes("bound at run time"));
    assert(/^\[1\/\d+\] passed relu\/float32\/n=/m.test(r.stderr), "plain progress lines");
    const report = JSON.parse(await Deno.readTextFile(`${dir}/out/report.json`));
    assertEquals(report.schemaVersion, "1.2.0");
    assertEquals(report.target.name, "cpu");
    const n = report.cases.length;
    assert(n >= 2);
    assertEquals(report.summary.cache, { miss: n });
    for (const c of report.cases) {
      assertEquals(Object.keys(c.verdicts), ["compiled", "correct", "fast", "tensorized"]);
    }
    for (const f of ["report.xml", "report.html", "report.txt"]) {
      assert((await Deno.stat(`${dir}/out/${f}`)).size > 0, f);
    }
    const again = await run([...args, "--format", "json"]);
    assertEquals(again.code, 0, again.stderr);
    const second = JSON.parse(again.stdout);
    assertEquals(second.summary.cache, { hit: n }, "the second run compiles nothing");
    assertEquals(again.stderr.trimEnd().split("\n").at(-1), `${n} passed, 0 failed`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("users' case files and a vendor module: failures exit 1; JUnit on stdout", async () => {
  const dir = await fixtures();
  try {
    const r = await run(
      ["--target", "./chip.ts", "--cases", "./my_cases.ts", "--suite", "all", "--format", "junit"],
      dir,
    );
    assertEquals(r.code, 1, r.stderr);
    assert(r.stdout.includes('<testsuites name="tessera conformance: chip" tests="3"'), r.stdout);
    assert(r.stdout.includes('<failure type="mismatch"'), r.stdout);
    assert(r.stdout.includes('<testsuite name="chip.models" tests="1" failures="0"'), r.stdout);
    assertEquals(r.stderr.trimEnd().split("\n").at(-1), "2 passed, 1 failed");
    // the module's default floor applies, but not on wall-clock time
    const j = await run(
      ["--target", "./chip.ts", "--cases", "./my_cases.ts", "--format", "json"],
      dir,
    );
    const double = JSON.parse(j.stdout).cases[0];
    assertEquals(double.verdicts.fast.floor, { roofline: 0.5 });
    assertEquals(double.verdict, "passed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a hung case is a timeout in every report and the run goes on", async () => {
  const dir = await fixtures();
  try {
    const at = new URL("./testing.ts", import.meta.url).href;
    await Deno.writeTextFile(
      `${dir}/hang.ts`,
      `import { interpTarget } from "${at}";\n` +
        `export default interpTarget({ name: "hang", hangOn: /^triple/ }).target;\n`,
    );
    const r = await run(
      ["--target", "./hang.ts", "--cases", "./my_cases.ts", "--case-timeout", "0.5"].concat(
        ["--format", "json", "--report-dir", "out"],
      ),
      dir,
    );
    assertEquals(r.code, 1, r.stderr);
    assertEquals(r.stderr.trimEnd().split("\n").at(-1), "1 passed, 1 failed (1 timed out)");
    const report = JSON.parse(r.stdout);
    assertEquals(report.summary.verdicts.timeout, 1);
    assertEquals(report.cases.map((c: { verdict: string }) => c.verdict), ["passed", "timeout"]);
    const xml = await Deno.readTextFile(`${dir}/out/report.xml`);
    assert(xml.includes('<error type="timeout"'), xml);
    assert((await Deno.readTextFile(`${dir}/out/report.txt`)).includes("timeout"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--suite models without model cases says so in one line and exits 2", async () => {
  const dir = await fixtures();
  try {
    await Deno.writeTextFile(
      `${dir}/kernels_only.ts`,
      `export { default } from "./my_cases.ts";\n`,
    );
    const r = await run([
      "--target",
      "./chip.ts",
      "--suite",
      "models",
      "--cases",
      "./kernels_only.ts",
    ], dir);
    assertEquals(r.code, 2);
    assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert(r.stderr.startsWith("no model cases available yet"), r.stderr);
    const none = await run([
      "--target",
      "./chip.ts",
      "--suite",
      "models",
      "--cases",
      "./my_cases.ts",
      "--filter",
      "^nothing",
    ], dir);
    assertEquals([none.code, none.stderr.trim()], [2, "no model cases match the filter"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the built-in models suite: the ONNX MLP on the interpreter target", async () => {
  const dir = await fixtures();
  try {
    const r = await run(
      ["--target", "./chip.ts", "--suite", "models", "--filter", "^onnx/mlp/", "--format", "json"],
      dir,
    );
    assertEquals(r.code, 0, r.stderr);
    const [c] = JSON.parse(r.stdout).cases;
    assertEquals([c.suite, c.op, c.verdict, c.verdicts.correct.ok], [
      "models",
      "mlp",
      "passed",
      true,
    ]);
    assertEquals(c.cache, "miss");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad vendor modules and case files exit 2 with one paragraph naming the problem", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const sdk = new URL("../sdk/mod.ts", import.meta.url).href;
    const caseFile = (id: string) =>
      `import { defineCase } from "${new URL("./case.ts", import.meta.url).href}";
export default [defineCase({ id: "${id}", op: "x", dtype: "int8", func: () => { throw 1; }, inputs: () => [] })];\n`;
    const spec = (scopes: string, intrinsics = "[]") =>
      `import { defineMemoryScope, defineTarget, SDK_VERSION } from "${sdk}";
export default defineTarget({ name: "bad", kind: "npu", sdkVersion: SDK_VERSION,
  scopes: ${scopes}, intrinsics: ${intrinsics},
  codegen: { compile: () => Promise.reject(new Error("no")) },
  runtime: { createDevice: () => Promise.reject(new Error("no")) },
  limits: {}, peak: { flopsPerSecond: { int8: 1e9 }, bytesPerSecond: { global: 1e9, sram: 1e9 } } });\n`;
    const files: Record<string, string> = {
      "throws.ts": `throw new Error("chip exploded");\n`,
      "empty.ts": `export const x = 1;\n`,
      "scope.ts": spec(`[defineMemoryScope({ name: "global", alignmentBytes: 64 })]`),
      "cases.ts": `export const notCases = 1;\n`,
      "dup.ts": caseFile("relu/int8/4x11"),
      "badid.ts": caseFile("relu int8"),
      "floor.ts":
        `export { default } from "./ok.ts";\nexport const conformance = { floor: { roofline: "high" } };\n`,
      "ok.ts": `import { interpTarget } from "${new URL("./testing.ts", import.meta.url).href}";
export default interpTarget().target;\n`,
    };
    for (const [f, text] of Object.entries(files)) await Deno.writeTextFile(`${dir}/${f}`, text);
    const expect = async (args: string[], code: string, words: string) => {
      const r = await run(args, dir);
      assertEquals(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert(r.stderr.includes(code) && r.stderr.includes(words), r.stderr);
      assert(!r.stderr.trim().includes("\n\n"), `one paragraph: ${r.stderr}`);
      assertEquals(r.stdout, "");
    };
    await expect(["--target", "./throws.ts"], "CONF_TARGET_LOAD_FAILED", "chip exploded");
    await expect(["--target", "./empty.ts"], "CONF_TARGET_NO_DEFAULT", "no default export");
    await expect(["--target", "./scope.ts"], "TARGET_UNKNOWN_SCOPE", 'scope "sram"');
    await expect(["--target", "tpu"], "CONF_UNKNOWN_TARGET", '"tpu"');
    await expect(
      ["--target", "./ok.ts", "--cases", "./cases.ts"],
      "CONF_CASES_INVALID",
      "exports no list of cases",
    );
    await expect(
      ["--target", "./ok.ts", "--cases", "./missing.ts"],
      "CONF_CASES_LOAD_FAILED",
      "missing.ts",
    );
    await expect(
      ["--target", "./ok.ts", "--cases", "builtin", "--cases", "./dup.ts"],
      "CONF_DUPLICATE_CASE_ID",
      '"relu/int8/4x11"',
    );
    await expect(
      ["--target", "./ok.ts", "--cases", "./badid.ts"],
      "CONF_BAD_CASE_ID",
      '"relu int8"',
    );
    await expect(["--target", "./floor.ts"], "CONF_TARGET_INVALID", "floor.roofline is high");
    const usage = await run(["--format", "xml"]);
    assertEquals(usage.code, 2);
    assert(usage.stderr.includes("xml"), usage.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a target whose module says it is unavailable here is skipped in one line, exit 0", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/absent.ts`,
      `import { interpTarget } from "${new URL("./testing.ts", import.meta.url).href}";\n` +
        `export const available = () => ({ ok: false, reason: "no board attached" });\n` +
        `export default interpTarget().target;\n`,
    );
    const r = await run(["--target", "./absent.ts"], dir);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.trim().split("\n").length, 1, r.stdout);
    assert(r.stdout.includes("skipped") && r.stdout.includes("no board attached"), r.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the command runs by URL", async () => {
  const dir = await fixtures();
  await using server = serveDirectory(root);
  try {
    const r = await run(
      ["--target", "./chip.ts", "--cases", "./my_cases.ts", "--filter", "^double", "--no-cache"],
      dir,
      `${server.url}conformance/cli.ts`,
    );
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.trimEnd().split("\n").at(-1), "1 passed, 0 failed");
    assert(server.requests.includes("/conformance/cli.ts"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
