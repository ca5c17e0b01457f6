/**
 * Dataflow between the blocks of a scope, for block primitives (cache stages, compute_at,
 * inlining, reductions): the scope block of a block, producers and consumers by read/write
 * regions, TensorIR's complete and reduction block conditions, and block regions relaxed over
 * the loops between a loop and a block.
 *
 * @module
 */
import type { Analyzer } from "../../ir/arith/mod.ts";
import { add, int, type PrimExpr, sub, type Var } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import type { Block, BlockRealize, Buffer, BufferRegion, For, Stmt } from "../../ir/stmt.ts";
import { substitute } from "../../ir/transform/mod.ts";
import { relaxExpr, type RelaxRanges, usesAny } from "../../ir/transform/relax.ts";
import { tightenByGuards } from "../../ir/transform/guard_bound.ts";
import { isParamBuffer } from "./buffers.ts";
import { type BlockLocation, childBlocks, walkStmts } from "./find.ts";

/** The scope of a block: the innermost block above it and the statements down to that block. */
export interface Scope {
  /** The scope block (`root` for top-level blocks). */
  readonly block: Block;
  /** Statements from the function body down to the scope block (exclusive). */
  readonly path: readonly Stmt[];
}

/** The scope block above a block location, or undefined for the root block itself. */
export function scopeOf(loc: BlockLocation): Scope | undefined {
  for (let k = loc.path.length - 1; k >= 0; k--) {
    const s = loc.path[k];
    if (s.kind === "Block") return { block: s, path: loc.path.slice(0, k) };
    if (s.kind === "BlockRealize") return { block: s.block, path: loc.path.slice(0, k + 1) };
  }
  return undefined;
}

/**
 * The block whose `init` a path enters (`path` from the function body down to `end`), if any:
 * statements there run only on a reduction's first iteration, apart from the block's body.
 */
export function enclosingInit(path: readonly Stmt[], end: Stmt): Block | undefined {
  for (let k = 0; k < path.length; k++) {
    const s = path[k];
    if (s.kind === "Block" && s.init !== undefined && (path[k + 1] ?? end) === s.init) return s;
  }
  return undefined;
}

/** Blocks of a scope (directly under it, not nested in another block), in execution order. */
export function scopeBlocks(scope: Scope): BlockRealize[] {
  return childBlocks(scope.block);
}

/** Whether block `b` declares a write of `buf`. */
export function writes(b: Block, buf: Buffer): boolean {
  return b.writes.some((r) => r.buffer === buf);
}

/** Whether block `b` declares a read of `buf`. */
export function reads(b: Block, buf: Buffer): boolean {
  return b.reads.some((r) => r.buffer === buf);
}

/** Earlier blocks of the scope that write a buffer `target` reads. */
export function producersOf(blocks: readonly BlockRealize[], target: Block): BlockRealize[] {
  const at = blocks.findIndex((r) => r.block === target);
  return blocks.slice(0, Math.max(at, 0)).filter((r) =>
    r.block.writes.some((w) => w.buffer !== undefined && reads(target, w.buffer))
  );
}

/** Later blocks of the scope that read a buffer `target` writes. */
export function consumersOf(blocks: readonly BlockRealize[], target: Block): BlockRealize[] {
  const at = blocks.findIndex((r) => r.block === target);
  return blocks.slice(at + 1).filter((r) => target.writes.some((w) => reads(r.block, w.buffer)));
}

/**
 * Why `buf` is an output of the scope (undefined when it is an intermediate of it): a function
 * parameter, or a buffer the scope block does not allocate — its readers may be outside the
 * scope (TVM's output block), e.g. the original buffer of a cache stage inside a blockized block.
 */
export function scopeOutputProblem(f: PrimFunc, scope: Scope, buf: Buffer): string | undefined {
  if (isParamBuffer(f, buf)) return `it writes the function's output "${buf.name}"`;
  if (scope.block.allocBuffers.includes(buf)) return undefined;
  return `it writes "${buf.name}", which its scope block "${scope.block.name}" does not allocate`;
}

/**
 * Why `target` is not a complete block of its scope (undefined when it is): every iteration
 * variable spatial, the only writer of its buffers in the scope, and not reading what it writes.
 */
