/**
 * `plan-buffer-allocation` (TVM: PlanAndUpdateBufferAllocationLocation): a buffer a block
 * allocates (`allocBuffers`) moves to the deepest loop that encloses every block accessing it,
 * as an `Allocate` around that loop's body — so a cache stage that compute_at put under a tile
 * loop is allocated per tile, and `compact-buffer-allocation` can shrink it to the tile.
 *
 * Moving an allocation into loop L gives it fresh storage on every iteration of L, so it is done
 * only when no value flows into an iteration of L from outside it: every read of the buffer by a
 * block under L must be covered, in the same iteration of the loops it shares with the writer,
 * by the write region of an earlier block under L (regions relaxed over the loops they do not
 * share), or be a reduction's read of its own output whose reduction loops all lie under L.
 * When that cannot be proven at L, the next enclosing loop is tried; at worst the allocation
 * stays where it was.
 *
 * @module
 */
import { Analyzer } from "../arith/mod.ts";
import { add, int, le, type PrimExpr, sub, type Var } from "../expr.ts";
import { type PrimFunc, sizeVars } from "../func.ts";
import { children, isStmt, rewrite, visit } from "../node.ts";
import { structuralEqual } from "../structural.ts";
import {
  allocate,
  type Block,
  type BlockRealize,
  type Buffer,
  type BufferRegion,
  type For,
  type Stmt,
} from "../stmt.ts";
import { type Pass, withBody } from "./pass.ts";
import { relaxExpr, type RelaxRanges, usesAny, withRanges } from "./relax.ts";
import { substitute } from "./substitute.ts";
import { tightenByGuards } from "./guard_bound.ts";

/** A block accessing the buffer, with the statements from the allocating block's body down. */
interface Site {
  readonly realize: BlockRealize;
  readonly path: readonly Stmt[];
  readonly order: number;
}

function accesses(b: Block, buf: Buffer): boolean {
  if (b.reads.some((r) => r.buffer === buf) || b.writes.some((r) => r.buffer === buf)) return true;
  let found = false;
  const look = (s: Stmt) =>
    visit(s, (n) => {
      if (found || n.kind === "BlockRealize") return false;
      if ((n.kind === "BufferLoad" || n.kind === "BufferStore") && n.buffer === buf) found = true;
    });
  look(b.body);
  if (b.init) look(b.init);
  return found;
}

/** Whether the block loads `buf` without declaring a read region of it. */
function loadsUndeclared(b: Block, buf: Buffer): boolean {
  if (b.reads.some((r) => r.buffer === buf)) return false;
  let found = false;
  for (const s of b.init ? [b.init, b.body] : [b.body]) {
    visit(s, (n) => {
      if (found || n.kind === "BlockRealize") return false;
      if (n.kind === "BufferLoad" && n.buffer === buf) found = true;
    });
  }
  return found;
}

function sitesOf(body: Stmt, buf: Buffer): Site[] {
  const out: Site[] = [];
  const path: Stmt[] = [];
  const go = (s: Stmt) => {
    if (s.kind === "BlockRealize" && accesses(s.block, buf)) {
      out.push({ realize: s, path: [...path], order: out.length });
    }
    path.push(s);
    for (const c of children(s)) if (isStmt(c)) go(c);
    path.pop();
  };
  go(body);
  return out;
}

/** Loops of `path` after `from` (exclusive) up to the first block; all of them if from is absent. */
function loopsBelow(path: readonly Stmt[], from: For | undefined): For[] {
  const start = from ? path.indexOf(from) + 1 : 0;
  const out: For[] = [];
  for (const s of path.slice(start)) {
    if (s.kind === "For") out.push(s);
  }
  return out;
}

function rangesOf(loops: readonly For[]): Map<Var, { min: PrimExpr; extent: PrimExpr }> {
  return new Map(loops.map((l) => [l.loopVar, { min: l.min, extent: l.extent }]));
}

