import { assert, assertEquals, assertThrows } from "../ir/test_util.ts";
import { ScheduleError } from "../ir/errors.ts";
import { irModule } from "../ir/func.ts";
import { structuralEqual } from "../ir/structural.ts";
import { type LoopRV, registerInstruction, Schedule, scriptCall, Trace } from "./mod.ts";
import { asLoop } from "./primitives/inputs.ts";
import { parseFunc } from "../ir/script/mod.ts";
import {
  assertEquivalent,
  assertSameFunc,
  assertScheduleError,
  assertTraceRoundTrip,
  elementwiseFunc,
  matmulFunc,
} from "./testing.ts";

Deno.test("getChildBlocks of the root block and of a loop", () => {
  const f = matmulFunc();
  const sch = new Schedule(f);
  const root = sch.getBlock("root");
  const [c] = sch.getChildBlocks(root);
  assertEquals(sch.get(c).name, "C");
  const [i] = sch.getLoops(c);
  assertEquals(sch.getChildBlocks(i).map((b) => sch.get(b).name), ["C"]);
  assertEquals(sch.getLoops(root), []);
  assertTraceRoundTrip(sch, f);
});

Deno.test("a module of several functions: pick one, switch with workOn (recorded)", () => {
  const mod = irModule([matmulFunc(), elementwiseFunc(4, 8)]);
  assertThrows(() => new Schedule(mod), ScheduleError, "Cannot pick the function");
  const sch = new Schedule(mod, { func: "mm" });
  const [i] = sch.getLoops(sch.getBlock("C"));
  sch.parallel(i);
  sch.workOn("ew");
  const [, j] = sch.getLoops(sch.getBlock("B"));
  sch.vectorize(j);
  const e = assertScheduleError(sch, () => sch.unroll(i), "SCHEDULE_UNKNOWN_RV");
  assert(e.message.includes(`function "mm"`), e.message);
  assertScheduleError(sch, () => sch.workOn("nope"), "SCHEDULE_NO_FUNCTION");
  const replayed = Trace.fromJSON(sch.trace.toJSON()).replay(mod, { func: "mm" });
  assert(structuralEqual(replayed.mod, sch.mod));
  assert(sch.trace.toScript().includes(`sch.workOn("ew");`));
});

Deno.test("random variables of another schedule are unknown here", () => {
  const a = new Schedule(matmulFunc());
  const b = new Schedule(matmulFunc());
  a.getBlock("C");
  const loops = a.getLoops(a.getBlock("C"));
  assertScheduleError(b, () => b.parallel(loops[2]), "SCHEDULE_UNKNOWN_RV");
});

Deno.test("copy: an independent schedule with the same state", () => {
  const f = elementwiseFunc(8, 8);
  const sch = new Schedule(f, { seed: 4 });
  const [i, j] = sch.getLoops(sch.getBlock("B"));
  const c = sch.copy();
  c.split(j, [2, 4]);
  sch.fuse(i, j);
  assertEquals(c.getLoops(c.getBlock("B")).length, 3);
  assertEquals(sch.getLoops(sch.getBlock("B")).length, 1);
  assertEquals(c.trace.length, 5);
  const d = sch.copy();
  const draws = (x: Schedule) =>
    [0, 1, 2, 3, 4].map(() => x.get(x.sampleCategorical([1, 2, 3], [1, 1, 1])));
  assertEquals(draws(c), draws(d));
});

Deno.test("bad traces: format, version, unknown kinds, wrong inputs, undefined variables", () => {
  const f = elementwiseFunc(8, 8);
  const sch = new Schedule(f);
  const [, j] = sch.getLoops(sch.getBlock("B"));
  sch.split(j, [2, 4]);
  const json = sch.trace.toJSON();
  const code = (fn: () => unknown) => assertThrows(fn, ScheduleError).code;
  assertEquals(code(() => Trace.fromJSON({ ...json, version: 2 })), "SCHEDULE_BAD_TRACE");
  assertEquals(code(() => Trace.fromJSON({ insts: [] })), "SCHEDULE_BAD_TRACE");
  const insts = json.insts;
  assertEquals(
    code(() => Trace.fromJSON({ ...json, insts: [{ ...insts[0], kind: "Teleport" }] })),
    "SCHEDULE_UNKNOWN_INSTRUCTION",
  );
  assertEquals(
    code(() => Trace.fromJSON({ ...json, insts: [insts[0], { ...insts[1], inputs: ["x9"] }] })),
    "SCHEDULE_BAD_TRACE",
  );
  const early = Trace.fromJSON({ ...json, insts: [insts[2]] });
  assertEquals(code(() => early.replay(f)), "SCHEDULE_BAD_TRACE");
  const wrong = Trace.fromJSON({
    ...json,
    insts: [insts[0], insts[1], { ...insts[2], inputs: ["b0", [2, 4]] }],
  });
  assertEquals(code(() => wrong.replay(f)), "SCHEDULE_BAD_ARGUMENT");
});

