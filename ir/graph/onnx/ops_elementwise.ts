/**
 * Elementwise ONNX ops: unary math and activations, broadcasting binaries and comparisons,
 * variadic Sum/Max/Min/Mean, Clip, Where, Cast. Each maps onto graph ops of the operator
 * library (composites written out: `Softplus(x) = log(exp(x) + 1)`); what the library lacks is a
 * DSL function called with `callTIR`. Integer shape arithmetic on values known at import time
 * is evaluated there.
 *
 * @module
 */
import * as E from "../../expr.ts";
import type { Atom, Attrs } from "../ir.ts";
import { broadcastCompute } from "../../ops/elementwise.ts";
import { compute } from "../../te.ts";
import { type Known, knownVal, type NodeContext, type OpRule, type Val } from "./context.ts";
import { dtypeOfOnnx } from "./dtypes.ts";
import { hasKnownRule, KNOWN_COMPARISONS, knownBinary } from "./known.ts";
import { callTe } from "./tir.ts";

/** `op(x)` as one graph op. */
function unary(op: string, attrs?: (ctx: NodeContext) => Attrs): OpRule {
  return (ctx) => {
    ctx.expectInputs(1);
    return [ctx.op(op, [ctx.atom(0)], attrs?.(ctx) ?? {})];
  };
}

/** An intermediate graph value of a composite (named after the node's output). */
function step(ctx: NodeContext, op: string, args: readonly Atom[], attrs: Attrs = {}): Atom {
  return ctx.op(op, args, attrs).atom!;
}

/** A composite of graph ops: `f(ctx, x)` returns the last step's value. */
function composite(f: (ctx: NodeContext, x: Atom) => Val): OpRule {
  return (ctx) => {
    ctx.expectInputs(1);
    return [f(ctx, ctx.atom(0))];
  };
}

/** A unary op as a DSL function of the element. */
function teUnary(tag: string, f: (v: E.PrimExpr, ctx: NodeContext) => E.PrimExpr): OpRule {
  return (ctx) => {
    ctx.expectInputs(1);
    return [
      callTe(
        ctx,
        tag,
        [ctx.input(0)],
        ([x]) => compute(x.shape, (i) => f(x.at(...i), ctx), `T_${tag}`),
      ),
    ];
  };
}

/** A float constant of `v`'s dtype. */
const c = (v: E.PrimExpr, x: number) => E.constant(x, v.dtype);

/** The output shape of a known binary: the operand with more elements (ties: higher rank). */
function knownShape(a: Val, b: Val): number[] {
  const n = (v: Val) => v.known!.length;
  const pick = n(a) > n(b) || (n(a) === n(b) && a.type.shape.length >= b.type.shape.length) ? a : b;
  return pick.type.shape.map((d) => (d as { value: number }).value);
}

/** A broadcasting binary: graph op `op`, or evaluated if both operands are known integers. */
function binary(onnx: string, op: string): OpRule {
  return (ctx) => {
    ctx.expectInputs(2);
    const [a, b] = [ctx.input(0), ctx.input(1)];
    if (a.known && b.known && hasKnownRule(onnx)) {
      const k = knownBinary(onnx, a.known, b.known);
      if (k) {
        return [knownVal(k, knownShape(a, b), KNOWN_COMPARISONS.has(onnx) ? "bool" : a.type.dtype)];
      }
    }
    return [ctx.op(op, [ctx.atom(0), ctx.atom(1)])];
  };
}

/** A variadic op folded left with a binary graph op (`Sum`, `Max`, `Min`). */
function variadic(op: string, mean = false): OpRule {
  return (ctx) => {
    ctx.expectInputs(1, Infinity);
    const n = ctx.arity;
    let acc = ctx.atom(0);
    let last: Val = ctx.input(0);
    for (let i = 1; i < n; i++) {
      last = ctx.op(op, [acc, ctx.atom(i)]);
      acc = last.atom!;
    }
    if (mean && n > 1) last = ctx.op("div", [acc], { scalar: n });
    return [last];
  };
}

/** A boolean binary as a DSL function (`And`, `Or`, `Xor`). */
function logical(tag: string, f: (a: E.PrimExpr, b: E.PrimExpr) => E.PrimExpr): OpRule {
  return (ctx) => {
    ctx.expectInputs(2);
    return [
      callTe(
        ctx,
        tag,
        [ctx.input(0), ctx.input(1)],
        (ts) => broadcastCompute(tag, ts, ([a, b]) => f(a, b)),
      ),
    ];
  };
}

