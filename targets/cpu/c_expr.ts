/**
 * Expressions to C. An expression is emitted in one of two modes:
 *
 * - whole: a scalar dtype gives a scalar C expression, a vector dtype an `ext_vector_type` value;
 * - lane `l`: a vector expression gives the scalar C expression of its lane `l` (Ramp → base +
 *   l·stride, Broadcast → its value, a vector variable `v` → `v[l]`, operators on lanes).
 *
 * Lane mode serves operations without an exact whole-vector form and lazy vector selects: with a
 * vector condition each lane evaluates only its chosen arm (docs/semantics.md), so arms that may
 * fault (loads, integer division) are computed lane by lane unless all lanes agree.
 *
 * @module
 */
import { type DType, elementOf, lanesOf } from "../../ir/dtype.ts";
import {
  add,
  type BufferLoad,
  type Call,
  CALL_OPS,
  constant,
  type Let,
  mul,
  type PrimExpr,
  type Ramp,
  type Select,
  variable,
} from "../../ir/expr.ts";
import type { Buffer } from "../../ir/stmt.ts";
import { InternalError, TargetError } from "../../ir/errors.ts";
import { type CContext, unsupported } from "./c_context.ts";
import { castScalar, compareOp, scalarBinary, scalarCall } from "./c_scalar.ts";
import { cLiteral, cValue, paren, scalarInfo } from "./c_types.ts";
import { laneBytes, maskType, vectorBinary, vectorCall, vectorCast, vtype } from "./c_vector.ts";
import { contiguousBase, vectorLoad } from "./c_memory.ts";
import { armsMayFault } from "./c_hazard.ts";

/**
 * The C expression of `e`: whole when `lane` is undefined, else the scalar lane `lane` of a
 * vector expression.
 */
export function emitExpr(ctx: CContext, e: PrimExpr, lane?: number): string {
  if (!scalarInfo(e.dtype)) unsupported(ctx, `dtype ${e.dtype} has no C form`);
  if (lanesOf(e.dtype) > 1 && lane === undefined) return emitVector(ctx, e);
  return emitScalar(ctx, e, lanesOf(e.dtype) > 1 ? lane : undefined);
}

/**
 * A scalar bool expression as a C condition: comparisons and logic without the casts to
 * `uint8_t` their values need elsewhere (`if (k == 0)` rather than `if ((uint8_t)(k == 0))`).
 */
export function emitCondition(ctx: CContext, e: PrimExpr): string {
  if (e.kind === "Binary" && lanesOf(e.dtype) === 1) {
    const cmp = compareOp(e.op);
    if (cmp) return `${paren(emitExpr(ctx, e.a))} ${cmp} ${paren(emitExpr(ctx, e.b))}`;
    if (e.op === "and" || e.op === "or") {
      const sym = e.op === "and" ? "&&" : "||";
      return `${paren(emitCondition(ctx, e.a))} ${sym} ${paren(emitCondition(ctx, e.b))}`;
    }
  }
  if (e.kind === "Not" && lanesOf(e.dtype) === 1) return `!${paren(emitCondition(ctx, e.a))}`;
  return emitExpr(ctx, e);
}

/** Scalar `load` of element `index` (a C int expression) of buffer `b`, decoded to its value type. */
export function loadElement(ctx: CContext, b: Buffer, index: string): string {
  const at = `${ctx.bufferOf(b)}[${index}]`;
  const e = elementOf(b.dtype);
  if (e === "float16") return `__tsr_f16_to_f32(${at})`;
  if (e === "bfloat16") return `__tsr_bf16_to_f32(${at})`;
  return at;
}

/** The stored form (storage type) of a value-typed C expression of dtype `d`. */
export function encode(d: DType, x: string): string {
  const e = elementOf(d);
  if (e === "float16") return `__tsr_f32_to_f16(${x})`;
  if (e === "bfloat16") return `__tsr_f32_to_bf16(${x})`;
  return x;
}

function emitScalar(ctx: CContext, e: PrimExpr, lane: number | undefined): string {
  const d = elementOf(e.dtype);
  switch (e.kind) {
    case "IntImm":
    case "FloatImm":
      return cLiteral(e.value, d);
    case "Var": {
      const b = ctx.varOf(e);
      if (!b.vector) return b.name;
      if (lane === undefined) {
        throw new InternalError(`vector variable ${e.name} read as a scalar`);
      }
      return `${b.name}[${lane}]`;
    }
    case "Binary": {
      const a = emitExpr(ctx, e.a, lane);
      const b = emitExpr(ctx, e.b, lane);
      return scalarBinary(ctx, e.op, elementOf(e.a.dtype), a, b);
    }
    case "Not":
      return `(uint8_t)!${paren(emitExpr(ctx, e.a, lane))}`;
    case "Select": {
      const c = lanesOf(e.cond.dtype) === 1
        ? emitCondition(ctx, e.cond)
        : emitExpr(ctx, e.cond, lane);
      const t = paren(emitExpr(ctx, e.t, lane));
      return `(${cValue(d)})(${paren(c)} ? ${t} : ${paren(emitExpr(ctx, e.f, lane))})`;
    }
    case "Cast":
      return castScalar(e.value.dtype, d, emitExpr(ctx, e.value, lane));
    case "BufferLoad":
      return loadElement(ctx, e.buffer, emitExpr(ctx, e.indices[0], lane));
    case "Call":
      return emitScalarCall(ctx, e, lane);
    case "Ramp":
      return emitExpr(ctx, rampLane(e.base, e.stride, lane!));
    case "Broadcast":
      return emitExpr(ctx, e.value);
    case "Let":
      return emitLet(ctx, e, lane);
  }
}

