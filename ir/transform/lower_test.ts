import { assert, assertEquals } from "../test_util.ts";
import {
  add,
  and,
  bufferLoad,
  cast,
  float,
  ge,
  lt,
  max,
  mul,
  select,
  sub,
  variable,
} from "../expr.ts";
import { primFunc } from "../func.ts";
import { ndarray, randomNDArray, toNumbers } from "../ndarray.ts";
import { visit } from "../node.ts";
import { bufferStore, decl, forLoop, loopVar } from "../stmt.ts";
import {
  compute,
  createPrimFunc,
  maxReduce,
  placeholder,
  reduceAxis,
  sizeVar,
  sum,
} from "../te.ts";
import { interpret } from "../interp/mod.ts";
import { lower } from "./lower.ts";
import { loweredFormProblems, randomInputs, runBoth } from "./testing.ts";
import type { PrimFunc } from "../func.ts";

/** Lower with verification, check the form, run both in the interpreter and compare. */
function check(f: PrimFunc, inputs: number, sizes: Record<string, number> = {}, seed = 7) {
  const g = lower(f, { verify: true });
  assertEquals(loweredFormProblems(f, g), []);
  const [want, got] = runBoth(f, g, randomInputs(f, inputs, new Map(Object.entries(sizes)), seed));
  assertEquals(got, want);
  return g;
}

Deno.test("elementwise with a symbolic size: size var appended, flat accesses", () => {
  const n = sizeVar("n");
  const A = placeholder([n, 5], "float32", "A");
  const B = placeholder([n, 5], "float32", "B");
  const C = compute([n, 5], ([i, j]) => add(mul(A.at(i, j), B.at(i, j)), 1), "C");
  const f = createPrimFunc([A, B, C], "ew");
  const g = check(f, 2, { n: 3 });
  assertEquals(g.params.length, 4);
  assert(g.params[3] === n);
  const c = g.params[2];
  assert(c.kind === "Buffer" && c.shape.length === 1 && c.name === "C");
  check(f, 2, { n: 0 });
});

Deno.test("matmul with a reduction init", () => {
  const n = sizeVar("n");
  const A = placeholder([n, 6], "float32", "A");
  const B = placeholder([6, 4], "float32", "B");
  const k = reduceAxis(6, "k");
  const C = compute([n, 4], ([i, j]) => sum(mul(A.at(i, k), B.at(k, j)), [k]), "C");
  check(createPrimFunc([A, B, C], "matmul"), 2, { n: 5 });
});

Deno.test("a reduction with a non-zero init and a shifted axis", () => {
  const A = placeholder([4, 9], "int32", "A");
  const k = reduceAxis(6, "k", 2);
  const M = compute([4], ([i]) => maxReduce(A.at(i, k), [k], -3), "M");
  const g = check(createPrimFunc([A, M], "rowmax"), 1);
  let ifs = 0;
  visit(g.body, (s) => void (s.kind === "IfThenElse" && ifs++));
  assertEquals(ifs, 1, "the init is guarded by one if");
});

Deno.test("conv-like with a padding select and a 2-D reduction", () => {
  const H = 6;
  const A = placeholder([H, H], "float32", "A");
  const W = placeholder([3, 3], "float32", "W");
  const r = reduceAxis(3, "r");
  const s = reduceAxis(3, "s");
  const C = compute([H, H], ([i, j]) => {
    const y = add(sub(i, 1), r);
    const x = add(sub(j, 1), s);
    const inside = and(and(ge(y, 0), lt(y, H)), and(ge(x, 0), lt(x, H)));
    return sum(mul(select(inside, A.at(y, x), float(0)), W.at(r, s)), [r, s]);
  }, "C");
  check(createPrimFunc([A, W, C], "conv"), 2);
});

Deno.test("intermediates of the root block become 1-D allocations", () => {
  const n = sizeVar("n");
  const A = placeholder([n, 3], "float32", "A");
  const T = compute([n, 3], ([i, j]) => max(A.at(i, j), float(0)), "T");
  const k = reduceAxis(3, "k");
  const S = compute([n], ([i]) => sum(T.at(i, k), [k]), "S");
  const U = compute([n], ([i]) => cast("float64", S.at(i)), "U");
  const g = check(createPrimFunc([A, U], "relu_sum"), 1, { n: 4 });
  const allocs: string[] = [];
  visit(g.body, (s) => void (s.kind === "Allocate" && allocs.push(s.buffer.name)));
  assertEquals(allocs.sort(), ["S", "T"]);
});

Deno.test("strided parameters with an element offset are folded into indices", () => {
  // A is a [4, 6] view with row stride 8 starting at element 3 of its storage.
  const A = decl("A", [4, 6], "float32", { strides: [8, 1], elemOffset: 3 });
  const B = decl("B", [4, 6], "float32");
  const i = loopVar("i");
  const j = loopVar("j");
  const v = add(mul(bufferLoad(A, [i, j]), 2), 1);
  const f = primFunc("view", [A, B], forLoop(i, 0, 4, forLoop(j, 0, 6, bufferStore(B, v, [i, j]))));
  const g = lower(f, { verify: true });
  assertEquals(loweredFormProblems(f, g), []);
  const a = g.params[0];
  assert(a.kind === "Buffer");
  assertEquals(a.shape.map((d) => (d.kind === "IntImm" ? d.value : -1)), [3 + 8 * 3 + 5 + 1]);
  const storage = randomNDArray("float32", [33], 3);
  const b1 = ndarray("float32", [4, 6]);
  interpret(f, [{ ...storage, shape: [4, 6] }, b1]);
  const b2 = ndarray("float32", [24]);
  interpret(g, [storage, b2]);
  assertEquals(toNumbers(b2), toNumbers(b1));
});

Deno.test("symbolic strides become trailing parameters after the size variables", () => {
  const n = variable("n");
  const s = variable("s");
  const A = decl("A", [n, 4], "int32", { strides: [s, 1] });
  const B = decl("B", [n, 4], "int32");
  const i = loopVar("i");
  const j = loopVar("j");
  const f = primFunc(
    "sv",
    [A, B],
    forLoop(i, 0, n, forLoop(j, 0, 4, bufferStore(B, bufferLoad(A, [i, j]), [i, j]))),
  );
  const g = lower(f, { verify: true });
  assertEquals(g.params.length, 4);
  assert(g.params[2] === n && g.params[3] === s);
  const storage = randomNDArray("int32", [2 * 6 + 4], 5); // n = 3 rows with stride 6
  const b = ndarray("int32", [12]);
  interpret(g, [storage, b, 3, 6]);
  const want = [0, 1, 2].flatMap((r) => [0, 1, 2, 3].map((c) => storage.data[r * 6 + c]));
  assertEquals(toNumbers(b), want);
});

Deno.test("scalar parameters stay in place; size vars already scalar are not repeated", () => {
  const n = sizeVar("n");
  const A = placeholder([n], "float32", "A");
  const B = compute([n], ([i]) => mul(A.at(i), 3), "B");
  const f = createPrimFunc([A, n, B], "withn");
  const g = lower(f, { verify: true });
  assertEquals(g.params.length, 3);
  assert(g.params[1] === n);
  assertEquals(loweredFormProblems(f, g), []);
});

Deno.test("lower on lowered output changes nothing but is still lowered", () => {
  const A = placeholder([4, 4], "float32", "A");
  const B = compute([4, 4], ([i, j]) => A.at(j, i), "B");
  const g = lower(createPrimFunc([A, B], "t"));
  const h = lower(g);
  assert(h.body === g.body);
  assertEquals(h.params, g.params);
});
