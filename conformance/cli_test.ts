import { CommanderError } from "npm:commander@14.0.3";
import { assertEquals, assertThrows } from "../ir/test_util.ts";
import { parseCli } from "./cli.ts";

Deno.test("defaults: cpu target, table format", () => {
  const o = parseCli([]);
  assertEquals([o.target, o.format, o.quick, o.filter], ["cpu", "table", false, undefined]);
});

Deno.test("options parse", () => {
  const o = parseCli([
    "--target",
    "./chip.ts",
    "--filter",
    "^matmul",
    "--quick",
    "--format",
    "json",
  ]);
  assertEquals([o.target, o.filter, o.quick, o.format], ["./chip.ts", "^matmul", true, "json"]);
});

Deno.test("usage errors are CommanderErrors (exit code 2)", () => {
  const quiet = console.error;
  console.error = () => {};
  try {
    assertThrows(() => parseCli(["--format", "xml"]), CommanderError);
    assertThrows(() => parseCli(["--filter", "("]), CommanderError);
    assertThrows(() => parseCli(["--no-such-flag"]), CommanderError);
  } finally {
    console.error = quiet;
  }
});
