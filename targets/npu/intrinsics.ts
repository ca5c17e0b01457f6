/**
 * The NPU's intrinsics, defined with the public SDK and the DSL: one GEMM tile per enabled mode
 * (`acc[B×O] += inp[B×I] · wgt[I×O]`, int8×int8→int32, float16×float16→float32,
 * float32×float32→float32) with operands in the scratchpad scopes, and the accumulator ALU ops.
 * Their `implementation` names the command the codegen emits (`NpuIntrinsicImpl`).
 *
 * @module
 */
import { add, cast, max, mul, type PrimExpr } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../../ir/te.ts";
import { defineIntrinsic, type Intrinsic } from "../../sdk/intrinsic.ts";
import { accumulating } from "../../tensorize/auto/describe.ts";
import { type NpuConfig, type NpuMode, peakMacsPerCycle } from "./config.ts";
import type { AluOp } from "./isa.ts";

/** How the codegen emits an NPU intrinsic: the command and its mode. */
export type NpuIntrinsicImpl =
  | { readonly command: "GEMM"; readonly mode: NpuMode }
  | { readonly command: "ALU"; readonly op: AluOp; readonly mode: NpuMode }
  | { readonly command: "DMA"; readonly op: "pad" };

/** Scope names of the scratchpads, by buffer. */
export const NPU_SCOPES = { input: "npu.inp", weight: "npu.wgt", acc: "npu.acc" } as const;

/** The accumulator dtype of a mode. */
export function accDtype(mode: NpuMode): "int32" | "float32" {
  return mode === "int8" ? "int32" : "float32";
}

/**
 * The GEMM `C[m,n] (+)= Σ_k acc(A[m,k]) · acc(B[k,n])` in a mode, written with the DSL; without
 * its init when `accumulate` (the GEMM unit adds onto its accumulator tiles).
 *
 * @example
 * ```ts
 * import { gemmDescription } from "./intrinsics.ts";
 * const f = gemmDescription("int8", 16, 16, 16);
 * console.assert(f.params.length === 3);
 * ```
 */
export function gemmDescription(
  mode: NpuMode,
  m: number,
  n: number,
  k: number,
  accumulate = true,
): PrimFunc {
  const acc = accDtype(mode);
  const A = placeholder([m, k], mode, "A"), B = placeholder([k, n], mode, "B");
  const r = reduceAxis(k, "k");
  const C = compute(
    [m, n],
    ([i, j]) => sum(mul(cast(acc, A.at(i, r)), cast(acc, B.at(r, j))), [r]),
    "C",
  );
  const f = createPrimFunc([A, B, C], `npu_gemm_${mode}`);
  return accumulate ? accumulating(f) : f;
}

const ALU_FORMS: Readonly<Partial<Record<AluOp, (x: PrimExpr, y: PrimExpr) => PrimExpr>>> = {
  add: (x, y) => add(x, y), // acc = acc + src
  mul: (x, y) => mul(x, y), // acc = acc · src
  max: (x, y) => max(x, y), // acc = max(acc, src); relu is max with 0
};

function aluDescription(config: NpuConfig, op: AluOp, mode: NpuMode): PrimFunc {
  const g = config.gemm, d = accDtype(mode);
  const X = placeholder([g.batch, g.blockOut], d, "X");
  const Y = placeholder([g.batch, g.blockOut], d, "Y");
  const Z = compute([g.batch, g.blockOut], ([i, j]) => ALU_FORMS[op]!(X.at(i, j), Y.at(i, j)), "Z");
  return createPrimFunc([X, Y, Z], `npu_alu_${op}_${mode}`);
}

/**
 * The intrinsics of an NPU config: `<chip>.gemm.<mode>` per enabled mode and
 * `<chip>.alu.<op>.<mode>` for add, mul and max on accumulator tiles.
 *
 * @example
 * ```ts
 * import { npuIntrinsics } from "./intrinsics.ts";
 * import { REFERENCE_NPU } from "./config.ts";
 * const xs = npuIntrinsics(REFERENCE_NPU);
 * console.assert(xs.some((x) => x.name === "tessera_npu.gemm.int8"));
 * ```
 */
export function npuIntrinsics(
  config: NpuConfig,
  scopes: { readonly input: string; readonly weight: string; readonly acc: string } = NPU_SCOPES,
): Intrinsic<NpuIntrinsicImpl>[] {
  const g = config.gemm, chip = config.name.replace(/[^A-Za-z0-9_]/g, "_");
  const tile = g.batch * g.blockIn * g.blockOut;
  const out: Intrinsic<NpuIntrinsicImpl>[] = [];
  for (const mode of config.modes) {
    out.push(defineIntrinsic<NpuIntrinsicImpl>({
      name: `${chip}.gemm.${mode}`,
      description: gemmDescription(mode, g.batch, g.blockOut, g.blockIn),
      implementation: { command: "GEMM", mode },
      operandScopes: { A: scopes.input, B: scopes.weight, C: scopes.acc },
      cost: { cycles: (g.cyclesPerTile * tile) / peakMacsPerCycle(config) },
    }));
  }
  const aluCycles = Math.ceil((g.batch * g.blockOut) / config.alu.lanes) +
    config.computeOverheadCycles;
  const aluModes = config.modes.filter((m, k) =>
    m === "int8" || config.modes.findIndex((x) => x !== "int8") === k
  );
  for (const mode of aluModes) {
    for (const op of Object.keys(ALU_FORMS) as AluOp[]) {
      out.push(defineIntrinsic<NpuIntrinsicImpl>({
        name: `${chip}.alu.${op}.${mode}`,
        description: aluDescription(config, op, mode),
        implementation: { command: "ALU", op, mode },
        operandScopes: { X: scopes.acc, Y: scopes.acc, Z: scopes.acc },
        cost: { cycles: aluCycles },
      }));
    }
  }
  return out;
}
