/**
 * Buffers in a scheduled function: naming one from a block (`["read", 0]`, `["write", 0]` or its
 * name), telling parameters from intermediate (allocated) buffers, and replacing a buffer
 * everywhere — parameters, allocations, loads, stores and regions — with its accesses remapped.
 * Also an analyzer that knows the range of every loop and block variable of a function.
 *
 * @module
 */
import type { Analyzer } from "../../ir/arith/mod.ts";
import type { PrimExpr } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { type Node, rewrite } from "../../ir/node.ts";
import type { Block, Buffer, BufferRegion, Range } from "../../ir/stmt.ts";
import { scheduleError } from "../errors.ts";
import { analyzerFor } from "./bindings.ts";
import { walkStmts } from "./find.ts";

/** A buffer of a block: `["read", k]` / `["write", k]` (its k-th read or write region), or a name. */
export type BufferRef = string | readonly ["read" | "write", number];

/**
 * The buffer `ref` names among the reads and writes of `block`: `SCHEDULE_BAD_BUFFER_INDEX` for
 * an index out of range, `SCHEDULE_NO_BUFFER` for a name the block does not access.
 */
export function resolveBuffer(f: PrimFunc, block: Block, ref: BufferRef): Buffer {
  const fail = (what: string, code = "SCHEDULE_NO_BUFFER") =>
    scheduleError(f, code, `Cannot find ${what} of block "${block.name}"`, {
      block: block.name,
      hint: `it reads ${names(block.reads)} and writes ${names(block.writes)}`,
    });
  if (typeof ref === "string") {
    const found = [...block.writes, ...block.reads].find((r) => r.buffer.name === ref);
    if (!found) throw fail(`buffer "${ref}" among the reads and writes`);
    return found.buffer;
  }
  const [kind, k] = ref;
  const list = kind === "read" ? block.reads : block.writes;
  if (!Number.isInteger(k) || k < 0 || k >= list.length) {
    throw fail(`${kind} buffer ${k} (it has ${list.length})`, "SCHEDULE_BAD_BUFFER_INDEX");
  }
  return list[k].buffer;
}

function names(regions: readonly BufferRegion[]): string {
  return regions.length === 0 ? "nothing" : regions.map((r) => r.buffer.name).join(", ");
}

/** Whether `b` is a parameter of `f`. */
export function isParamBuffer(f: PrimFunc, b: Buffer): boolean {
  return f.params.includes(b);
}

/** The block that allocates `b` (in its `allocBuffers`), or undefined. */
export function allocatingBlock(f: PrimFunc, b: Buffer): Block | undefined {
  let found: Block | undefined;
  walkStmts(f.body, (s) => {
    if (s.kind === "Block" && s.allocBuffers.includes(b)) {
      found = s;
      return "stop";
    }
  });
  return found;
}

/**
 * Throw `SCHEDULE_PARAM_BUFFER` unless `b` is an intermediate buffer (allocated by a block of
 * `f`); `action` is the failed action (`set the scope of`).
 */
export function requireIntermediate(f: PrimFunc, block: Block, b: Buffer, action: string): void {
  if (isParamBuffer(f, b)) {
    throw scheduleError(
      f,
      "SCHEDULE_PARAM_BUFFER",
      `Cannot ${action} buffer "${b.name}": it is a parameter of function "${f.name}", and changing it would change the function's signature`,
      {
        block: block.name,
        hint: "apply it to an intermediate buffer (cache_read/cache_write one)",
      },
    );
  }
  if (!allocatingBlock(f, b)) {
    throw scheduleError(
      f,
      "SCHEDULE_NO_BUFFER",
      `Cannot ${action} buffer "${b.name}": no block of function "${f.name}" allocates it`,
      { block: block.name },
    );
  }
}

/** How `replaceBuffer` maps the accesses of the replaced buffer. */
export interface BufferRemap {
  /** The buffer that takes the old one's place. */
  readonly buffer: Buffer;
  /** New indices of a load or store (default: the same). */
  readonly indices?: (indices: readonly PrimExpr[]) => readonly PrimExpr[];
  /** New ranges of a read or write region (default: the same). */
  readonly region?: (region: readonly Range[]) => readonly Range[];
}

/**
 * `f` with buffer `old` replaced by `remap.buffer` everywhere: parameters, block allocations,
 * loads, stores and regions (accesses remapped through `remap`).
 *
 * @example
 * ```ts
 * import { replaceBuffer } from "./buffers.ts";
 * import { parseFunc } from "../../ir/script/mod.ts";
 * const f = parseFunc(`func f(A: buffer<float32>[4]) {
 *   block root() {
 *     for i in 0..4 {
 *       block B(vi: spatial(0..4) = i) {
 *         reads()
 *         writes(A[vi])
 *         A[vi] = 0.0
 *       }
 *     }
 *   }
 * }`);
 * const A = f.params[0] as import("../../ir/stmt.ts").Buffer;
 * const g = replaceBuffer(f, A, { buffer: { ...A, scope: "local" } });
 * console.assert((g.params[0] as typeof A).scope === "local");
 * ```
 */
export function replaceBuffer(f: PrimFunc, old: Buffer, remap: BufferRemap): PrimFunc {
  const nb = remap.buffer;
  const post = (n: Node): Node => {
    switch (n.kind) {
      case "Buffer":
        return n === old ? nb : n;
      case "BufferLoad":
      case "BufferStore":
        if (n.buffer !== nb || !remap.indices) return n;
        return { ...n, indices: remap.indices(n.indices) };
      case "BufferRegion":
        if (n.buffer !== nb || !remap.region) return n;
        return { ...n, region: remap.region(n.region) };
    }
    return n;
  };
  const body = rewrite(f.body, { post });
  const params = f.params.map((p) => (p === old ? nb : p));
  return { ...f, params, body };
}

/**
 * An analyzer knowing the function's sizes are non-negative and the range of every loop
 * variable and block iteration variable of `f` (each variable has one definition, so binding all
 * of them at once is sound).
 */
export function analyzerForAll(f: PrimFunc): Analyzer {
  const ana: Analyzer = analyzerFor(f);
  walkStmts(f.body, (s) => {
    if (s.kind === "For") ana.bind(s.loopVar, { min: s.min, extent: s.extent });
    if (s.kind === "Block") { for (const iv of s.iterVars) ana.bind(iv.v, iv.dom); }
  });
  return ana;
}

/**
 * `s` with the indices of its loads and stores and the ranges of its regions simplified by
 * `ana` (values are left alone).
 */
export function simplifyAccesses<T extends Node>(s: T, ana: Analyzer): T {
  const simp = (e: PrimExpr) => ana.simplify(e);
  return rewrite(s, {
    post: (n: Node): Node => {
      switch (n.kind) {
        case "BufferLoad":
        case "BufferStore": {
          const indices = n.indices.map(simp);
          return indices.every((e, k) => e === n.indices[k]) ? n : { ...n, indices };
        }
        case "Range": {
          const min = simp(n.min), extent = simp(n.extent);
          return min === n.min && extent === n.extent ? n : { ...n, min, extent };
        }
      }
      return n;
    },
  });
}
