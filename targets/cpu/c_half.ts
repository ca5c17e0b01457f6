/**
 * float16/bfloat16 conversions on whole vectors (the prelude's scalar algorithms written with
 * vector integer operations, so clang emits SIMD code instead of a loop over lanes):
 *
 * | helper        | float16                                         | bfloat16                      |
 * | ------------- | ----------------------------------------------- | ----------------------------- |
 * | decode (bits → float) | (bits & 0x7fff) << 13 as float × 2¹¹², inf/NaN fixed, sign or-ed | bits << 16 |
 * | encode (float → bits) | Giesen's round-to-nearest-even: overflow, subnormal (add 0.5), normal (bias + odd bit) | b + 0x7fff + odd, NaN kept quiet |
 * | round         | decode(encode(x))                               | decode(encode(x))             |
 *
 * @module
 */
import { type DType, elementOf } from "../../ir/dtype.ts";
import type { CContext } from "./c_context.ts";
import { vecName } from "./c_types.ts";

function types(ctx: CContext, n: number) {
  return {
    f: ctx.vec(vecName("f32", n)),
    u: ctx.vec(vecName("u32", n)),
    h: ctx.vec(vecName("u16", n)),
  };
}

/** Vector of `n` 16-bit float bits of dtype `d` → float values: the helper's name. */
export function halfDecode(ctx: CContext, d: DType, n: number): string {
  const bf = elementOf(d) === "bfloat16";
  const name = `__tsr_dec_${bf ? "bf16" : "f16"}_x${n}`;
  return ctx.helper(name, () => {
    const { f, u, h } = types(ctx, n);
    const body = bf ? `  return (${f})(__builtin_convertvector(x, ${u}) << 16);` : [
      `  ${u} w = __builtin_convertvector(x, ${u});`,
      `  ${f} v = (${f})((w & 0x7fffu) << 13) * 0x1p112f;`,
      `  ${u} b = (${u})v | ((${u})(v >= 65536.0f) & 0x7f800000u);`,
      `  return (${f})(b | ((w & 0x8000u) << 16));`,
    ].join("\n");
    return `static inline ${f} ${name}(${h} x) {\n${body}\n}`;
  });
}

/** Float values → vector of `n` 16-bit float bits of dtype `d`, nearest even: the helper's name. */
export function halfEncode(ctx: CContext, d: DType, n: number): string {
  const bf = elementOf(d) === "bfloat16";
  const name = `__tsr_enc_${bf ? "bf16" : "f16"}_x${n}`;
  return ctx.helper(name, () => {
    const { f, u, h } = types(ctx, n);
    const body = bf
      ? [
        `  ${u} b = (${u})x;`,
        `  ${u} r = (b + 0x7fffu + ((b >> 16) & 1u)) >> 16;`,
        `  ${u} o = (x != x) ? ((b >> 16) | 0x40u) : r;`,
      ]
      : [
        `  ${u} b = (${u})x;`,
        `  ${u} sign = b & 0x80000000u;`,
        `  b ^= sign;`,
        `  ${u} big = (b > 0x7f800000u) ? (${u})0x7e00u : (${u})0x7c00u;`,
        `  ${u} sub = (${u})((${f})b + 0.5f) - 0x3f000000u;`,
        `  ${u} norm = (b + 0xc8000fffu + ((b >> 13) & 1u)) >> 13;`,
        `  ${u} o = (b >= (143u << 23)) ? big : (b < (113u << 23)) ? sub : norm;`,
        `  o |= sign >> 16;`,
      ];
    return `static inline ${h} ${name}(${f} x) {\n${body.join("\n")}\n` +
      `  return __builtin_convertvector(o, ${h});\n}`;
  });
}

/** Float values rounded to dtype `d` (float16/bfloat16): the helper's name. */
export function halfRound(ctx: CContext, d: DType, n: number): string {
  const bf = elementOf(d) === "bfloat16";
  const name = `__tsr_round_${bf ? "bf16" : "f16"}_x${n}`;
  return ctx.helper(name, () => {
    const { f } = types(ctx, n);
    const dec = halfDecode(ctx, d, n);
    const enc = halfEncode(ctx, d, n);
    return `static inline ${f} ${name}(${f} x) { return ${dec}(${enc}(x)); }`;
  });
}
