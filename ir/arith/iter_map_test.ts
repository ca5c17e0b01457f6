/** Iter-map detection: positive and negative cases, and the inverse checked by round trips. */
import { assert, assertEquals } from "../test_util.ts";
import { add, floordiv, floormod, mul, type PrimExpr, sub, type Var, variable } from "../expr.ts";
import { sizeVar } from "../te.ts";
import { Analyzer } from "./analyzer.ts";
import { formatExpr } from "./format.ts";
import { detectIterMap, inverseIterMap, type IterSum } from "./iter_map.ts";
import { evalExpr } from "./testing.ts";

const i = variable("i"), j = variable("j"), k = variable("k"), f = variable("f");
const dom = (...xs: [Var, number][]) => new Map(xs.map(([v, e]) => [v, { min: 0, extent: e }]));

function ok(indices: PrimExpr[], domains: Map<Var, { min: number; extent: number }>): IterSum[] {
  const r = detectIterMap(indices, domains);
  if (!r.ok) throw new Error(`expected a map, got: ${r.reason}`);
  return [...r.indices];
}

/** Every point of the domain maps to distinct index tuples and the inverse brings it back. */
function roundTrip(indices: PrimExpr[], domains: Map<Var, { min: number; extent: number }>): void {
  const sums = ok(indices, domains);
  const outs = indices.map((_, n) => variable(`o${n}`));
  const inv = inverseIterMap(sums, outs);
  const vars = [...domains.keys()];
  const seen = new Set<string>();
  const visit = (n: number, env: Map<Var, number>) => {
    if (n === vars.length) {
      const vals = indices.map((e) => evalExpr(e, env));
      const key = vals.join(",");
      assert(!seen.has(key), `two points map to ${key}`);
      seen.add(key);
      const back = new Map(outs.map((o, m) => [o, vals[m]]));
      for (const v of vars) {
        assertEquals(
          evalExpr(inv.get(v)!, back),
          env.get(v),
          `${v.name} = ${formatExpr(inv.get(v)!)}`,
        );
      }
      return;
    }
    const d = domains.get(vars[n])!;
    for (let x = d.min; x < d.min + d.extent; x++) visit(n + 1, new Map(env).set(vars[n], x));
  };
  visit(0, new Map());
}

Deno.test("iter map: i*16 + j is one fused iterator of extent 64", () => {
  const [s] = ok([add(mul(i, 16), j)], dom([i, 4], [j, 16]));
  assertEquals(s.args.length, 1);
  const sp = s.args[0];
  assertEquals(formatExpr(sp.extent), "64");
  assertEquals(formatExpr(sp.scale), "1");
  assert(sp.source.source.kind === "IterSum");
  const inner = sp.source.source as IterSum;
  assertEquals(inner.args.map((a) => formatExpr(a.scale)), ["16", "1"]); // largest scale first
  roundTrip([add(mul(i, 16), j)], dom([i, 4], [j, 16]));
});

Deno.test("iter map: floordiv/floormod of a fused iterator are a split pair", () => {
  const [hi, lo] = ok([floordiv(f, 16), floormod(f, 16)], dom([f, 64]));
  assertEquals(hi.args[0].source, lo.args[0].source);
  assertEquals(formatExpr(hi.args[0].lowerFactor), "16");
  assertEquals(formatExpr(hi.args[0].extent), "4");
  assertEquals(formatExpr(lo.args[0].lowerFactor), "1");
  assertEquals(formatExpr(lo.args[0].extent), "16");
  roundTrip([floordiv(f, 16), floormod(f, 16)], dom([f, 64]));
});

Deno.test("iter map: reshapes, transposes and three-way fusion round-trip", () => {
  roundTrip([add(mul(j, 4), i)], dom([i, 4], [j, 16])); // transposed fusion
  roundTrip([add(add(mul(i, 128), mul(j, 8)), k)], dom([i, 4], [j, 16], [k, 8]));
  const fused = add(mul(i, 16), j); // split a fused loop differently: 64 = 8·8
  roundTrip([floordiv(fused, 8), floormod(fused, 8)], dom([i, 4], [j, 16]));
  roundTrip([floordiv(f, 16), floordiv(floormod(f, 16), 4), floormod(f, 4)], dom([f, 64]));
  roundTrip([j, i], dom([i, 4], [j, 16]));
  roundTrip([add(i, 3)], dom([i, 4])); // an offset is fine
});

Deno.test("iter map: symbolic extents", () => {
  const n = sizeVar("n"), a = variable("a"), b = variable("b");
  const r = detectIterMap(
    [add(mul(a, n), b)],
    new Map([[a, { min: 0, extent: 4 }], [b, { min: 0, extent: n }]]),
  );
  assert(r.ok, r.ok ? "" : r.reason);
  assertEquals(formatExpr(r.indices[0].args[0].extent), "n*4");
  const o = variable("o");
  const inv = inverseIterMap(r.indices, [o]);
  assertEquals(formatExpr(inv.get(a)!), "floordiv(o, n)");
  assertEquals(formatExpr(inv.get(b)!), "floormod(o, n)");
});

Deno.test("iter map: non-bijective or non-affine maps are refused with a reason", () => {
  const cases: [PrimExpr[], Map<Var, { min: number; extent: number }>, string][] = [
    [[add(mul(i, 16), j)], dom([i, 4], [j, 17]), "chain"], // j overlaps the next i
    [[add(i, j)], dom([i, 4], [j, 4]), "chain"],
    [[floordiv(f, 16)], dom([f, 64]), "missing"], // low part of f lost
    [[floormod(f, 16)], dom([f, 64]), "every value"], // high part of f lost
    [[floormod(f, 16), floormod(f, 16)], dom([f, 64]), "overlapping"],
    [[mul(i, j)], dom([i, 4], [j, 4]), "multiplies"],
    [[sub(3, i)], dom([i, 4]), "negative"],
    [[floordiv(f, 3), floormod(f, 3)], dom([f, 64]), "does not divide"],
    [[i], dom([i, 4], [j, 4]), "not used"],
    [[floordiv(mul(i, i), 2)], dom([i, 4]), "multiplies"],
  ];
  for (const [indices, domains, why] of cases) {
    const r = detectIterMap(indices, domains);
    assert(!r.ok, `expected failure for ${indices.map(formatExpr).join(", ")}`);
    assert(r.reason.includes(why), `reason "${r.reason}" should mention "${why}"`);
  }
});

Deno.test("iter map: uses the caller's analyzer", () => {
  const ana = new Analyzer();
  const r = detectIterMap([add(mul(i, 16), j)], dom([i, 4], [j, 16]), ana);
  assert(r.ok);
  assertEquals(formatExpr(ana.simplify(floordiv(add(mul(i, 16), j), 16))), "i");
});

Deno.test("iter map: a fused sum re-split at another point (a*8 + b by 12) is one mark", () => {
  const a = variable("a"), b = variable("b");
  const x = add(mul(a, 8), b);
  const dom = new Map([[a, { min: 0, extent: 24 }], [b, { min: 0, extent: 8 }]]);
  for (const idx of [[floormod(x, 12), floordiv(x, 12)], [floordiv(x, 12), floormod(x, 12)]]) {
    const r = detectIterMap(idx, dom);
    assert(r.ok, r.ok ? "" : r.reason);
  }
  assert(!detectIterMap([floormod(x, 12), floormod(x, 12)], dom).ok);
});
