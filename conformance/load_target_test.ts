import { TargetError } from "../ir/errors.ts";
import { assert, assertEquals, assertRejects } from "../ir/test_util.ts";
import { main } from "./cli.ts";
import { loadTarget } from "./load_target.ts";

/** A vendor module in a temporary directory: the toy target with a GEMM of the given bug. */
async function vendorModule(bug: string): Promise<{ dir: string; file: string }> {
  const dir = await Deno.makeTempDir();
  const helpers = new URL("../sdk/validate_testing.ts", import.meta.url).href;
  const file = `${dir}/chip_${bug}.ts`;
  await Deno.writeTextFile(
    file,
    `import { toyGemm, toyTarget } from "${helpers}";\n` +
      `export default toyTarget({ intrinsics: [toyGemm("${bug}")] });\n`,
  );
  return { dir, file };
}

Deno.test("loadTarget validates the target: a correct intrinsic loads", async () => {
  const { dir } = await vendorModule("none");
  const t = await loadTarget("./chip_none.ts", dir);
  assertEquals([t.name, t.intrinsics.length], ["toy", 1]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a vendor module with a wrong intrinsic fails at load; the CLI exits 2 with the reason", async () => {
  const { dir, file } = await vendorModule("drop-last-k");
  const e = await assertRejects(() => loadTarget("./chip_drop-last-k.ts", dir), TargetError);
  assertEquals((e as TargetError).code, "TARGET_INTRINSIC_MISMATCH");
  assert(e.message.includes(`Intrinsic "toy.gemm4_int8" of target "toy"`), e.message);

  const printed: string[] = [];
  const error = console.error;
  console.error = (...xs: unknown[]) => void printed.push(xs.join(" "));
  try {
    assertEquals(await main(["--target", file]), 2);
  } finally {
    console.error = error;
  }
  assertEquals(printed.length, 1);
  assert(printed[0].startsWith("error[TARGET_INTRINSIC_MISMATCH]: Intrinsic"), printed[0]);
  assert(printed[0].includes("inputs before the run: A["), printed[0]);
  await Deno.remove(dir, { recursive: true });
});