/** `Clip(x, min?, max?)` (bounds as attributes before opset 11, as constant inputs since). */
const clip: OpRule = (ctx) => {
  ctx.expectInputs(1, 3);
  const bound = (i: number, attr: string, dflt: number) => {
    if (ctx.opset < 11) return ctx.float(attr, dflt);
    return ctx.optional(i) === undefined ? dflt : ctx.scalarInput(i, attr);
  };
  const lo = bound(1, "min", -Infinity);
  const hi = bound(2, "max", Infinity);
  const x = ctx.atom(0);
  if (lo !== -Infinity && hi !== Infinity) return [ctx.op("clip", [x], { lo, hi })];
  if (lo !== -Infinity) return [ctx.op("maximum", [x], { scalar: lo })];
  if (hi !== Infinity) return [ctx.op("minimum", [x], { scalar: hi })];
  return [ctx.input(0)];
};

/** `Cast(x, to)`: evaluated on known integers, else the graph's `cast`. */
const cast: OpRule = (ctx) => {
  ctx.expectInputs(1);
  const to = ctx.int("to");
  const dtype = dtypeOfOnnx(to);
  if (dtype === undefined) {
    throw ctx.fail("ONNX_UNSUPPORTED_DTYPE", `it casts to element type ${to}`);
  }
  return [castTo(ctx, ctx.input(0), dtype)];
};

/** `CastLike(x, like)`. */
const castLike: OpRule = (ctx) => {
  ctx.expectInputs(2);
  return [castTo(ctx, ctx.input(0), ctx.input(1).type.dtype)];
};

function castTo(ctx: NodeContext, x: Val, dtype: string): Val {
  const intLike = (d: string) => d.startsWith("int") || d.startsWith("uint");
  if (x.known && intLike(x.type.dtype) && intLike(dtype)) {
    return knownVal(x.known, x.type.shape.map((d) => (d as { value: number }).value), dtype);
  }
  if (x.type.dtype === dtype) return x;
  return ctx.op("cast", [ctx.atomOf(x)], { dtype });
}

/** `Where(cond, a, b)` with broadcasting. */
const where: OpRule = (ctx) => {
  ctx.expectInputs(3);
  const [cond, a, b] = ctx.all();
  if (cond.known && a.known && b.known) {
    const n = Math.max(cond.known.length, a.known.length, b.known.length);
    const at = (k: readonly Known[], i: number) => k[k.length === 1 ? 0 : i];
    if ([cond, a, b].every((v) => v.known!.length === n || v.known!.length === 1)) {
      const out: Known[] = [];
      let ok = true;
      for (let i = 0; i < n && ok; i++) {
        const ci = at(cond.known, i);
        if (typeof ci !== "number") ok = false;
        else out.push(ci ? at(a.known, i) : at(b.known, i));
      }
      if (ok) {
        return [
          knownVal(
            out,
            n === a.known.length ? knownShape(a, b) : knownShape(cond, a),
            a.type.dtype,
          ),
        ];
      }
    }
  }
  return [
    callTe(
      ctx,
      "where",
      [cond, a, b],
      (ts) =>
        broadcastCompute(
          "where",
          ts,
          ([p, x, y]) => E.select(E.ne(p, E.constant(0, p.dtype)), x, y),
        ),
    ),
  ];
};

/** `PRelu(x, slope)`: `x < 0 ? slope·x : x`, slope broadcast. */
const prelu: OpRule = (ctx) => {
  ctx.expectInputs(2);
  return [
    callTe(
      ctx,
      "prelu",
      [ctx.input(0), ctx.input(1)],
      (ts) => broadcastCompute("prelu", ts, ([x, s]) => E.select(E.lt(x, c(x, 0)), E.mul(s, x), x)),
    ),
  ];
};

/** `Mod(a, b)`: `fmod=0` floors (integers), `fmod=1` truncates (C `fmod`). */
const mod: OpRule = (ctx) => {
  ctx.expectInputs(2);
  if (ctx.int("fmod", 0) === 0) return binary("Mod", "floor_mod")(ctx);
  return [
    callTe(
      ctx,
      "fmod",
      [ctx.input(0), ctx.input(1)],
      (ts) =>
        broadcastCompute(
          "fmod",
          ts,
          ([a, b]) =>
            a.dtype.startsWith("float")
              ? E.sub(a, E.mul(E.call("trunc", [E.div(a, b)]), b))
              : E.sub(a, E.mul(E.div(a, b), b)),
        ),
    ),
  ];
};

