/**
 * The intrinsic marker: what a tensorized block's body becomes, and what code generators emit.
 *
 * ```text
 * Evaluate(call<int32>("tsr.intrin.<name>", operand₀ …, operandₙ₋₁))
 * operand (one per description buffer parameter, in parameter order; the description buffer
 *          has rank r and shape s):
 *   X[o]                      the origin: element [0, …, 0] of the tile (its address)
 *   X[o + col₀] … X[o + colᵣ₋₁]   one step along each description dimension (X[o] when sₐ = 1)
 *   X[o + Σ (sₐ − 1)·colₐ]    the far corner of the tile
 * ```
 *
 * Each argument is a load that stands for its element's **address** (`&X[…]` in C). Lowering
 * keeps them meaningful through every pass: compaction sees the tile's bounding box (origin and
 * far corner), storage alignment and flattening turn each into a linear element offset, and the
 * stride along dimension d is `offset(step_d) − offset(origin)` — a constant once simplified. A
 * C code generator emits `name(&X[o], stride₀, …)`; an NPU command generator reads the base
 * address and strides for its DMA and GEMM commands; `decodeIntrinsicCall` does the arithmetic
 * for both, on lowered or unlowered IR. The interpreter runs markers through a call handler
 * (`intrinsicCallHandlers`, `auto/handler.ts`), which receives where each load argument reads.
 *
 * @module
 */
import { simplify } from "../../ir/arith/mod.ts";
import { add, bufferLoad, type Call, call, int, mul, type PrimExpr, sub } from "../../ir/expr.ts";
import { TensorizeError } from "../../ir/errors.ts";
import type { Buffer } from "../../ir/stmt.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { visit } from "../../ir/node.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import type { OperandMap } from "./correspond.ts";
import { operandParams } from "./match.ts";

/** Prefix of marker call names: `tsr.intrin.<intrinsic name>`. */
export const INTRINSIC_CALL_PREFIX = "tsr.intrin.";

/** The marker call name of an intrinsic. */
export function intrinsicCallName(intrinsic: Intrinsic | string): string {
  return INTRINSIC_CALL_PREFIX + (typeof intrinsic === "string" ? intrinsic : intrinsic.name);
}

/**
 * The intrinsics a (scheduled or lowered) function calls, by name, in first-use order: what
 * auto-tensorization mapped its blocks onto.
 *
 * @example
 * ```ts
 * import { intrinsicCallName, intrinsicsUsed } from "./marker.ts";
 * import { call, int } from "../../ir/expr.ts";
 * import { evaluate } from "../../ir/stmt.ts";
 * import { primFunc } from "../../ir/func.ts";
 * const f = primFunc("f", [], evaluate(call(intrinsicCallName("cpu.mma_i8"), [int(0)], "int32")));
 * console.assert(intrinsicsUsed(f).join() === "cpu.mma_i8");
 * ```
 */
export function intrinsicsUsed(f: PrimFunc): string[] {
  const out = new Set<string>();
  visit(f.body, (n) => {
    if (n.kind === "Call" && n.op.startsWith(INTRINSIC_CALL_PREFIX)) {
      out.add(n.op.slice(INTRINSIC_CALL_PREFIX.length));
    }
  });
  return [...out];
}

/** The constant dimensions of a description buffer (descriptions have constant shapes). */
export function constShape(b: Buffer): number[] {
  return b.shape.map((d) => (d.kind === "IntImm" ? d.value : NaN));
}

function at(op: OperandMap, steps: readonly number[]): PrimExpr[] {
  return op.base.map((b, j) => {
    let e: PrimExpr = b;
    steps.forEach((n, d) => {
      if (n !== 0 && op.cols[d][j] !== 0) e = add(e, mul(int(n, b.dtype), op.cols[d][j]));
    });
    return simplify(e);
  });
}

