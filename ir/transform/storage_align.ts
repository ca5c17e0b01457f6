/**
 * `storage-align`: honour the `buffer_dim_align` annotations that the `storageAlign` schedule
 * primitive puts on blocks. Each entry `index:axis:factor:offset` asks that the buffer the block
 * writes at `index` (an allocated one) get a stride on `axis` with `stride % factor == offset`
 * (padding rows so that, e.g., consecutive rows do not map to one cache set or bank).
 *
 * Strides are built from the innermost dimension out, as TVM does (`s` the running stride):
 *
 *   s₋ = 1;  strideₖ = align(s, k);  s = strideₖ · shapeₖ  (k = rank−1 … 0)
 *   align(s, k) = s + (factor + offset − s %% factor) %% factor   (aligned axes; else s)
 *
 * The buffer keeps its shape and gets these strides; `flatten-buffers` then indexes with them
 * and allocates the span they reach. Runs on functions with blocks (before
 * `convert-blocks-to-loops`); functions without the annotation are returned unchanged.
 *
 * @module
 */
import { add, floormod, int, mul, type PrimExpr, sub } from "../expr.ts";
import type { PrimFunc } from "../func.ts";
import { type Node, rewrite, visit } from "../node.ts";
import type { Block, Buffer } from "../stmt.ts";
import { type Pass, withBody } from "./pass.ts";

/** The block annotation key. */
export const STORAGE_ALIGN_KEY = "buffer_dim_align";

/** One alignment request. */
export interface StorageAlignEntry {
  /** Index of the block's write region. */
  readonly bufferIndex: number;
  /** The dimension whose stride is aligned. */
  readonly axis: number;
  /** The stride is `offset` modulo `factor`. */
  readonly factor: number;
  /** See `factor`. */
  readonly offset: number;
}

/**
 * The entries of an annotation value (`"0:1:32:8;1:0:4:0"`).
 *
 * @example
 * ```ts
 * import { formatStorageAlign, parseStorageAlign } from "./storage_align.ts";
 * const e = parseStorageAlign("0:1:32:8");
 * console.assert(e[0].factor === 32 && formatStorageAlign(e) === "0:1:32:8");
 * ```
 */
export function parseStorageAlign(value: string): StorageAlignEntry[] {
  return value.split(";").filter((s) => s !== "").map((s) => {
    const [bufferIndex, axis, factor, offset] = s.split(":").map(Number);
    return { bufferIndex, axis, factor, offset };
  });
}

/** The annotation value of entries (inverse of `parseStorageAlign`). */
export function formatStorageAlign(entries: readonly StorageAlignEntry[]): string {
  return entries.map((e) => `${e.bufferIndex}:${e.axis}:${e.factor}:${e.offset}`).join(";");
}

/**
 * Strides of `shape` with the given axes aligned (`align` maps axis → [factor, offset]).
 *
 * @example
 * ```ts
 * import { alignedStrides } from "./storage_align.ts";
 * import { int } from "../expr.ts";
 * const s = alignedStrides([int(4), int(30)], new Map([[0, [32, 0]]]));
 * console.assert(s[0].kind === "IntImm" && s[0].value === 32);
 * ```
 */
export function alignedStrides(
  shape: readonly PrimExpr[],
  align: ReadonlyMap<number, readonly [number, number]>,
): PrimExpr[] {
  const dt = shape[0]?.dtype ?? "int32";
  const out: PrimExpr[] = [];
  let s: PrimExpr = int(1, dt);
  for (let k = shape.length - 1; k >= 0; k--) {
    const a = align.get(k);
    if (a) {
      const [factor, offset] = a;
      s = add(s, floormod(sub(int(factor + offset, dt), floormod(s, factor)), factor));
    }
    out[k] = s;
    s = mul(s, shape[k]);
  }
  return out;
}

function requests(f: PrimFunc): Map<Buffer, Map<number, readonly [number, number]>> {
  const out = new Map<Buffer, Map<number, readonly [number, number]>>();
  visit(f.body, (n) => {
    if (n.kind !== "Block") return;
    const v = n.annotations[STORAGE_ALIGN_KEY];
    if (typeof v !== "string") return;
    for (const e of parseStorageAlign(v)) {
      const b = (n as Block).writes[e.bufferIndex]?.buffer;
      if (!b) continue;
      const m = out.get(b) ?? new Map();
      m.set(e.axis, [e.factor, e.offset]);
      out.set(b, m);
    }
  });
  return out;
}

function alignFunc(f: PrimFunc): PrimFunc {
  const req = requests(f);
  if (req.size === 0) return f;
  const allocated = new Set<Buffer>();
  visit(f.body, (n) => {
    if (n.kind === "Block") { for (const b of n.allocBuffers) allocated.add(b); }
  });
  const replace = new Map<Buffer, Buffer>();
  for (const [b, align] of req) {
    if (!allocated.has(b) || b.strides.length > 0) continue;
    replace.set(b, { ...b, strides: alignedStrides(b.shape, align) });
  }
  if (replace.size === 0) return f;
  const body = rewrite(f.body, {
    post: (n: Node) => (n.kind === "Buffer" ? replace.get(n) ?? n : n),
  });
  return withBody(f, body);
}

/**
 * The pass.
 *
 * @example
 * ```ts
 * import { storageAlign } from "./storage_align.ts";
 * import { parseFunc } from "../script/mod.ts";
 * const f = parseFunc(`func f(A: buffer<float32>[4, 30], C: buffer<float32>[4, 30]) {
 *   block root() {
 *     alloc B: buffer<float32>[4, 30]
 *     for i in 0..4 {
 *       for j in 0..30 {
 *         block B(vi: spatial(0..4) = i, vj: spatial(0..30) = j) @{ buffer_dim_align: "0:0:32:0" } {
 *           reads(A[vi, vj])
 *           writes(B[vi, vj])
 *           B[vi, vj] = A[vi, vj]
 *         }
 *       }
 *     }
 *     for i in 0..4 {
 *       for j in 0..30 {
 *         block C(vi: spatial(0..4) = i, vj: spatial(0..30) = j) {
 *           reads(B[vi, vj])
 *           writes(C[vi, vj])
 *           C[vi, vj] = B[vi, vj]
 *         }
 *       }
 *     }
 *   }
 * }`);
 * const g = storageAlign.run(f, { options: {} });
 * console.assert(g !== f);
 * ```
 */
export const storageAlign: Pass = {
  name: "storage-align",
  summary: "give allocated buffers the strides their blocks' buffer_dim_align annotations ask",
  run: (f) => alignFunc(f),
};
