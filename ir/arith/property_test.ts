/**
 * Randomized properties of the analyzer: over random integer expressions on bounded variables,
 * checked at many random points with an exact evaluator —
 * - simplify never changes a value, and simplifying twice changes nothing more;
 * - constIntBound contains every value; modularSet contains every value;
 * - canProve never proves a statement that is false at a sample.
 */
import { assert } from "../test_util.ts";
import {
  add,
  floordiv,
  floormod,
  int,
  lt,
  max,
  min,
  mul,
  type PrimExpr,
  sub,
  variable,
} from "../expr.ts";
import { sizeVar } from "../te.ts";
import { Analyzer } from "./analyzer.ts";
import { formatExpr } from "./format.ts";
import { exprKey } from "./key.ts";
import {
  randomCond,
  randomIntExpr,
  Rng,
  type SampledVar,
  samplePoint,
  tryEval,
} from "./testing.ts";

const POINTS = 40;

function setup(): { ana: Analyzer; vars: SampledVar[] } {
  const x = variable("x"), y = variable("y"), z = variable("z"), w = variable("w");
  const vars: SampledVar[] = [
    { v: x, lo: 0, hi: 15 },
    { v: y, lo: -8, hi: 7 },
    { v: z, lo: 1, hi: 9 },
    { v: w, lo: 0, hi: 63 },
  ];
  const ana = new Analyzer();
  for (const s of vars) ana.bind(s.v, { min: s.lo, extent: s.hi - s.lo + 1 });
  return { ana, vars };
}

function describe(e: PrimExpr, s: PrimExpr, env: Map<unknown, number>): string {
  const at = [...env].map(([v, n]) => `${(v as { name: string }).name}=${n}`).join(" ");
  return `${formatExpr(e)}\n  simplified: ${formatExpr(s)}\n  at ${at}`;
}

Deno.test("property: simplify preserves values and is idempotent", () => {
  const rng = new Rng(1234);
  const { ana, vars } = setup();
  for (let n = 0; n < 2500; n++) {
    const e = randomIntExpr(rng, vars, 4);
    const s = ana.simplify(e);
    for (let p = 0; p < POINTS; p++) {
      const env = samplePoint(rng, vars);
      const want = tryEval(e, env);
      if (want === undefined) continue;
      const got = tryEval(s, env);
      assert(got === want, `value changed: ${want} → ${got}\n${describe(e, s, env)}`);
    }
    const s2 = ana.simplify(s);
    assert(
      exprKey(s2) === exprKey(s),
      `not idempotent:\n  ${formatExpr(e)}\n  once: ${formatExpr(s)}\n  twice: ${formatExpr(s2)}`,
    );
  }
});

Deno.test("property: conditions simplify to equal values", () => {
  const rng = new Rng(99);
  const { ana, vars } = setup();
  for (let n = 0; n < 1200; n++) {
    const e = randomCond(rng, vars, 3);
    const s = ana.simplify(e);
    for (let p = 0; p < POINTS; p++) {
      const env = samplePoint(rng, vars);
      const want = tryEval(e, env);
      if (want === undefined) continue;
      const got = tryEval(s, env);
      assert(got === want, `value changed: ${want} → ${got}\n${describe(e, s, env)}`);
    }
  }
});

Deno.test("property: constIntBound and modularSet contain every value", () => {
  const rng = new Rng(7);
  const { ana, vars } = setup();
  for (let n = 0; n < 1500; n++) {
    const e = randomIntExpr(rng, vars, 4);
    const b = ana.constIntBound(e);
    const m = ana.modularSet(e);
    for (let p = 0; p < POINTS; p++) {
      const env = samplePoint(rng, vars);
      const v = tryEval(e, env);
      if (v === undefined) continue;
      assert(b.min <= v && v <= b.max, `${v} outside [${b.min}, ${b.max}]: ${formatExpr(e)}`);
      const inSet = m.coeff === 0
        ? v === m.base
        : (((v - m.base) % m.coeff) + m.coeff) % m.coeff === 0;
      assert(inSet, `${v} not ≡ ${m.base} (mod ${m.coeff}): ${formatExpr(e)}`);
    }
  }
});

