import { TargetError } from "../ir/errors.ts";
import { add, int, mul, variable } from "../ir/expr.ts";
import { primFunc } from "../ir/func.ts";
import { randomNDArray, toNumbers } from "../ir/ndarray.ts";
import { allocate, bufferStore, decl, evaluate, forLoop, seq, type Stmt } from "../ir/stmt.ts";
import { compute, createPrimFunc, placeholder } from "../ir/te.ts";
import { assert, assertEquals, assertRejects } from "../ir/test_util.ts";
import { setScope } from "../tensorize/primitives/set_scope.ts";
import { lower, printFuncPlain } from "../ir/transform/mod.ts";
import { Schedule } from "../tensorize/mod.ts";
import { build, buildStats, clearBuildCache } from "./build.ts";
import { defineMemoryScope } from "./scope.ts";
import { checkScopes, checkScopeUsage } from "./scope_check.ts";
import { defineTarget } from "./target.ts";
import { SDK_VERSION } from "./version.ts";

/** A tiny scratchpad: 256 bytes, 64-byte aligned; global has a capacity but is dynamic. */
const SCOPES = [
  defineMemoryScope({ name: "global", alignmentBytes: 64, capacityBytes: 1024 }),
  defineMemoryScope({ name: "acc", alignmentBytes: 64, capacityBytes: 256, parent: "global" }),
  defineMemoryScope({ name: "half", alignmentBytes: 2, capacityBytes: 256, parent: "global" }),
  defineMemoryScope({
    name: "sram",
    alignmentBytes: 64,
    capacityBytes: 512,
    dynamic: false,
  }),
];

/** Runs the lowered function in the interpreter on host arrays. */
const tiny = defineTarget({
  name: "tiny",
  kind: "npu",
  sdkVersion: SDK_VERSION,
  scopes: SCOPES,
  codegen: {
    compile: (lowered) =>
      Promise.resolve({
        target: "tiny",
        entry: lowered.name,
        source: printFuncPlain(lowered),
        lowered,
      }),
  },
  runtime: { createDevice: () => Promise.resolve(new InterpDevice("tiny", 1)) },
  limits: {},
  peak: { flopsPerSecond: { float32: 1e9 }, bytesPerSecond: { global: 1e9 } },
});

const OUT = decl("out", [1], "float32");

/** A buffer of `n` float32 in `scope` that is written once (so it is used). */
function buf(name: string, n: number | ReturnType<typeof variable>, scope = "acc") {
  return decl(name, [n], "float32", { scope });
}

function use(...bs: ReturnType<typeof buf>[]): Stmt {
  return seq(bs.map((b) => bufferStore(b, 1, [0])));
}

function fn(body: Stmt, params = [OUT]) {
  return primFunc("f", params, body);
}

function codes(body: Stmt, params = [OUT]): string[] {
  return checkScopeUsage(fn(body, params), tiny).problems.map((e) => e.code);
}

Deno.test("nested allocations add up; each is rounded up to the scope's alignment", () => {
  const [a, b, c] = [buf("a", 25), buf("b", 25), buf("c", 25)]; // 100 bytes → 128 each
  assertEquals(codes(allocate(a, allocate(b, use(a, b)))), []);
  const f = fn(allocate(a, allocate(b, allocate(c, use(a, b, c)))));
  const { problems, usage } = checkScopeUsage(f, tiny);
  assertEquals(problems.map((e) => e.code), ["SCOPE_OVERFLOW"]);
  const e = problems[0];
  assertEquals(e.path, `func "f" / buffer "c"`);
  assertEquals(
    e.message,
    `Cannot place buffer "c" (128 bytes) in scope "acc" of target "tiny": with "a" (128 bytes), "b" (128 bytes) live, it needs 384 bytes, the scope holds 256`,
  );
  assertEquals(usage.get("acc")?.peakBytes, 384);
  assertEquals(usage.get("acc")?.buffers, ["a", "b", "c"]);
});

Deno.test("buffers that are not live together do not add up", () => {
  const [a, b, c] = [buf("a", 48), buf("b", 48), buf("c", 48)]; // 192 bytes each
  const siblings = seq([allocate(a, use(a)), allocate(b, use(b)), allocate(c, use(c))]);
  assertEquals(codes(siblings), []);
  const i = variable("i");
  assertEquals(codes(forLoop(i, 0, 8, allocate(a, use(a)))), []); // one instance at a time
  assertEquals(codes(allocate(a, allocate(b, use(a, b)))), ["SCOPE_OVERFLOW"]);
});

Deno.test("one buffer larger than the scope overflows alone", () => {
  const big = buf("big", 65);
  assertThrowsCode(() => checkScopes(fn(allocate(big, use(big))), tiny), "SCOPE_OVERFLOW");
  const e = checkScopeUsage(fn(allocate(big, use(big))), tiny).problems[0];
  assertEquals(
    e.message,
    `Cannot place buffer "big" (320 bytes) in scope "acc" of target "tiny": it needs 320 bytes, the scope holds 256`,
  );
});

