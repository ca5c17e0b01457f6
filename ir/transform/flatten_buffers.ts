/**
 * `flatten-buffers`: every buffer (parameters and allocations) becomes 1-D and every access takes
 * one index, the element offset:
 *
 *   B[i₀, …, iₙ₋₁]  →  B'[elemOffset + Σ iₖ·strideₖ]     (empty strides: compact row-major)
 *
 * The flat buffer keeps name, dtype, scope and alignment; its one dimension is `∏ shape` for a
 * compact buffer at offset 0, else the span its layout reaches, `elemOffset + Σ (shapeₖ−1)·strideₖ
 * + 1` (the same value for compact layouts). Parameters are rewritten per the lowered-form
 * contract (`notes/lowered_form.md`): flat buffers in place, then a scalar parameter for each
 * size variable of the original (`sizeVars`) that was not one already, then one for each other
 * variable of the original buffers' strides and offsets. A 1-D compact buffer at offset 0 is kept.
 *
 * @module
 */
import { lanesOf } from "../dtype.ts";
import {
  add,
  broadcast,
  bufferLoad,
  cast,
  int,
  mul,
  type PrimExpr,
  sub,
  type Var,
} from "../expr.ts";
import { type PrimFunc, sizeVars } from "../func.ts";
import { isExpr, mapChildren, type Node, visit } from "../node.ts";
import { allocate, type Buffer, bufferStore, decl, type Stmt } from "../stmt.ts";
import { LowerError } from "./errors.ts";
import type { Pass } from "./pass.ts";
import { ExprSimplifier } from "./simplify_expr.ts";

function isFlat(b: Buffer): boolean {
  const o = b.elemOffset;
  return b.shape.length === 1 && b.strides.length === 0 && o.kind === "IntImm" && o.value === 0;
}

/** Row-major strides of a shape: strideₖ = ∏_{j>k} shapeⱼ. */
function compactStrides(shape: readonly PrimExpr[]): PrimExpr[] {
  const out: PrimExpr[] = [];
  let s: PrimExpr = int(1, shape[0]?.dtype ?? "int32");
  for (let k = shape.length - 1; k >= 0; k--) {
    out[k] = s;
    s = mulI(s, shape[k]);
  }
  return out;
}

/** Integer arithmetic across int32/int64 (widened to int64) and vector lanes (broadcast). */
function lift(a: PrimExpr, b: PrimExpr): [PrimExpr, PrimExpr] {
  const la = lanesOf(a.dtype);
  const lb = lanesOf(b.dtype);
  const wide = a.dtype.startsWith("int64") || b.dtype.startsWith("int64");
  const widen = (x: PrimExpr) =>
    wide && !x.dtype.startsWith("int64")
      ? cast(lanesOf(x.dtype) > 1 ? `int64x${lanesOf(x.dtype)}` : "int64", x)
      : x;
  let x = widen(a);
  let y = widen(b);
  if (la > 1 && lb === 1) y = broadcast(y, la);
  if (lb > 1 && la === 1) x = broadcast(x, lb);
  return [x, y];
}
const addI = (a: PrimExpr, b: PrimExpr) => add(...lift(a, b));
const mulI = (a: PrimExpr, b: PrimExpr) => mul(...lift(a, b));
const subI = (a: PrimExpr, b: PrimExpr) => sub(...lift(a, b));

class Flattener {
  readonly flat = new Map<Buffer, Buffer>();
  private readonly simp = new ExprSimplifier();

  buffer(b: Buffer): Buffer {
    let f = this.flat.get(b);
    if (f) return f;
    if (isFlat(b)) f = b;
    else {
      let size: PrimExpr;
      if (b.strides.length === 0 && b.elemOffset.kind === "IntImm" && b.elemOffset.value === 0) {
        size = b.shape.reduce(mulI, int(1, b.shape[0]?.dtype ?? "int32"));
      } else {
        const strides = b.strides.length ? b.strides : compactStrides(b.shape);
        size = addI(
          b.shape.reduce(
            (acc, d, k) => addI(acc, mulI(subI(d, int(1, d.dtype)), strides[k])),
            b.elemOffset,
          ),
          int(1, b.elemOffset.dtype),
        );
      }
      f = decl(b.name, [this.simp.simplify(size)], b.dtype, {
        scope: b.scope,
        alignment: b.alignment,
      });
    }
    this.flat.set(b, f);
    return f;
  }