/** `Pow(x, y)`: a constant scalar exponent 2 becomes `x·x`, 0.5 `sqrt`; else the graph's `pow`. */
const pow: OpRule = (ctx) => {
  ctx.expectInputs(2);
  const [x, y] = [ctx.input(0), ctx.input(1)];
  const e = y.data && y.data.data.length === 1 ? Number(y.data.data[0]) : undefined;
  if (e === 2) return [ctx.op("mul", [ctx.atom(0), ctx.atom(0)])];
  if (e === 0.5) return [ctx.op("sqrt", [ctx.atom(0)])];
  if (e === 1) return [x];
  if (e !== undefined) return [ctx.op("pow", [ctx.atom(0)], { scalar: e })];
  const yy = y.type.dtype === x.type.dtype
    ? ctx.atom(1)
    : ctx.op("cast", [ctx.atom(1)], { dtype: x.type.dtype }).atom!;
  return [ctx.op("pow", [ctx.atom(0), yy])];
};

/** Round half to even (ONNX `Round`, numpy `round`): the DSL expression. */
export function roundEven(v: E.PrimExpr): E.PrimExpr {
  const r = E.call("floor", [E.add(v, c(v, 0.5))]);
  const tie = E.eq(E.sub(r, v), c(v, 0.5));
  const odd = E.ne(E.sub(r, E.mul(E.call("floor", [E.mul(r, c(v, 0.5))]), c(v, 2))), c(v, 0));
  return E.select(E.and(tie, odd), E.sub(r, c(v, 1)), r);
}