Deno.test("a symbolic size counts with its largest value; without a bound it cannot be proved", () => {
  const i = variable("i");
  const t = decl("t", [add(i, 1)], "float32", { scope: "acc" }); // at most 16 floats: 64 bytes
  assertEquals(codes(forLoop(i, 0, 16, allocate(t, use(t)))), []);
  assertEquals(codes(forLoop(i, 0, 128, allocate(t, use(t)))), ["SCOPE_OVERFLOW"]);
  const n = variable("n");
  const A = decl("A", [n], "float32");
  const s = decl("s", [mul(n, 2)], "float32", { scope: "acc" });
  const { problems } = checkScopeUsage(fn(allocate(s, use(s)), [A]), tiny);
  assertEquals(problems.map((e) => e.code), ["SCOPE_UNBOUNDED"]);
  assert(problems[0].message.includes(`buffer "s" fits scope "acc"`), problems[0].message);
  assert(problems[0].message.includes("holds 256 bytes"), problems[0].message);
  assert(problems[0].message.includes("(shape [n * 2])"), problems[0].message);
});

Deno.test("unknown scopes and misalignment", () => {
  const x = buf("x", 4, "vmem");
  const e = checkScopeUsage(fn(allocate(x, use(x))), tiny).problems[0];
  assertEquals(e.code, "SCOPE_UNKNOWN");
  assertEquals(e.hint, "its scopes: global, acc, half, sram");
  const wide = buf("wide", 4, "half"); // float32 in a 2-byte aligned scope
  assertEquals(codes(allocate(wide, use(wide))), ["SCOPE_MISALIGNED"]);
  const h = decl("h", [4], "float16", { scope: "half" });
  assertEquals(codes(allocate(h, use(h))), []);
  const shifted = decl("shifted", [4], "float32", { scope: "acc", elemOffset: 1 });
  assertEquals(codes(allocate(shifted, use(shifted))), ["SCOPE_MISALIGNED"]);
});

Deno.test("dynamic scopes (roots by default) are left to the runtime", () => {
  const g = decl("g", [4096], "float32"); // 16 KiB in a global of 1 KiB capacity: not checked
  assertEquals(codes(allocate(g, use(g))), []);
  const s = buf("s", 4096, "sram"); // a root declared static: checked
  assertEquals(codes(allocate(s, use(s))), ["SCOPE_OVERFLOW"]);
  const p = decl("p", [256], "float32", { scope: "sram" }); // parameters are live throughout
  assertEquals(codes(evaluate(int(0)), [p]), ["SCOPE_OVERFLOW"]);
});

Deno.test("blocks' allocBuffers are checked before lowering too", () => {
  assertEquals(checkScopeUsage(pipeline(64), tiny).problems, []);
  const e = checkScopeUsage(pipeline(65), tiny).problems[0];
  assertEquals([e.code, e.path], ["SCOPE_OVERFLOW", `func "two_65" / buffer "B"`]);
});

function assertThrowsCode(fn: () => void, code: string): void {
  try {
    fn();
  } catch (e) {
    assert(e instanceof TargetError, String(e));
    assertEquals(e.code, code);
    return;
  }
  throw new Error(`expected ${code}`);
}

function pipeline(n: number) {
  const A = placeholder([n], "float32", "A");
  const B = compute([n], ([i]) => mul(A.at(i), 2), "B");
  const C = compute([n], ([i]) => add(B.at(i), 1), "C");
  return setScope(createPrimFunc([A, C], `two_${n}`), "B", 0, "acc");
}

Deno.test("build checks the lowered function's scopes before codegen", async () => {
  clearBuildCache();
  const small = await build(pipeline(64), tiny); // B: 64 floats = 256 bytes, fits exactly
  const a = randomNDArray("float32", [64], 3);
  const [c] = await small.run([a]);
  assertEquals(toNumbers(c), toNumbers(a).map((x) => Math.fround(Math.fround(x * 2) + 1)));
  const before = buildStats().compiles;
  const e = await assertRejects(() => build(pipeline(65), tiny), TargetError);
  assertEquals((e as TargetError).code, "SCOPE_OVERFLOW");
  assertEquals(
    e.message,
    `Cannot place buffer "B" (320 bytes) in scope "acc" of target "tiny": it needs 320 bytes, the scope holds 256`,
  );
  assertEquals(buildStats().compiles, before); // failed before codegen
});

Deno.test("a cache tile moved under a loop fits where the whole cache does not (checked after lowering)", async () => {
  const A = placeholder([16, 16], "float32", "A");
  const B = compute([16, 16], ([i, j]) => add(A.at(i, j), 1), "B");
  const f = createPrimFunc([A, B], "inc");
  const whole = new Schedule(f);
  whole.cacheRead(whole.getBlock("B"), 0, "acc"); // A_acc: 16·16 floats = 1024 bytes
  const e = await assertRejects(() => build(whole.func, tiny), TargetError);
  assertEquals((e as TargetError).code, "SCOPE_OVERFLOW");
  assert(e.message.includes("(1024 bytes)"), e.message);

  const tiled = new Schedule(f);
  const cache = tiled.cacheRead(tiled.getBlock("B"), 0, "acc");
  tiled.computeAt(cache, tiled.getLoops(tiled.getBlock("B"))[0]); // one row: 64 bytes
  const usage = checkScopeUsage(lower(tiled.func), tiny).usage.get("acc");
  assertEquals(usage?.peakBytes, 64);
  const kernel = await build(tiled.func, tiny);
  const a = randomNDArray("float32", [16, 16], 5);
  const [b] = await kernel.run([a]);
  assertEquals(toNumbers(b), toNumbers(a).map((x) => Math.fround(x + 1)));
});
import { InterpDevice } from "./testing.ts";
