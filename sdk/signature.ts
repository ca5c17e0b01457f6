/**
 * Call-time binding: checks arguments against the ORIGINAL function's parameters (arity, kind,
 * dtype, rank, dimensions), solves the symbolic sizes from the tensors' shapes, and yields the
 * argument list of the LOWERED function (the original arguments, then one value per size
 * variable that is not a scalar parameter — see docs/sdk.md).
 *
 * Shape rules are the interpreter's: each dimension is an equation `dim(vars) = got`; equations
 * with no unbound variable are checked (CALL_SHAPE_MISMATCH), equations with one unbound variable
 * are solved for it when affine in it (probing 0, 1, 2), so `[n]`, `[n + 2]`, `[2*n]` bind n.
 *
 * @module
 */
import { bitsOf, type DType, elementOf, intRange, isFloat } from "../ir/dtype.ts";
import { CallError, TargetError } from "../ir/errors.ts";
import { isConst, type Var } from "../ir/expr.ts";
import { type PrimFunc, sizeVars } from "../ir/func.ts";
import type { Buffer } from "../ir/stmt.ts";
import { InternalError } from "../ir/errors.ts";
import { type CompiledDim, compileDim } from "./shape_expr.ts";

/** What binding needs to know of a tensor argument. */
export interface Shaped {
  /** Element dtype. */
  readonly dtype: DType;
  /** Concrete shape. */
  readonly shape: readonly number[];
}

/** A buffer parameter, compiled. */
export interface BufferSig {
  readonly kind: "buffer";
  readonly buffer: Buffer;
  readonly dims: readonly CompiledDim[];
}

/** A scalar parameter, compiled. */
export interface ScalarSig {
  readonly kind: "scalar";
  readonly v: Var;
  readonly slot: number;
}

/** A compiled parameter. */
export type ParamSig = BufferSig | ScalarSig;

const is64 = (d: DType) => bitsOf(d) === 64 && !isFloat(d);

/** The compiled signature of a built function. */
export class Signature {
  /** Function name, for messages. */
  readonly name: string;
  /** Parameters of the original function, in order. */
  readonly params: readonly ParamSig[];
  /** Size variables appended to the lowered parameters, in order. */
  readonly sizes: readonly Var[];
  /** Slot of each variable (scalar parameters and sizes). */
  readonly slots: ReadonlyMap<Var, number>;

  /** Compile (BUILD_STRIDED_PARAM, BUILD_SHAPE_EXPR for parameters calls cannot bind). */
  constructor(original: PrimFunc) {
    this.name = original.name;
    const scalars = original.params.filter((p): p is Var => p.kind === "Var");
    this.sizes = sizeVars(original).filter((v) => !scalars.includes(v));
    const slots = new Map<Var, number>();
    for (const v of [...scalars, ...this.sizes]) slots.set(v, slots.size);
    this.slots = slots;
    this.params = original.params.map((p): ParamSig => {
      if (p.kind === "Var") return { kind: "scalar", v: p, slot: slots.get(p)! };
      if (p.strides.length > 0 || !isConst(p.elemOffset, 0)) {
        throw new TargetError(
          "BUILD_STRIDED_PARAM",
          `Cannot build function "${this.name}": buffer parameter "${p.name}" has explicit strides or an element offset, which kernels do not take yet`,
          { path: `func "${this.name}" / buffer "${p.name}"` },
        );
      }
      return {
        kind: "buffer",
        buffer: p,
        dims: p.shape.map((d) => compileDim(d, slots, this.name)),
      };
    });
  }

  /** Throw an internal error unless `lowered` takes the parameters the lowered-form contract gives. */
  checkLowered(lowered: PrimFunc): void {
    const want = this.params.length + this.sizes.length;
    if (lowered.params.length !== want) {
      throw new InternalError(
        `lowered "${lowered.name}" has ${lowered.params.length} parameters, the lowered-form contract gives ${want}`,
      );
    }
  }

  /** Start binding arguments. */
  binding(): Binding {
    return new Binding(this);
  }
}

/** Value of a variable for the lowered function's ABI: bigint for 64-bit integers. */
export function abiValue(dtype: DType, x: number | bigint): number | bigint {
  if (is64(dtype)) return typeof x === "bigint" ? x : BigInt(x);
  return Number(x);
}

interface Equation {
  readonly dim: CompiledDim;
  readonly got: number;
  readonly buffer: Buffer;
  readonly axis: number;
}

/** Argument binding in progress (see the module comment). */
export class Binding {
  /** Values by slot. */
  readonly env: Float64Array;
  private readonly bound: Uint8Array;
  private readonly raw: (number | bigint)[] = [];
  private eqs: Equation[] = [];

  constructor(private readonly sig: Signature) {
    this.env = new Float64Array(sig.slots.size);
    this.bound = new Uint8Array(sig.slots.size);
  }

  /** True if the slot has a value. */
  has(slot: number): boolean {
    return this.bound[slot] === 1;
  }

  private path(b?: Buffer): string {
    return b ? `func "${this.sig.name}" / buffer "${b.name}"` : `func "${this.sig.name}"`;
  }

  /** Bind a scalar parameter. */
  scalar(p: ScalarSig, x: unknown): void {
    const fn = this.sig.name;
    const d = elementOf(p.v.dtype);
    if (typeof x !== "number" && typeof x !== "bigint") {
      throw new CallError(
        "CALL_ARG_KIND",
        `Cannot call function "${fn}" with ${
          describe(x)
        } for scalar parameter "${p.v.name}": need a number`,
        { path: this.path() },
      );
    }
    if (!isFloat(d)) {
      const [lo, hi] = intRange(d);
      const ok = typeof x === "bigint"
        ? is64(d) && x >= BigInt(lo) && x <= BigInt(hi)
        : Number.isInteger(x) && x >= lo && x <= hi && (!is64(d) || Number.isSafeInteger(x));
      if (!ok) {
        throw new CallError(
          "CALL_DTYPE_MISMATCH",
          `Cannot call function "${fn}" with ${x} for parameter "${p.v.name}": need a value of ${d}`,
          { path: this.path() },
        );
      }
    }
    this.env[p.slot] = Number(x);
    this.raw[p.slot] = x;
    this.bound[p.slot] = 1;
  }