Deno.test("property: canProve proves nothing false", () => {
  const rng = new Rng(4242);
  const { ana, vars } = setup();
  let proved = 0;
  for (let n = 0; n < 2000; n++) {
    const c = randomCond(rng, vars, 2);
    if (!ana.canProve(c)) continue;
    proved++;
    for (let p = 0; p < POINTS; p++) {
      const env = samplePoint(rng, vars);
      const v = tryEval(c, env);
      if (v === undefined) continue;
      assert(v === 1, `proved but false: ${formatExpr(c)} at ${[...env.values()]}`);
    }
  }
  assert(proved > 50, `only ${proved} statements proved: the test would not catch much`);
});

Deno.test("property: symbolic sizes — i in [0, n), j in [0, 4·n)", () => {
  const rng = new Rng(31337);
  const n = sizeVar("n"), i = variable("i"), j = variable("j"), x = variable("x");
  const ana = new Analyzer();
  ana.bind(i, { min: 0, extent: n });
  ana.bind(j, { min: 0, extent: mul(n, 4) });
  ana.bind(x, { min: 0, extent: 16 });
  // the generator draws from these; samples respect i < n and j < 4n
  const vars: SampledVar[] = [
    { v: n, lo: 1, hi: 12 },
    { v: i, lo: 0, hi: 11 },
    { v: j, lo: 0, hi: 47 },
    { v: x, lo: 0, hi: 15 },
  ];
  const point = () => {
    const nv = rng.int(1, 12);
    return new Map([[n, nv], [i, rng.int(0, nv - 1)], [j, rng.int(0, 4 * nv - 1)], [
      x,
      rng.int(0, 15),
    ]]);
  };
  const seeds: PrimExpr[] = [
    floordiv(add(mul(i, 4), floormod(j, 4)), 4),
    floormod(add(mul(x, n), i), n),
    floordiv(add(mul(x, n), i), n),
    lt(add(i, 1), add(n, 1)),
    min(i, sub(n, 1)),
    max(j, mul(n, 4)),
  ];
  let proved = 0;
  for (let k = 0; k < 2500; k++) {
    const e = k < seeds.length
      ? seeds[k]
      : k % 3 === 0
      ? randomCond(rng, vars, 2)
      : randomIntExpr(rng, vars, 3);
    const s = ana.simplify(e);
    const b = e.dtype === "int32" ? ana.constIntBound(e) : { min: 0, max: 1 };
    if (s.kind === "IntImm" && e.kind !== "IntImm") proved++;
    for (let p = 0; p < POINTS; p++) {
      const env = point();
      const want = tryEval(e, env);
      if (want === undefined) continue;
      const got = tryEval(s, env);
      assert(got === want, `value changed: ${want} → ${got}\n${describe(e, s, env)}`);
      assert(
        b.min <= want && want <= b.max,
        `${want} outside [${b.min}, ${b.max}]: ${formatExpr(e)}`,
      );
    }
  }
  assert(proved > 20, `only ${proved} expressions folded to constants`);
});

for (const dtype of ["int8", "uint8", "int16"]) {
  Deno.test(`property: ${dtype} wraps, and the simplifier keeps the wrapped value`, () => {
    const rng = new Rng(5 + dtype.length);
    const a = variable("a", dtype), b = variable("b", dtype);
    const [lo, hi] = dtype === "uint8" ? [0, 200] : [-60, 60]; // extents fit the dtype
    const vars: SampledVar[] = [{ v: a, lo, hi }, { v: b, lo, hi }];
    const ana = new Analyzer();
    for (const s of vars) {
      ana.bind(s.v, { min: int(s.lo, dtype), extent: int(s.hi - s.lo + 1, dtype) });
    }
    for (let k = 0; k < 1500; k++) {
      const e = k % 4 === 0 ? randomCond(rng, vars, 2) : randomIntExpr(rng, vars, 3);
      const s = ana.simplify(e);
      const bound = ana.constIntBound(e);
      for (let p = 0; p < POINTS; p++) {
        const env = samplePoint(rng, vars);
        const want = tryEval(e, env);
        if (want === undefined) continue;
        const got = tryEval(s, env);
        assert(got === want, `value changed: ${want} → ${got}\n${describe(e, s, env)}`);
        assert(bound.min <= want && want <= bound.max, `${want} outside bound: ${formatExpr(e)}`);
      }
    }
  });
}
