import { TargetError } from "../ir/errors.ts";
import { add } from "../ir/expr.ts";
import { compute, createPrimFunc, placeholder } from "../ir/te.ts";
import { assert, assertEquals, assertThrows } from "../ir/test_util.ts";
import type { Artifact } from "./codegen.ts";
import { defineIntrinsic } from "./intrinsic.ts";
import { defineMemoryScope } from "./scope.ts";
import { defineTarget, type TargetSpec } from "./target.ts";
import { incompatibility, SDK_VERSION } from "./version.ts";

const global = defineMemoryScope({ name: "global", alignmentBytes: 64 });
const shared = defineMemoryScope({
  name: "shared",
  capacityBytes: 16384,
  alignmentBytes: 16,
  parent: "global",
});

function spec(over: Partial<Record<keyof TargetSpec, unknown>> = {}): TargetSpec<Artifact> {
  return {
    name: "toy",
    kind: "gpu",
    sdkVersion: SDK_VERSION,
    scopes: [global, shared],
    codegen: { compile: () => Promise.reject(new Error("unused")) },
    runtime: { createDevice: () => Promise.reject(new Error("unused")) },
    limits: { maxThreads: 256 },
    peak: { flopsPerSecond: { float32: 1e12 }, bytesPerSecond: { global: 1e11, shared: 1e12 } },
    ...over,
  } as TargetSpec<Artifact>;
}

function rejects(over: Partial<Record<keyof TargetSpec, unknown>>, code: string, path: string) {
  const e = assertThrows(() => defineTarget(spec(over)), TargetError);
  assertEquals([e.code, e.path], [code, `target "${over.name ?? "toy"}" / ${path}`], e.message);
  return e;
}

Deno.test("defineTarget accepts a well-formed target and freezes it", () => {
  const t = defineTarget(spec());
  assertEquals(t.type, "Target");
  assertEquals([...t.scopeMap.keys()], ["global", "shared"]);
  assertEquals(t.intrinsics, []);
  assert(Object.isFrozen(t));
});

Deno.test("defineTarget names the bad field", () => {
  rejects({ kind: "tpu" }, "TARGET_BAD_KIND", "kind");
  rejects({ name: "My Chip" }, "TARGET_BAD_FIELD", "name");
  rejects({ sdkVersion: "1.0.0" }, "TARGET_SDK_INCOMPATIBLE", "sdkVersion");
  rejects({ sdkVersion: "0.99.0" }, "TARGET_SDK_INCOMPATIBLE", "sdkVersion");
  rejects({ sdkVersion: undefined }, "TARGET_SDK_INCOMPATIBLE", "sdkVersion");
  rejects({ scopes: [global, global] }, "TARGET_DUPLICATE_SCOPE", "scopes[1]");
  rejects({ scopes: [shared] }, "TARGET_NO_GLOBAL_SCOPE", "scopes");
  rejects({ scopes: [global, { name: "x" }] }, "TARGET_BAD_FIELD", "scopes[1]");
  const orphan = defineMemoryScope({ name: "l1", alignmentBytes: 64, parent: "l2" });
  const e = rejects({ scopes: [global, orphan] }, "TARGET_UNKNOWN_SCOPE", "scopes[1].parent");
  assert(e.message.includes(`parent "l2"`), e.message);
  rejects({ codegen: {} }, "TARGET_BAD_FIELD", "codegen.compile");
  rejects({ runtime: undefined }, "TARGET_BAD_FIELD", "runtime.createDevice");
  rejects({ limits: { maxThreads: -1 } }, "TARGET_BAD_FIELD", "limits.maxThreads");
  rejects(
    { peak: { flopsPerSecond: { float33: 1 }, bytesPerSecond: {} } },
    "TARGET_BAD_FIELD",
    "peak.flopsPerSecond.float33",
  );
  rejects(
    { peak: { flopsPerSecond: {}, bytesPerSecond: { l3: 1e9 } } },
    "TARGET_UNKNOWN_SCOPE",
    "peak.bytesPerSecond.l3",
  );
  rejects({ peak: undefined }, "TARGET_BAD_FIELD", "peak");
});

Deno.test("scope parents may not form a cycle", () => {
  const a = defineMemoryScope({ name: "a", alignmentBytes: 4, parent: "b" });
  const b = defineMemoryScope({ name: "b", alignmentBytes: 4, parent: "a" });
  rejects({ scopes: [global, a, b] }, "TARGET_SCOPE_CYCLE", "scopes[1].parent");
});

Deno.test("defineMemoryScope checks its fields", () => {
  const bad = (s: Record<string, unknown>, field: string) => {
    const e = assertThrows(
      () => defineMemoryScope(s as unknown as Parameters<typeof defineMemoryScope>[0]),
      TargetError,
    );
    assertEquals(e.code, "TARGET_BAD_FIELD");
    assert(e.path?.endsWith(`/ ${field}`), `${e.path} should name ${field}`);
  };
  bad({ name: "has space", alignmentBytes: 4 }, "name");
  bad({ name: "s", alignmentBytes: 24 }, "alignmentBytes");
  bad({ name: "s", alignmentBytes: 16, capacityBytes: 0 }, "capacityBytes");
  bad({ name: "s", alignmentBytes: 16, parent: "s" }, "parent");
  assertEquals(
    defineMemoryScope({ name: "wmma.matrix_a", alignmentBytes: 32 }).kind,
    "MemoryScope",
  );
});

function inc4() {
  const A = placeholder([4], "float32", "A");
  const B = compute([4], ([i]) => add(A.at(i), 1), "B");
  return createPrimFunc([A, B], "inc4");
}

Deno.test("intrinsics: defined, then checked against the target's scopes and names", () => {
  const x = defineIntrinsic({
    name: "inc4",
    description: inc4(),
    implementation: { op: "vinc" },
    operandScopes: { A: "shared", B: "global" },
    cost: { cycles: 1 },
  });
  assertEquals(defineTarget(spec({ intrinsics: [x] })).intrinsics.length, 1);
  rejects({ intrinsics: [x, x] }, "TARGET_DUPLICATE_INTRINSIC", "intrinsics[1]");
  rejects(
    { scopes: [global], intrinsics: [x] },
    "TARGET_UNKNOWN_SCOPE",
    "intrinsics[0].operandScopes.A",
  );
  const e = assertThrows(
    () =>
      defineIntrinsic({
        name: "inc4",
        description: inc4(),
        implementation: null,
        operandScopes: { C: "global" },
        cost: { cycles: 1 },
      }),
    TargetError,
  );
  assertEquals([e.code, e.path], ["TARGET_BAD_FIELD", `intrinsic "inc4" / operandScopes.C`]);
});

Deno.test("sdk versions: same major (and minor while 0.x), not newer than the SDK", () => {
  assertEquals(incompatibility("0.1.0", "0.1.2"), undefined);
  assert(incompatibility("0.1.3", "0.1.2")?.includes("newer"));
  assert(incompatibility("0.2.0", "0.1.0")?.includes("minor"));
  assertEquals(incompatibility("1.0.0", "1.4.0"), undefined);
  assert(incompatibility("2.0.0", "1.4.0")?.includes("major"));
  assert(incompatibility("x", "1.0.0")?.includes("not a version"));
});
