/**
 * `compact-buffer-allocation` (TVM: CompactBufferAllocation): an `Allocate`d buffer shrinks to
 * the region its body actually accesses, and accesses are shifted to the new origin:
 *
 *   allocate X[64, 64] { for ii, jj: X[io*8 + ii, jo*8 + jj] … }
 *     →  allocate X[8, 8] { for ii, jj: X[io*8 + ii − io*8, jo*8 + jj − jo*8] … }
 *
 * Per dimension, the accessed interval `[lo, hi]` is the union over every load and store of the
 * index relaxed over the loops inside the allocation (`relax.ts`); `lo` may use the loops around
 * the allocation. The new extent `hi − lo + 1` must not depend on those loops: when it does, its
 * constant upper bound is used (accesses still fall inside, since `hi − lo + 1` never exceeds
 * it). An access under `if` conditions is bounded by them too (`guard_bound.ts`: a guarded vector
 * tail `l₀·8 + l₁ < n` accesses `[0, n − 1]`). Size variables are ≥ 0, and ≥ 1 inside a loop over
 * them, so a row extent 1 replaces a dimension `n` there (the new extent must be provably ≤ the
 * old one and not provably equal). A dimension is left as it is when it cannot be proven to
 * shrink, or when an index uses a variable bound inside the allocation other than a loop
 * variable. A symbolic-size allocation at the head of a serial loop body that does not depend
 * on the loop is then hoisted out of it (allocated once, not once per row). Runs after
 * `convert-blocks-to-loops`, on plain loops, so a constant-size `local` cache stage becomes a
 * small array (which the cpu code generator keeps on the C stack).
 *
 * @module
 */
import { Analyzer } from "../arith/mod.ts";
import { isInt, lanesOf } from "../dtype.ts";
import { add, bufferLoad, int, type PrimExpr, sub, type Var } from "../expr.ts";
import { bufferParams, type PrimFunc, sizeVars } from "../func.ts";
import { isExpr, mapChildren, type Node, visit } from "../node.ts";
import {
  type Allocate,
  allocate,
  type Buffer,
  bufferStore,
  decl,
  type For,
  type Stmt,
} from "../stmt.ts";
import { type Pass, withBody } from "./pass.ts";
import { type Interval, relaxExpr, unionInterval } from "./relax.ts";
import { proveLe, tightenByGuards } from "./guard_bound.ts";

interface Access {
  readonly indices: readonly PrimExpr[];
  readonly loops: ReadonlyMap<Var, { min: PrimExpr; extent: PrimExpr }>;
  readonly bound: ReadonlySet<Var>;
  /** Conditions of the `if`s (then branches) around the access inside the allocation. */
  readonly guards: readonly PrimExpr[];
}

/** Every load and store of `buf` under `s`, with the loops and other variables bound above it. */
function accessesOf(s: Stmt, buf: Buffer): Access[] {
  const out: Access[] = [];
  const loops = new Map<Var, { min: PrimExpr; extent: PrimExpr }>();
  const bound = new Set<Var>();
  const guards: PrimExpr[] = [];
  const go = (n: Node) => {
    if ((n.kind === "BufferLoad" || n.kind === "BufferStore") && n.buffer === buf) {
      out.push({
        indices: n.indices,
        loops: new Map(loops),
        bound: new Set(bound),
        guards: [...guards],
      });
    }
    if (n.kind === "IfThenElse") {
      go(n.cond);
      guards.push(n.cond);
      go(n.then);
      guards.pop();
      if (n.otherwise) go(n.otherwise);
      return;
    }
    if (n.kind === "For") {
      go(n.min);
      go(n.extent);
      loops.set(n.loopVar, { min: n.min, extent: n.extent });
      go(n.body);
      loops.delete(n.loopVar);
      return;
    }
    if (n.kind === "LetStmt" || n.kind === "Let") {
      go(n.value);
      bound.add(n.v);
      go(n.body);
      bound.delete(n.v);
      return;
    }
    if (n.kind === "Buffer") return;
    for (const c of childNodes(n)) go(c);
  };
  go(s);
  return out;
}

function childNodes(n: Node): Node[] {
  const out: Node[] = [];
  mapChildren(n, (c) => {
    out.push(c);
    return c;
  });
  return out;
}

function usesSome(e: PrimExpr, vars: ReadonlySet<Var>): boolean {
  let found = false;
  visit(e, (n) => {
    if (found) return false;
    if (n.kind === "Var" && vars.has(n)) found = true;
  });
  return found;
}

/** New extent and origin of each dimension (undefined: keep the dimension). */
function compactShape(
  buf: Buffer,
  accesses: readonly Access[],
  ana: Analyzer,
  outerVars: ReadonlySet<Var>,
): ({ lo: PrimExpr; extent: PrimExpr } | undefined)[] {
  return buf.shape.map((dim, d) => {
    let acc: Interval | undefined;
    for (const a of accesses) {
      const idx = a.indices[d];
      if (!isInt(idx.dtype) || lanesOf(idx.dtype) !== 1 || usesSome(idx, a.bound)) return undefined;
      const relaxed = relaxExpr(idx, a.loops, ana);
      if (!relaxed) return undefined;
      const guards = a.guards.filter((g) => !usesSome(g, a.bound));
      const r = tightenByGuards(idx, relaxed, guards, a.loops, ana);
      acc = acc ? unionInterval(acc, r, ana) : r;
    }
    if (!acc) return undefined;
    let extent = ana.simplify(add(sub(acc.hi, acc.lo), int(1, acc.lo.dtype)));
    if (usesSome(extent, outerVars)) {
      const b = ana.constIntBound(extent);
      if (!Number.isFinite(b.max)) return undefined;
      extent = int(b.max, extent.dtype);
    }
    // Not larger, and not the same: inside a loop over `n` the analyzer knows n ≥ 1, so a row
    // extent 1 replaces a size-variable dimension n (1 ≤ n, though not 1 < n).
    if (extent.dtype !== dim.dtype || !proveLe(ana, extent, dim)) return undefined;
    if (ana.canProveEqual(extent, dim)) return undefined;
    return { lo: acc.lo, extent };
  });
}