/** A composite instruction: its inner splits are not recorded, only itself. */
const TILE2 = registerInstruction<{ factor: number }>({
  name: "TestTile2",
  apply(sch, inputs, attrs) {
    const loop = asLoop(sch, inputs[0]);
    const [o, i] = sch.split(loop, [undefined, attrs.factor]);
    sch.vectorize(i);
    return [o, i];
  },
  toScript: (p) =>
    `/* test tile */ const [${p.outputs}] = sch.split(${
      p.inputs[0]
    }, [undefined, ${p.attrs.factor}]); sch.vectorize(${p.outputs[1]});`,
});

Deno.test("instructions applied inside an instruction are not recorded; failures roll back", () => {
  const f = elementwiseFunc(4, 16);
  const sch = new Schedule(f);
  const [i, j] = sch.getLoops(sch.getBlock("B"));
  const [, inner] = sch.apply(TILE2, [j], { factor: 4 }) as LoopRV[];
  assertEquals(sch.trace.instructions.map((x) => x.kind.name), [
    "GetBlock",
    "GetLoops",
    "TestTile2",
  ]);
  assertEquals(sch.get(inner).forKind, "vectorized");
  const replayed = Trace.fromJSON(sch.trace.toJSON()).replay(f);
  assertSameFunc(replayed.func, sch.func);
  // the inner split succeeds, then vectorize fails: everything is undone
  const s2 = new Schedule(elementwiseFunc(4, 16));
  const [i2, j2] = s2.getLoops(s2.getBlock("B"));
  s2.vectorize(i2);
  assertScheduleError(s2, () => s2.apply(TILE2, [j2], { factor: 4 }), "SCHEDULE_VECTORIZE_NESTED");
  assertEquals(s2.get(j2).forKind, "serial");
  void i;
  void scriptCall;
});

Deno.test("errors render the function with the offending line", () => {
  const sch = new Schedule(matmulFunc());
  const [, , k] = sch.getLoops(sch.getBlock("C"));
  const e = assertScheduleError(sch, () => sch.parallel(k), "SCHEDULE_NOT_SPATIAL");
  assertEquals(e.path, `func "mm" / block "C" / loop "k"`);
  const text = e.render();
  assert(text.includes("for k in 0..16"), text);
  assert(text.includes("^^^"), text);
  assert(text.includes("hint:"), text);
});

Deno.test("the trace as a module: written to a file, imported, run on a fresh schedule", async () => {
  const f = matmulFunc();
  const sch = new Schedule(f, { seed: 9 });
  const [i, j, k] = sch.getLoops(sch.getBlock("C"));
  const [t0, t1] = sch.samplePerfectTile(j, { n: 2, maxInnermostFactor: 4 });
  const [j0, j1] = sch.split(j, [t0, t1]);
  sch.reorder(j0, k, j1);
  sch.parallel(i);
  sch.vectorize(j1);
  const dir = await Deno.makeTempDir();
  const path = `${dir}/schedule.ts`;
  await Deno.writeTextFile(path, sch.trace.toModule(new URL("./mod.ts", import.meta.url).href));
  const mod = await import(`file://${path}`);
  const fresh = new Schedule(f);
  mod.schedule(fresh);
  assertSameFunc(fresh.func, sch.func);
  assertEquals(fresh.trace.toJSON(), sch.trace.toJSON());
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a script reusing a loop name: each loop is its own, getLoops is unambiguous", () => {
  // Regression: both `for i` parsed to one Var, and splitting C's loop split B's.
  const f = parseFunc(`func f(A: buffer<float32>[8], C: buffer<float32>[8]) {
  block root() {
    alloc B: buffer<float32>[8]
    for i in 0..8 {
      block B(vi: spatial(0..8) = i) {
        reads(A[vi])
        writes(B[vi])
        B[vi] = A[vi] * 2.0
      }
    }
    for i in 0..8 {
      block C(vi: spatial(0..8) = i) {
        reads(B[vi])
        writes(C[vi])
        C[vi] = B[vi] + 1.0
      }
    }
  }
}`);
  const sch = new Schedule(f);
  const [i] = sch.getLoops(sch.getBlock("C"));
  sch.split(i, [undefined, 4]);
  assertEquals(sch.getLoops(sch.getBlock("B")).length, 1);
  assertEquals(sch.getLoops(sch.getBlock("C")).length, 2);
  assertEquivalent(f, sch.func, 1);
});
