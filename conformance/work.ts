/**
 * How much work a kernel does at concrete sizes: arithmetic operations (a multiply-add counts 2),
 * multiply-accumulates, and the bytes its parameters hold (the compulsory memory traffic). The
 * conformance kit divides these by a run's time for GFLOP/s and GB/s and places the case on the
 * target's roofline. Also: the arithmetic inside a lowered kernel's intrinsic markers, for the
 * share of work that ran on the target's intrinsics.
 *
 * Counting rules: every arithmetic `Binary` node (`add sub mul div floordiv mod floormod min
 * max`), comparison and math `Call` (exp, tanh …) on data in a stored value counts one operation
 * per instance of its block; casts, loads, selects and index arithmetic count nothing. A store
 * `C = C + x * y` in a reduction block counts one multiply-accumulate.
 *
 * @module
 */
import { byteSize, lanesOf } from "../ir/dtype.ts";
import type { PrimExpr } from "../ir/expr.ts";
import type { PrimFunc } from "../ir/func.ts";
import type { NDArray } from "../ir/ndarray.ts";
import type { Stmt } from "../ir/stmt.ts";
import type { Intrinsic } from "../sdk/intrinsic.ts";
import { INTRINSIC_CALL_PREFIX } from "../tensorize/auto/marker.ts";

/** The work of one run. */
export interface Work {
  /** Arithmetic operations (a multiply-add counts 2). */
  readonly flops: number;
  /** Multiply-accumulates in reduction blocks. */
  readonly macs: number;
  /** Bytes of every buffer parameter (inputs read once, outputs written once). */
  readonly bytes: number;
  /** The block doing the most operations (the one to tensorize), if any. */
  readonly mainBlock?: string;
  /** Whether the main block reduces (a candidate for a GEMM-like intrinsic). */
  readonly mainReduces?: boolean;
}

/** Values of integer variables by name. */
export type Env = ReadonlyMap<string, number>;

const ARITH = new Set(["add", "sub", "mul", "div", "floordiv", "mod", "floormod", "min", "max"]);
const COMPARE = new Set(["eq", "ne", "lt", "le", "gt", "ge"]);

/** Evaluate an integer expression (NaN when it is not one at these values). */
export function evalInt(e: PrimExpr, env: Env): number {
  switch (e.kind) {
    case "IntImm":
      return e.value;
    case "Var":
      return env.get(e.name) ?? NaN;
    case "Cast":
      return evalInt(e.value, env);
    case "Binary": {
      const a = evalInt(e.a, env), b = evalInt(e.b, env);
      switch (e.op) {
        case "add":
          return a + b;
        case "sub":
          return a - b;
        case "mul":
          return a * b;
        case "div":
          return Math.trunc(a / b);
        case "floordiv":
          return Math.floor(a / b);
        case "floormod":
          return a - Math.floor(a / b) * b;
        case "min":
          return Math.min(a, b);
        case "max":
          return Math.max(a, b);
        default:
          return NaN;
      }
    }
    default:
      return NaN;
  }
}

/** Whether an expression reads a buffer (is data, not index arithmetic). */
function readsData(e: PrimExpr): boolean {
  switch (e.kind) {
    case "BufferLoad":
      return true;
    case "Binary":
      return readsData(e.a) || readsData(e.b);
    case "Select":
      return readsData(e.t) || readsData(e.f) || readsData(e.cond);
    case "Not":
      return readsData(e.a);
    case "Cast":
      return readsData(e.value);
    case "Call":
      return e.args.some(readsData);
    case "Let":
      return readsData(e.value) || readsData(e.body);
    case "Broadcast":
      return readsData(e.value);
    default:
      return false;
  }
}

/**
 * Operations of one evaluation of a value (lanes of vector nodes counted). Only operations on
 * data count: an operation none of whose operands reads a buffer is index arithmetic (bounds
 * tests of padding and concatenation), and a `select` chooses rather than computes.
 */
