/**
 * Binding a call's arguments: scalar parameters from numbers, buffer parameters from NDArrays,
 * and the symbolic size variables from the arrays' shapes.
 *
 * Shape rules: each dimension of a parameter buffer is an equation `dim(vars) = got`. Equations
 * are solved repeatedly: one with no unbound variable is checked (CALL_SHAPE_MISMATCH when it
 * fails); one with exactly one unbound variable v is solved for v when it is affine in v
 * (probing v = 0 and v = 1, then verifying the candidate), so `[n]`, `[n + 2]` and `[2*n]` all
 * bind n. Variables in a parameter buffer's strides or element offset that the shapes leave
 * unbound take the compact row-major strides and offset 0 of the passed array. A variable still
 * unbound at the end raises CALL_SHAPE_UNBOUND.
 *
 * @module
 */
import { allocTyped, type DType, elementOf, intRange, isFloat } from "../dtype.ts";
import { CallError } from "../errors.ts";
import type { Var } from "../expr.ts";
import type { NDArray } from "../ndarray.ts";
import type { Buffer } from "../stmt.ts";
import { type Layout, reach } from "./access.ts";
import type { VarSlot } from "./context.ts";
import { roundFn } from "./scalar.ts";
import { type Frame, isBig, type NumFn } from "./values.ts";

/** An argument of `interpret`: an array for a buffer, a number (or bigint) for a variable. */
export type Arg = NDArray | number | bigint;

/** A compiled dimension (or stride, or offset) expression and the variables it reads. */
export interface Dim {
  readonly f: NumFn;
  readonly vars: readonly Var[];
  /** The expression is exactly this variable. */
  readonly isVar?: Var;
}

/** A compiled buffer parameter. */
export interface BufferParam {
  readonly buffer: Buffer;
  readonly slot: number;
  readonly shape: readonly Dim[];
  readonly strides: readonly Dim[];
  readonly offset: Dim;
  readonly layout: (fr: Frame) => Layout;
}

/** A compiled function's signature: how to bind its parameters. */
export interface Signature {
  readonly name: string;
  readonly params: readonly (BufferParam | Var)[];
  /** Every variable bound at function level (scalar params and size vars), with its slot. */
  readonly slots: ReadonlyMap<Var, VarSlot>;
}

interface Equation {
  readonly dim: Dim;
  readonly got: number;
  readonly buffer: Buffer;
  readonly what: string;
  /** Checked when fully bound (shapes), or only used to bind (strides, offset). */
  readonly check: boolean;
}

function shapeMismatch(fn: string, buf: Buffer, msg: string): CallError {
  return new CallError(
    "CALL_SHAPE_MISMATCH",
    `Cannot call function "${fn}" with this tensor for buffer "${buf.name}": ${msg}`,
    { path: `func "${fn}" / buffer "${buf.name}"` },
  );
}

function fitsBig(d: DType, x: bigint): boolean {
  return d === "uint64" ? x >= 0n && x < 2n ** 64n : x >= -(2n ** 63n) && x < 2n ** 63n;
}

/** Binds arguments into a frame, one parameter at a time, then solves the shape equations. */
export class Binder {
  private readonly bound = new Set<Var>();
  private readonly eqs: Equation[] = [];

  constructor(private readonly sig: Signature, private readonly fr: Frame) {}

  /** True if `v` has a value. */
  has(v: Var): boolean {
    return this.bound.has(v);
  }

  /** The value of a bound variable, as a number. */
  valueOf(v: Var): number {
    const s = this.sig.slots.get(v)!;
    return s.num ? this.fr.n[s.index] : Number(this.fr.o[s.index]);
  }

  private set(v: Var, x: number | bigint): void {
    const s = this.sig.slots.get(v)!;
    if (s.num) this.fr.n[s.index] = Number(x);
    else this.fr.o[s.index] = BigInt(x);
  }

  /** Bind a scalar parameter (CALL_ARG_KIND / CALL_DTYPE_MISMATCH on a bad value). */
  scalar(v: Var, x: Arg): void {
    const fn = this.sig.name;
    if (typeof x !== "number" && typeof x !== "bigint") {
      throw new CallError(
        "CALL_ARG_KIND",
        `Cannot call function "${fn}" with a tensor for scalar parameter "${v.name}": need a number`,
        { path: `func "${fn}"` },
      );
    }
    const d = elementOf(v.dtype);
    if (isFloat(d)) {
      this.set(v, roundFn(d)(Number(x)));
    } else {
      const [lo, hi] = d === "bool" ? [0, 1] : intRange(d);
      const ok = isBig(d)
        ? (typeof x === "bigint" || Number.isSafeInteger(x)) && fitsBig(d, BigInt(x))
        : typeof x === "number" && Number.isInteger(x) && x >= lo && x <= hi;
      if (!ok) {
        throw new CallError(
          "CALL_DTYPE_MISMATCH",
          `Cannot call function "${fn}" with ${x} for parameter "${v.name}": need a value of ${d}${
            isBig(d) && typeof x === "number" && Number.isInteger(x)
              ? " given exactly (a number beyond 2^53 is inexact: pass a bigint)"
              : ""
          }`,
          { path: `func "${fn}"` },
        );
      }
      this.set(v, isBig(d) ? BigInt(x) : Number(x));
    }
    this.bound.add(v);
  }

