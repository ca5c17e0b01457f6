/**
 * Compile scalar expressions to closures over a frame. The closure tree is built once per
 * function; running it does no dispatch on node kinds or dtypes. Hot combinations (float32 and
 * int32 arithmetic, comparisons, var and constant reads) get dedicated closures; everything else
 * goes through the exact semantic tables of ./scalar.ts, ./cast.ts and ./math.ts.
 *
 * @module
 */
import { elementOf, isFloat, lanesOf } from "../dtype.ts";
import type { Binary, BufferLoad, Call, Let, PrimExpr } from "../expr.ts";
import { InternalError } from "../errors.ts";
import { compileOffset, readerOf } from "./access.ts";
import { compileAffine } from "./affine.ts";
import { castFn } from "./cast.ts";
import { compileVector } from "./compile_vector.ts";
import type { Ctx } from "./context.ts";
import { InterpError } from "./errors.ts";
import { callFn, isMathCall } from "./math.ts";
import { binaryFn, isDivision, roundFn } from "./scalar.ts";
import {
  type AnyFn,
  type ElementRef,
  type Frame,
  isBig,
  type NumFn,
  type Scalar,
  type ScalarFn,
  type Value,
} from "./values.ts";

/** Compile an expression of any dtype (scalar or vector). */
export function compileAny(e: PrimExpr, ctx: Ctx): AnyFn {
  return lanesOf(e.dtype) > 1 ? compileVector(e, ctx) : compileScalar(e, ctx);
}

/** Compile an integer expression used as a number (an index, extent or shape): int64 → Number. */
export function compileIndex(e: PrimExpr, ctx: Ctx): NumFn {
  const f = compileScalar(e, ctx);
  return isBig(e.dtype) ? (fr) => Number(f(fr)) : (f as NumFn);
}

/**
 * The number-slot index of `e` if it is a variable held in `Frame.n`, else −1: hot paths read such
 * a slot directly instead of calling a closure (calls from shared closure code are megamorphic
 * and never inlined).
 */
export function directSlot(e: PrimExpr, ctx: Ctx): number {
  if (e.kind !== "Var") return -1;
  const s = ctx.use(e);
  return s.num ? s.index : -1;
}

/** The run-time error of an integer division by zero at `where`. */
export function divideByZero(op: string, dtype: string, where: string): InterpError {
  return new InterpError(
    "INTERP_DIVIDE_BY_ZERO",
    `Cannot evaluate "${op}" on ${dtype}: the divisor is zero`,
    { path: where, hint: "guard the division, or use a float dtype for IEEE ±inf/NaN" },
  );
}

/** Compile a scalar expression (dtype with one lane). */
export function compileScalar(e: PrimExpr, ctx: Ctx): ScalarFn {
  switch (e.kind) {
    case "IntImm": {
      const c: Scalar = isBig(e.dtype) ? BigInt(e.value) : e.value;
      return () => c;
    }
    case "FloatImm": {
      const c = e.value;
      return () => c;
    }
    case "Var": {
      const s = ctx.use(e);
      const i = s.index;
      return s.num ? (fr) => fr.n[i] : (fr) => fr.o[i] as Scalar;
    }
    case "Binary":
      return compileBinary(e, ctx);
    case "Not": {
      const a = compileScalar(e.a, ctx);
      return (fr) => (a(fr) ? 0 : 1);
    }
    case "Select": {
      const c = compileScalar(e.cond, ctx);
      const t = compileScalar(e.t, ctx);
      const f = compileScalar(e.f, ctx);
      return (fr) => (c(fr) ? t(fr) : f(fr)); // lazy: only the chosen arm runs
    }
    case "Cast": {
      const v = compileScalar(e.value, ctx);
      const cf = castFn(e.value.dtype, e.dtype);
      return (fr) => cf(v(fr));
    }
    case "BufferLoad":
      return compileLoad(e, ctx);
    case "Call":
      return compileCall(e, ctx) as ScalarFn;
    case "Let":
      return compileLet(e, ctx, compileScalar) as ScalarFn;
    case "Ramp":
    case "Broadcast":
      break;
  }
  throw new InternalError(`${e.kind} of dtype ${e.dtype} compiled as a scalar`);
}

function compileBinary(e: Binary, ctx: Ctx): ScalarFn {
  const d = elementOf(e.a.dtype);
  const op = e.op;
  if (d === "int32" && (op === "add" || op === "sub" || op === "mul")) {
    const affine = compileAffine(e, ctx); // i*64 + k in one closure
    if (affine) return affine;
  }
  const a = compileScalar(e.a, ctx);
  const b = compileScalar(e.b, ctx);
  if (op === "and") return (fr) => (a(fr) ? b(fr) : 0); // short-circuit
  if (op === "or") return (fr) => (a(fr) ? 1 : b(fr));
  const f = binaryFn(op, d);
  if (isDivision(op) && !isFloat(d)) {
    const where = ctx.where();
    return (fr) => {
      const x = a(fr);
      const y = b(fr);
      if (y === 0 || y === 0n) throw divideByZero(op, d, where);
      return f(x, y);
    };
  }
  if (!isBig(d)) {
    const fast = fastNumBinary(op, d, a as NumFn, b as NumFn);
    if (fast) return fast;
  }
  return (fr) => f(a(fr), b(fr));
}