export function exprOps(e: PrimExpr): number {
  switch (e.kind) {
    case "Binary":
      return ((ARITH.has(e.op) || COMPARE.has(e.op)) && readsData(e) ? lanesOf(e.dtype) : 0) +
        exprOps(e.a) + exprOps(e.b);
    case "Select":
      return exprOps(e.cond) + exprOps(e.t) + exprOps(e.f);
    case "Not":
      return exprOps(e.a);
    case "Cast":
      return exprOps(e.value);
    case "Call":
      return (e.op.startsWith("tsr.") || !readsData(e) ? 0 : lanesOf(e.dtype)) +
        e.args.reduce((n, a) => n + exprOps(a), 0);
    case "Let":
      return exprOps(e.value) + exprOps(e.body);
    case "Broadcast":
      return exprOps(e.value);
    default:
      return 0; // immediates, variables, loads (their indices are addressing), ramps
  }
}

/** `C = C + x * y` (either operand order): a multiply-accumulate. */
function isMac(store: { buffer: unknown; value: PrimExpr }): boolean {
  const v = store.value;
  if (v.kind !== "Binary" || v.op !== "add") return false;
  const self = (x: PrimExpr) => x.kind === "BufferLoad" && x.buffer === store.buffer;
  const mul = (x: PrimExpr) => {
    while (x.kind === "Cast") x = x.value;
    return x.kind === "Binary" && x.op === "mul";
  };
  return (self(v.a) && mul(v.b)) || (self(v.b) && mul(v.a));
}

interface Tally {
  flops: number;
  macs: number;
  perBlock: Map<string, { flops: number; reduces: boolean }>;
}

function walk(s: Stmt, mult: number, env: Map<string, number>, t: Tally, block?: string): void {
  switch (s.kind) {
    case "For": {
      const n = evalInt(s.extent, env);
      walk(s.body, mult * (Number.isFinite(n) ? Math.max(n, 0) : 1), env, t, block);
      return;
    }
    case "SeqStmt":
      for (const x of s.seq) walk(x, mult, env, t, block);
      return;
    case "IfThenElse":
      walk(s.then, mult, env, t, block);
      if (s.otherwise) walk(s.otherwise, mult, env, t, block);
      return;
    case "LetStmt":
    case "Allocate":
    case "AssertStmt":
      walk(s.body, mult, env, t, block);
      return;
    case "BlockRealize":
      walk(s.block, mult, env, t, block);
      return;
    case "Block": {
      // The body runs once per instance; an init runs once per spatial instance (no arithmetic
      // worth counting: it stores the reduction's identity).
      const reduces = s.iterVars.some((v) => v.iterKind === "reduce");
      if (!t.perBlock.has(s.name)) t.perBlock.set(s.name, { flops: 0, reduces });
      walk(s.body, mult, env, t, s.name);
      return;
    }
    case "BufferStore": {
      const ops = exprOps(s.value) * mult;
      t.flops += ops;
      if (isMac(s)) t.macs += mult;
      if (block) t.perBlock.get(block)!.flops += ops;
      return;
    }
    case "Evaluate":
      return;
  }
}

/**
 * Bind a function's size variables and scalar parameters from the arrays of one call (buffer
 * parameters in order: inputs, then outputs) and its scalar inputs.
 */
export function bindSizes(f: PrimFunc, args: readonly (NDArray | number | bigint)[]): Env {
  const env = new Map<string, number>();
  f.params.forEach((p, k) => {
    const a = args[k];
    if (a === undefined) return;
    if (p.kind === "Var") {
      if (typeof a !== "object") env.set(p.name, Number(a));
      return;
    }
    if (typeof a !== "object") return;
    p.shape.forEach((d, i) => {
      if (d.kind === "Var" && a.shape[i] !== undefined) env.set(d.name, a.shape[i]);
    });
  });
  return env;
}