/** The elementwise rules by ONNX op type. */
export const ELEMENTWISE_RULES: Readonly<Record<string, OpRule>> = {
  Abs: unary("abs"),
  Neg: unary("neg"),
  Exp: unary("exp"),
  Log: unary("log"),
  Sqrt: unary("sqrt"),
  Tanh: unary("tanh"),
  Sigmoid: unary("sigmoid"),
  Erf: unary("erf"),
  Sin: unary("sin"),
  Cos: unary("cos"),
  Floor: unary("floor"),
  Ceil: unary("ceil"),
  Relu: unary("relu"),
  LeakyRelu: unary("leaky_relu", (ctx) => ({ alpha: ctx.float("alpha", 0.01) })),
  Gelu: unary("gelu", (ctx) => ({ approximate: ctx.string("approximate", "none") })),
  Identity: (ctx) => {
    ctx.expectInputs(1);
    return [ctx.input(0)];
  },
  Reciprocal: teUnary("reciprocal", (v) => E.div(c(v, 1), v)),
  Round: teUnary("round_even", roundEven),
  Sign: teUnary(
    "sign",
    (v) => E.select(E.gt(v, c(v, 0)), c(v, 1), E.select(E.lt(v, c(v, 0)), c(v, -1), c(v, 0))),
  ),
  Not: teUnary("not", (v) => E.cast(v.dtype, E.eq(v, E.constant(0, v.dtype)))),
  IsNaN: teUnary("isnan", (v) => E.cast("bool", E.call("isnan", [v]))),
  IsInf: teUnary("isinf", (v, ctx) => {
    const pos = ctx.int("detect_positive", 1);
    const neg = ctx.int("detect_negative", 1);
    const inf = E.call("isinf", [v]);
    const sideOk = pos && neg
      ? E.bool(true)
      : pos
      ? E.gt(v, c(v, 0))
      : neg
      ? E.lt(v, c(v, 0))
      : E.bool(false);
    return E.cast("bool", E.and(E.ne(inf, c(inf, 0)), sideOk));
  }),
  Tan: composite((ctx, x) => ctx.op("div", [step(ctx, "sin", [x]), step(ctx, "cos", [x])])),
  Sinh: teUnary(
    "sinh",
    (v) => E.mul(E.sub(E.call("exp", [v]), E.call("exp", [E.mul(v, c(v, -1))])), c(v, 0.5)),
  ),
  Cosh: teUnary(
    "cosh",
    (v) => E.mul(E.add(E.call("exp", [v]), E.call("exp", [E.mul(v, c(v, -1))])), c(v, 0.5)),
  ),
  // Inverse hyperbolics through logarithms: asinh x = sign(x)·ln(|x| + √(x²+1)) (no cancellation
  // for x ≪ 0), acosh x = ln(x + √(x²−1)), atanh x = ½·ln((1+x)/(1−x)).
  Asinh: teUnary("asinh", (v) => {
    const a = E.call("abs", [v]);
    const m = E.call("log", [E.add(a, E.call("sqrt", [E.add(E.mul(a, a), c(v, 1))]))]);
    return E.select(E.lt(v, c(v, 0)), E.mul(m, c(v, -1)), m);
  }),
  Acosh: teUnary(
    "acosh",
    (v) => E.call("log", [E.add(v, E.call("sqrt", [E.sub(E.mul(v, v), c(v, 1))]))]),
  ),
  Atanh: teUnary(
    "atanh",
    (v) => E.mul(E.call("log", [E.div(E.add(c(v, 1), v), E.sub(c(v, 1), v))]), c(v, 0.5)),
  ),
  Softplus: composite((ctx, x) =>
    ctx.op("log", [step(ctx, "add", [step(ctx, "exp", [x])], { scalar: 1 })])
  ),
  Softsign: composite((ctx, x) =>
    ctx.op("div", [x, step(ctx, "add", [step(ctx, "abs", [x])], { scalar: 1 })])
  ),
  Mish: teUnary(
    "mish",
    (v) => E.mul(v, E.call("tanh", [E.call("log", [E.add(E.call("exp", [v]), c(v, 1))])])),
  ),
  Elu: teUnary(
    "elu",
    (v, ctx) =>
      E.select(
        E.lt(v, c(v, 0)),
        E.mul(c(v, ctx.float("alpha", 1)), E.sub(E.call("exp", [v]), c(v, 1))),
        v,
      ),
  ),
  Celu: teUnary("celu", (v, ctx) => {
    const a = ctx.float("alpha", 1);
    const neg = E.mul(c(v, a), E.sub(E.call("exp", [E.div(v, c(v, a))]), c(v, 1)));
    return E.add(E.max(v, c(v, 0)), E.min(c(v, 0), neg));
  }),
  Selu: teUnary("selu", (v, ctx) => {
    const alpha = ctx.float("alpha", 1.67326319217681884765625);
    const gamma = ctx.float("gamma", 1.05070102214813232421875);
    const neg = E.mul(c(v, alpha), E.sub(E.call("exp", [v]), c(v, 1)));
    return E.mul(c(v, gamma), E.select(E.gt(v, c(v, 0)), v, neg));
  }),
  HardSigmoid: teUnary(
    "hard_sigmoid",
    (v, ctx) =>
      E.max(
        c(v, 0),
        E.min(
          c(v, 1),
          E.add(E.mul(c(v, ctx.float("alpha", 0.2)), v), c(v, ctx.float("beta", 0.5))),
        ),
      ),
  ),
  HardSwish: teUnary(
    "hard_swish",
    (v) => E.mul(v, E.max(c(v, 0), E.min(c(v, 1), E.add(E.mul(c(v, 1 / 6), v), c(v, 0.5))))),
  ),
  ThresholdedRelu: teUnary(
    "thresholded_relu",
    (v, ctx) => E.select(E.gt(v, c(v, ctx.float("alpha", 1))), v, c(v, 0)),
  ),
  Shrink: teUnary("shrink", (v, ctx) => {
    const l = ctx.float("lambd", 0.5);
    const b = ctx.float("bias", 0);
    return E.select(
      E.lt(v, c(v, -l)),
      E.add(v, c(v, b)),
      E.select(E.gt(v, c(v, l)), E.sub(v, c(v, b)), c(v, 0)),
    );
  }),
  PRelu: prelu,
  Clip: clip,
  Cast: cast,
  CastLike: castLike,
  Add: binary("Add", "add"),
  Sub: binary("Sub", "sub"),
  Mul: binary("Mul", "mul"),
  Div: binary("Div", "div"),
  Pow: pow,
  Mod: mod,
  Equal: binary("Equal", "equal"),
  Less: binary("Less", "less"),
  LessOrEqual: binary("LessOrEqual", "less_equal"),
  Greater: binary("Greater", "greater"),
  GreaterOrEqual: binary("GreaterOrEqual", "greater_equal"),
  And: logical(
    "and",
    (a, b) =>
      E.cast("bool", E.and(E.ne(a, E.constant(0, a.dtype)), E.ne(b, E.constant(0, b.dtype)))),
  ),
  Or: logical(
    "or",
    (a, b) =>
      E.cast("bool", E.or(E.ne(a, E.constant(0, a.dtype)), E.ne(b, E.constant(0, b.dtype)))),
  ),
  Xor: logical(
    "xor",
    (a, b) =>
      E.cast("bool", E.ne(E.ne(a, E.constant(0, a.dtype)), E.ne(b, E.constant(0, b.dtype)))),
  ),
  Sum: variadic("add"),
  Max: variadic("maximum"),
  Min: variadic("minimum"),
  Mean: variadic("add", true),
  Where: where,
};