/** The argument loads of one operand (see the module doc). */
export function operandArgs(param: Buffer, op: OperandMap): PrimExpr[] {
  const shape = constShape(param);
  const zero = shape.map(() => 0);
  const out = [bufferLoad(op.buffer, at(op, zero))];
  shape.forEach((s, d) => {
    const step = zero.slice();
    if (s > 1) step[d] = 1;
    out.push(bufferLoad(op.buffer, at(op, step)));
  });
  out.push(bufferLoad(op.buffer, at(op, shape.map((s) => s - 1))));
  return out;
}

/**
 * The marker call of `intrinsic` over its operand maps (in description parameter order).
 *
 * @example
 * ```ts ignore
 * const m = match(f, "C_o", gemm4) as Mapping;
 * const c = markerCall(gemm4, m.operands); // call<int32>("tsr.intrin.gemm4", A[..], …)
 * ```
 */
export function markerCall(intrinsic: Intrinsic, operands: readonly OperandMap[]): Call {
  const params = operandParams(intrinsic);
  const args = params.flatMap((p, k) => operandArgs(p, operands[k]));
  return call(intrinsicCallName(intrinsic), args, "int32");
}

/** One operand of a marker, decoded. */
export interface DecodedOperand {
  /** The description's buffer parameter. */
  readonly param: Buffer;
  /** The buffer the tile lives in. */
  readonly buffer: Buffer;
  /** The origin element's indices in `buffer`. */
  readonly origin: readonly PrimExpr[];
  /** The origin's linear element offset (`elemOffset + Σ index·stride`). */
  readonly offset: PrimExpr;
  /** Per description dimension: the linear element stride (0 where the extent is 1). */
  readonly strides: readonly PrimExpr[];
  /** The tile's shape (the description buffer's). */
  readonly shape: readonly number[];
}

/** Linear element offset of `buf[indices]` under its layout (strides, or compact row-major). */
export function linearOffset(buf: Buffer, indices: readonly PrimExpr[]): PrimExpr {
  let off: PrimExpr = buf.elemOffset;
  if (buf.strides.length) {
    indices.forEach((i, d) => (off = add(off, mul(i, buf.strides[d]))));
    return simplify(off);
  }
  let acc: PrimExpr = int(0, indices[0]?.dtype ?? "int32");
  indices.forEach((i, d) => (acc = d === 0 ? i : add(mul(acc, buf.shape[d]), i)));
  return simplify(indices.length ? add(off, acc) : off);
}

/**
 * Decode a marker call of `intrinsic` into its operands (base offset and strides), on
 * unlowered or lowered IR. Throws `TENSORIZE_BAD_MARKER` when the call is not one.
 */
export function decodeIntrinsicCall(c: Call, intrinsic: Intrinsic): DecodedOperand[] {
  const bad = (why: string) =>
    new TensorizeError(
      "TENSORIZE_BAD_MARKER",
      `Cannot decode the call "${c.op}" as intrinsic "${intrinsic.name}": ${why}`,
    );
  if (c.op !== intrinsicCallName(intrinsic)) throw bad("the names differ");
  const params = operandParams(intrinsic);
  const want = params.reduce((n, p) => n + p.shape.length + 2, 0);
  if (c.args.length !== want) throw bad(`${c.args.length} arguments, need ${want}`);
  let k = 0;
  return params.map((param) => {
    const group = c.args.slice(k, k + param.shape.length + 2);
    k += group.length;
    const loads = group.map((a) => {
      if (a.kind !== "BufferLoad") throw bad(`an operand argument is a ${a.kind}, not a load`);
      return a;
    });
    const buffer = loads[0].buffer;
    if (loads.some((l) => l.buffer !== buffer)) throw bad(`an operand spans two buffers`);
    const offset = linearOffset(buffer, loads[0].indices);
    const strides = loads.slice(1, 1 + param.shape.length).map((l) =>
      simplify(sub(linearOffset(buffer, l.indices), offset))
    );
    return { param, buffer, origin: loads[0].indices, offset, strides, shape: constShape(param) };
  });
}
