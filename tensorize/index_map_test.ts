import { Analyzer } from "../ir/arith/mod.ts";
import { ScheduleError } from "../ir/errors.ts";
import { floordiv, floormod, int, type PrimExpr, type Var } from "../ir/expr.ts";
import { assert, assertEquals, assertThrows } from "../ir/test_util.ts";
import { IndexMap, indexMap, parseIndexMap } from "./index_map.ts";
import { sizeVar } from "../ir/te.ts";

/** Evaluate an integer expression with variables bound (floor semantics for // and %%). */
function evalInt(e: PrimExpr, env: ReadonlyMap<Var, number>): number {
  switch (e.kind) {
    case "IntImm":
      return e.value;
    case "Var": {
      const v = env.get(e);
      if (v === undefined) throw new Error(`unbound ${e.name}`);
      return v;
    }
    case "Binary": {
      const a = evalInt(e.a, env), b = evalInt(e.b, env);
      switch (e.op) {
        case "add":
          return a + b;
        case "sub":
          return a - b;
        case "mul":
          return a * b;
        case "floordiv":
          return Math.floor(a / b);
        case "floormod":
          return a - Math.floor(a / b) * b;
        case "div":
          return Math.trunc(a / b);
        case "mod":
          return a % b;
        case "min":
          return Math.min(a, b);
        case "max":
          return Math.max(a, b);
        case "lt":
          return +(a < b);
        case "le":
          return +(a <= b);
        case "gt":
          return +(a > b);
        case "ge":
          return +(a >= b);
        case "eq":
          return +(a === b);
        case "ne":
          return +(a !== b);
        case "and":
          return +(a !== 0 && b !== 0);
        case "or":
          return +(a !== 0 || b !== 0);
      }
      break;
    }
    case "Not":
      return +(evalInt(e.a, env) === 0);
  }
  throw new Error(`cannot evaluate ${e.kind}`);
}

function applyAt(m: IndexMap, point: readonly number[]): number[] {
  const env = new Map(m.vars.map((v, k) => [v, point[k]]));
  return m.indices.map((e) => evalInt(e, env));
}

function* points(shape: readonly number[]): Generator<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  for (let f = 0; f < n; f++) {
    const p: number[] = [];
    let r = f;
    for (let k = shape.length - 1; k >= 0; k--) {
      p[k] = r % shape[k];
      r = Math.floor(r / shape[k]);
    }
    yield p;
  }
}

const ints = (xs: readonly number[]) => xs.map((x) => int(x));

const BIJECTIONS: [string, number[]][] = [
  ["(i, j) => [j, i]", [3, 5]],
  ["(i, j) => [j // 4, i, j %% 4]", [3, 8]],
  ["(i, j) => [i * 8 + j]", [5, 8]],
  ["(i) => [i // 6, i %% 6 // 2, i %% 2]", [24]],
  ["(i, j, k) => [k, i * 3 + j]", [2, 3, 4]],
  ["(n, c, h, w) => [n, h, w, c]", [2, 3, 2, 2]],
  ["(n, c, h, w) => [n, c // 4, h, w, c %% 4]", [1, 8, 2, 3]],
  ["(i, j) => [0, i, j]", [2, 3]],
];

Deno.test("index map: printing, parsing and JSON round trip", () => {
  const m = indexMap((i, j) => [floordiv(j, 4), i, floormod(j, 4)]);
  assertEquals(m.toString(), "(i, j) => [j // 4, i, j %% 4]");
  assertEquals(parseIndexMap(m.toString()).toString(), m.toString());
  const json = JSON.parse(JSON.stringify(m.toJSON()));
  assertEquals(json, { vars: ["i", "j"], indices: ["j // 4", "i", "j %% 4"] });
  assertEquals(IndexMap.fromJSON(json).toString(), m.toString());
  assertEquals(
    indexMap((...xs: Var[]) => [xs[1], xs[0]], { arity: 2 }).toString(),
    "(i0, i1) => [i1, i0]",
  );
  const n = sizeVar("n");
  assertEquals(parseIndexMap("(i) => [i // n, i %% n]", { vars: [n] }).indices.length, 2);
});

