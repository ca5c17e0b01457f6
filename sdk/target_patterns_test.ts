import { TargetError } from "../ir/errors.ts";
import { assertEquals, assertThrows } from "../ir/test_util.ts";
import type { Artifact } from "./codegen.ts";
import { defineMemoryScope } from "./scope.ts";
import { defineTarget, type TargetSpec } from "./target.ts";
import { SDK_VERSION } from "./version.ts";

function spec(graphPatterns: unknown): TargetSpec<Artifact> {
  return {
    name: "toy",
    kind: "npu",
    sdkVersion: SDK_VERSION,
    scopes: [defineMemoryScope({ name: "global", alignmentBytes: 64 })],
    codegen: { compile: () => Promise.reject(new Error("unused")) },
    runtime: { createDevice: () => Promise.reject(new Error("unused")) },
    limits: {},
    peak: { flopsPerSecond: { float32: 1e9 }, bytesPerSecond: { global: 1e9 } },
    graphPatterns,
  } as TargetSpec<Artifact>;
}

Deno.test("defineTarget: graphPatterns are kept, frozen, and default to none", () => {
  const t = defineTarget(spec([{ name: "conv", ops: ["conv2d", "add?", "relu?"] }]));
  assertEquals(t.graphPatterns.map((p) => p.ops.join(" ")), ["conv2d add? relu?"]);
  assertEquals(Object.isFrozen(t.graphPatterns[0]), true);
  assertEquals(defineTarget(spec(undefined)).graphPatterns, []);
});

Deno.test("defineTarget: a malformed graph pattern is TARGET_BAD_FIELD naming the field", () => {
  const cases: [unknown, string][] = [
    [{ name: "x" }, "graphPatterns"],
    [[{ name: "", ops: ["dense"] }], "graphPatterns[0].name"],
    [[{ name: "mm", ops: [] }], "graphPatterns[0].ops"],
    [[{ name: "mm", ops: ["matmul", "frobnicate"] }], "graphPatterns[0].ops[1]"],
    [[{ name: "mm", ops: ["relu?"] }], "graphPatterns[0].ops[0]"],
    [[{ name: "mm", ops: ["matmul"], dtypes: ["float99"] }], "graphPatterns[0].dtypes[0]"],
    [[{ name: "a", ops: ["dense"] }, { name: "a", ops: ["matmul"] }], "graphPatterns[1].name"],
    [[7], "graphPatterns[0]"],
  ];
  for (const [patterns, field] of cases) {
    const e = assertThrows(() => defineTarget(spec(patterns)), TargetError);
    assertEquals([e.code, e.path], ["TARGET_BAD_FIELD", `target "toy" / ${field}`], e.message);
  }
});