  /** Bind a buffer parameter: kind, dtype and rank are checked now, dims queued as equations. */
  array(p: BufferParam, a: Arg): void {
    const fn = this.sig.name;
    const b = p.buffer;
    if (typeof a !== "object" || a === null || !("shape" in a) || !("data" in a)) {
      throw new CallError(
        "CALL_ARG_KIND",
        `Cannot call function "${fn}" with ${typeof a} ${
          String(a)
        } for buffer "${b.name}": need an NDArray`,
        { path: `func "${fn}" / buffer "${b.name}"` },
      );
    }
    const want = elementOf(b.dtype);
    const ctor = allocTyped(want, 0).constructor;
    if (elementOf(a.dtype) !== want || a.data.constructor !== ctor) {
      throw new CallError(
        "CALL_DTYPE_MISMATCH",
        `Cannot call function "${fn}" with a ${a.dtype} tensor (${a.data.constructor.name}) for buffer "${b.name}": need ${want}`,
        { path: `func "${fn}" / buffer "${b.name}"` },
      );
    }
    if (a.shape.length !== b.shape.length) {
      throw shapeMismatch(
        fn,
        b,
        `rank ${a.shape.length} (shape [${a.shape.join(", ")}]), need rank ${b.shape.length}`,
      );
    }
    p.shape.forEach((dim, d) =>
      this.eqs.push({ dim, got: a.shape[d], buffer: b, what: `dimension ${d}`, check: true })
    );
    // Strides and offset bind leftover variables to the array's compact layout.
    let acc = 1;
    const compact: number[] = [];
    for (let d = a.shape.length - 1; d >= 0; d--) {
      compact[d] = acc;
      acc *= a.shape[d];
    }
    p.strides.forEach((dim, d) =>
      this.eqs.push({ dim, got: compact[d], buffer: b, what: `stride ${d}`, check: false })
    );
    this.eqs.push({ dim: p.offset, got: 0, buffer: b, what: "offset", check: false });
  }

  /** Solve the queued equations (see the module comment). */
  solve(): void {
    let pending = this.eqs.splice(0);
    for (let progress = true; progress && pending.length;) {
      progress = false;
      const next: Equation[] = [];
      for (const eq of pending) {
        if (
          eq.check === false && pending.some((o) => o.check && o.dim.vars.some((v) => !this.has(v)))
        ) {
          next.push(eq); // let shapes bind first
          continue;
        }
        const free = eq.dim.vars.filter((v) => !this.has(v));
        if (free.length === 0) {
          if (eq.check) this.verify(eq);
          progress = true;
        } else if (free.length === 1 && this.solveFor(free[0], eq)) {
          progress = true;
        } else next.push(eq);
      }
      pending = next;
    }
    this.eqs.push(...pending);
  }

  private verify(eq: Equation): void {
    const have = eq.dim.f(this.fr);
    if (have !== eq.got) {
      throw shapeMismatch(
        this.sig.name,
        eq.buffer,
        `${eq.what} is ${eq.got}, expected ${have}`,
      );
    }
  }

  /** Solve an affine equation for its one free variable; false if it is not determined. */
  private solveFor(v: Var, eq: Equation): boolean {
    let cand: number;
    if (eq.dim.isVar === v) cand = eq.got;
    else {
      this.set(v, 0);
      const f0 = eq.dim.f(this.fr);
      this.set(v, 1);
      const f1 = eq.dim.f(this.fr);
      this.set(v, 2);
      const a = f1 - f0;
      if (a === 0 || eq.dim.f(this.fr) - f1 !== a) return false; // not affine in v: undetermined
      cand = (eq.got - f0) / a;
      if (!Number.isInteger(cand)) {
        if (eq.check) {
          throw shapeMismatch(
            this.sig.name,
            eq.buffer,
            `${eq.what} is ${eq.got}, which no value of "${v.name}" gives`,
          );
        }
        return false;
      }
    }
    const [lo, hi] = intRange(v.dtype);
    if (!(cand >= lo && cand <= hi)) {
      throw shapeMismatch(
        this.sig.name,
        eq.buffer,
        `${eq.what} is ${eq.got}, which puts "${v.name}" at ${cand}, outside ${v.dtype}`,
      );
    }
    this.set(v, cand);
    this.bound.add(v);
    if (eq.check) this.verify(eq);
    return true;
  }

  /** Variables of the signature that are still unbound. */
  unbound(): Var[] {
    return [...this.sig.slots.keys()].filter((v) => !this.has(v));
  }

  /** Raise CALL_SHAPE_UNBOUND if a variable is left without a value. */
  requireAllBound(): void {
    const left = this.unbound();
    if (left.length) {
      const eq = this.eqs.find((e) => e.dim.vars.includes(left[0]));
      throw new CallError(
        "CALL_SHAPE_UNBOUND",
        `Cannot call function "${this.sig.name}": size variable "${
          left[0].name
        }" is not determined by the arguments${
          eq ? ` (it appears in ${eq.what} of buffer "${eq.buffer.name}")` : ""
        }`,
        {
          path: `func "${this.sig.name}"`,
          hint: "pass it as a scalar parameter, or give it a dimension of its own",
        },
      );
    }
  }

  /** Check that an array's storage covers every offset its buffer's layout reaches. */
  checkStorage(p: BufferParam, a: NDArray): Layout {
    const l = p.layout(this.fr);
    const r = reach(l);
    if (r && (r[0] < 0 || r[1] >= a.data.length)) {
      throw shapeMismatch(
        this.sig.name,
        p.buffer,
        `its layout reaches elements ${r[0]}..${r[1]}, but the tensor holds ${a.data.length}`,
      );
    }
    return l;
  }
}
