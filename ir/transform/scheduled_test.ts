/** `lower` on hand-scheduled loop nests: vectorized and unrolled loops, checked by the interpreter. */
import { assert, assertEquals } from "../test_util.ts";
import { add, and, call, cast, float, ge, lt, max, mul, select, sub } from "../expr.ts";
import type { PrimFunc } from "../func.ts";
import { type Node, visit } from "../node.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sizeVar, sum } from "../te.ts";
import { lower } from "./lower.ts";
import type { LowerOptions } from "./pass.ts";
import { fuse, reorder, setKind, split } from "./schedule_testing.ts";
import { loweredFormProblems, randomInputs, runBoth } from "./testing.ts";

function check(
  f: PrimFunc,
  inputs: number,
  sizes: Record<string, number> = {},
  options: LowerOptions = {},
): PrimFunc {
  const g = lower(f, { verify: true, ...options });
  assertEquals(loweredFormProblems(f, g), []);
  for (const seed of [1, 2]) {
    const data = randomInputs(f, inputs, new Map(Object.entries(sizes)), seed);
    const [want, got] = runBoth(f, g, data);
    assertEquals(got, want);
  }
  return g;
}

/** Vector dtypes of loads and stores, and whether any Ramp index occurs. */
function vectorInfo(root: Node): { ramps: number; dtypes: Set<string>; loops: string[] } {
  const dtypes = new Set<string>();
  const loops: string[] = [];
  let ramps = 0;
  visit(root, (n) => {
    if (n.kind === "Ramp") ramps++;
    if (n.kind === "BufferLoad") dtypes.add(n.dtype);
    if (n.kind === "BufferStore") dtypes.add(n.value.dtype);
    if (n.kind === "For") loops.push(`${n.loopVar.name}:${n.forKind}`);
  });
  return { ramps, dtypes, loops };
}

function elementwise(cols: number) {
  const n = sizeVar("n");
  const A = placeholder([n, cols], "float32", "A");
  const B = placeholder([n, cols], "float32", "B");
  const C = compute([n, cols], ([i, j]) => add(mul(A.at(i, j), B.at(i, j)), float(0.5)), "C");
  return createPrimFunc([A, B, C], "ew");
}

for (const lanes of [4, 8, 16]) {
  Deno.test(`a vectorized inner loop of extent ${lanes} becomes float32x${lanes} code`, () => {
    const f = setKind(elementwise(lanes), "j", "vectorized");
    const g = check(f, 2, { n: 3 });
    const info = vectorInfo(g.body);
    assert(info.ramps > 0, "ramps expected");
    assert(info.dtypes.has(`float32x${lanes}`), [...info.dtypes].join());
    assertEquals(info.loops, ["i:serial"]);
  });
}

Deno.test("split by 4 then vectorized: the inner part becomes vectors, the outer stays", () => {
  const f = setKind(split(elementwise(12), "j", 4), "j_i", "vectorized");
  const g = check(f, 2, { n: 2 });
  const info = vectorInfo(g.body);
  assert(info.dtypes.has("float32x4"));
  assertEquals(info.loops, ["i:serial", "j_o:serial"]);
});

Deno.test("a split that does not divide: whole vectors under a guard, the tail lane by lane", () => {
  const f = setKind(split(elementwise(10), "j", 4), "j_i", "vectorized");
  const g = check(f, 2, { n: 2 });
  const info = vectorInfo(g.body);
  assert(info.ramps > 0 && info.dtypes.has("float32x4"));
  assert(info.loops.includes("j_i:serial"));
});

Deno.test("extents above maxLanes split into a loop over vectors", () => {
  const f = setKind(elementwise(32), "j", "vectorized");
  const g = check(f, 2, { n: 2 }, { maxLanes: 8 });
  const info = vectorInfo(g.body);
  assert(info.dtypes.has("float32x8") && !info.dtypes.has("float32x32"));
  assertEquals(info.loops, ["i:serial", "j_o:serial"]);
});

function matmul(n: number, m: number, kk: number) {
  const A = placeholder([n, kk], "float32", "A");
  const B = placeholder([kk, m], "float32", "B");
  const k = reduceAxis(kk, "k");
  const C = compute([n, m], ([i, j]) => sum(mul(A.at(i, k), B.at(k, j)), [k]), "C");
  return createPrimFunc([A, B, C], "matmul");
}

Deno.test("matmul reordered i, k, j with j vectorized: init and update are vector code", () => {
  const f = setKind(reorder(matmul(3, 8, 5), ["i", "k", "j"]), "j", "vectorized");
  const g = check(f, 2);
  const info = vectorInfo(g.body);
  assert(info.dtypes.has("float32x8"));
  assertEquals(info.loops, ["i:serial", "k:serial"]);
});

Deno.test("matmul with j vectorized around an unrolled k: unrolled first, then vectorized", () => {
  const f = setKind(setKind(matmul(2, 4, 3), "j", "vectorized"), "k", "unrolled");
  const g = check(f, 2);
  const info = vectorInfo(g.body);
  assert(info.dtypes.has("float32x4"));
  assertEquals(info.loops, ["i:serial"]);
});

