import { assert, assertEquals, assertThrows } from "../ir/test_util.ts";
import { parseBenchArgs, USAGE } from "./args.ts";
import { BenchError } from "./errors.ts";

Deno.test("parseBenchArgs: defaults", () => {
  assertEquals(parseBenchArgs([]), {
    json: undefined,
    filter: undefined,
    quick: false,
    gpu: false,
    help: false,
  });
  assert(parseBenchArgs(["--gpu"]).gpu);
});

Deno.test("parseBenchArgs: --json, --filter, --quick, -h", () => {
  const a = parseBenchArgs(["--json", "out.json", "--filter", "^matmul_f32_(256|512)/", "--quick"]);
  assertEquals(a.json, "out.json");
  assert(a.quick);
  assert(a.filter!.test("matmul_f32_512/tfjs-wasm"));
  assert(!a.filter!.test("matmul_f32_1024/tfjs-wasm"));
  assertEquals(parseBenchArgs(["--json=x.json"]).json, "x.json");
  assert(parseBenchArgs(["-h"]).help);
  assert(
    USAGE.includes("--filter") && USAGE.includes("--json") && USAGE.includes("--quick") &&
      USAGE.includes("--gpu"),
  );
});

Deno.test("parseBenchArgs: bad input is a BenchError with code BENCH_BAD_ARGS", () => {
  for (
    const argv of [["--nope"], ["--json"], ["--filter", "("], ["positional"], ["--json="]]
  ) {
    const e = assertThrows(() => parseBenchArgs(argv), BenchError);
    assertEquals(e.code, "BENCH_BAD_ARGS", argv.join(" "));
  }
});