function emitLet(ctx: CContext, e: Let, lane: number | undefined): string {
  const vecValue = lanesOf(e.v.dtype) > 1;
  const whole = lane === undefined && lanesOf(e.dtype) > 1;
  // A vector value is held whole unless we are computing one lane of the body.
  const holdVector = vecValue && lane === undefined;
  const value = emitExpr(ctx, e.value, vecValue ? lane : undefined);
  const type = holdVector ? vtype(ctx, e.v.dtype) : cValue(e.v.dtype);
  return ctx.withVar(e.v, holdVector, (name) => {
    const body = whole ? emitVector(ctx, e.body) : emitExpr(ctx, e.body, lane);
    return `({ ${type} ${name} = ${value}; ${body}; })`;
  });
}

/** A target intrinsic's C, if the options give an emitter for `e.op`. */
function customCall(
  ctx: CContext,
  e: Call,
  args: () => string[],
  dtype: DType,
): string | undefined {
  const custom = ctx.options.calls?.[e.op];
  if (custom) return custom(args(), dtype);
  if (!(e.op in CALL_OPS)) {
    throw new TargetError(
      "CPU_UNKNOWN_CALL",
      `Cannot emit C for function "${ctx.func}": no C form for call "${e.op}"`,
      { path: `func "${ctx.func}"`, hint: "give the target an emitter for this intrinsic" },
    );
  }
  return undefined;
}

function emitScalarCall(ctx: CContext, e: Call, lane: number | undefined): string {
  const args = () => e.args.map((a) => emitExpr(ctx, a, lane));
  const custom = customCall(ctx, e, args, elementOf(e.dtype));
  if (custom !== undefined) return custom;
  return scalarCall(ctx, e.op, elementOf(e.args[0].dtype), elementOf(e.dtype), args());
}

function emitVectorCall(ctx: CContext, e: Call): string {
  const args = () => e.args.map((a) => emitExpr(ctx, a));
  const custom = customCall(ctx, e, args, e.dtype);
  if (custom !== undefined) return custom;
  const fast = vectorCall(ctx, e.op, e.args[0].dtype, e.dtype, args());
  if (fast !== undefined) return fast;
  const arg0 = elementOf(e.args[0].dtype);
  return byLanes(ctx, e.dtype, e.args, (xs) => scalarCall(ctx, e.op, arg0, elementOf(e.dtype), xs));
}

/** Lanes computed one by one from vector temporaries of the operands. */
function byLanes(
  ctx: CContext,
  d: DType,
  operands: readonly PrimExpr[],
  lane: (names: readonly string[], l: number) => string,
): string {
  const n = lanesOf(d);
  const decls: string[] = [];
  const names = operands.map((o) => {
    const name = ctx.fresh("t");
    const type = lanesOf(o.dtype) > 1 ? vtype(ctx, o.dtype) : cValue(o.dtype);
    decls.push(`${type} ${name} = ${emitExpr(ctx, o)};`);
    return name;
  });
  const at = (l: number) =>
    names.map((nm, i) => (lanesOf(operands[i].dtype) > 1 ? `${nm}[${l}]` : nm));
  const lanes = Array.from({ length: n }, (_, l) => lane(at(l), l));
  return `({ ${decls.join(" ")} (${vtype(ctx, d)}){${lanes.join(", ")}}; })`;
}

function emitVector(ctx: CContext, e: PrimExpr): string {
  const d = e.dtype;
  switch (e.kind) {
    case "Var": {
      const b = ctx.varOf(e);
      if (!b.vector) throw new InternalError(`scalar variable ${e.name} read as a vector`);
      return b.name;
    }
    case "Binary": {
      const opd = e.a.dtype;
      const fast = vectorBinary(ctx, e.op, opd, emitExpr(ctx, e.a), emitExpr(ctx, e.b));
      if (fast !== undefined) return fast;
      const el = elementOf(opd);
      return byLanes(ctx, d, [e.a, e.b], ([a, b]) => scalarBinary(ctx, e.op, el, a, b));
    }
    case "Not":
      return `${paren(emitExpr(ctx, e.a))} ^ (${vtype(ctx, d)})1`;
    case "Select":
      return emitVectorSelect(ctx, e);
    case "Cast": {
      const fast = vectorCast(ctx, e.value.dtype, d, emitExpr(ctx, e.value));
      if (fast !== undefined) return fast;
      const from = elementOf(e.value.dtype);
      return byLanes(ctx, d, [e.value], ([x]) => castScalar(from, elementOf(d), x));
    }
    case "BufferLoad":
      return emitVectorLoad(ctx, e);
    case "Call":
      return emitVectorCall(ctx, e);
    case "Ramp":
      return emitVectorRamp(ctx, e);
    case "Broadcast":
      return `(${vtype(ctx, d)})${paren(emitExpr(ctx, e.value))}`;
    case "Let":
      return emitLet(ctx, e, undefined);
    case "IntImm":
    case "FloatImm":
      break;
  }
  throw new InternalError(`${e.kind} of vector dtype ${d}`);
}