  /** Bind a tensor to a buffer parameter: dtype and rank now, dimensions as equations. */
  tensor(p: BufferSig, t: Shaped): void {
    const b = p.buffer;
    if (elementOf(t.dtype) !== elementOf(b.dtype)) {
      throw new CallError(
        "CALL_DTYPE_MISMATCH",
        `Cannot call function "${this.sig.name}" with a ${t.dtype} tensor for buffer "${b.name}": need ${
          elementOf(b.dtype)
        }`,
        { path: this.path(b) },
      );
    }
    if (t.shape.length !== b.shape.length) {
      throw this.mismatch(
        b,
        `rank ${t.shape.length} (shape [${t.shape.join(", ")}]), need rank ${b.shape.length}`,
      );
    }
    p.dims.forEach((dim, axis) => this.eqs.push({ dim, got: t.shape[axis], buffer: b, axis }));
  }

  /** Argument is not a tensor where one is needed. */
  notATensor(p: BufferSig, x: unknown, need: string): CallError {
    return new CallError(
      "CALL_ARG_KIND",
      `Cannot call function "${this.sig.name}" with ${
        describe(x)
      } for buffer "${p.buffer.name}": need ${need}`,
      { path: this.path(p.buffer) },
    );
  }

  private mismatch(b: Buffer, msg: string): CallError {
    return new CallError(
      "CALL_SHAPE_MISMATCH",
      `Cannot call function "${this.sig.name}" with this tensor for buffer "${b.name}": ${msg}`,
      { path: this.path(b) },
    );
  }

  /** Solve queued equations: check the bound ones, solve those with one free affine variable. */
  solve(): void {
    for (let progress = true; progress && this.eqs.length;) {
      progress = false;
      const next: Equation[] = [];
      for (const eq of this.eqs) {
        const free = eq.dim.slots.filter((s) => !this.has(s));
        if (free.length === 0) {
          this.verify(eq);
          progress = true;
        } else if (free.length === 1 && this.solveFor(free[0], eq)) progress = true;
        else next.push(eq);
      }
      this.eqs = next;
    }
  }

  private verify(eq: Equation): void {
    const have = eq.dim.f(this.env);
    if (have !== eq.got) {
      throw this.mismatch(eq.buffer, `dimension ${eq.axis} is ${eq.got}, expected ${have}`);
    }
  }

  private solveFor(s: number, eq: Equation): boolean {
    let cand: number;
    if (eq.dim.isSlot === s) cand = eq.got;
    else {
      const at = (x: number) => {
        this.env[s] = x;
        return eq.dim.f(this.env);
      };
      const f0 = at(0), f1 = at(1), f2 = at(2);
      const a = f1 - f0;
      if (a === 0 || f2 - f1 !== a) return false; // not affine in it: another equation may bind it
      cand = (eq.got - f0) / a;
      if (!Number.isInteger(cand)) {
        throw this.mismatch(
          eq.buffer,
          `dimension ${eq.axis} is ${eq.got}, which no value of "${this.varName(s)}" gives`,
        );
      }
    }
    this.env[s] = cand;
    this.bound[s] = 1;
    this.verify(eq);
    return true;
  }

  private varName(slot: number): string {
    for (const [v, s] of this.sig.slots) if (s === slot) return v.name;
    return "?";
  }

  /** Raise CALL_SHAPE_UNBOUND if a size variable is left without a value. */
  requireAllBound(): void {
    for (let s = 0; s < this.bound.length; s++) {
      if (this.has(s)) continue;
      const eq = this.eqs.find((e) => e.dim.slots.includes(s));
      throw new CallError(
        "CALL_SHAPE_UNBOUND",
        `Cannot call function "${this.sig.name}": size variable "${
          this.varName(s)
        }" is not determined by the arguments${
          eq ? ` (it appears in dimension ${eq.axis} of buffer "${eq.buffer.name}")` : ""
        }`,
        {
          path: this.path(),
          hint: "give it a dimension of its own, or make it a scalar parameter",
        },
      );
    }
  }

  /** The value of a scalar parameter (as passed) or a size. */
  value(v: Var): number | bigint {
    const s = this.sig.slots.get(v)!;
    return abiValue(v.dtype, this.raw[s] ?? this.env[s]);
  }

  /** The trailing size values of the lowered call. */
  sizeValues(): (number | bigint)[] {
    return this.sig.sizes.map((v) => this.value(v));
  }

  /** The concrete shape of a buffer parameter from the bound sizes (CALL_SHAPE_UNBOUND if not). */
  shapeOf(p: BufferSig): number[] {
    return p.dims.map((d, axis) => {
      const free = d.slots.find((s) => !this.has(s));
      if (free !== undefined) {
        throw new CallError(
          "CALL_SHAPE_UNBOUND",
          `Cannot infer the shape of output "${p.buffer.name}" of function "${this.sig.name}": dimension ${axis} uses "${
            this.varName(free)
          }", which the inputs do not bind`,
          { path: this.path(p.buffer), hint: "pass outputShapes" },
        );
      }
      return d.f(this.env);
    });
  }
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (typeof x === "object") return "shape" in x ? "a tensor" : "an object";
  return `${typeof x} ${String(x)}`;
}
