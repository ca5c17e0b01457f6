/**
 * Compile vector expressions (dtype with lanes > 1). A vector value is an array of lane values;
 * operators apply lane by lane with the scalar semantics; `ramp(b, s, n)` is the lanes
 * b + l·s (l = 0…n−1, in the dtype); `broadcast(x, n)` repeats x.
 *
 * Laziness: a select with a scalar condition runs one arm. A select with a vector condition runs
 * one arm as a whole when all lanes agree, and otherwise evaluates each lane only in its chosen
 * arm ("lane mode", `compileLane`), so an arm that would load out of bounds in lanes it does not
 * supply (vectorized padding) is never touched there.
 *
 * @module
 */
import { elementOf, lanesOf } from "../dtype.ts";
import type { BufferLoad, PrimExpr } from "../expr.ts";
import { InternalError } from "../errors.ts";
import { laneOffsets, readerOf } from "./access.ts";
import { castFn } from "./cast.ts";
import {
  compileAny,
  compileCall,
  compileLet,
  compileScalar,
  divideByZero,
} from "./compile_expr.ts";
import type { Ctx } from "./context.ts";
import { callFn, isMathCall } from "./math.ts";
import { binaryFn, isDivision } from "./scalar.ts";
import {
  type AnyFn,
  type Frame,
  isBig,
  type LaneFn,
  type Scalar,
  type Value,
  type VecFn,
} from "./values.ts";

/** Lane numbers 0…n−1 in the representation of `dtype` (bigint for 64-bit ints). */
function laneNumbers(dtype: string, n: number): Scalar[] {
  return Array.from({ length: n }, (_, l) => (isBig(dtype) ? BigInt(l) : l));
}

/** Lane `l` of a value that is a scalar (all lanes equal) or a lane array. */
function lane(v: Value, l: number): Scalar {
  return Array.isArray(v) ? v[l] : v;
}

/** Compile a vector expression. */
export function compileVector(e: PrimExpr, ctx: Ctx): VecFn {
  const n = lanesOf(e.dtype);
  switch (e.kind) {
    case "Ramp": {
      const d = elementOf(e.dtype);
      const base = compileScalar(e.base, ctx);
      const stride = compileScalar(e.stride, ctx);
      const add = binaryFn("add", d);
      const mul = binaryFn("mul", d);
      const ls = laneNumbers(d, n);
      return (fr) => {
        const b = base(fr);
        const s = stride(fr);
        const out = new Array<Scalar>(n);
        for (let l = 0; l < n; l++) out[l] = add(b, mul(ls[l], s));
        return out;
      };
    }
    case "Broadcast": {
      const v = compileScalar(e.value, ctx);
      return (fr) => new Array<Scalar>(n).fill(v(fr));
    }
    case "Binary": {
      const a = compileVector(e.a, ctx);
      const b = compileVector(e.b, ctx);
      const d = elementOf(e.a.dtype);
      const f = binaryFn(e.op, d);
      const checkZero = isDivision(e.op) && !d.startsWith("float") && d !== "bfloat16";
      const where = ctx.where();
      return (fr) => {
        const x = a(fr);
        const y = b(fr);
        const out = new Array<Scalar>(n);
        for (let l = 0; l < n; l++) {
          if (checkZero && (y[l] === 0 || y[l] === 0n)) throw divideByZero(e.op, d, where);
          out[l] = f(x[l], y[l]);
        }
        return out;
      };
    }
    case "Not": {
      const a = compileVector(e.a, ctx);
      return (fr) => a(fr).map((x) => (x ? 0 : 1));
    }
    case "Select":
      return compileVectorSelect(e.cond, e.t, e.f, n, ctx);
    case "Cast": {
      const v = compileVector(e.value, ctx);
      const cf = castFn(elementOf(e.value.dtype), elementOf(e.dtype));
      return (fr) => v(fr).map(cf);
    }
    case "BufferLoad":
      return compileVectorLoad(e, n, ctx);
    case "Call":
      return compileCall(e, ctx) as VecFn;
    case "Var": {
      const s = ctx.use(e);
      return (fr) => fr.o[s.index] as Scalar[];
    }
    case "Let":
      return compileLet(e, ctx, compileVector) as VecFn;
  }
  throw new InternalError(`${e.kind} of dtype ${e.dtype} compiled as a vector`);
}

function compileVectorSelect(
  cond: PrimExpr,
  t: PrimExpr,
  f: PrimExpr,
  n: number,
  ctx: Ctx,
): VecFn {
  const ft = compileVector(t, ctx);
  const ff = compileVector(f, ctx);
  if (lanesOf(cond.dtype) === 1) {
    const c = compileScalar(cond, ctx);
    return (fr) => (c(fr) ? ft(fr) : ff(fr));
  }
  const c = compileVector(cond, ctx);
  const lt = compileLane(t, ctx);
  const lf = compileLane(f, ctx);
  return (fr) => {
    const cs = c(fr);
    let trues = 0;
    for (let l = 0; l < n; l++) if (cs[l]) trues++;
    if (trues === n) return ft(fr);
    if (trues === 0) return ff(fr);
    const out = new Array<Scalar>(n);
    for (let l = 0; l < n; l++) out[l] = cs[l] ? lt(fr, l) : lf(fr, l);
    return out;
  };
}