  index(b: Buffer, indices: readonly PrimExpr[]): PrimExpr {
    if (isFlat(b)) return indices[0];
    const strides = b.strides.length ? b.strides : compactStrides(b.shape);
    return indices.reduce((acc, i, k) => addI(acc, mulI(i, strides[k])), b.elemOffset);
  }

  stmt = (s: Stmt): Stmt => {
    if (s.kind === "Block" || s.kind === "BlockRealize") {
      throw new LowerError(
        "LOWER_PASS_ORDER",
        `Cannot flatten buffers: block "${
          s.kind === "Block" ? s.name : s.block.name
        }" remains; run convert-blocks-to-loops first`,
      );
    }
    const m = mapChildren(s, this.node);
    if (m.kind === "BufferStore") {
      const b = this.buffer(m.buffer);
      if (b === m.buffer) return m;
      return bufferStore(b, m.value, [this.index(m.buffer, m.indices)]);
    }
    if (m.kind === "Allocate") {
      const b = this.buffer(m.buffer);
      return b === m.buffer ? m : allocate(b, m.body);
    }
    return m;
  };

  expr = (e: PrimExpr): PrimExpr => {
    const m = mapChildren(e, this.node);
    if (m.kind !== "BufferLoad") return m;
    const b = this.buffer(m.buffer);
    if (b === m.buffer) return m;
    return bufferLoad(b, [this.index(m.buffer, m.indices)]);
  };

  node = (n: Node): Node => {
    if (n.kind === "Buffer") return n; // replaced by the access that holds it
    return isExpr(n) ? this.expr(n) : this.stmt(n as Stmt);
  };
}

/** Variables of the original buffers' strides and offsets that are no size variable. */
function layoutVars(f: PrimFunc, known: Set<Var>): Var[] {
  const out: Var[] = [];
  for (const p of f.params) {
    if (p.kind !== "Buffer") continue;
    for (const e of [...p.strides, p.elemOffset]) {
      visit(e, (n) => {
        if (n.kind === "Var" && !known.has(n)) {
          known.add(n);
          out.push(n);
        }
      });
    }
  }
  return out;
}

function flattenFunc(f: PrimFunc): PrimFunc {
  const fl = new Flattener();
  const body = fl.stmt(f.body);
  const params = f.params.map((p) => (p.kind === "Buffer" ? fl.buffer(p) : p));
  const known = new Set<Var>(f.params.filter((p): p is Var => p.kind === "Var"));
  const extra: Var[] = [];
  for (const v of sizeVars(f)) {
    if (!known.has(v)) {
      known.add(v);
      extra.push(v);
    }
  }
  extra.push(...layoutVars(f, known));
  const same = body === f.body && extra.length === 0 && params.every((p, k) => p === f.params[k]);
  return same ? f : { ...f, body, params: [...params, ...extra] };
}

/**
 * The pass.
 *
 * @example
 * ```ts
 * import { flattenBuffers } from "./flatten_buffers.ts";
 * import { convertBlocksToLoops } from "./convert_blocks_to_loops.ts";
 * import { compute, createPrimFunc, placeholder, sizeVar } from "../te.ts";
 * const n = sizeVar("n");
 * const A = placeholder([n, 4], "float32", "A");
 * const B = compute([n, 4], ([i, j]) => A.at(i, j), "B");
 * const ctx = { options: {} };
 * const f = flattenBuffers.run(convertBlocksToLoops.run(createPrimFunc([A, B]), ctx), ctx);
 * console.assert(f.params.length === 3 && f.params[2] === n);
 * ```
 */
export const flattenBuffers: Pass = {
  name: "flatten-buffers",
  summary: "make every buffer 1-D with linear indices; append size variables as parameters",
  run: (f) => flattenFunc(f),
};
