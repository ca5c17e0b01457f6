/**
 * `cacheRead(block, readBufferIndex, scope, consumerBlocks?)` and `cacheWrite(block,
 * writeBufferIndex, scope)`: stage a buffer through a copy in another memory scope.
 *
 * ```text
 * cache_read(C, 0, "shared"):                  cache_write(C, 0, "local"):
 *   for ax0, ax1: block A_shared {               for i, j, k: block C { C_local[..] += … }
 *     A_shared[v0, v1] = A[v0, v1] }              for ax0, ax1: block C_local {
 *   for i, j, k: block C { … A_shared[…] … }       C[v0, v1] = C_local[v0, v1] }
 * ```
 *
 * The cache buffer (`<buffer>_<scope>`, the original's shape, allocated by the scope block) is
 * filled (or written back) by a new block of the same name over the region the blocks access —
 * their regions relaxed over every loop of the scope — placed at the scope's top level: for a
 * read, after the statement holding the buffer's last writer before the consumers (first, for an
 * input); for a write, right after the statement holding the block. `computeAt` /
 * `reverseComputeAt` then move the new block under a tile loop, and lowering allocates and
 * compacts the cache there (`plan-buffer-allocation`, `compact-buffer-allocation`).
 *
 * Legality: a buffer index within the block's reads/writes (`SCHEDULE_BAD_BUFFER_INDEX`); a
 * scope name (`SCHEDULE_BAD_SCOPE`); not the root block (`SCHEDULE_ROOT_BLOCK`) nor one in a
 * block's init (`SCHEDULE_IN_INIT`); consumers read and do not write the buffer (`SCHEDULE_CACHE_CONSUMER`); one writer for a cache write
 * (`SCHEDULE_MULTIPLE_WRITERS`); a place at the top level between writers and readers
 * (`SCHEDULE_NO_INSERT_POSITION`: for a write, no other reader in the statement holding the
 * block, e.g. one a `reverseComputeAt` moved there); a cached write whose block reads the buffer
 * must find its earlier values in the cache: it has an init and runs its whole reduction inside
 * the scope (`SCHEDULE_CACHE_STALE_READ`, e.g. the update of a decomposed reduction).
 *
 * @module
 */
import type { Analyzer } from "../../ir/arith/mod.ts";
import { bufferLoad, int, type PrimExpr, sub, type Var, variable } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { rewrite, visit } from "../../ir/node.ts";
import {
  type Block,
  block as makeBlock,
  type BlockRealize,
  type Buffer,
  bufferRegion,
  bufferStore,
  decl,
  type For,
  iterVar,
  range,
  seq,
  type Stmt,
  TRUE,
} from "../../ir/stmt.ts";
import { unionInterval } from "../../ir/transform/mod.ts";
import { analyzerFor } from "../analysis/bindings.ts";
import {
  blocksWithPaths,
  type Box,
  contains,
  enclosingInit,
  rangesOf,
  reads,
  relaxRegion,
  type Scope,
  scopeBlocks,
  scopeOf,
  writes,
} from "../analysis/dataflow.ts";
import { type BlockLocation, childBlocks, findBlock } from "../analysis/find.ts";
import { nestOver } from "../analysis/nest.ts";
import { loadsOf } from "../analysis/read_regions.ts";
import { accessRegions } from "../analysis/regions.ts";
import { uniqueBlockName, uniqueBufferName } from "../analysis/stages.ts";
import { replaceStmts, stmtsOf } from "../analysis/tree.ts";
import { scheduleError } from "../errors.ts";
import { type InstructionKind, literal, registerInstruction, scriptCall } from "../instruction.ts";
import type { BlockRV } from "../rv.ts";
import { Schedule } from "../schedule.ts";
import { asBlock } from "./inputs.ts";

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface CacheReadWriteMethods {
  /**
   * Read a buffer of a block through a cache in `scope`; returns the block that fills it.
   * Without `consumerBlocks`, every block of the scope that reads the buffer uses the cache.
   *
   * @example
   * ```ts ignore
   * const a = sch.cacheRead(sch.getBlock("C"), 1, "shared");
   * ```
   */
  cacheRead(
    block: BlockRV,
    readBufferIndex: number,
    scope: string,
    consumerBlocks?: readonly BlockRV[],
  ): BlockRV;
  /**
   * Write a buffer of a block into a cache in `scope`; returns the block that writes it back.
   *
   * @example
   * ```ts ignore
   * const back = sch.cacheWrite(sch.getBlock("C"), 0, "local");
   * ```
   */
  cacheWrite(block: BlockRV, writeBufferIndex: number, scope: string): BlockRV;
}

