/**
 * `computeInline(block)` and `reverseComputeInline(block)`: fold a block into its consumers (its
 * producer), removing the intermediate buffer.
 *
 * ```text
 * compute_inline(B):                                reverse_compute_inline(C):
 *   B[vi] = A[vi] * 2;  C[vi] = B[vi] + 1             B[vi] = A[vi] * 2;  C[vi] = B[vi] + 1
 *     →  C[vi] = A[vi] * 2 + 1                          →  block B: C[vi] = A[vi] * 2 + 1
 * ```
 *
 * compute_inline replaces every load `B[e…]` by the block's value with its iteration variables
 * bound to `e…`; reverse_compute_inline makes the single producer store the consumer's value
 * (the consumer's loads of the buffer replaced by the producer's value, its iteration variables
 * by the producer's indices). Read regions of the rewritten blocks are recomputed.
 *
 * Legality (TVM's): not the root block (`SCHEDULE_ROOT_BLOCK`) nor one in a block's init
 * (`SCHEDULE_IN_INIT`); the block (and, for the reverse,
 * its producer) is complete (`SCHEDULE_NOT_COMPLETE`); its body is one store indexed by distinct
 * iteration variables, all of them (`SCHEDULE_INLINE_BODY`; for the reverse: the consumer loads
 * the buffer only at its iteration variables); the intermediate buffer is no function parameter
 * and is allocated by the scope block, so all its readers are in the scope
 * (`SCHEDULE_OUTPUT_BLOCK`); for the reverse, exactly one producer block
 * (`SCHEDULE_PRODUCER_COUNT`), no other reader of the buffer (`SCHEDULE_OTHER_CONSUMERS`), the
 * producer before it and no block in between touching what it writes or writing what it reads
 * (`SCHEDULE_DEPENDENCY_ORDER`: its store moves up to the producer's place), and
 * the consumer's domain is the buffer's whole shape (`SCHEDULE_REGION_NOT_COVERED`).
 *
 * @module
 */
import { type PrimExpr, type Var } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { rewrite, visit } from "../../ir/node.ts";
import {
  type Block,
  type BlockRealize,
  type Buffer,
  bufferRegion,
  bufferStore,
  range,
  type Stmt,
} from "../../ir/stmt.ts";
import { substitute } from "../../ir/transform/mod.ts";
import { analyzerFor } from "../analysis/bindings.ts";
import {
  completeProblem,
  enclosingInit,
  reads,
  scopeBlocks,
  scopeOf,
  scopeOutputProblem,
  writes,
} from "../analysis/dataflow.ts";
import { childBlocks, findBlock } from "../analysis/find.ts";
import { refreshReads } from "../analysis/read_regions.ts";
import { removalRoot, replaceStmts } from "../analysis/tree.ts";
import { scheduleError } from "../errors.ts";
import { type InstructionKind, registerInstruction, scriptCall } from "../instruction.ts";
import type { BlockRV } from "../rv.ts";
import { Schedule } from "../schedule.ts";
import { asBlock } from "./inputs.ts";

/** The `Schedule` methods of this module (merged into `Schedule` in `schedule.ts`). */
export interface ComputeInlineMethods {
  /**
   * Inline a complete block into its consumers and drop its buffer.
   *
   * @example
   * ```ts ignore
   * sch.computeInline(sch.getBlock("T_conv2d_nchw_pad"));
   * ```
   */
  computeInline(block: BlockRV): void;
  /**
   * Inline a complete consumer into its single producer, which then writes the consumer's
   * output.
   *
   * @example
   * ```ts ignore
   * sch.reverseComputeInline(sch.getBlock("T_relu"));
   * ```
   */
  reverseComputeInline(block: BlockRV): void;
}

/** The block's single store, if its indices are distinct iteration variables covering all. */
function simpleStore(b: Block): Extract<Stmt, { kind: "BufferStore" }> | undefined {
  const s = b.body;
  if (s.kind !== "BufferStore") return undefined;
  const ivs = new Set(b.iterVars.map((iv) => iv.v));
  const seen = new Set<Var>();
  for (const i of s.indices) {
    if (i.kind !== "Var" || !ivs.has(i) || seen.has(i)) return undefined;
    seen.add(i);
  }
  return seen.size === ivs.size ? s : undefined;
}

function dropAlloc(f: PrimFunc, buf: Buffer): PrimFunc {
  const body = rewrite(f.body, {
    post: (n) =>
      n.kind === "Block" && n.allocBuffers.includes(buf)
        ? { ...n, allocBuffers: n.allocBuffers.filter((b) => b !== buf) }
        : n,
  });
  return body === f.body ? f : { ...f, body };
}