/** A block region in loop variables, relaxed over `relax`: per dimension [lo, hi], or undefined. */
function relaxedRegion(
  site: Site,
  region: BufferRegion,
  relax: RelaxRanges,
  ana: Analyzer,
): { lo: PrimExpr; hi: PrimExpr }[] | undefined {
  const bind = new Map<Var, PrimExpr>();
  site.realize.block.iterVars.forEach((iv, k) => bind.set(iv.v, site.realize.iterValues[k]));
  const out: { lo: PrimExpr; hi: PrimExpr }[] = [];
  for (const r of region.region) {
    const first = substitute(r.min, bind);
    const lo = relaxExpr(first, relax, ana);
    const last = substitute(
      { kind: "Binary", op: "sub", dtype: r.min.dtype, a: addE(r.min, r.extent), b: one(r) },
      bind,
    );
    const hi = relaxExpr(last, relax, ana);
    if (!lo || !hi) return undefined;
    // The block only runs where its predicate holds (a guarded tail): tighten by it.
    const guards = [site.realize.predicate];
    const got = {
      lo: tightenByGuards(first, lo, guards, relax, ana).lo,
      hi: tightenByGuards(last, hi, guards, relax, ana).hi,
    };
    out.push(clampToDomain(site, r, got, relax, ana));
  }
  return out;
}

/**
 * A region dimension `[iv, iv + extent)` at an iteration variable `iv` lies within iv's domain
 * (a block instance binds its variables inside their domains, guards overrunning it with the
 * predicate: docs/semantics.md), so the relaxed interval is clamped to it — the exact region of
 * a guarded vector tail `l₀·8 + l₁ < n` is `[0, n − 1]`, not `[0, ⌈n/8⌉·8 − 1]`.
 */
function clampToDomain(
  site: Site,
  r: { min: PrimExpr; extent: PrimExpr },
  got: { lo: PrimExpr; hi: PrimExpr },
  relax: RelaxRanges,
  ana: Analyzer,
): { lo: PrimExpr; hi: PrimExpr } {
  const iv = site.realize.block.iterVars.find((x) => x.v === r.min);
  if (!iv || usesAny(iv.dom.min, relax) || usesAny(iv.dom.extent, relax)) return got;
  if (usesAny(r.extent, relax) || usesAny(r.extent, new Set([iv.v]))) return got;
  const lo = iv.dom.min;
  const hi = ana.simplify(sub(add(add(iv.dom.min, iv.dom.extent), r.extent), int(2, lo.dtype)));
  return {
    lo: ana.canProve(le(got.lo, lo)) ? lo : got.lo,
    hi: ana.canProve(le(hi, got.hi)) ? hi : got.hi,
  };
}

const one = (r: { min: PrimExpr }): PrimExpr => ({ kind: "IntImm", dtype: r.min.dtype, value: 1 });
const addE = (a: PrimExpr, b: PrimExpr): PrimExpr => ({
  kind: "Binary",
  op: "add",
  dtype: a.dtype,
  a,
  b,
});

function usesVarOf(e: PrimExpr, vars: ReadonlySet<Var>): boolean {
  let found = false;
  visit(e, (n) => {
    if (found) return false;
    if (n.kind === "Var" && vars.has(n)) found = true;
  });
  return found;
}

/** A reduction block's read of its own output, when all its reduction loops lie under L. */
function selfCovered(site: Site, region: BufferRegion, inner: readonly For[]): boolean {
  const b = site.realize.block;
  if (!b.init) return false;
  if (!b.writes.some((w) => w.buffer === region.buffer && structuralEqual(w, region))) {
    return false;
  }
  const innerVars = new Set(inner.map((l) => l.loopVar));
  const loopVars = new Set(loopsBelow(site.path, undefined).map((l) => l.loopVar));
  return b.iterVars.every((iv, k) => {
    if (iv.iterKind !== "reduce") return true;
    const e = site.realize.iterValues[k];
    const outer = [...loopVars].filter((v) => !innerVars.has(v));
    return !usesVarOf(e, new Set(outer));
  });
}