function rewriteAccesses(
  s: Stmt,
  buf: Buffer,
  to: Buffer,
  shift: readonly ({ lo: PrimExpr } | undefined)[],
): Stmt {
  const idx = (ix: readonly PrimExpr[]) => ix.map((i, d) => (shift[d] ? sub(i, shift[d]!.lo) : i));
  const go = (n: Node): Node => {
    if (n.kind === "Buffer") return n;
    const m = mapChildren(n, go);
    if (m.kind === "BufferLoad" && m.buffer === buf) return bufferLoad(to, idx(m.indices));
    if (m.kind === "BufferStore" && m.buffer === buf) {
      return bufferStore(to, m.value, idx(m.indices));
    }
    return m;
  };
  return go(s) as Stmt;
}

/**
 * A symbolic-size allocation at the head of a serial loop's body whose shape does not use the
 * loop variable moves out of the loop: `for k { allocate X[n] { … } }` → `allocate X[n] { for k
 * { … } }`. Allocated storage has no initial value, so one buffer reused by every iteration is
 * the same program — and the cpu target allocates a symbolic size on the heap, once instead of
 * once per iteration (a row-fused softmax over `[b, h, s, s]` keeps one row of `exp` of size
 * s). Constant sizes (on the stack) and parallel or thread loops (one buffer per thread) stay.
 */
function hoistAllocations(f: For): Stmt {
  if (f.forKind !== "serial") return f;
  const lifted: Buffer[] = [], kept: Buffer[] = [];
  let body = f.body;
  for (; body.kind === "Allocate"; body = body.body) {
    const shape = body.buffer.shape;
    const symbolic = !shape.every((d) => d.kind === "IntImm");
    const free = !shape.some((d) => usesSome(d, new Set([f.loopVar])));
    (symbolic && free ? lifted : kept).push(body.buffer);
  }
  if (lifted.length === 0) return f;
  const inner = kept.reduceRight<Stmt>((s, b) => allocate(b, s), body);
  return lifted.reduceRight<Stmt>((s, b) => allocate(b, s), { ...f, body: inner });
}

class Compactor {
  readonly ana = new Analyzer();
  readonly outer = new Set<Var>();

  constructor(private readonly params: ReadonlySet<Buffer>) {}

  stmt = (n: Node): Node => {
    if (isExpr(n) || n.kind === "Buffer") return n;
    if (n.kind === "For") {
      return this.ana.withBinding(n.loopVar, { min: n.min, extent: n.extent }, () => {
        this.outer.add(n.loopVar);
        try {
          return hoistAllocations(mapChildren(n, this.stmt) as For);
        } finally {
          this.outer.delete(n.loopVar);
        }
      });
    }
    if (n.kind === "Allocate") return this.allocate(n);
    return mapChildren(n, this.stmt);
  };

  allocate(a: Allocate): Stmt {
    const b = a.buffer;
    const plain = b.strides.length === 0 && b.elemOffset.kind === "IntImm" &&
      b.elemOffset.value === 0 && !this.params.has(b);
    const shape = plain ? compactShape(b, accessesOf(a.body, b), this.ana, this.outer) : [];
    if (!shape.some((x) => x)) return mapChildren(a, this.stmt);
    const to = decl(b.name, b.shape.map((d, k) => shape[k]?.extent ?? d), b.dtype, {
      scope: b.scope,
      alignment: b.alignment,
    });
    const body = rewriteAccesses(a.body, b, to, shape);
    return allocate(to, this.stmt(body) as Stmt);
  }
}

function compact(f: PrimFunc): PrimFunc {
  const c = new Compactor(new Set(bufferParams(f)));
  for (const v of sizeVars(f)) c.ana.markNonNegative(v);
  return withBody(f, c.stmt(f.body) as Stmt);
}

/**
 * The pass. Functions without shrinkable allocations are returned unchanged.
 *
 * @example
 * ```ts
 * import { compactBufferAllocation } from "./compact_buffer_allocation.ts";
 * import { parseFunc } from "../script/mod.ts";
 * const f = parseFunc(`func f(A: buffer<float32>[64]) {
 *   for io in 0..8 {
 *     allocate X: buffer<float32>[64](scope = "local") {
 *       for ii in 0..8 {
 *         X[io * 8 + ii] = A[io * 8 + ii]
 *       }
 *       for ii in 0..8 {
 *         A[io * 8 + ii] = X[io * 8 + ii] * 2.0
 *       }
 *     }
 *   }
 * }`);
 * const g = compactBufferAllocation.run(f, { options: {} });
 * console.assert(g !== f);
 * ```
 */
export const compactBufferAllocation: Pass = {
  name: "compact-buffer-allocation",
  summary: "shrink each allocated buffer to the region its body accesses",
  run: (f) => compact(f),
};
