/**
 * Vector loads and stores. A Ramp index with stride 1 is one contiguous access, done with
 * `__builtin_memcpy` into an `ext_vector_type` value (a `v128.load`/`v128.store` with no
 * alignment assumption); any other vector index accesses lane by lane (gather/scatter).
 * float16/bfloat16 lanes are decoded after the load and encoded before the store.
 *
 * @module
 */
import { byteSize, elementOf } from "../../ir/dtype.ts";
import { binary, type PrimExpr } from "../../ir/expr.ts";
import type { Buffer } from "../../ir/stmt.ts";
import type { CContext } from "./c_context.ts";
import { cStorage, cVector, isHalf, paren, vecName } from "./c_types.ts";
import { halfDecode, halfEncode } from "./c_half.ts";

/**
 * The first element of a contiguous vector index — a stride-1 Ramp, or one plus or minus a
 * Broadcast (`ramp(b, 1, n) + broadcast(x)` starts at `b + x`) — else undefined.
 */
export function contiguousBase(index: PrimExpr): PrimExpr | undefined {
  if (index.kind === "Ramp") {
    return index.stride.kind === "IntImm" && index.stride.value === 1 ? index.base : undefined;
  }
  if (index.kind === "Binary" && (index.op === "add" || index.op === "sub")) {
    const { a, b } = index;
    if (b.kind === "Broadcast") {
      const base = contiguousBase(a);
      return base && binary(index.op, base, b.value);
    }
    if (a.kind === "Broadcast" && index.op === "add") {
      const base = contiguousBase(b);
      return base && binary("add", a.value, base);
    }
  }
  return undefined;
}

function helperName(kind: "ld" | "st", b: Buffer, lanes: number): string {
  return `__tsr_${kind}_${elementOf(b.dtype)}x${lanes}`;
}

/** `lanes` contiguous elements of buffer `b` from element `base` (a C expression), decoded. */
export function vectorLoad(ctx: CContext, b: Buffer, base: string, lanes: number): string {
  const d = elementOf(b.dtype);
  const v = ctx.vec(cVector(`${d === "bool" ? "uint8" : d}x${lanes}`));
  const s = cStorage(d);
  const name = ctx.helper(helperName("ld", b, lanes), () => {
    const head = `static inline ${v} ${helperName("ld", b, lanes)}(const ${s} *p) {\n`;
    if (isHalf(d)) {
      const h = ctx.vec(vecName("u16", lanes));
      return `${head}  ${h} h;\n  __builtin_memcpy(&h, p, ${2 * lanes});\n` +
        `  return ${halfDecode(ctx, d, lanes)}(h);\n}`;
    }
    return `${head}  ${v} v;\n  __builtin_memcpy(&v, p, ${byteSize(d) * lanes});\n  return v;\n}`;
  });
  return `${name}(${ctx.bufferOf(b)} + ${paren(base)})`;
}

/** Store the vector `value` (a C expression of the value type) to `lanes` contiguous elements. */
export function vectorStore(
  ctx: CContext,
  b: Buffer,
  base: string,
  value: string,
  lanes: number,
): string {
  const d = elementOf(b.dtype);
  const v = ctx.vec(cVector(`${d === "bool" ? "uint8" : d}x${lanes}`));
  const s = cStorage(d);
  const name = ctx.helper(helperName("st", b, lanes), () => {
    const head = `static inline void ${helperName("st", b, lanes)}(${s} *p, ${v} v) {\n`;
    if (isHalf(d)) {
      const h = ctx.vec(vecName("u16", lanes));
      return `${head}  ${h} h = ${halfEncode(ctx, d, lanes)}(v);\n` +
        `  __builtin_memcpy(p, &h, ${2 * lanes});\n}`;
    }
    return `${head}  __builtin_memcpy(p, &v, ${byteSize(d) * lanes});\n}`;
  });
  return `${name}(${ctx.bufferOf(b)} + ${paren(base)}, ${value});`;
}