/** Dedicated closures for the hottest number operations (same results as ./scalar.ts). */
function fastNumBinary(op: string, d: string, a: NumFn, b: NumFn): NumFn | undefined {
  switch (op) {
    case "lt":
      return (fr) => (a(fr) < b(fr) ? 1 : 0);
    case "le":
      return (fr) => (a(fr) <= b(fr) ? 1 : 0);
    case "gt":
      return (fr) => (a(fr) > b(fr) ? 1 : 0);
    case "ge":
      return (fr) => (a(fr) >= b(fr) ? 1 : 0);
    case "eq":
      return (fr) => (a(fr) === b(fr) ? 1 : 0);
    case "ne":
      return (fr) => (a(fr) !== b(fr) ? 1 : 0);
  }
  if (d === "float32") {
    switch (op) {
      case "add":
        return (fr) => Math.fround(a(fr) + b(fr));
      case "sub":
        return (fr) => Math.fround(a(fr) - b(fr));
      case "mul":
        return (fr) => Math.fround(a(fr) * b(fr));
      case "div":
        return (fr) => Math.fround(a(fr) / b(fr));
    }
  } else if (d === "int32") {
    switch (op) {
      case "add":
        return (fr) => (a(fr) + b(fr)) | 0;
      case "sub":
        return (fr) => (a(fr) - b(fr)) | 0;
      case "mul":
        return (fr) => Math.imul(a(fr), b(fr));
    }
  } else if (d === "float64") {
    switch (op) {
      case "add":
        return (fr) => a(fr) + b(fr);
      case "sub":
        return (fr) => a(fr) - b(fr);
      case "mul":
        return (fr) => a(fr) * b(fr);
      case "div":
        return (fr) => a(fr) / b(fr);
    }
  }
  return undefined;
}

function compileLoad(e: BufferLoad, ctx: Ctx): ScalarFn {
  const slot = ctx.buffer(e.buffer);
  const off = compileOffset(
    slot,
    e.indices.map((i) => compileIndex(i, ctx)),
    e.indices.map((i) => directSlot(i, ctx)),
    "load",
    ctx.where(`buffer "${e.buffer.name}"`),
  );
  const d = elementOf(e.buffer.dtype);
  if (d === "bfloat16" || d === "bool") {
    const read = readerOf(d);
    return (fr) => read(fr.b[slot].data, off(fr));
  }
  return (fr) => {
    const o = off(fr);
    return fr.b[slot].data[o];
  };
}

/** Normalize a value returned by a call handler to the call's dtype. */
function normalizer(dtype: string): (v: Value) => Value {
  if (isBig(dtype)) {
    const W = castFn("int64", dtype);
    const one = (x: Scalar) => W(BigInt(x));
    return (v) => (Array.isArray(v) ? v.map(one) : one(v));
  }
  const R = roundFn(dtype);
  const one = (x: Scalar) => R(Number(x));
  return (v) => (Array.isArray(v) ? v.map(one) : one(v));
}

/**
 * Compile a call: math ops lane by lane through ./math.ts, anything else through the run's call
 * handlers (INTERP_UNKNOWN_CALL when none is given). Used for scalar and vector calls.
 */
export function compileCall(e: Call, ctx: Ctx): AnyFn {
  const lanes = lanesOf(e.dtype);
  const args = e.args.map((a) => compileAny(a, ctx));
  if (isMathCall(e.op) && e.args.length > 0) {
    const f = callFn(e.op, elementOf(e.args[0].dtype), elementOf(e.dtype));
    if (lanes === 1) {
      const [a, b, c] = args as ScalarFn[];
      if (args.length === 1) return (fr) => f(a(fr));
      if (args.length === 2) return (fr) => f(a(fr), b(fr));
      return (fr) => f(a(fr), b(fr), c(fr));
    }
    return (fr) => {
      const xs = args.map((g) => g(fr) as Scalar[]);
      const out = new Array<Scalar>(lanes);
      for (let l = 0; l < lanes; l++) out[l] = f(xs[0][l], xs[1]?.[l], xs[2]?.[l]);
      return out;
    };
  }
  const where = ctx.where();
  const norm = normalizer(e.dtype);
  const refs = e.args.map((a) => compileRef(a, ctx));
  return (fr) => {
    const h = fr.calls[e.op];
    if (!h) {
      throw new InterpError(
        "INTERP_UNKNOWN_CALL",
        `Cannot evaluate call "${e.op}": it is not a math op and no handler was given`,
        { path: where, hint: `pass { calls: { ${e.op}: (args, dtype) => … } } to interpret` },
      );
    }
    return norm(h(args.map((g) => g(fr)), e.dtype, refs.map((r) => r?.(fr))));
  };
}

/** Where a scalar load argument of a handled call reads (see `ElementRef`), else undefined. */
function compileRef(a: PrimExpr, ctx: Ctx): ((fr: Frame) => ElementRef) | undefined {
  if (a.kind !== "BufferLoad" || lanesOf(a.dtype) !== 1) return undefined;
  const slot = ctx.buffer(a.buffer);
  const off = compileOffset(
    slot,
    a.indices.map((i) => compileIndex(i, ctx)),
    a.indices.map((i) => directSlot(i, ctx)),
    "load",
    ctx.where(`buffer "${a.buffer.name}"`),
  );
  return (fr) => ({ storage: fr.b[slot], offset: off(fr) });
}

/** Compile `let v = value in body`, restoring any outer binding of v afterwards. */
export function compileLet(
  e: Let,
  ctx: Ctx,
  body: (e: PrimExpr, ctx: Ctx) => AnyFn,
): AnyFn {
  const value = compileAny(e.value, ctx);
  return ctx.binding([e.v], ([s]) => {
    const f = body(e.body, ctx);
    const i = s.index;
    if (s.num) {
      return (fr) => {
        const old = fr.n[i];
        fr.n[i] = value(fr) as number;
        const r = f(fr);
        fr.n[i] = old;
        return r;
      };
    }
    return (fr) => {
      const old = fr.o[i];
      fr.o[i] = value(fr);
      const r = f(fr);
      fr.o[i] = old;
      return r;
    };
  });
}
