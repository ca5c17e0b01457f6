import { assert, assertEquals, assertRejects } from "../../ir/test_util.ts";
import { TargetError } from "../../ir/errors.ts";
import { clearMemoryCache, compileC, cpuFlags, toolchainStats } from "./toolchain.ts";

/** A tiny kernel; `nonce` makes its source (and so its cache key) unique to this run. */
function source(nonce: string): string {
  return `/* ${nonce} */\n__attribute__((export_name("tsr_seven"))) int tsr_seven(void) { return 7; }\n`;
}

Deno.test("a repeat compile is a memory hit, then a disk hit after the memory cache is cleared", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const src = source(crypto.randomUUID());
    const before = toolchainStats();
    const wasm = await compileC(src, cpuFlags(), { cacheDir: dir });
    const afterMiss = toolchainStats();
    assertEquals(afterMiss.misses, before.misses + 1);
    const { instance } = await WebAssembly.instantiate(wasm as BufferSource, {
      env: { memory: new WebAssembly.Memory({ initial: 17 }) },
    });
    assertEquals((instance.exports.tsr_seven as () => number)(), 7);
    assert(WebAssembly.Module.imports(new WebAssembly.Module(wasm as BufferSource)).length === 1);

    const again = await compileC(src, cpuFlags(), { cacheDir: dir });
    const afterHit = toolchainStats();
    assertEquals(afterHit.memoryHits, afterMiss.memoryHits + 1);
    assertEquals(afterHit.misses, afterMiss.misses);
    assertEquals(again, wasm);

    clearMemoryCache();
    const fromDisk = await compileC(src, cpuFlags(), { cacheDir: dir });
    const afterDisk = toolchainStats();
    assertEquals(afterDisk.diskHits, afterHit.diskHits + 1);
    assertEquals(afterDisk.misses, afterHit.misses);
    assertEquals([...fromDisk], [...wasm]);
    // other flags are another cache entry
    assert((await compileC(src, cpuFlags({ relaxedSimd: true }), { cacheDir: null })).length > 0);
    assertEquals(toolchainStats().misses, afterDisk.misses + 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a C error is a TargetError CPU_COMPILE_FAILED with clang's diagnostics", async () => {
  const e = await assertRejects(
    () =>
      compileC("int broken(void) { return undeclared_name; }\n", cpuFlags(), { cacheDir: null }),
    TargetError,
    "undeclared_name",
  );
  assertEquals(e.code, "CPU_COMPILE_FAILED");
  // a link error (an undefined function) is reported the same way
  const link = await assertRejects(
    () =>
      compileC(
        'double missing(double);\n__attribute__((export_name("f"))) double f(double x) { return missing(x); }\n',
        cpuFlags(),
        { cacheDir: null },
      ),
    TargetError,
    "missing",
  );
  assertEquals(link.code, "CPU_COMPILE_FAILED");
});

Deno.test("an unwritable cache directory only costs the disk cache", async () => {
  const src = source(crypto.randomUUID());
  const wasm = await compileC(src, cpuFlags(), { cacheDir: "/proc/no/such/dir" });
  assert(WebAssembly.validate(wasm as BufferSource));
});