Deno.test("index map property: map ∘ inverse and inverse ∘ map are identities on every point", () => {
  for (const [text, shape] of BIJECTIONS) {
    const m = parseIndexMap(text);
    const r = m.nonSurjectiveInverse(ints(shape));
    assert(r.bijective, text);
    const inv = m.inverse(ints(shape));
    const outShape = r.shape.map((d) => (d as { value: number }).value);
    let count = 0;
    for (const p of points(shape)) {
      const y = applyAt(m, p);
      y.forEach((v, k) => assert(v >= 0 && v < outShape[k], `${text}: ${p} → ${y} outside`));
      assertEquals(applyAt(inv, y), p, `${text}: inverse(map(${p}))`);
      count++;
    }
    // a bijection onto the box: as many output points as input points, each mapping back
    assertEquals(outShape.reduce((a, b) => a * b, 1), count, text);
    for (const y of points(outShape)) assertEquals(applyAt(m, applyAt(inv, y)), y, text);
  }
});

Deno.test("index map property: padding is exactly the points without a preimage", () => {
  const cases: [string, number[]][] = [
    ["(i) => [i // 4, i %% 4]", [14]],
    ["(i, j) => [j // 4, i, j %% 4]", [3, 10]],
    ["(i, j) => [i * 2, j]", [5, 3]],
    ["(i, j) => [i // 8, j // 2, i %% 8, j %% 2]", [9, 5]],
  ];
  for (const [text, shape] of cases) {
    const m = parseIndexMap(text);
    const r = m.nonSurjectiveInverse(ints(shape));
    assert(!r.bijective, text);
    const outShape = r.shape.map((d) => (d as { value: number }).value);
    const image = new Set<string>();
    for (const p of points(shape)) {
      const y = applyAt(m, p);
      y.forEach((v, k) => assert(v >= 0 && v < outShape[k], `${text}: ${p} → ${y}`));
      assert(!image.has(y.join()), `${text} is not injective at ${y}`);
      image.add(y.join());
      assertEquals(applyAt(r.inverse, y), p, text);
    }
    for (const y of points(outShape)) {
      const env = new Map(r.inverse.vars.map((v, k) => [v, y[k]]));
      assertEquals(evalInt(r.padding, env) === 1, !image.has(y.join()), `${text} at ${y}`);
    }
  }
});

Deno.test("index map: symbolic shapes invert", () => {
  const n = sizeVar("n");
  const ana = new Analyzer();
  ana.markNonNegative(n);
  const m = parseIndexMap("(i, j) => [j, i]");
  const inv = m.inverse([n, int(4)], ana);
  assertEquals(inv.toString(), "(y0, y1) => [y1, y0]");
  const r = parseIndexMap("(i) => [i // 4, i %% 4]").nonSurjectiveInverse([n], ana);
  assert(!r.bijective);
  assertEquals(r.shape.length, 2);
});

Deno.test("index map errors: not injective, not affine, wrong rank, bad text", () => {
  const code = (fn: () => unknown) => {
    const e = assertThrows(fn, ScheduleError);
    return (e as ScheduleError).code;
  };
  assertEquals(
    code(() => parseIndexMap("(i, j) => [i]").inverse(ints([4, 4]))),
    "SCHEDULE_INDEX_MAP",
  );
  assertEquals(
    code(() => parseIndexMap("(i) => [i * i]").inverse(ints([4]))),
    "SCHEDULE_INDEX_MAP",
  );
  assertEquals(
    code(() => parseIndexMap("(i, j) => [i + j]").inverse(ints([4, 4]))),
    "SCHEDULE_INDEX_MAP",
  );
  assertEquals(code(() => parseIndexMap("(i) => [i]").inverse(ints([4, 4]))), "SCHEDULE_INDEX_MAP");
  assertEquals(
    code(() => parseIndexMap("(i) => [i // 4, i %% 4]").inverse(ints([14]))),
    "SCHEDULE_INDEX_MAP",
  );
  assertEquals(code(() => parseIndexMap("i => i")), "SCHEDULE_INDEX_MAP");
});