/** Lane `l` of ramp(base, stride): base + l·stride in the dtype (constants fold). */
function rampLane(base: PrimExpr, stride: PrimExpr, l: number): PrimExpr {
  return add(base, mul(constant(l, base.dtype), stride));
}

/** A Ramp value; a base or stride that is not a name or constant is computed once. */
function emitVectorRamp(ctx: CContext, e: Ramp): string {
  const simple = (x: PrimExpr) => x.kind === "Var" || x.kind === "IntImm" || x.kind === "FloatImm";
  const decls: string[] = [];
  const hold = (x: PrimExpr, name: string, body: (v: PrimExpr) => string): string => {
    if (simple(x)) return body(x);
    const v = variable(name, x.dtype);
    const value = emitExpr(ctx, x);
    return ctx.withVar(v, false, (c) => {
      decls.push(`${cValue(x.dtype)} ${c} = ${value};`);
      return body(v);
    });
  };
  const lanes = hold(
    e.base,
    "b",
    (b) =>
      hold(
        e.stride,
        "s",
        (s) =>
          Array.from({ length: e.lanes }, (_, l) => emitExpr(ctx, rampLane(b, s, l))).join(", "),
      ),
  );
  const value = `(${vtype(ctx, e.dtype)}){${lanes}}`;
  return decls.length ? `({ ${decls.join(" ")} ${value}; })` : value;
}

function emitVectorLoad(ctx: CContext, e: BufferLoad): string {
  const index = e.indices[0];
  const base = contiguousBase(index);
  if (base) return vectorLoad(ctx, e.buffer, emitExpr(ctx, base), lanesOf(e.dtype));
  return byLanes(ctx, e.dtype, [index], ([i]) => loadElement(ctx, e.buffer, i));
}

/** A −1/0 mask with lanes of `bytes` bytes for a bool vector expression. */
function emitMask(ctx: CContext, c: PrimExpr, bytes: number): string {
  const n = lanesOf(c.dtype);
  const m = maskType(ctx, bytes, n);
  if (c.kind === "Binary") {
    const cmp = compareOp(c.op);
    if (cmp && laneBytes(c.a.dtype) === bytes) {
      return `(${m})(${paren(emitExpr(ctx, c.a))} ${cmp} ${paren(emitExpr(ctx, c.b))})`;
    }
    if (c.op === "and" || c.op === "or") {
      const sym = c.op === "and" ? "&" : "|";
      return `${paren(emitMask(ctx, c.a, bytes))} ${sym} ${paren(emitMask(ctx, c.b, bytes))}`;
    }
  }
  if (c.kind === "Not") return `~${paren(emitMask(ctx, c.a, bytes))}`;
  return `-__builtin_convertvector(${emitExpr(ctx, c)}, ${m})`;
}

function emitVectorSelect(ctx: CContext, e: Select): string {
  const t = e.t;
  const f = e.f;
  if (lanesOf(e.cond.dtype) === 1) {
    return `${paren(emitExpr(ctx, e.cond))} ? ${paren(emitExpr(ctx, t))} : ${
      paren(emitExpr(ctx, f))
    }`;
  }
  if (!armsMayFault(e.cond, t, f)) {
    const mask = emitMask(ctx, e.cond, laneBytes(e.dtype));
    return `${paren(mask)} ? ${paren(emitExpr(ctx, t))} : ${paren(emitExpr(ctx, f))}`;
  }
  // Lazy: whole arms when all lanes agree, else each lane computes only its chosen arm.
  const n = lanesOf(e.dtype);
  const c = ctx.fresh("c");
  const el = cValue(e.dtype);
  const lanes = Array.from(
    { length: n },
    (_, l) =>
      `${c}[${l}] ? (${el})${paren(emitExpr(ctx, t, l))} : (${el})${paren(emitExpr(ctx, f, l))}`,
  );
  return `({ ${vtype(ctx, e.cond.dtype)} ${c} = ${emitExpr(ctx, e.cond)}; ` +
    `__builtin_reduce_and(${c}) ? (${emitExpr(ctx, t)}) : !__builtin_reduce_or(${c}) ? (${
      emitExpr(ctx, f)
    }) : (${vtype(ctx, e.dtype)}){${lanes.join(", ")}}; })`;
}