/** Whether every read of `buf` under L is produced earlier in the same iteration of L. */
function safeAt(
  f: PrimFunc,
  L: For,
  sites: readonly Site[],
  buf: Buffer,
  outer: readonly For[],
): boolean {
  const ana = new Analyzer();
  for (const v of sizeVars(f)) ana.markNonNegative(v);
  for (const l of outer) ana.bind(l.loopVar, { min: l.min, extent: l.extent });
  ana.bind(L.loopVar, { min: L.min, extent: L.extent });
  for (const s of sites) {
    const sLoops = loopsBelow(s.path, L);
    if (loadsUndeclared(s.realize.block, buf)) return false;
    for (const read of s.realize.block.reads.filter((r) => r.buffer === buf)) {
      if (selfCovered(s, read, sLoops)) continue;
      const covered = sites.some((w) => {
        if (w.order >= s.order) return false;
        const wLoops = loopsBelow(w.path, L);
        let d = 0;
        while (d < wLoops.length && d < sLoops.length && wLoops[d] === sLoops[d]) d++;
        const common = wLoops.slice(0, d);
        return withRanges(
          ana,
          rangesOf(common),
          () =>
            w.realize.block.writes.filter((x) => x.buffer === buf).some((write) => {
              const wr = relaxedRegion(w, write, rangesOf(wLoops.slice(d)), ana);
              const rr = relaxedRegion(s, read, rangesOf(sLoops.slice(d)), ana);
              return !!wr && !!rr &&
                wr.every((x, k) =>
                  ana.canProve(le(x.lo, rr[k].lo)) && ana.canProve(le(rr[k].hi, x.hi))
                );
            }),
        );
      });
      if (!covered) return false;
    }
  }
  return true;
}

/** Where `buf` (allocated by `owner`) can live: the deepest safe loop, or undefined. */
function placeFor(owner: Block, buf: Buffer, f: PrimFunc): For | undefined {
  const sites = sitesOf(owner.body, buf);
  if (sites.length === 0) return undefined;
  const common: Stmt[] = [];
  for (let k = 0;; k++) {
    const s = sites[0].path[k];
    if (s === undefined || !sites.every((x) => x.path[k] === s)) break;
    if (s.kind === "BlockRealize" || s.kind === "Block") break;
    common.push(s);
  }
  const loops = common.filter((s): s is For => s.kind === "For");
  for (let k = loops.length - 1; k >= 0; k--) {
    const outer = loops.slice(0, k);
    if (safeAt(f, loops[k], sites, buf, outer)) return loops[k];
  }
  return undefined;
}

function plan(f: PrimFunc): PrimFunc {
  let cur = f;
  const owners: Block[] = [];
  visit(f.body, (n) => {
    if (n.kind === "Block" && n.allocBuffers.length > 0) owners.push(n);
  });
  for (const ownerName of owners.map((o) => o.name)) {
    for (;;) {
      let owner: Block | undefined;
      visit(cur.body, (n) => {
        if (owner) return false;
        if (n.kind === "Block" && n.name === ownerName) owner = n;
      });
      if (!owner) break;
      const o: Block = owner;
      const move = o.allocBuffers
        .map((buf) => ({ buf, loop: placeFor(o, buf, cur) }))
        .find((x) => x.loop !== undefined);
      if (!move) break;
      const loop = move.loop!;
      const newOwner: Block = {
        ...o,
        allocBuffers: o.allocBuffers.filter((b) => b !== move.buf),
        body: rewrite(o.body, {
          pre: (n) => (n === loop ? { ...loop, body: allocate(move.buf, loop.body) } : undefined),
        }),
      };
      cur = withBody(cur, rewrite(cur.body, { pre: (n) => (n === o ? newOwner : undefined) }));
    }
  }
  return cur;
}

/**
 * The pass. Functions without block allocations are returned unchanged.
 *
 * @example
 * ```ts
 * import { planBufferAllocation } from "./plan_buffer_allocation.ts";
 * import { compute, createPrimFunc, placeholder } from "../te.ts";
 * import { add } from "../expr.ts";
 * const A = placeholder([4], "float32", "A");
 * const B = compute([4], ([i]) => add(A.at(i), 1), "B");
 * const C = compute([4], ([i]) => add(B.at(i), 1), "C");
 * const f = createPrimFunc([A, C]);
 * console.assert(planBufferAllocation.run(f, { options: {} }) === f); // B is used by two loop nests
 * ```
 */
export const planBufferAllocation: Pass = {
  name: "plan-buffer-allocation",
  summary: "allocate each block-allocated buffer under the deepest loop enclosing all its uses",
  run: (f) => plan(f),
};