/** The union of regions of `buf` the blocks access, relaxed over the scope's loops (unclipped). */
function accessedBox(
  f: PrimFunc,
  scope: Scope,
  blocks: readonly BlockRealize[],
  buf: Buffer,
  which: "reads" | "writes",
  ana: Analyzer,
): Box {
  let box: Box | undefined;
  for (const r of blocks) {
    const loc = findBlock(f, r.block.name)!;
    const loops = loc.path.slice(scope.path.length).filter((s) => s.kind === "For");
    // A block holding blocks may declare more than it touches (blockize relaxes over whole
    // domains): take its inner blocks' regions, since a write-back copies all of it.
    const regions = childBlocks(r.block).length > 0
      ? accessRegions(r.block, ana)[which]
      : r.block[which];
    for (const region of regions.filter((x) => x.buffer === buf)) {
      const b = relaxRegion(loc.realize, region, rangesOf(loops as For[]), ana) ?? full(buf);
      box = box ? box.map((d, k) => unionInterval(d, b[k], ana)) : b;
    }
  }
  return box ?? full(buf);
}

function full(buf: Buffer): Box {
  return buf.shape.map((d) => ({ lo: int(0, d.dtype), hi: sub(d, int(1, d.dtype)) }));
}

/**
 * The copy `to[v] = from[v]` over `box`, as a loop nest around a new block `name` (one loop per
 * dimension; an end that may leave the buffer is guarded by the block's predicate).
 */
function copyNest(name: string, from: Buffer, to: Buffer, box: Box, ana: Analyzer): Stmt {
  const ivs = from.shape.map((d, k) => iterVar(variable(`v${k}`), range(0, d), "spatial"));
  const vs = ivs.map((iv) => iv.v);
  const blk = makeBlock({
    name,
    iterVars: ivs,
    reads: [bufferRegion(from, vs.map((v) => range(v, 1)))],
    writes: [bufferRegion(to, vs.map((v) => range(v, 1)))],
    body: bufferStore(to, bufferLoad(from, vs), vs),
  });
  return nestOver(blk, box, TRUE, true, ana);
}

/**
 * Replace `buf` by `to` in a block's accesses and regions, and in those of the blocks inside it
 * (a blockized block's inner blocks).
 */
function redirect(b: Block, buf: Buffer, to: Buffer, regions: "reads" | "both"): Block {
  const region = (r: Block["reads"][number]) => r.buffer === buf ? bufferRegion(to, r.region) : r;
  const retarget = (x: Block): Block => ({
    ...x,
    reads: x.reads.map(region),
    writes: regions === "both" ? x.writes.map(region) : x.writes,
  });
  const swap = (s: Stmt) =>
    rewrite(s, {
      post: (n) => {
        if (n.kind === "BufferLoad" && n.buffer === buf) return bufferLoad(to, n.indices);
        if (n.kind === "BufferStore" && n.buffer === buf) {
          return bufferStore(to, n.value, n.indices);
        }
        if (n.kind === "BlockRealize") return { ...n, block: retarget(n.block) };
        return n;
      },
    });
  return retarget({ ...b, body: swap(b.body), ...(b.init ? { init: swap(b.init) } : {}) });
}