function compileVectorLoad(e: BufferLoad, n: number, ctx: Ctx): VecFn {
  const slot = ctx.buffer(e.buffer);
  const idx = e.indices.map((i) => toNumbers(compileAny(i, ctx), isBig(i.dtype)));
  const read = readerOf(e.buffer.dtype);
  const where = ctx.where(`buffer "${e.buffer.name}"`);
  return (fr) => {
    const st = fr.b[slot];
    const offs = laneOffsets(st, idx.map((f) => f(fr)), n, "load", where);
    const out = new Array<Scalar>(n);
    for (let l = 0; l < n; l++) out[l] = read(st.data, offs[l]);
    return out;
  };
}

/** An index value as numbers (int64 lanes converted). */
export function toNumbers(f: AnyFn, big: boolean): (fr: Frame) => number | number[] {
  if (!big) return f as (fr: Frame) => number | number[];
  return (fr) => {
    const v = f(fr);
    return Array.isArray(v) ? v.map(Number) : Number(v);
  };
}

/** Compile an expression for evaluation of one lane at a time (see the module comment). */
export function compileLane(e: PrimExpr, ctx: Ctx): LaneFn {
  if (lanesOf(e.dtype) === 1) {
    const f = compileScalar(e, ctx);
    return (fr) => f(fr);
  }
  switch (e.kind) {
    case "Ramp": {
      const d = elementOf(e.dtype);
      const base = compileScalar(e.base, ctx);
      const stride = compileScalar(e.stride, ctx);
      const add = binaryFn("add", d);
      const mul = binaryFn("mul", d);
      const ls = laneNumbers(d, e.lanes);
      return (fr, l) => add(base(fr), mul(ls[l], stride(fr)));
    }
    case "Broadcast": {
      const v = compileScalar(e.value, ctx);
      return (fr) => v(fr);
    }
    case "Binary": {
      const a = compileLane(e.a, ctx);
      const b = compileLane(e.b, ctx);
      const d = elementOf(e.a.dtype);
      if (e.op === "and") return (fr, l) => (a(fr, l) ? b(fr, l) : 0);
      if (e.op === "or") return (fr, l) => (a(fr, l) ? 1 : b(fr, l));
      const f = binaryFn(e.op, d);
      const checkZero = isDivision(e.op) && !d.startsWith("float") && d !== "bfloat16";
      const where = ctx.where();
      return (fr, l) => {
        const x = a(fr, l);
        const y = b(fr, l);
        if (checkZero && (y === 0 || y === 0n)) throw divideByZero(e.op, d, where);
        return f(x, y);
      };
    }
    case "Not": {
      const a = compileLane(e.a, ctx);
      return (fr, l) => (a(fr, l) ? 0 : 1);
    }
    case "Select": {
      const c = compileLane(e.cond, ctx);
      const t = compileLane(e.t, ctx);
      const f = compileLane(e.f, ctx);
      return (fr, l) => (c(fr, l) ? t(fr, l) : f(fr, l));
    }
    case "Cast": {
      const v = compileLane(e.value, ctx);
      const cf = castFn(elementOf(e.value.dtype), elementOf(e.dtype));
      return (fr, l) => cf(v(fr, l));
    }
    case "BufferLoad": {
      const slot = ctx.buffer(e.buffer);
      const idx = e.indices.map((i) => compileLane(i, ctx));
      const read = readerOf(e.buffer.dtype);
      const where = ctx.where(`buffer "${e.buffer.name}"`);
      return (fr, l) => {
        const st = fr.b[slot];
        const ix = idx.map((f) => Number(f(fr, l)));
        return read(st.data, laneOffsets(st, ix, 1, "load", where)[0]);
      };
    }
    case "Call":
      return compileLaneCall(e.op, e.args, e.dtype, ctx);
    case "Var": {
      const s = ctx.use(e);
      return (fr, l) => (fr.o[s.index] as Scalar[])[l];
    }
    case "Let": {
      const value = compileLane(e.value, ctx);
      const vector = lanesOf(e.v.dtype) > 1;
      return ctx.binding([e.v], ([s]) => {
        const body = compileLane(e.body, ctx);
        return (fr, l) => {
          const store = s.num ? undefined : fr.o;
          const old = store ? store[s.index] : fr.n[s.index];
          const v = value(fr, l);
          if (!store) fr.n[s.index] = v as number;
          else if (vector) {
            const lanes: Scalar[] = [];
            lanes[l] = v; // lane mode reads only lane l of a vector variable
            store[s.index] = lanes;
          } else store[s.index] = v;
          const r = body(fr, l);
          if (store) store[s.index] = old;
          else fr.n[s.index] = old as number;
          return r;
        };
      });
    }
  }
  throw new InternalError(`${e.kind} of dtype ${e.dtype} compiled in lane mode`);
}

function compileLaneCall(
  op: string,
  args: readonly PrimExpr[],
  dtype: string,
  ctx: Ctx,
): LaneFn {
  const fs = args.map((a) => compileLane(a, ctx));
  if (isMathCall(op) && args.length > 0) {
    const f = callFn(op, elementOf(args[0].dtype), elementOf(dtype));
    return (fr, l) => f(fs[0](fr, l), fs[1]?.(fr, l), fs[2]?.(fr, l));
  }
  // A handler call: run it on whole vectors and take the lane (handlers are pure).
  const whole = compileCall(
    { kind: "Call", op, args, dtype },
    ctx,
  );
  return (fr, l) => lane(whole(fr), l);
}
