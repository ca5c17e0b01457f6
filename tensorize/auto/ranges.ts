/**
 * Value ranges of a function's buffers, for intrinsic preconditions (`operandRanges`): an
 * intrinsic whose result is only defined when an operand lies in `[lo, hi]` may compute a block
 * only when the block's buffer bound to that operand provably holds values in `[lo, hi]`.
 *
 * The range of a buffer is the union of
 * - its declared range when it is a parameter (`tessera.value_range`, `ir/value_range.ts`; a
 *   parameter without one may hold anything of its dtype), and
 * - 0 when it is not a parameter (allocations start zero-filled),
 * - its dtype's whole range when an intrinsic marker writes it (an operand of a
 *   `tsr.intrin.…` call among the write regions of the blocks around it), and
 * - the interval of every value stored into it anywhere in the function, by interval arithmetic:
 *
 * | expression          | interval                                                         |
 * | ------------------- | ---------------------------------------------------------------- |
 * | constant `c`        | `[c, c]`                                                         |
 * | `B[...]`            | the range of `B` (recursively; a buffer feeding itself: its dtype) |
 * | `cast<T>(x)`        | `x`'s, when it fits `T` (int → float, or int inside `T`), else `T`'s |
 * | `select(c, x, y)`   | `x ∪ y` (padding copies: `select(inside, B[...], 0)`)            |
 * | `x + y`, `x − y`, `x · y`, `min`, `max` | interval arithmetic, `T`'s range if it may wrap |
 * | anything else       | the dtype's whole range                                          |
 *
 * so the copies auto-tensorization makes (padding, staging, packing, all `B'[...] = B[...]` or
 * `select`) keep the range of what they copy, and a `cast` to a wider type keeps it too.
 *
 * @module
 */
import { intRange, isFloat, maxValue } from "../../ir/dtype.ts";
import type { PrimExpr } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { children, type Node, visit } from "../../ir/node.ts";
import type { Buffer } from "../../ir/stmt.ts";
import { type ValueRange, valueRanges } from "../../ir/value_range.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import type { Correspondence } from "./correspond.ts";
import { INTRINSIC_CALL_PREFIX } from "./marker.ts";

/** The whole range of a dtype. */
function full(dtype: string): ValueRange {
  return isFloat(dtype) ? [-Infinity, Infinity] : intRange(dtype);
}

function union(a: ValueRange, b: ValueRange): ValueRange {
  return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
}

/** `r` if every value fits `dtype` (a wrap-free result), else `dtype`'s whole range. */
function fit(r: ValueRange, dtype: string): ValueRange {
  const [lo, hi] = full(dtype);
  return r[0] >= lo && r[1] <= hi && !isNaN(r[0]) && !isNaN(r[1]) ? r : [lo, hi];
}

/** Interval of a binary operation (algebra in the module table). */
const BINARY: Record<string, (a: ValueRange, b: ValueRange) => ValueRange> = {
  add: (a, b) => [a[0] + b[0], a[1] + b[1]],
  sub: (a, b) => [a[0] - b[1], a[1] - b[0]],
  mul: (a, b) => {
    const p = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]];
    return [Math.min(...p), Math.max(...p)];
  },
  min: (a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1])],
  max: (a, b) => [Math.max(a[0], b[0]), Math.max(a[1], b[1])],
};

/** The value ranges of one function's buffers (memoized per buffer). */
export class RangeAnalysis {
  readonly #declared: ReadonlyMap<Buffer, ValueRange>;
  readonly #params: ReadonlySet<Buffer>;
  readonly #stores = new Map<Buffer, PrimExpr[]>();
  readonly #memo = new Map<Buffer, ValueRange | "busy">();
  readonly #opaque = new Set<Buffer>();