/** `f` with `stage` inserted at `position` of the scope block's body and `cache` allocated. */
function insertStage(f: PrimFunc, scopeName: string, position: number, stage: Stmt, cache: Buffer) {
  const s = findBlock(f, scopeName)!;
  const body = [...stmtsOf(s.block.body)];
  body.splice(position, 0, stage);
  const blk: Block = {
    ...s.block,
    allocBuffers: [...s.block.allocBuffers, cache],
    body: seq(body),
  };
  return replaceStmts(f, new Map([[s.realize as Stmt, { ...s.realize, block: blk } as Stmt]]));
}

function common(
  f: PrimFunc,
  name: string,
  which: "reads" | "writes",
  index: number,
  scopeName: string,
) {
  const what = which === "reads" ? "cache a read" : "cache a write";
  const loc = findBlock(f, name);
  if (!loc) throw scheduleError(f, "SCHEDULE_UNKNOWN_RV", `Cannot find block "${name}"`);
  const fail = (code: string, why: string, hint?: string) =>
    scheduleError(f, code, `Cannot ${what} of block "${name}": ${why}`, { block: name, hint });
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(scopeName)) {
    throw fail("SCHEDULE_BAD_SCOPE", `"${scopeName}" is not a memory scope name`);
  }
  const scope = scopeOf(loc);
  if (!scope) throw fail("SCHEDULE_ROOT_BLOCK", "it is the root block");
  const init = enclosingInit(loc.path, loc.realize);
  if (init) throw fail("SCHEDULE_IN_INIT", `it is in the init of block "${init.name}"`);
  const region = loc.block[which][index];
  if (!Number.isInteger(index) || !region) {
    throw fail(
      "SCHEDULE_BAD_BUFFER_INDEX",
      `it ${which.slice(0, -1)}s ${loc.block[which].length} buffers, there is no ${
        which.slice(0, -1)
      } ${index}`,
    );
  }
  // the analyzer knows the scope's iteration variables: a stage inside a blockized block copies
  // that block's tile (`[vi_o*4, vi_o*4 + 3]`, ends that may leave the buffer guarded)
  const ana = analyzerFor(f, scope.path);
  return { loc, scope, fail, blocks: scopeBlocks(scope), ana, buf: region.buffer };
}

/**
 * Cache read (pure): the `index`-th buffer block `name` reads goes through a cache in
 * `scopeName` for `consumers` (all readers of the scope when undefined). Returns the function
 * and the name of the new block.
 */
export function cacheReadBlock(
  f: PrimFunc,
  name: string,
  index: number,
  scopeName: string,
  consumers?: readonly string[],
): { func: PrimFunc; block: string } {
  const { scope, fail, blocks, ana, buf } = common(f, name, "reads", index, scopeName);
  const users = consumers
    ? consumers.map((c) => blocks.find((r) => r.block.name === c) ?? c)
    : blocks.filter((r) => reads(r.block, buf));
  for (const u of users) {
    if (typeof u === "string" || !reads(u.block, buf) || writes(u.block, buf)) {
      const n = typeof u === "string" ? u : u.block.name;
      throw fail(
        "SCHEDULE_CACHE_CONSUMER",
        `block "${n}" is not a reader of buffer "${buf.name}" in the scope that leaves it unwritten`,
      );
    }
  }
  const list = users as BlockRealize[];
  const children = stmtsOf(scope.block.body);
  const at = (r: BlockRealize) => children.findIndex((c) => contains(c, r));
  const first = Math.min(...list.map(at));
  const last = Math.max(...list.map(at));
  const writers = blocks.filter((r) => writes(r.block, buf)).map(at);
  const position = Math.max(-1, ...writers.filter((w) => w < first)) + 1;
  if (writers.some((w) => w >= first && w <= last)) {
    throw fail(
      "SCHEDULE_NO_INSERT_POSITION",
      `buffer "${buf.name}" is written where its readers are, no place for the cache stage`,
    );
  }
  const cacheName = uniqueBlockName(f, `${buf.name}_${scopeName.replaceAll(".", "_")}`);
  const cache = decl(uniqueBufferName(f, cacheName), buf.shape, buf.dtype, { scope: scopeName });
  const box = accessedBox(f, scope, list, buf, "reads", ana);
  const stage = copyNest(cacheName, buf, cache, box, ana);
  let g = replaceStmts(
    f,
    new Map<Stmt, Stmt>(
      list.map((r) => [r, { ...r, block: redirect(r.block, buf, cache, "reads") }]),
    ),
  );
  g = insertStage(g, scope.block.name, position, stage, cache);
  return { func: g, block: cacheName };
}

