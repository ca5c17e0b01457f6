/**
 * Expressions → WGSL. Vector expressions are emitted lane by lane (a list of scalar WGSL
 * expressions, one per lane), so vectors of any lane count work; shared sub-expressions
 * (broadcast values, ramp bases, `Let`s, packed-storage indices) are hoisted into `let`s.
 * Semantics follow the reference interpreter (ir/interp): narrow integers wrap and narrow floats
 * round after every operation (`narrow`), `round` is C's, float→int saturates.
 *
 * @module
 */
import { type DType, elementOf, intRange, isBool, isFloat, isUInt } from "../../ir/dtype.ts";
import type { BinaryOp, Call, PrimExpr, Var } from "../../ir/expr.ts";
import { TargetError } from "../../ir/errors.ts";
import type { Buffer } from "../../ir/stmt.ts";
import { narrow, needsNarrowing, wgslScalar } from "./wgsl_types.ts";

/** What expression emission needs from the statement emitter. */
export interface ExprContext {
  /** The lanes of a variable in scope. */
  varLanes(v: Var): readonly string[];
  /** A scalar load of `buffer[index]` (index: an i32 WGSL expression) in its compute type. */
  load(buffer: Buffer, index: string): string;
  /** The lanes of a vector load done as one `vec4` access, or undefined when it is not one. */
  loadVector?(buffer: Buffer, index: PrimExpr): readonly string[] | undefined;
  /** Give a variable its lanes (a `Let`). */
  bindVar(v: Var, lanes: readonly string[]): void;
  /** Bind `value` (of WGSL type `type`) to a fresh `let` before the current statement. */
  hoist(value: string, type: string): string;
  /** Emit a call of a target intrinsic, or undefined when the target has no such intrinsic. */
  intrinsic?(call: Call, args: readonly (readonly string[])[]): readonly string[] | undefined;
}

/**
 * A WGSL literal of a scalar constant in `dtype`'s compute type.
 *
 * @example
 * ```ts
 * import { literal } from "./wgsl_expr.ts";
 * console.assert(literal(-3, "int8") === "-3i" && literal(Infinity, "float32") === "bitcast<f32>(0x7f800000u)");
 * ```
 */
export function literal(value: number, dtype: DType): string {
  const t = wgslScalar(dtype);
  if (t === "f16") {
    const h = Math.f16round(value);
    if (!Number.isFinite(h)) {
      const bits = Number.isNaN(h) ? "0x7e00u" : h > 0 ? "0x7c00u" : "0xfc00u";
      return `bitcast<vec2<f16>>(${bits}).x`;
    }
    return Object.is(h, -0) ? "-0.0h" : `${literal(h, "float32").replace(/f$/, "")}h`;
  }
  if (t === "bool") return value ? "true" : "false";
  if (t === "u32") return `${value >>> 0}u`;
  if (t === "i32") return value === -2147483648 ? "i32(-2147483647 - 1)" : `${value}i`;
  if (Number.isNaN(value)) return "bitcast<f32>(0x7fc00000u)";
  if (value === Infinity) return "bitcast<f32>(0x7f800000u)";
  if (value === -Infinity) return "bitcast<f32>(0xff800000u)";
  if (Object.is(value, -0)) return "-0.0f";
  const v = Math.fround(value);
  if (Math.abs(v) < 1.1754943508222875e-38 && v !== 0) {
    const bits = new Uint32Array(new Float32Array([v]).buffer)[0];
    return `bitcast<f32>(0x${bits.toString(16)}u)`;
  }
  const s = String(v);
  return /[.e]/.test(s) ? `${s}f` : `${s}.0f`;
}

const ARITH: Partial<Record<BinaryOp, string>> = {
  add: "+",
  sub: "-",
  mul: "*",
  div: "/",
  mod: "%",
  eq: "==",
  ne: "!=",
  lt: "<",
  le: "<=",
  gt: ">",
  ge: ">=",
  and: "&&",
  or: "||",
};

/** Float math calls: WGSL built-in or helper of wgsl_prelude.ts. */
const FLOAT_CALLS: Readonly<Record<string, string>> = {
  exp: "exp",
  exp2: "exp2",
  log: "log",
  log2: "log2",
  sqrt: "sqrt",
  rsqrt: "inverseSqrt",
  tanh: "tsr_tanh",
  sigmoid: "tsr_sigmoid",
  erf: "tsr_erf",
  sin: "sin",
  cos: "cos",
  abs: "abs",
  floor: "floor",
  ceil: "ceil",
  round: "tsr_round",
  trunc: "trunc",
  pow: "tsr_pow",
  fma: "fma",
  isnan: "tsr_isnan",
  isinf: "tsr_isinf",
};

function zip(xs: readonly (readonly string[])[], f: (...a: string[]) => string): string[] {
  return xs[0].map((_, k) => f(...xs.map((x) => x[k])));
}

/** Whether a WGSL expression is cheap and side-effect free to repeat (a name or literal). */
function atomic(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_.]*$|^-?[0-9.]+[iuf]?$/.test(s);
}

/**
 * Convert a scalar WGSL value `s` from dtype `from` to dtype `to` (the interpreter's cast).
 *
 * @example
 * ```ts
 * import { castLane } from "./wgsl_expr.ts";
 * console.assert(castLane("int32", "int8", "x") === "((x << 24u) >> 24u)");
 * ```
 */