export function completeProblem(
  blocks: readonly BlockRealize[],
  target: Block,
): string | undefined {
  const reduce = target.iterVars.find((iv) => iv.iterKind !== "spatial");
  if (reduce) return `iteration variable "${reduce.v.name}" is a reduction`;
  return dominantProblem(blocks, target) ??
    (target.writes.some((w) => reads(target, w.buffer))
      ? `it reads buffer "${
        target.writes.find((w) => reads(target, w.buffer))!.buffer.name
      }" it writes`
      : undefined);
}

/**
 * Why `target` is not a reduction block (undefined when it is): it has an init, is the only
 * writer of its buffers, and its reduction variables index no written buffer.
 */
export function reductionProblem(
  blocks: readonly BlockRealize[],
  target: Block,
): string | undefined {
  if (!target.init) return "it has no init";
  const dom = dominantProblem(blocks, target);
  if (dom) return dom;
  const reduceVars = new Set(
    target.iterVars.filter((iv) => iv.iterKind === "reduce").map((iv) => iv.v),
  );
  for (const w of target.writes) {
    for (const r of w.region) {
      if (usesAny(r.min, reduceVars) || usesAny(r.extent, reduceVars)) {
        return `a reduction variable indexes the written buffer "${w.buffer.name}"`;
      }
    }
  }
  return undefined;
}

function dominantProblem(blocks: readonly BlockRealize[], target: Block): string | undefined {
  for (const w of target.writes) {
    const other = blocks.find((r) => r.block !== target && writes(r.block, w.buffer));
    if (other) return `block "${other.block.name}" also writes buffer "${w.buffer.name}"`;
  }
  return undefined;
}

/** The realize's bindings as a substitution (iteration variable → value). */
export function bindingsOf(realize: BlockRealize): Map<Var, PrimExpr> {
  return new Map(realize.block.iterVars.map((iv, k) => [iv.v, realize.iterValues[k]]));
}

/** Loops of `path` strictly below `loop` (all loops of the path if `loop` is not on it). */
export function loopsBelow(path: readonly Stmt[], loop: For): For[] {
  const at = path.indexOf(loop);
  return path.slice(at + 1).filter((s): s is For => s.kind === "For");
}

/** Ranges of loops, to relax them. */
export function rangesOf(loops: readonly For[]): RelaxRanges {
  return new Map(loops.map((l) => [l.loopVar, { min: l.min, extent: l.extent }]));
}

/** An inclusive per-dimension region `[lo, hi]`. */
export type Box = { lo: PrimExpr; hi: PrimExpr }[];

/**
 * A block region in loop variables (bindings substituted), relaxed over `relax`; undefined when
 * a dimension has no interval.
 */
export function relaxRegion(
  realize: BlockRealize,
  region: BufferRegion,
  relax: RelaxRanges,
  ana: Analyzer,
): Box | undefined {
  const bind = bindingsOf(realize);
  const out: Box = [];
  for (const r of region.region) {
    const first = substitute(r.min, bind);
    const last = substitute(sub(add(r.min, r.extent), int(1, r.min.dtype)), bind);
    const a = relaxExpr(first, relax, ana), b = relaxExpr(last, relax, ana);
    if (!a || !b) return undefined;
    // Only where the predicate holds (a guarded tail): `l₀·8 + l₁ < n` bounds `[0, n − 1]`.
    const guards = [realize.predicate];
    out.push({
      lo: tightenByGuards(first, a, guards, relax, ana).lo,
      hi: tightenByGuards(last, b, guards, relax, ana).hi,
    });
  }
  return out;
}

/** Every block realize under `s` with the statements from `s` (exclusive of the realize). */
export function blocksWithPaths(s: Stmt): { realize: BlockRealize; path: Stmt[] }[] {
  const out: { realize: BlockRealize; path: Stmt[] }[] = [];
  walkStmts(s, (t, path) => {
    if (t.kind === "BlockRealize") {
      out.push({ realize: t, path: [...path] });
      return false;
    }
  });
  return out;
}

/** Whether statement `s` contains `target` (by identity), itself included. */
export function contains(s: Stmt, target: Stmt): boolean {
  let found = false;
  walkStmts(s, (t) => {
    if (t === target) {
      found = true;
      return "stop";
    }
  });
  return found;
}