/**
 * Cache write (pure): block `name` writes its `index`-th written buffer into a cache in
 * `scopeName`, copied back right after. Returns the function and the write-back block's name.
 */
export function cacheWriteBlock(
  f: PrimFunc,
  name: string,
  index: number,
  scopeName: string,
): { func: PrimFunc; block: string } {
  const { loc, scope, fail, blocks, ana, buf } = common(f, name, "writes", index, scopeName);
  const other = blocks.find((r) => r.block !== loc.block && writes(r.block, buf));
  if (other) {
    throw fail(
      "SCHEDULE_MULTIPLE_WRITERS",
      `block "${other.block.name}" also writes buffer "${buf.name}"`,
    );
  }
  const stale = staleRead(loc, scope, buf);
  if (stale) {
    throw fail(
      "SCHEDULE_CACHE_STALE_READ",
      `it reads buffer "${buf.name}" before writing it ${stale}, and the fresh cache would not hold those values`,
      "cache the write where the whole reduction runs inside the scope (before decomposeReduction or blockize)",
    );
  }
  const children = stmtsOf(scope.block.body);
  const position = children.findIndex((c) => contains(c, loc.realize)) + 1;
  // A reader moved into the writer's statement (compute-at) would run before the write-back.
  const inside = blocks.find((r) =>
    r.block !== loc.block && reads(r.block, buf) && contains(children[position - 1], r)
  );
  if (inside) {
    throw fail(
      "SCHEDULE_NO_INSERT_POSITION",
      `block "${inside.block.name}" reads buffer "${buf.name}" in the same statement of the scope, before any place for the write-back`,
    );
  }
  const cacheName = uniqueBlockName(f, `${buf.name}_${scopeName.replaceAll(".", "_")}`);
  const cache = decl(uniqueBufferName(f, cacheName), buf.shape, buf.dtype, { scope: scopeName });
  const box = accessedBox(f, scope, [loc.realize], buf, "writes", ana);
  const stage = copyNest(cacheName, cache, buf, box, ana);
  let g = replaceStmts(
    f,
    new Map<Stmt, Stmt>([[loc.realize, {
      ...loc.realize,
      block: redirect(loc.block, buf, cache, "both"),
    }]]),
  );
  g = insertStage(g, scope.block.name, position, stage, cache);
  return { func: g, block: cacheName };
}

/**
 * Why the block would read values of `buf` that a cache allocated in the scope does not hold
 * (undefined when it would not): a block that reads the buffer it writes finds its earlier
 * values only through an init run in the same scope instance — its own, with each reduction
 * variable bound by loops inside the scope (else earlier instances of the scope did part of the
 * reduction into the original buffer), or, for a block holding blocks (blockize's outer block),
 * those of the blocks inside that read the buffer.
 */
function staleRead(loc: BlockLocation, scope: Scope, buf: Buffer): string | undefined {
  const inner = new Set(
    loc.path.slice(scope.path.length).flatMap((s) => s.kind === "For" ? [s.loopVar] : []),
  );
  return staleIn(loc.realize, inner, buf);
}

