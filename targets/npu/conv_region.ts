/**
 * Contraction regions: what an implicit-GEMM marker stands for. A region is
 *
 * ```text
 * T[a, b, j]  = Σ_{r0, r1, r2} acc(D[a, b, r0, r1, r2]) · acc(W[r0, r1, r2, j])
 * O[a, b, j]  = epilogue(T[a, b, j], Bias[j])          (O = T when there is no epilogue)
 * ```
 *
 * with two pixel dimensions `a, b` (a conv's output rows and columns), one output-channel
 * dimension `j` and three reduction dimensions (a conv's input channels and kernel taps); unit
 * extents stand for absent dimensions. `D` is a strided *view* of the data (a conv window: the
 * same element appears under several indices), so the region is the im2col GEMM without the
 * im2col. The epilogue is a chain of element-wise steps the NPU's vector ALU runs on the
 * accumulator (`EpilogueStep`), then a conversion to O's dtype on store.
 *
 * The region's name says everything (`convName` / `parseConvName`), so the codegen rebuilds it
 * from a marker alone.
 *
 * @module
 */
import type { DType } from "../../ir/dtype.ts";
import { add, cast, floordiv, int, max, min, mul, type PrimExpr } from "../../ir/expr.ts";
import { float } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum, type Tensor } from "../../ir/te.ts";
import { defineIntrinsic, type Intrinsic } from "../../sdk/intrinsic.ts";
import type { NpuMode } from "./config.ts";
import { accDtype, type NpuIntrinsicImpl } from "./intrinsics.ts";

/** One epilogue step on the accumulator: `x = op(x, imm)`, or `x = x + bias[j]`. */
export interface EpilogueStep {
  /** `shr` is ⌊x / 2^imm⌋ (integers only). */
  readonly op: "add" | "mul" | "max" | "min" | "shr";
  /** The immediate (ignored for a bias add). */
  readonly imm: number;
  /** Add the bias vector instead of an immediate (`op` is `add`): its dtype. */
  readonly bias?: DType;
}

/** What a contraction region's name says. */
export interface ConvKey {
  /** Chip name (sanitised). */
  readonly chip: string;
  /** GEMM mode (dtype of D and W). */
  readonly mode: NpuMode;
  /** Dtype of O. */
  readonly outDtype: DType;
  /** Pixel extents [a, b]. */
  readonly m: readonly [number, number];
  /** Output channels. */
  readonly n: number;
  /** Reduction extents. */
  readonly r: readonly [number, number, number];
  /** Epilogue steps, in order. */
  readonly epilogue: readonly EpilogueStep[];
  /** The block it came from. */
  readonly block: string;
}

const DT: Record<string, DType> = {
  i8: "int8",
  i32: "int32",
  f16: "float16",
  f32: "float32",
};
const DT_CODE: Record<string, string> = Object.fromEntries(
  Object.entries(DT).map(([k, v]) => [v, k]),
);

function f32Bits(x: number): string {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, x);
  return b.getUint32(0).toString(16).padStart(8, "0");
}

function bitsF32(h: string): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setUint32(0, parseInt(h, 16));
  return b.getFloat32(0);
}

function stepName(s: EpilogueStep, mode: NpuMode): string {
  if (s.bias) return `${s.op}B${DT_CODE[s.bias]}`;
  if (mode !== "int8") return `${s.op}f${f32Bits(s.imm)}`;
  return `${s.op}${s.imm < 0 ? "m" : ""}${Math.abs(s.imm)}`;
}

const STEP = /^(add|mul|max|min|shr)(?:B(i8|i32|f16|f32)|f([0-9a-f]{8})|(m?)(\d+))$/;

function parseStep(t: string): EpilogueStep | undefined {
  const r = STEP.exec(t);
  if (!r) return undefined;
  const op = r[1] as EpilogueStep["op"];
  if (r[2]) return { op, imm: 0, bias: DT[r[2]] };
  if (r[3]) return { op, imm: bitsF32(r[3]) };
  return { op, imm: (r[4] ? -1 : 1) * +r[5] };
}

