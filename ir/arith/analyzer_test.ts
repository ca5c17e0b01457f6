/** The Analyzer: bindings, constraints, size variables, proofs. */
import { assert, assertEquals } from "../test_util.ts";
import { add, and, floordiv, floormod, ge, le, lt, min, mul, ne, sub, variable } from "../expr.ts";
import { range } from "../stmt.ts";
import { sizeVar } from "../te.ts";
import { Analyzer } from "./analyzer.ts";
import { formatExpr } from "./format.ts";
import { simplify } from "./simplify.ts";

const i = variable("i"), j = variable("j"), x = variable("x");

Deno.test("bind: ranges give bounds; extent 1 binds the value", () => {
  const ana = new Analyzer();
  ana.bind(i, range(2, 6)); // [2, 8)
  assertEquals(ana.constIntBound(i), { min: 2, max: 7 });
  assertEquals(ana.constIntBound(mul(i, 3)), { min: 6, max: 21 });
  ana.bind(j, { min: x, extent: 1 });
  assertEquals(ana.simplify(add(j, 1)), add(x, 1));
  assert(ana.canProveEqual(sub(j, x), 0));
});

Deno.test("bindValue: the simplifier substitutes", () => {
  const ana = new Analyzer();
  ana.bindValue(j, add(mul(i, 4), 1));
  assertEquals(formatExpr(ana.simplify(sub(j, 1))), "i*4");
  assertEquals(ana.modularSet(j), { coeff: 4, base: 1 });
});

Deno.test("size variables are non-negative; loop extents are at least 1 inside", () => {
  const n = sizeVar("n"), m = variable("m");
  const ana = new Analyzer();
  assert(ana.canProve(ge(n, 0)));
  assert(!ana.canProve(ge(m, 0)));
  ana.markNonNegative(m);
  assert(ana.canProve(ge(m, 0)));
  ana.bind(i, { min: 0, extent: n });
  assert(ana.canProve(ge(n, 1))); // we are inside a loop over [0, n)
  assert(ana.canProve(lt(i, n)));
  assert(ana.canProveLess(i, add(n, 1)));
  assert(ana.canProveLessEqual(i, sub(n, 1)));
  assert(!ana.canProve(lt(i, sub(n, 1))));
});

Deno.test("withConstraint: facts hold inside and are dropped afterwards", () => {
  const ana = new Analyzer();
  ana.bind(i, { min: 0, extent: 16 });
  const n = sizeVar("n");
  const inside = ana.withConstraint(and(lt(i, 8), lt(x, n)), () => [
    ana.simplify(min(i, 7)),
    ana.simplify(floordiv(i, 8)),
    ana.simplify(lt(x, add(n, 2))),
    ana.simplify(lt(x, n)),
  ]);
  assertEquals(inside.map(formatExpr), ["i", "0", "true", "true"]);
  assertEquals(formatExpr(ana.simplify(min(i, 7))), "min(i, 7)");
  assertEquals(formatExpr(ana.simplify(lt(x, n))), "x < n");
  // nested constraints restore in order
  ana.withConstraint(ge(i, 4), () => {
    ana.withConstraint(le(i, 5), () => assertEquals(ana.constIntBound(i), { min: 4, max: 5 }));
    assertEquals(ana.constIntBound(i), { min: 4, max: 15 });
  });
  assertEquals(ana.constIntBound(i), { min: 0, max: 15 });
});

Deno.test("canProve: never from lack of knowledge", () => {
  const ana = new Analyzer();
  assert(!ana.canProve(lt(x, 4)));
  assert(ana.canProve(lt(x, add(x, 1))));
  assert(ana.canProve(ne(add(mul(x, 2), 1), 0))); // odd
  assert(ana.canProve(le(floormod(x, 8), 7)));
  assert(ana.canProveNotEqual(mul(x, 4), 2));
  assert(ana.canProveGreaterEqual(mul(x, x), 0) === false); // x·x ≥ 0 is beyond interval arithmetic
});

Deno.test("simplify(): a fresh analyzer by default", () => {
  assertEquals(simplify(add(x, 0)), x);
  const ana = new Analyzer();
  ana.bind(i, { min: 0, extent: 4 });
  assertEquals(formatExpr(simplify(floordiv(i, 4), ana)), "0");
});

Deno.test("withBinding: a scoped range, undone with what it implied", () => {
  const ana = new Analyzer();
  const n = variable("n");
  ana.bind(i, { min: 0, extent: 8 });
  const inside = ana.withBinding(i, { min: 0, extent: n }, () => [
    ana.canProve(lt(i, n)),
    ana.canProve(ge(n, 1)), // the loop runs, so n ≥ 1
  ]);
  assertEquals(inside, [true, true]);
  assert(!ana.canProve(ge(n, 1)));
  assertEquals(ana.constIntBound(i), { min: 0, max: 7 }); // the outer binding is back
  ana.withBinding(j, { min: 0, extent: 4 }, () => assert(ana.canProve(lt(j, 4))));
  assert(!ana.canProve(lt(j, 4)));
});

Deno.test("simplify returns the same object when nothing changes", () => {
  const ana = new Analyzer();
  const e = add(mul(x, 4), j);
  const canon = ana.simplify(e);
  assert(ana.simplify(canon) === canon);
  const f = floordiv(x, 8);
  assert(ana.simplify(f) === f);
});
