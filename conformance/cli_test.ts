import { CommanderError } from "npm:commander@14.0.3";
import { assertEquals, assertThrows } from "../ir/test_util.ts";
import { parseCli } from "./cli.ts";

Deno.test("defaults: cpu target, kernels suite, table format, cache on", () => {
  const o = parseCli([]);
  assertEquals([o.target, o.suite, o.format, o.quick, o.filter, o.cache, o.repeats], [
    "cpu",
    "kernels",
    "table",
    false,
    undefined,
    true,
    3,
  ]);
  assertEquals([o.cases, o.dtypes], [[], []]);
  assertEquals([o.caseTimeout, o.isolate], [120, false]);
});

Deno.test("options parse", () => {
  const o = parseCli([
    "--target",
    "./chip.ts",
    "--suite",
    "all",
    "--filter",
    "^matmul",
    "--quick",
    "--format",
    "junit",
    "--dtype",
    "int8,float16",
    "--dtype",
    "float32",
    "--cases",
    "builtin",
    "--cases",
    "./mine.ts",
    "--floor",
    "0.25",
    "--wall-clock-floors",
    "--no-cache",
    "--repeats",
    "0",
    "--case-timeout",
    "2.5",
    "--isolate",
  ]);
  assertEquals([o.caseTimeout, o.isolate], [2.5, true]);
  assertEquals([o.target, o.suite, o.filter, o.quick, o.format], [
    "./chip.ts",
    "all",
    "^matmul",
    true,
    "junit",
  ]);
  assertEquals(o.dtypes, ["int8", "float16", "float32"]);
  assertEquals(o.cases, ["builtin", "./mine.ts"]);
  assertEquals([o.floor, o.wallClockFloors, o.cache, o.repeats], [0.25, true, false, 0]);
});

Deno.test("usage errors are CommanderErrors (exit code 2)", () => {
  const quiet = console.error;
  console.error = () => {};
  try {
    for (
      const bad of [
        ["--format", "xml"],
        ["--suite", "graphs"],
        ["--filter", "("],
        ["--dtype", "float33"],
        ["--floor", "2"],
        ["--repeats", "-1"],
        ["--case-timeout", "-1"],
        ["--case-timeout", "soon"],
        ["--no-such-flag"],
      ]
    ) {
      assertThrows(() => parseCli(bad), CommanderError);
    }
  } finally {
    console.error = quiet;
  }
});