function staleIn(realize: BlockRealize, inner: ReadonlySet<Var>, buf: Buffer): string | undefined {
  const b = realize.block;
  if (!reads(b, buf)) return undefined;
  if (!b.init) {
    const nested = blocksWithPaths(b.body);
    if (nested.length === 0 || loadsOf([b.body]).has(buf)) {
      return `with no init (its values come from another block)`;
    }
    for (const { realize: r, path } of nested) {
      // inside: the scope's loops, the block's iteration variables and the loops down to `r`
      const vars = new Set([...inner, ...b.iterVars.map((iv) => iv.v)]);
      for (const s of path) if (s.kind === "For") vars.add(s.loopVar);
      const why = staleIn(r, vars, buf);
      if (why) return why;
    }
    return undefined;
  }
  const k = b.iterVars.findIndex((iv, k) =>
    iv.iterKind !== "spatial" && freeVars(realize.iterValues[k]).some((v) => !inner.has(v))
  );
  return k < 0
    ? undefined
    : `and its reduction variable "${b.iterVars[k].v.name}" runs over loops outside the scope`;
}

function freeVars(e: PrimExpr): Var[] {
  const out: Var[] = [];
  visit(e, (n) => {
    if (n.kind === "Var") out.push(n);
  });
  return out;
}

interface ReadAttrs {
  index: number;
  scope: string;
}

/** `sch.cacheRead(block, readBufferIndex, scope, consumerBlocks?)`. */
export const CACHE_READ: InstructionKind<ReadAttrs> = registerInstruction<ReadAttrs>({
  name: "CacheRead",
  apply(sch, inputs, attrs) {
    const block = sch.blockOf(asBlock(sch, inputs[0])).block.name;
    const consumers = inputs[1] === null || inputs[1] === undefined
      ? undefined
      : (inputs[1] as readonly unknown[]).map((x) =>
        sch.blockOf(asBlock(sch, x as never)).block.name
      );
    const { func, block: out } = cacheReadBlock(
      sch.func,
      block,
      attrs.index,
      attrs.scope,
      consumers,
    );
    sch.setFunc(func);
    return [sch.newBlockRV(out)];
  },
  toScript: (p) =>
    scriptCall(
      "cacheRead",
      [p.inputs[0], literal(p.attrs.index), literal(p.attrs.scope)].concat(
        p.inputs[1] === "undefined" ? [] : [p.inputs[1]],
      ),
      p.outputs,
      true,
    ),
});

/** `sch.cacheWrite(block, writeBufferIndex, scope)`. */
export const CACHE_WRITE: InstructionKind<ReadAttrs> = registerInstruction<ReadAttrs>({
  name: "CacheWrite",
  apply(sch, inputs, attrs) {
    const block = sch.blockOf(asBlock(sch, inputs[0])).block.name;
    const { func, block: out } = cacheWriteBlock(sch.func, block, attrs.index, attrs.scope);
    sch.setFunc(func);
    return [sch.newBlockRV(out)];
  },
  toScript: (p) =>
    scriptCall(
      "cacheWrite",
      [p.inputs[0], literal(p.attrs.index), literal(p.attrs.scope)],
      p.outputs,
      true,
    ),
});

Schedule.prototype.cacheRead = function (
  this: Schedule,
  block: BlockRV,
  readBufferIndex: number,
  scope: string,
  consumerBlocks?: readonly BlockRV[],
): BlockRV {
  return this.apply(CACHE_READ, [block, consumerBlocks ? [...consumerBlocks] : null], {
    index: readBufferIndex,
    scope,
  })[0] as BlockRV;
};

Schedule.prototype.cacheWrite = function (
  this: Schedule,
  block: BlockRV,
  writeBufferIndex: number,
  scope: string,
): BlockRV {
  return this.apply(CACHE_WRITE, [block], { index: writeBufferIndex, scope })[0] as BlockRV;
};