function setup(f: PrimFunc, name: string, what: string) {
  const loc = findBlock(f, name);
  if (!loc) throw scheduleError(f, "SCHEDULE_UNKNOWN_RV", `Cannot find block "${name}"`);
  const fail = (code: string, why: string, hint?: string) =>
    scheduleError(f, code, `Cannot ${what} block "${name}": ${why}`, { block: name, hint });
  const scope = scopeOf(loc);
  if (!scope) throw fail("SCHEDULE_ROOT_BLOCK", "it is the root block");
  const init = enclosingInit(loc.path, loc.realize);
  if (init) throw fail("SCHEDULE_IN_INIT", `it is in the init of block "${init.name}"`);
  const blocks = scopeBlocks(scope);
  const problem = completeProblem(blocks, loc.block);
  if (problem) throw fail("SCHEDULE_NOT_COMPLETE", `it is not a complete block: ${problem}`);
  return { loc, fail, blocks, scope };
}

/** Inline block `name` of `f` into its consumers (pure). */
export function computeInlineBlock(f: PrimFunc, name: string): PrimFunc {
  const { loc, fail, scope } = setup(f, name, "inline");
  const store = simpleStore(loc.block);
  if (!store) {
    throw fail(
      "SCHEDULE_INLINE_BODY",
      "its body is not a single store indexed by each iteration variable once",
    );
  }
  const buf = store.buffer;
  const output = scopeOutputProblem(f, scope, buf);
  if (output) throw fail("SCHEDULE_OUTPUT_BLOCK", output);
  const vars = store.indices as Var[];
  const readBufs = new Set(loc.block.reads.map((r) => r.buffer));
  readBufs.add(buf);
  const ana = analyzerFor(f);
  const inlineLoads = (s: Stmt) =>
    rewrite(s, {
      pre: (n) => (n.kind === "BlockRealize" ? n : undefined), // nested blocks: their own turn
      post: (n) => {
        if (n.kind !== "BufferLoad" || n.buffer !== buf) return n;
        return substitute(store.value, new Map(vars.map((v, d) => [v, n.indices[d]])));
      },
    });
  // bottom-up: nested blocks are rewritten before the blocks around them, whose regions then
  // follow theirs (a blockized block around a consumer reads what the consumer now reads)
  const rewritten = new Set<Stmt>();
  const body = rewrite(f.body, {
    post: (n) => {
      if (n.kind !== "BlockRealize" || n === loc.realize) return n;
      const b = n.block;
      const nbody = inlineLoads(b.body), init = b.init && inlineLoads(b.init);
      // (only blocks declaring the buffer: the root block declares nothing)
      const inner = reads(b, buf) && childBlocks(b).some((r) => rewritten.has(r));
      if (nbody === b.body && init === b.init && !inner) return n;
      const nb: Block = { ...b, body: nbody, ...(init ? { init } : {}) };
      const out = { ...n, block: { ...nb, reads: refreshReads(nb, readBufs, ana) } };
      rewritten.add(out);
      return out;
    },
  });
  const g = replaceStmts({ ...f, body }, new Map([[removalRoot(loc), null]]));
  return dropAlloc(g, buf);
}