Deno.test("a vectorized reduction loop stays serial (every lane would store one place)", () => {
  const f = setKind(matmul(2, 3, 8), "k", "vectorized");
  const g = check(f, 2);
  const info = vectorInfo(g.body);
  assertEquals(info.ramps, 0);
  assertEquals(info.loops, ["i:serial", "j:serial", "k:serial"]);
});

Deno.test("a transposing (strided) load keeps the loop serial", () => {
  const A = placeholder([4, 4], "float32", "A");
  const B = compute([4, 4], ([i, j]) => A.at(j, i), "B");
  const g = check(setKind(createPrimFunc([A, B]), "j", "vectorized"), 1);
  assertEquals(vectorInfo(g.body).ramps, 0);
});

Deno.test("a vectorized loop of symbolic extent stays serial", () => {
  const n = sizeVar("n");
  const A = placeholder([n], "float32", "A");
  const B = compute([n], ([i]) => mul(A.at(i), 2), "B");
  const g = check(setKind(createPrimFunc([A, B]), "i", "vectorized"), 1, { n: 5 });
  assertEquals(vectorInfo(g.body).loops, ["i:serial"]);
});

Deno.test("padding select, casts and math calls vectorize lane by lane", () => {
  const W = 8;
  const A = placeholder([4, W], "float32", "A");
  const C = compute([4, W], ([i, j]) => {
    const x = sub(j, 1);
    const inside = and(ge(x, 0), lt(x, W));
    const v = select(inside, A.at(i, x), float(0));
    return cast("float64", max(call("exp", [v]), cast("float32", j)));
  }, "C");
  const g = check(setKind(createPrimFunc([A, C]), "j", "vectorized"), 1);
  const info = vectorInfo(g.body);
  assert(info.dtypes.has("float64x8"), [...info.dtypes].join());
  let selects = 0;
  visit(g.body, (n) => void (n.kind === "Select" && n.dtype === "float32x8" && selects++));
  assertEquals(selects, 1);
});

Deno.test("integer elementwise vectorizes with int8x16", () => {
  const A = placeholder([2, 16], "int8", "A");
  const B = compute([2, 16], ([i, j]) => add(mul(A.at(i, j), A.at(i, j)), 100), "B");
  const g = check(setKind(createPrimFunc([A, B]), "j", "vectorized"), 1);
  assert(vectorInfo(g.body).dtypes.has("int8x16"));
});

Deno.test("unrolled loops become copies; beyond maxUnroll they become serial", () => {
  const f = setKind(elementwise(6), "j", "unrolled");
  const g = check(f, 2, { n: 2 });
  assertEquals(vectorInfo(g.body).loops, ["i:serial"]);
  let stores = 0;
  visit(g.body, (n) => void (n.kind === "BufferStore" && stores++));
  assertEquals(stores, 6);
  const h = check(f, 2, { n: 2 }, { maxUnroll: 4 });
  assertEquals(vectorInfo(h.body).loops, ["i:serial", "j:serial"]);
});

Deno.test("an unrolled outer loop around a vectorized inner one", () => {
  const f = setKind(
    setKind(split(elementwise(16), "j", 4), "j_o", "unrolled"),
    "j_i",
    "vectorized",
  );
  const g = check(f, 2, { n: 2 });
  const info = vectorInfo(g.body);
  assertEquals(info.loops, ["i:serial"]);
  let vstores = 0;
  visit(
    g.body,
    (n) => void (n.kind === "BufferStore" && n.value.dtype === "float32x4" && vstores++),
  );
  assertEquals(vstores, 4);
});

Deno.test("parallel loops stay parallel", () => {
  const g = check(setKind(elementwise(4), "i", "parallel"), 2, { n: 3 });
  assertEquals(vectorInfo(g.body).loops, ["i:parallel", "j:serial"]);
});

Deno.test("fused then split by 8: floordiv/floormod indices simplify back, the loop vectorizes", () => {
  const f = setKind(split(fuse(elementwise(6), "i", "f"), "f", 8), "f_i", "vectorized");
  const g = check(f, 2, { n: 4 }); // 24 elements; the split does not divide symbolic n·6
  const guarded = vectorInfo(g.body);
  assert(guarded.ramps > 0 && guarded.loops.includes("f_i:serial"), "a predicate on n: a guard");
  const A = placeholder([4, 6], "float32", "A");
  const B = compute([4, 6], ([i, j]) => mul(A.at(i, j), 3), "B");
  const h = setKind(split(fuse(createPrimFunc([A, B]), "i", "f"), "f", 8), "f_i", "vectorized");
  const gh = check(h, 1);
  const info = vectorInfo(gh.body);
  assert(info.dtypes.has("float32x8"));
  assertEquals(info.loops, ["f_o:serial"]);
  let divs = 0;
  visit(gh.body, (n) => void (n.kind === "Binary" && n.op.startsWith("floor") && divs++));
  assertEquals(divs, 0);
});
