/**
 * Randomized round trips: random well-typed expression trees, built as raw nodes (so nothing is
 * folded and every operator meets every dtype), printed, parsed, compared structurally.
 */
import { assertEquals } from "../test_util.ts";
import { type DType, isFloat, lanesOf, maxValue, minValue, withLanes } from "../dtype.ts";
import { type BinaryOp, type PrimExpr, type Var, variable } from "../expr.ts";
import { primFunc } from "../func.ts";
import { type Buffer, decl, evaluate, seq } from "../stmt.ts";
import { printNode } from "./printer.ts";
import { parseExpr } from "./parse.ts";
import { assertRoundTrip } from "./testing.ts";

/** mulberry32: a small seeded generator, so failures replay. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALARS: DType[] = ["int32", "int64", "int8", "uint16", "float32", "float16", "float64"];
const ARITH: BinaryOp[] = ["add", "sub", "mul", "div", "mod", "floordiv", "floormod", "min", "max"];
const COMPARE: BinaryOp[] = ["eq", "ne", "lt", "le", "gt", "ge"];

class Gen {
  readonly vars: Var[] = SCALARS.map((d) => variable(`x_${d}`, d));
  readonly buffers: Buffer[] = SCALARS.map((d) => decl(`B_${d}`, [64], d));
  private readonly letPool: Var[] = [];
  private readonly bound = new Set<Var>();

  constructor(private readonly r: () => number) {}

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)];
  }

  private constant(d: DType): PrimExpr {
    if (d === "bool") return { kind: "IntImm", dtype: d, value: this.r() < 0.5 ? 0 : 1 };
    if (isFloat(d)) {
      const specials = [0, -0, 1, -1.5, NaN, Infinity, -Infinity, 0.1, 1e-7, maxValue(d)];
      const v = this.r() < 0.5 ? this.pick(specials) : (this.r() - 0.5) * 10 ** (this.r() * 8);
      return { kind: "FloatImm", dtype: d, value: v === v ? normalizeFloat(d, v) : NaN };
    }
    const v = this.r() < 0.3
      ? this.pick([minValue(d), maxValue(d), 0, 1, -1].filter((x) => x >= minValue(d)))
      : Math.floor(this.r() * 200) - (minValue(d) < 0 ? 100 : 0);
    return { kind: "IntImm", dtype: d, value: v };
  }

  /** A random expression of dtype `d` (scalar, or int32x4/float32x4 vectors). */
  expr(d: DType, depth: number): PrimExpr {
    const lanes = lanesOf(d);
    if (lanes > 1) return this.vector(d, depth);
    const leaf = depth <= 0 || this.r() < 0.2;
    if (leaf) {
      if (d === "bool") return this.constant(d);
      const free = [...this.vars.filter((v) => v.dtype === d), ...this.inScope(d)];
      const choice = this.r();
      if (choice < 0.35) return this.constant(d);
      if (choice < 0.7 && free.length) return this.pick(free);
      const b = this.buffers.find((x) => x.dtype === d)!;
      return { kind: "BufferLoad", dtype: d, buffer: b, indices: [this.expr("int32", 0)] };
    }
    if (d === "bool") return this.boolean(depth);
    const k = this.r();
    if (k < 0.5) {
      const op = this.pick(ARITH);
      return {
        kind: "Binary",
        dtype: d,
        op,
        a: this.expr(d, depth - 1),
        b: this.expr(d, depth - 1),
      };
    }
    if (k < 0.6) {
      return {
        kind: "Select",
        dtype: d,
        cond: this.expr("bool", depth - 1),
        t: this.expr(d, depth - 1),
        f: this.expr(d, depth - 1),
      };
    }
    if (k < 0.7) return { kind: "Cast", dtype: d, value: this.expr(this.pick(SCALARS), depth - 1) };
    if (k < 0.8 && isFloat(d)) {
      const op = this.pick(["exp", "sqrt", "tanh", "abs", "floor"]);
      return { kind: "Call", dtype: d, op, args: [this.expr(d, depth - 1)] };
    }
    if (k < 0.9) return this.letExpr(d, depth);
    return { kind: "Call", dtype: d, op: "tessera.intrin", args: [this.expr("int32", depth - 1)] };
  }

  private boolean(depth: number): PrimExpr {
    const k = this.r();
    if (k < 0.5) {
      const t = this.pick(SCALARS);
      return {
        kind: "Binary",
        dtype: "bool",
        op: this.pick(COMPARE),
        a: this.expr(t, depth - 1),
        b: this.expr(t, depth - 1),
      };
    }
    if (k < 0.8) {
      return {
        kind: "Binary",
        dtype: "bool",
        op: this.pick(["and", "or"] as BinaryOp[]),
        a: this.expr("bool", depth - 1),
        b: this.expr("bool", depth - 1),
      };
    }
    if (k < 0.9) return { kind: "Not", dtype: "bool", a: this.expr("bool", depth - 1) };
    return { kind: "Call", dtype: "bool", op: "isnan", args: [this.expr("float32", depth - 1)] };
  }

  private vector(d: DType, depth: number): PrimExpr {
    const lanes = lanesOf(d);
    const k = this.r();
    if (d.startsWith("int32") && k < 0.4) {
      return {
        kind: "Ramp",
        dtype: d,
        base: this.expr("int32", depth - 1),
        stride: this.expr("int32", depth - 1),
        lanes,
      };
    }
    if (k < 0.7 || depth <= 0) {
      const scalar = d.replace(/x\d+$/, "");
      return { kind: "Broadcast", dtype: d, value: this.expr(scalar, depth - 1), lanes };
    }
    if (d.startsWith("float32") && k < 0.85) {
      const b = this.buffers.find((x) => x.dtype === "float32")!;
      return {
        kind: "BufferLoad",
        dtype: d,
        buffer: b,
        indices: [this.vector("int32x4", depth - 1)],
      };
    }
    const op = this.pick(ARITH);
    return { kind: "Binary", dtype: d, op, a: this.expr(d, depth - 1), b: this.expr(d, depth - 1) };
  }

  private inScope(d: DType): Var[] {
    return [...this.bound].filter((v) => v.dtype === d);
  }

  /** `let v = value in body`, sometimes rebinding a pool variable bound by an earlier let. */
  private letExpr(d: DType, depth: number): PrimExpr {
    const t = this.pick(SCALARS);
    const reusable = this.letPool.filter((v) => v.dtype === t && !this.bound.has(v));
    const v = reusable.length && this.r() < 0.5 ? this.pick(reusable) : variable("t", t);
    if (!this.letPool.includes(v)) this.letPool.push(v);
    const value = this.expr(t, depth - 1);
    this.bound.add(v);
    const body = this.expr(d, depth - 1);
    this.bound.delete(v);
    return { kind: "Let", dtype: d, v, value, body };
  }
}

function normalizeFloat(d: DType, v: number): number {
  return d === "float32" ? Math.fround(v) : d === "float16" ? Math.f16round(v) : v;
}

Deno.test("random expression trees round-trip inside functions", () => {
  const r = rng(20241125);
  const dtypes = [...SCALARS, "bool", withLanes("int32", 4), withLanes("float32", 4)];
  for (let trial = 0; trial < 150; trial++) {
    const g = new Gen(r);
    const body = seq(dtypes.map((d) => evaluate(g.expr(d, 4))));
    assertRoundTrip(primFunc(`f${trial}`, [...g.buffers, ...g.vars], body));
  }
});

Deno.test("parseExpr reads back printed expressions over given variables and buffers", () => {
  const r = rng(7);
  for (let trial = 0; trial < 200; trial++) {
    const g = new Gen(r);
    const e = g.expr(r() < 0.5 ? "int32" : "float32", 3);
    const text = printNode(e);
    const back = parseExpr(text, { vars: g.vars, buffers: g.buffers });
    assertEquals(printNode(back), text);
  }
});