/** Inline block `name` of `f` (a consumer) into its single producer (pure). */
export function reverseComputeInlineBlock(f: PrimFunc, name: string): PrimFunc {
  const { loc, fail, blocks, scope } = setup(f, name, "reverse-inline");
  const consumer = loc.block;
  const producers = blocks.filter((r) =>
    r.block !== consumer && r.block.writes.some((w) => reads(consumer, w.buffer))
  );
  if (producers.length !== 1) {
    throw fail(
      "SCHEDULE_PRODUCER_COUNT",
      `it has ${producers.length} producer blocks, need exactly one`,
    );
  }
  const producer = producers[0];
  const pProblem = completeProblem(blocks, producer.block);
  if (pProblem) {
    throw fail(
      "SCHEDULE_NOT_COMPLETE",
      `its producer "${producer.block.name}" is not a complete block: ${pProblem}`,
    );
  }
  const pStore = simpleStore(producer.block);
  const cStore = consumer.body.kind === "BufferStore" ? consumer.body : undefined;
  if (!pStore || !cStore) {
    throw fail(
      "SCHEDULE_INLINE_BODY",
      `the body of "${(pStore ? consumer : producer.block).name}" is not a single store${
        pStore ? "" : " indexed by each iteration variable once"
      }`,
    );
  }
  const buf = pStore.buffer;
  const output = scopeOutputProblem(f, scope, buf);
  if (output) throw fail("SCHEDULE_OUTPUT_BLOCK", `its producer: ${output}`);
  const other = blocks.find((r) =>
    r.block !== consumer && r.block !== producer.block &&
    reads(r.block, buf)
  );
  if (other) {
    throw fail("SCHEDULE_OTHER_CONSUMERS", `block "${other.block.name}" also reads "${buf.name}"`);
  }
  // The consumer's store moves up to the producer: no block in between may depend on it.
  const order = dependencyProblem(blocks, producer, loc.realize, buf);
  if (order) throw fail("SCHEDULE_DEPENDENCY_ORDER", order);
  // every load of buf in the consumer at the same distinct iteration variables, all spatial
  const loads: PrimExpr[][] = [];
  visit(cStore.value, (n) => {
    if (n.kind === "BufferLoad" && n.buffer === buf) loads.push([...n.indices]);
  });
  const idx = loads[0];
  const ivs = new Map(consumer.iterVars.map((iv) => [iv.v, iv]));
  const ok = idx !== undefined && new Set(idx).size === idx.length &&
    idx.every((e) => e.kind === "Var" && ivs.has(e)) && ivs.size === idx.length &&
    loads.every((l) => l.every((e, d) => e === idx[d])) &&
    !cStore.indices.some((e) => usesBuf(e, buf));
  if (!ok) {
    throw fail(
      "SCHEDULE_INLINE_BODY",
      `it does not load "${buf.name}" at its iteration variables, each once`,
    );
  }
  const ana = analyzerFor(f);
  for (let d = 0; d < idx.length; d++) {
    const iv = ivs.get(idx[d] as Var)!;
    if (!ana.canProveEqual(iv.dom.min, 0) || !ana.canProveEqual(iv.dom.extent, buf.shape[d])) {
      throw fail(
        "SCHEDULE_REGION_NOT_COVERED",
        `its variable "${iv.v.name}" does not range over all of "${buf.name}"'s dimension ${d}`,
      );
    }
  }
  // consumer variable idx[d] ↦ producer store index d
  const sub = new Map(idx.map((v, d) => [v as Var, pStore.indices[d]]));
  const value = substitute(
    rewrite(cStore.value, {
      post: (n) => (n.kind === "BufferLoad" && n.buffer === buf ? pStore.value : n),
    }),
    sub,
  );
  const out = bufferStore(cStore.buffer, value, cStore.indices.map((e) => substitute(e, sub)));
  const region = (r: Block["reads"][number]) =>
    bufferRegion(r.buffer, r.region.map((x) => range(substitute(x.min, sub), x.extent)));
  const nb: Block = {
    ...producer.block,
    body: out,
    writes: consumer.writes.map(region),
    reads: [
      ...producer.block.reads,
      ...consumer.reads.filter((r) => r.buffer !== buf).map(region),
    ],
  };
  const changed = new Set(nb.reads.map((r) => r.buffer));
  const np = { ...producer, block: { ...nb, reads: refreshReads(nb, changed, ana) } };
  const g = replaceStmts(f, new Map<Stmt, Stmt | null>([[producer, np], [removalRoot(loc), null]]));
  return dropAlloc(g, buf);
}

/**
 * Why the consumer's computation cannot run where its producer does (undefined when it can):
 * the producer runs after it, or a block between them writes a buffer the consumer reads, or
 * reads or writes one it writes (its values would change under that block).
 */
function dependencyProblem(
  blocks: readonly BlockRealize[],
  producer: BlockRealize,
  consumer: BlockRealize,
  buf: Buffer,
): string | undefined {
  const p = blocks.indexOf(producer), c = blocks.indexOf(consumer);
  if (p > c) return `its producer "${producer.block.name}" runs after it`;
  const cb = consumer.block;
  for (const r of blocks.slice(p + 1, c)) {
    const w = cb.writes.find((x) => reads(r.block, x.buffer) || writes(r.block, x.buffer));
    const rd = cb.reads.find((x) => x.buffer !== buf && writes(r.block, x.buffer));
    if (w || rd) {
      return `block "${r.block.name}" between its producer and it ${
        w
          ? `accesses "${w.buffer.name}", which it writes`
          : `writes "${rd!.buffer.name}", which it reads`
      }`;
    }
  }
  return undefined;
}

function usesBuf(e: PrimExpr, buf: Buffer): boolean {
  let found = false;
  visit(e, (n) => {
    if (n.kind === "BufferLoad" && n.buffer === buf) found = true;
  });
  return found;
}

function instruction(name: string, method: string, fn: (f: PrimFunc, b: string) => PrimFunc) {
  return registerInstruction<Record<string, never>>({
    name,
    apply(sch, inputs) {
      sch.setFunc(fn(sch.func, sch.blockOf(asBlock(sch, inputs[0])).block.name));
      return [];
    },
    toScript: (p) => scriptCall(method, p.inputs, []),
  });
}

/** `sch.computeInline(block)`. */
export const COMPUTE_INLINE: InstructionKind<Record<string, never>> = instruction(
  "ComputeInline",
  "computeInline",
  computeInlineBlock,
);
/** `sch.reverseComputeInline(block)`. */
export const REVERSE_COMPUTE_INLINE: InstructionKind<Record<string, never>> = instruction(
  "ReverseComputeInline",
  "reverseComputeInline",
  reverseComputeInlineBlock,
);

Schedule.prototype.computeInline = function (this: Schedule, block: BlockRV): void {
  this.apply(COMPUTE_INLINE, [block], {});
};
Schedule.prototype.reverseComputeInline = function (this: Schedule, block: BlockRV): void {
  this.apply(REVERSE_COMPUTE_INLINE, [block], {});
};
