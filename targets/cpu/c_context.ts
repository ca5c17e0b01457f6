/**
 * The state of one C emission: names given to variables and buffers, the vector typedefs,
 * on-demand helper functions and host imports the kernel needs, and the assert messages.
 *
 * @module
 */
import type { DType } from "../../ir/dtype.ts";
import type { Var } from "../../ir/expr.ts";
import type { Buffer } from "../../ir/stmt.ts";
import { TargetError } from "../../ir/errors.ts";
import { vectorTypedef } from "./c_types.ts";

/** Emits C for a target intrinsic call: the C argument expressions and the result dtype. */
export type CallEmitter = (args: readonly string[], dtype: DType) => string;

/** Options of C emission. */
export interface EmitOptions {
  /** Allow relaxed-SIMD instructions (compiled with -mrelaxed-simd). */
  readonly relaxedSimd?: boolean;
  /**
   * Compute float32 exp, erf, tanh and sigmoid through the host in double, exactly as the
   * interpreter (default false: inline float32 approximations, c_math.ts).
   */
  readonly exactMath?: boolean;
  /** Emitters for calls that are not math ops (target intrinsics), by op name. */
  readonly calls?: Readonly<Record<string, CallEmitter>>;
  /**
   * Outline outermost `parallel` loops into exported task functions run through the host import
   * `env.tsr_parallel_for` (c_parallel.ts); default true. False: every loop is a serial `for`.
   */
  readonly parallel?: boolean;
}

/** How a variable is held in C. */
export interface VarBinding {
  /** The C identifier. */
  readonly name: string;
  /** True if the identifier holds a vector (lane `l` is `name[l]`). */
  readonly vector: boolean;
}

const C_KEYWORDS = new Set(
  (
    "auto break case char const continue default do double else enum extern float for goto if " +
    "inline int long register restrict return short signed sizeof static struct switch typedef " +
    "union unsigned void volatile while main memory int8_t uint8_t int16_t uint16_t int32_t " +
    "uint32_t int64_t uint64_t TSR_INLINE TSR_IMPORT _Bool bool true false NULL"
  ).split(" "),
);

/** Emission state; one per kernel. */
export class CContext {
  /** Options. */
  readonly options: EmitOptions;
  /** Function name, for error paths. */
  readonly func: string;
  private readonly used = new Set<string>();
  private readonly vars = new Map<Var, VarBinding>();
  private readonly buffers = new Map<Buffer, string>();
  private readonly typedefs = new Map<string, string>();
  private readonly helpers = new Map<string, string>();
  /** Host imports used, by name. */
  readonly imports: Set<string> = new Set();
  /** Assert messages, by id. */
  readonly asserts: string[] = [];
  /** Export names of the outlined parallel tasks, by task id (c_parallel.ts). */
  readonly tasks: string[] = [];
  /** C functions emitted before the kernel (outlined parallel bodies). */
  readonly functions: string[] = [];
  /** True while emitting the body of an outlined parallel loop (inner ones stay serial). */
  inParallel = false;

  /** Start emitting function `func`. */
  constructor(func: string, options: EmitOptions = {}) {
    this.func = func;
    this.options = options;
  }

  /** A fresh C identifier derived from `hint`. */
  fresh(hint: string): string {
    let base = hint.replace(/[^A-Za-z0-9_]/g, "_");
    if (!/^[A-Za-z_]/.test(base)) base = `v_${base}`;
    if (base.startsWith("__") || C_KEYWORDS.has(base)) {
      base = `v_${base}`;
    }
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Bind `v` to a fresh identifier for the duration of `body` (restoring any outer binding). */
  withVar<T>(v: Var, vector: boolean, body: (name: string) => T, name?: string): T {
    const outer = this.vars.get(v);
    const b = { name: name ?? this.fresh(v.name), vector };
    this.vars.set(v, b);
    try {
      return body(b.name);
    } finally {
      if (outer) this.vars.set(v, outer);
      else this.vars.delete(v);
    }
  }

  /** Bind a variable for the rest of the emission (function parameters). */
  bindVar(v: Var, name: string): void {
    this.vars.set(v, { name, vector: false });
  }

  /** How `v` is held; throws a TargetError if it is not bound. */
  varOf(v: Var): VarBinding {
    const b = this.vars.get(v);
    if (!b) {
      throw new TargetError(
        "CPU_UNBOUND_VAR",
        `Cannot emit C for function "${this.func}": variable "${v.name}" is used where it is not bound`,
        {
          path: `func "${this.func}"`,
          hint: "the lowered function must bind every variable it reads",
        },
      );
    }
    return b;
  }

  /** How `v` is held, or undefined where it is not bound. */
  lookupVar(v: Var): VarBinding | undefined {
    return this.vars.get(v);
  }

  /** The C name of buffer `b`, or undefined where it is not declared. */
  lookupBuffer(b: Buffer): string | undefined {
    return this.buffers.get(b);
  }

  /** Give buffer `b` the C name `name` for the duration of `body`. */
  withBuffer<T>(b: Buffer, name: string, body: () => T): T {
    const outer = this.buffers.get(b);
    this.buffers.set(b, name);
    try {
      return body();
    } finally {
      if (outer !== undefined) this.buffers.set(b, outer);
      else this.buffers.delete(b);
    }
  }

  /** Bind a buffer for the rest of the emission (function parameters). */
  bindBuffer(b: Buffer, name: string): void {
    this.buffers.set(b, name);
  }

  /** The C name of buffer `b`; throws a TargetError if it is not declared. */
  bufferOf(b: Buffer): string {
    const n = this.buffers.get(b);
    if (n === undefined) {
      throw new TargetError(
        "CPU_UNBOUND_BUFFER",
        `Cannot emit C for function "${this.func}": buffer "${b.name}" is used where it is not declared`,
        { path: `func "${this.func}" / buffer "${b.name}"` },
      );
    }
    return n;
  }

  /** Make sure the vector typedef `name` (from `vecName`) is emitted; returns it. */
  vec(name: string): string {
    if (!this.typedefs.has(name)) this.typedefs.set(name, vectorTypedef(name));
    return name;
  }

  /** Make sure helper `name` is defined (`define` gives its text once); returns `name`. */
  helper(name: string, define: () => string): string {
    if (!this.helpers.has(name)) {
      this.helpers.set(name, ""); // reserve the slot first: helpers may need other helpers
      const text = define();
      this.helpers.delete(name);
      this.helpers.set(name, text);
    }
    return name;
  }

  /** Note the host import `env.<name>`; returns the C name it is declared under. */
  hostImport(name: string): string {
    this.imports.add(name);
    return `__${name}`;
  }

  /** Register an assert message; returns its id. */
  assertId(message: string): number {
    this.asserts.push(message);
    return this.asserts.length - 1;
  }

  /** Typedefs and helper definitions, in dependency order. */
  declarations(): string[] {
    return [...this.typedefs.values(), ...this.helpers.values()];
  }
}

/** Throw the error for a construct the cpu codegen does not support. */
export function unsupported(ctx: CContext, what: string, hint?: string): never {
  throw new TargetError(
    "CPU_UNSUPPORTED",
    `Cannot emit C for function "${ctx.func}": ${what}`,
    { path: `func "${ctx.func}"`, hint },
  );
}