  /** Analyse `f`: its declared ranges and the stores of its body. */
  constructor(f: PrimFunc) {
    const byName = valueRanges(f);
    const declared = new Map<Buffer, ValueRange>();
    const params = new Set<Buffer>();
    for (const p of f.params) {
      if (p.kind !== "Buffer") continue;
      params.add(p);
      const r = byName.get(p.name);
      if (r) declared.set(p, r);
    }
    this.#declared = declared;
    this.#params = params;
    visit(f.body, (n) => {
      if (n.kind === "BufferStore") {
        const list = this.#stores.get(n.buffer) ?? [];
        list.push(n.value);
        this.#stores.set(n.buffer, list);
      }
    });
    opaqueWrites(f.body, [], this.#opaque);
  }

  /** The range of a buffer's values (its dtype's whole range when nothing is known). */
  of(b: Buffer): ValueRange {
    const have = this.#memo.get(b);
    if (have === "busy") return full(b.dtype);
    if (have) return have;
    this.#memo.set(b, "busy");
    const stores = this.#stores.get(b) ?? [];
    let r: ValueRange | undefined = this.#declared.get(b);
    if (this.#opaque.has(b) || (!r && (this.#params.has(b) || stores.length === 0))) {
      r = full(b.dtype);
    }
    // an intermediate starts zero-filled (docs/semantics.md): unwritten elements read 0
    if (!this.#params.has(b)) r = r ? union(r, [0, 0]) : [0, 0];
    for (const v of stores) {
      const s = this.expr(v);
      r = r ? union(r, s) : s;
    }
    const out = fit(r!, b.dtype);
    this.#memo.set(b, out);
    return out;
  }

  /** The interval of an expression's values. */
  expr(e: PrimExpr): ValueRange {
    switch (e.kind) {
      case "IntImm":
      case "FloatImm":
        return [e.value, e.value];
      case "BufferLoad":
        return this.of(e.buffer);
      case "Cast": {
        const inner = this.expr(e.value);
        if (isFloat(e.value.dtype) && !isFloat(e.dtype)) {
          return fit([Math.trunc(inner[0]), Math.trunc(inner[1])], e.dtype);
        }
        return fit(inner, e.dtype);
      }
      case "Select":
        return union(this.expr(e.t), this.expr(e.f));
      case "Broadcast":
        return this.expr(e.value);
      case "Binary": {
        const rule = BINARY[e.op];
        if (!rule) return full(e.dtype);
        return fit(rule(this.expr(e.a), this.expr(e.b)), e.dtype);
      }
      default:
        return full(e.dtype);
    }
  }
}

/**
 * Buffers an intrinsic marker may write (`Evaluate(call("tsr.intrin.…", X[…], …))`): its
 * operands among the write regions of the blocks around it. Their values are whatever the
 * intrinsic computes, so nothing is known of them.
 */
function opaqueWrites(n: Node, writes: readonly Set<Buffer>[], out: Set<Buffer>): void {
  if (n.kind === "Block") {
    writes = [...writes, new Set(n.writes.map((w) => w.buffer))];
  }
  if (n.kind === "Call" && n.op.startsWith(INTRINSIC_CALL_PREFIX)) {
    for (const a of n.args) {
      if (a.kind === "BufferLoad" && writes.some((w) => w.has(a.buffer))) out.add(a.buffer);
    }
    return;
  }
  for (const c of children(n)) opaqueWrites(c, writes, out);
}

/** A precondition of an intrinsic that a correspondence does not meet. */
export interface UnmetPrecondition {
  /** The intrinsic's operand. */
  readonly operand: string;
  /** Its precondition. */
  readonly required: ValueRange;
  /** The block's buffer bound to it. */
  readonly buffer: string;
  /** What is known of that buffer's values. */
  readonly known: ValueRange;
}

/**
 * The first operand range (`intrinsic.operandRanges`) the correspondence's buffers are not
 * known to satisfy, or undefined when all are met.
 */
export function unmetPrecondition(
  intrinsic: Intrinsic,
  c: Correspondence,
  ranges: RangeAnalysis,
): UnmetPrecondition | undefined {
  const need = intrinsic.operandRanges;
  if (!need) return undefined;
  for (const [param, op] of c.operands) {
    const required = need[param.name];
    if (!required) continue;
    const known = ranges.of(op.buffer);
    if (known[0] < required[0] || known[1] > required[1]) {
      return { operand: param.name, required, buffer: op.buffer.name, known };
    }
  }
  return undefined;
}

/** The correspondences meeting the intrinsic's preconditions, and the first failure seen. */
export function meetingPreconditions(
  f: PrimFunc,
  intrinsic: Intrinsic,
  found: readonly Correspondence[],
): { readonly ok: Correspondence[]; readonly unmet?: UnmetPrecondition } {
  if (!intrinsic.operandRanges) return { ok: [...found] };
  const ranges = new RangeAnalysis(f);
  const ok: Correspondence[] = [];
  let unmet: UnmetPrecondition | undefined;
  for (const c of found) {
    const u = unmetPrecondition(intrinsic, c, ranges);
    if (u) unmet ??= u;
    else ok.push(c);
  }
  return { ok, unmet };
}

function show(r: ValueRange): string {
  const v = (
    x: number,
  ) => (Math.abs(x) === Infinity || Math.abs(x) >= maxValue("float32")
    ? (x < 0 ? "-inf" : "inf")
    : String(x));
  return `[${v(r[0])}, ${v(r[1])}]`;
}

/**
 * The diagnostic text of an unmet precondition: which operand, its required range, the block's
 * buffer bound to it and what is known of its values.
 */
export function preconditionMessage(u: UnmetPrecondition): string {
  return `the intrinsic requires operand "${u.operand}" in ${
    show(u.required)
  }, but buffer "${u.buffer}" bound to it may hold values in ${
    show(u.known)
  } (declare a range: placeholder(shape, dtype, name, { range: [lo, hi] }))`;
}
