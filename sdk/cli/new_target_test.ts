/**
 * `deno task new-target`: the written module loads through the conformance kit (validation
 * included) and passes conformance cases as written; names are checked; files are never
 * overwritten.
 */
import { assert, assertEquals, assertRejects, assertThrows } from "../../ir/test_util.ts";
import { TargetError } from "../../ir/errors.ts";
import { loadTarget } from "../../conformance/load_target.ts";
import { kernelCases } from "../../conformance/kernel_cases.ts";
import { runCases } from "../../conformance/runner.ts";
import { checkTargetName, type CliIo, main, scaffoldTarget, tesseraBase } from "./new_target.ts";

function capture(): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l) };
}

async function deno(args: string[]): Promise<{ code: number; text: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, text: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

Deno.test("a scaffolded target loads, validates and passes conformance cases as written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tessera-new-target-" });
  try {
    const { path, tessera } = await scaffoldTarget({ name: "my-chip", dir });
    assertEquals(path, `${dir}/my-chip.ts`);
    assertEquals(tessera, tesseraBase(dir));
    const text = await Deno.readTextFile(path);
    assert(text.includes(`} from "${tessera}mod.ts";`), "imports the checkout's mod.ts");
    assert((text.match(/TODO/g) ?? []).length >= 5, "TODOs mark what a vendor replaces");

    const t = await loadTarget(path);
    assertEquals(t.name, "my-chip");
    assertEquals(t.kind, "npu");
    assertEquals(t.scopeMap.get("my_chip.wgt")?.capacityBytes, 128 * 1024);
    assertEquals(t.intrinsics.map((x) => x.name), [
      "my_chip.gemm.int8",
      "my_chip.gemm.float16",
      "my_chip.gemm.float32",
    ]);
    const ids = ["matmul/int8/100x50_50x70", "relu/float32/7x13x5"];
    const cases = kernelCases().filter((c) => ids.includes(c.id));
    assertEquals(cases.length, 2);
    const results = await runCases(cases, t, { repeats: 0 });
    const [mm, relu] = ids.map((id) => results.find((r) => r.id === id)!);
    for (const r of [mm, relu]) assertEquals(r.verdict, "passed", `${r.id}: ${r.detail}`);
    assertEquals(mm.intrinsicShare, 1);
    assert(mm.utilization! > 0 && mm.cycles! > 0, "GEMM stats reported");
    assertEquals(relu.hostOps, ["T_relu"]);

    // the file is what a vendor can keep: formatted, lint-clean, type-checked
    const fmt = await deno(["fmt", "--check", path]);
    assertEquals(fmt.code, 0, fmt.text);
    const lint = await deno(["lint", path]);
    assertEquals(lint.code, 0, lint.text);
    const config = new URL("../../deno.json", import.meta.url).pathname;
    const check = await deno(["check", "--config", config, path]);
    assertEquals(check.code, 0, check.text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a vendor's wrong intrinsic description is caught when the target loads", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tessera-new-target-" });
  try {
    const { path } = await scaffoldTarget({ name: "wrong", dir });
    const text = await Deno.readTextFile(path);
    // forgetting that the GEMM unit accumulates: the description zeroes C first
    const good = "return auto.accumulating(createPrimFunc([A, B, C], `gemm_${mode}`));";
    assert(text.includes(good), "the template's description");
    await Deno.writeTextFile(
      path,
      text.replace(good, "return createPrimFunc([A, B, C], `gemm_${mode}`);")
        .replace(/import \{ auto \} from .*\n/, ""),
    );
    const e = await assertRejects(() => loadTarget(path), TargetError);
    assertEquals(e.code, "TARGET_INTRINSIC_MISMATCH");
    assert(e.message.includes(`Intrinsic "wrong.gemm.int8" of target "wrong"`), e.message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("scaffolding never overwrites a file, and needs an existing directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tessera-new-target-" });
  try {
    await Deno.writeTextFile(`${dir}/taken.ts`, "// mine\n");
    const e = await assertRejects(() => scaffoldTarget({ name: "taken", dir }), TargetError);
    assertEquals(e.code, "SCAFFOLD_FILE_EXISTS");
    assertEquals(await Deno.readTextFile(`${dir}/taken.ts`), "// mine\n");
    const d = await assertRejects(
      () => scaffoldTarget({ name: "x", dir: `${dir}/missing` }),
      TargetError,
    );
    assertEquals(d.code, "SCAFFOLD_BAD_DIR");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("target names are checked before anything is written", () => {
  assertEquals(checkTargetName("acme_n1-b"), "acme_n1-b");
  for (const bad of ["My-Chip", "9chip", "", "a.b", "chip/x", "x_test", "a".repeat(65)]) {
    assertEquals(assertThrows(() => checkTargetName(bad), TargetError).code, "SCAFFOLD_BAD_NAME");
  }
});

Deno.test("the command: --help, usage errors and bad names exit 2, success writes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tessera-new-target-" });
  try {
    const help = capture();
    assertEquals(await main(["--help"], help), 0);
    assert(help.lines.join("\n").includes("Usage: new-target"), help.lines.join("\n"));
    assertEquals(await main([], capture()), 2);
    assertEquals(await main(["--nope", "x"], capture()), 2);
    const bad = capture();
    assertEquals(await main(["Bad", "--dir", dir], bad), 2);
    assert(bad.lines.join("\n").includes("SCAFFOLD_BAD_NAME"), bad.lines.join("\n"));
    const ok = capture();
    assertEquals(await main(["chip-a", "--dir", dir], ok), 0);
    assert(ok.lines[0].startsWith(`Wrote ${dir}/chip-a.ts`), ok.lines.join("\n"));
    const again = capture();
    assertEquals(await main(["chip-a", "--dir", dir], again), 2);
    assert(again.lines.join("\n").includes("SCAFFOLD_FILE_EXISTS"), again.lines.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
