/**
 * The vectorizer's guarded tails: a vectorized loop whose body is the tail guard of a split that
 * does not divide becomes whole vectors behind a scalar test, with a serial loop for the tail.
 */
import { assert, assertEquals } from "../test_util.ts";
import { add, and, ge, int, lt, mul, variable } from "../expr.ts";
import { primFunc } from "../func.ts";
import { visit } from "../node.ts";
import { bufferStore, decl, forLoop, ifThenElse } from "../stmt.ts";
import { bufferLoad, type PrimExpr } from "../expr.ts";
import { ndarray } from "../ndarray.ts";
import { interpret } from "../interp/mod.ts";
import { vectorize } from "./vectorize.ts";

/** `for o in 0..3 { for v in 0..4 vectorized { if (cond(o·4 + v)) B[o·4+v] = A[o·4+v] + 1 } }`. */
function guarded(cond: (i: PrimExpr) => PrimExpr) {
  const A = decl("A", [12]), B = decl("B", [12]);
  const o = variable("o"), v = variable("v");
  const i = add(mul(o, 4), v);
  const store = bufferStore(B, add(bufferLoad(A, [i]), 1), [i]);
  const inner = forLoop(v, 0, 4, ifThenElse(cond(i), store), { kind: "vectorized" });
  return primFunc("f", [A, B], forLoop(o, 0, 3, inner));
}

function run(f: ReturnType<typeof guarded>): number[] {
  const a = ndarray("float32", [12], Array.from({ length: 12 }, (_, k) => k));
  const b = ndarray("float32", [12]);
  interpret(f, [a, b]);
  return Array.from(b.data as Float32Array);
}

function ramps(f: ReturnType<typeof guarded>): number {
  let n = 0;
  visit(f.body, (x) => {
    if (x.kind === "Ramp") n++;
  });
  return n;
}

Deno.test("a tail guard i < 10 vectorizes whole vectors and keeps a serial tail", () => {
  const f = guarded((i) => lt(i, 10));
  const g = vectorize.run(f, { options: {} });
  assert(ramps(g) > 0, "vector code");
  assertEquals(run(g), run(f));
  assertEquals(run(g).slice(8), [9, 10, 0, 0]);
});

Deno.test("a conjunction of monotone comparisons is a guard too", () => {
  const f = guarded((i) => and(ge(i, 2), lt(i, 9)));
  const g = vectorize.run(f, { options: {} });
  assert(ramps(g) > 0);
  assertEquals(run(g), run(f));
});

Deno.test("a guard that is not monotone in the lane leaves the loop serial", () => {
  const f = guarded((i) => lt(mul(i, i), int(50)));
  const g = vectorize.run(f, { options: {} });
  assertEquals(ramps(g), 0);
  assertEquals(run(g), run(f));
});