export function castLane(from: DType, to: DType, s: string): string {
  const f = elementOf(from), t = elementOf(to);
  if (f === t) return s;
  const ft = wgslScalar(f), tt = wgslScalar(t);
  if (isBool(t)) return ft === "bool" ? s : `(${s} != ${literal(0, f)})`;
  if (ft === "bool") return narrow(t, `select(${literal(0, t)}, ${literal(1, t)}, ${s})`);
  if (isFloat(t)) return narrow(t, ft === tt ? s : `${tt}(${s})`);
  if (isFloat(f)) {
    const [lo, hi] = intRange(t);
    if (ft === "f16") s = `f32(${s})`;
    return tt === "u32" ? `tsr_f2u(${s}, ${hi}u)` : `tsr_f2i(${s}, ${literal(lo, t)}, ${hi}i)`;
  }
  const same = ft === tt ? s : `bitcast<${tt}>(${s})`;
  return needsNarrowing(t) ? narrow(t, same) : same;
}

/** Emit an expression as one WGSL scalar expression per lane. */
export function emitExpr(e: PrimExpr, ctx: ExprContext): readonly string[] {
  const lanes = (x: PrimExpr): readonly string[] => emitExpr(x, ctx);
  switch (e.kind) {
    case "IntImm":
    case "FloatImm":
      return [literal(e.value, e.dtype)];
    case "Var":
      return ctx.varLanes(e);
    case "Binary":
      return binary(e.op, e.dtype, e.a.dtype, lanes(e.a), lanes(e.b));
    case "Not":
      return lanes(e.a).map((a) => `!(${a})`);
    case "Select":
      return zip([lanes(e.cond), lanes(e.t), lanes(e.f)], (c, t, f) => `select(${f}, ${t}, ${c})`);
    case "Cast":
      return lanes(e.value).map((s) => castLane(e.value.dtype, e.dtype, s));
    case "BufferLoad":
      return ctx.loadVector?.(e.buffer, e.indices[0]) ??
        lanes(e.indices[0]).map((i) => ctx.load(e.buffer, i));
    case "Ramp": {
      const [b] = lanes(e.base), [s] = lanes(e.stride);
      const base = atomic(b) ? b : ctx.hoist(b, wgslScalar(e.base.dtype));
      return Array.from({ length: e.lanes }, (_, k) => k === 0 ? base : `(${base} + ${s} * ${k})`);
    }
    case "Broadcast": {
      const [v] = lanes(e.value);
      const s = atomic(v) ? v : ctx.hoist(v, wgslScalar(e.value.dtype));
      return Array(e.lanes).fill(s);
    }
    case "Let": {
      // Every arm of WGSL's select is evaluated anyway, so hoisting the value is sound.
      const t = wgslScalar(e.value.dtype);
      ctx.bindVar(e.v, lanes(e.value).map((x) => ctx.hoist(x, t)));
      return lanes(e.body);
    }
    case "Call":
      return callLanes(e, e.args.map(lanes), ctx);
  }
}

function binary(
  op: BinaryOp,
  dtype: DType,
  argType: DType,
  a: readonly string[],
  b: readonly string[],
): string[] {
  const t = wgslScalar(argType);
  const el = elementOf(dtype);
  let f: (x: string, y: string) => string;
  if (op === "min" || op === "max") f = (x, y) => `${op}(${x}, ${y})`;
  else if (op === "floordiv" || op === "floormod") {
    if (t === "u32") f = (x, y) => `(${x} ${op === "floordiv" ? "/" : "%"} ${y})`;
    else if (t === "f16") f = (x, y) => `f16(tsr_${op}_f32(f32(${x}), f32(${y})))`;
    else f = (x, y) => `tsr_${op}_${t}(${x}, ${y})`;
  } else if (op === "mod" && t === "i32") {
    f = (x, y) => `tsr_mod_i32(${x}, ${y})`;
  } else if (op === "mod" && t === "f32") {
    f = (x, y) => `(${x} - ${y} * trunc(${x} / ${y}))`; // C fmod (GLSL's mod floors)
  } else {
    const sym = ARITH[op]!;
    f = (x, y) => `(${x} ${sym} ${y})`;
  }
  const arithmetic = !isBool(el) && !["eq", "ne", "lt", "le", "gt", "ge"].includes(op);
  return zip([a, b], (x, y) => arithmetic ? narrow(dtype, f(x, y)) : f(x, y));
}

function callLanes(e: Call, args: readonly (readonly string[])[], ctx: ExprContext): string[] {
  const fn = FLOAT_CALLS[e.op];
  if (fn === undefined) {
    const out = ctx.intrinsic?.(e, args);
    if (out) return [...out];
    throw new TargetError(
      "GPU_UNKNOWN_CALL",
      `Cannot emit a call of "${e.op}" for the gpu target: it is neither a math function nor an intrinsic of the target`,
    );
  }
  const argType = e.args[0].dtype;
  const at = elementOf(argType);
  if (isFloat(at) && wgslScalar(at) === "f16") {
    // native f16: computed in f32, rounded once (the interpreter computes in double, rounds once)
    return zip(args, (...xs) => {
      const r = `${fn}(${xs.map((x) => `f32(${x})`).join(", ")})`;
      return isBool(e.dtype) ? r : castLane("float32", e.dtype, r);
    });
  }
  if (isFloat(at)) return zip(args, (...xs) => narrow(e.dtype, `${fn}(${xs.join(", ")})`));
  // Integer arguments: the interpreter's intCall.
  const same = at === elementOf(e.dtype);
  if (e.op === "isnan" || e.op === "isinf") return args[0].map(() => "false");
  if (same && ["floor", "ceil", "round", "trunc"].includes(e.op)) return [...args[0]];
  if (same && e.op === "abs") return args[0].map((x) => isUInt(at) ? x : narrow(at, `abs(${x})`));
  if (same && e.op === "fma") return zip(args, (x, y, z) => narrow(at, `(${x} * ${y} + ${z})`));
  return zip(args, (...xs) => {
    const r = `${fn}(${xs.map((x) => castLane(at, "float32", x)).join(", ")})`;
    return castLane("float32", e.dtype, r);
  });
}