/** The region intrinsic's name. */
export function convName(key: ConvKey): string {
  const epi = key.epilogue.length
    ? key.epilogue.map((s) => stepName(s, key.mode)).join("_")
    : "none";
  return `${key.chip}.conv.${key.mode}.${DT_CODE[key.outDtype] ?? key.outDtype}.${
    key.m.join("x")
  }x${key.n}.${key.r.join("x")}.${epi}.${key.block.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

const NAME =
  /^([A-Za-z0-9_]+)\.conv\.(int8|float16|float32)\.(i8|i32|f16|f32)\.(\d+)x(\d+)x(\d+)\.(\d+)x(\d+)x(\d+)\.([A-Za-z0-9_]+)\.(.+)$/;

/** Parse a region name (undefined when it is not one). */
export function parseConvName(name: string): ConvKey | undefined {
  const r = NAME.exec(name);
  if (!r) return undefined;
  const epilogue: EpilogueStep[] = [];
  if (r[10] !== "none") {
    for (const t of r[10].split("_")) {
      const s = parseStep(t);
      if (!s) return undefined;
      epilogue.push(s);
    }
  }
  return {
    chip: r[1],
    mode: r[2] as NpuMode,
    outDtype: DT[r[3]],
    m: [+r[4], +r[5]],
    n: +r[6],
    r: [+r[7], +r[8], +r[9]],
    epilogue,
    block: r[11],
  };
}

/** The epilogue applied to `x` (accumulator dtype), `bias` the bias element when there is one. */
export function applyEpilogue(
  x: PrimExpr,
  steps: readonly EpilogueStep[],
  bias: PrimExpr | undefined,
): PrimExpr {
  let e = x;
  for (const s of steps) {
    const d = e.dtype;
    const imm = d.startsWith("float") ? float(s.imm, d) : int(s.imm, d);
    const y = s.bias && bias ? (bias.dtype === d ? bias : cast(d, bias)) : imm;
    e = s.op === "add"
      ? add(e, y)
      : s.op === "mul"
      ? mul(e, y)
      : s.op === "max"
      ? max(e, y)
      : s.op === "min"
      ? min(e, y)
      : floordiv(e, int(2 ** s.imm, d)); // shr s: ⌊x / 2^s⌋
  }
  return e;
}

/** The bias dtype of a key's epilogue, if it has a bias add. */
export function biasDtype(key: ConvKey): DType | undefined {
  return key.epilogue.find((s) => s.bias)?.bias;
}

/**
 * The region's description (see the module doc), written with the DSL: parameters D, W, Bias
 * (when the epilogue adds one), O.
 *
 * @example
 * ```ts
 * import { convDescription } from "./conv_region.ts";
 * const f = convDescription({
 *   chip: "x", mode: "int8", outDtype: "int32", m: [4, 4], n: 8, r: [3, 3, 3], epilogue: [], block: "C",
 * });
 * console.assert(f.params.length === 3);
 * ```
 */
export function convDescription(key: ConvKey): PrimFunc {
  const acc = accDtype(key.mode);
  const [m0, m1] = key.m, [r0, r1, r2] = key.r;
  const D = placeholder([m0, m1, r0, r1, r2], key.mode, "D");
  const W = placeholder([r0, r1, r2, key.n], key.mode, "W");
  const ra = reduceAxis(r0, "ra"), rb = reduceAxis(r1, "rb"), rc = reduceAxis(r2, "rc");
  const T = compute(
    [m0, m1, key.n],
    ([a, b, j]) =>
      sum(mul(cast(acc, D.at(a, b, ra, rb, rc)), cast(acc, W.at(ra, rb, rc, j))), [ra, rb, rc]),
    key.epilogue.length || key.outDtype !== acc ? "T" : "O",
  );
  if (!key.epilogue.length && key.outDtype === acc) return createPrimFunc([D, W, T], "npu_conv");
  const bd = biasDtype(key);
  const Bias: Tensor | undefined = bd ? placeholder([key.n], bd, "Bias") : undefined;
  const O = compute([m0, m1, key.n], ([a, b, j]) => {
    const e = applyEpilogue(T.at(a, b, j), key.epilogue, Bias?.at(j));
    return e.dtype === key.outDtype ? e : cast(key.outDtype, e);
  }, "O");
  return createPrimFunc(Bias ? [D, W, Bias, O] : [D, W, O], "npu_conv");
}

const REGIONS = new Map<string, Intrinsic<NpuIntrinsicImpl>>();

/** The region intrinsic of a key, made once per name. */
export function convIntrinsic(key: ConvKey): Intrinsic<NpuIntrinsicImpl> {
  const name = convName(key);
  let r = REGIONS.get(name);
  if (!r) {
    r = defineIntrinsic<NpuIntrinsicImpl>({
      name,
      description: convDescription(key),
      implementation: { command: "GEMM", mode: key.mode },
      operandScopes: {},
      cost: { cycles: 0 },
    });
    REGIONS.set(name, r);
  }
  return r;
}