/**
 * The work of one call of `f` on `args` (every parameter: inputs then outputs).
 *
 * @example
 * ```ts
 * import { countWork } from "./work.ts";
 * import { compute, createPrimFunc, placeholder, sum, reduceAxis } from "../ir/te.ts";
 * import { mul } from "../ir/expr.ts";
 * import { ndarray } from "../ir/ndarray.ts";
 * const A = placeholder([2, 3], "float32", "A"), B = placeholder([3, 4], "float32", "B");
 * const k = reduceAxis(3, "k");
 * const C = compute([2, 4], ([i, j]) => sum(mul(A.at(i, k), B.at(k, j)), [k]), "C");
 * const f = createPrimFunc([A, B, C], "mm");
 * const w = countWork(f, [ndarray("float32", [2, 3]), ndarray("float32", [3, 4]), ndarray("float32", [2, 4])]);
 * console.assert(w.macs === 24 && w.flops === 48 && w.bytes === 4 * (6 + 12 + 8));
 * ```
 */
export function countWork(f: PrimFunc, args: readonly (NDArray | number | bigint)[]): Work {
  const env = new Map(bindSizes(f, args));
  const t: Tally = { flops: 0, macs: 0, perBlock: new Map() };
  walk(f.body, 1, env, t);
  let bytes = 0;
  f.params.forEach((p, k) => {
    const a = args[k];
    if (p.kind === "Buffer" && a !== undefined && typeof a === "object") {
      bytes += a.shape.reduce((n, d) => n * d, 1) * byteSize(p.dtype);
    }
  });
  let main: [string, { flops: number; reduces: boolean }] | undefined;
  for (const e of t.perBlock) if (e[1].flops > 0 && (!main || e[1].flops > main[1].flops)) main = e;
  return {
    flops: t.flops,
    macs: t.macs,
    bytes,
    mainBlock: main?.[0],
    mainReduces: main?.[1].reduces,
  };
}

/** Operations of one call of an intrinsic (its description's work at its constant shapes). */
function intrinsicOps(x: Intrinsic, memo: Map<Intrinsic, number>): number {
  let n = memo.get(x);
  if (n === undefined) {
    const t: Tally = { flops: 0, macs: 0, perBlock: new Map() };
    walk(x.description.body, 1, new Map(), t);
    memo.set(x, n = t.flops);
  }
  return n;
}

/**
 * Operations a lowered kernel performs inside intrinsic markers (`tsr.intrin.<name>` calls whose
 * intrinsic `intrinsics` lists), each marker counted once per iteration of its enclosing loops.
 * Also the names of the intrinsics used.
 */
export function intrinsicWork(
  lowered: PrimFunc,
  intrinsics: readonly Intrinsic[],
  env: Env,
): { flops: number; used: string[] } {
  const byName = new Map(intrinsics.map((x) => [INTRINSIC_CALL_PREFIX + x.name, x]));
  const memo = new Map<Intrinsic, number>();
  const used = new Set<string>();
  let flops = 0;
  const scan = (e: PrimExpr, mult: number): void => {
    if (e.kind === "Call") {
      const x = byName.get(e.op);
      if (x) {
        used.add(x.name);
        flops += mult * intrinsicOps(x, memo);
      }
      for (const a of e.args) scan(a, mult);
    }
  };
  const go = (s: Stmt, mult: number): void => {
    switch (s.kind) {
      case "For": {
        const n = evalInt(s.extent, env);
        return go(s.body, mult * (Number.isFinite(n) ? Math.max(n, 0) : 1));
      }
      case "SeqStmt":
        return s.seq.forEach((x) => go(x, mult));
      case "IfThenElse":
        go(s.then, mult);
        return s.otherwise && go(s.otherwise, mult);
      case "LetStmt":
      case "Allocate":
      case "AssertStmt":
        return go(s.body, mult);
      case "BlockRealize":
        return go(s.block.body, mult);
      case "Block":
        return go(s.body, mult);
      case "Evaluate":
        return scan(s.value, mult);
      case "BufferStore":
        return scan(s.value, mult);
    }
  };
  go(lowered.body, 1);
  return { flops, used: [...used] };
}
