/**
 * `fma` on float vectors (c_fma.ts): exactly fused without relaxed SIMD — bit-identical to the
 * interpreter where fusing matters — and `relaxed_madd` with it, whose lanes are each either the
 * fused or the twice-rounded result.
 */
import { type DType, lanesOf } from "../../ir/dtype.ts";
import { bufferLoad, call, mul, ramp } from "../../ir/expr.ts";
import { type PrimFunc, primFunc } from "../../ir/func.ts";
import { fma64, fmaNarrow } from "../../ir/interp/mod.ts";
import { type NDArray, ndarray } from "../../ir/ndarray.ts";
import { bufferStore, decl, forLoop, loopVar } from "../../ir/stmt.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { compareWithInterpreter, compileBatch, testValues } from "./test_harness.ts";
import { disassemble } from "./toolchain.ts";

/** Times the instruction with these bytes occurs in the module (llvm-objdump cannot name them). */
function count(wasm: Uint8Array, op: readonly number[]): number {
  let n = 0;
  for (let i = 0; i + op.length <= wasm.length; i++) {
    if (op.every((b, k) => wasm[i + k] === b)) n++;
  }
  return n;
}
const F32X4_RELAXED_MADD = [0xfd, 0x85, 0x02]; // 0xfd 0x105
const F64X2_RELAXED_MADD = [0xfd, 0x87, 0x02]; // 0xfd 0x107

const N = 960; // a multiple of every lane count below

/** O[v] = fma(A[v], B[v], C[v]) over vectors of `dtype` (lanes from the dtype). */
function fmaKernel(dtype: DType): PrimFunc {
  const lanes = lanesOf(dtype);
  const elem = dtype.replace(/x\d+$/, "");
  const [A, B, C, O] = ["A", "B", "C", "O"].map((n) => decl(n, [N], elem));
  const i = loopVar("i");
  const at = lanes === 1 ? i : ramp(mul(i, lanes), 1, lanes);
  const load = (b: typeof A) => bufferLoad(b, [at]);
  const body = bufferStore(O, call("fma", [load(A), load(B), load(C)]), [at]);
  return primFunc(`fma_${dtype}`, [A, B, C, O], forLoop(i, 0, N / lanes, body), { lowered: true });
}

/** Inputs where fusing matters: a·a − 1 for a = 1 + k·2⁻¹², and edge values. */
function inputs(dtype: DType): NDArray[] {
  const elem = dtype.replace(/x\d+$/, "");
  const a = testValues(elem, N, 11);
  const b = testValues(elem, N, 12, true);
  const c = testValues(elem, N, 13);
  if (elem === "float32") {
    for (let k = 0; k < 200; k++) {
      const x = Math.fround(1 + (k + 1) * 2 ** -12);
      [a.data[N - 1 - k], b.data[N - 1 - k], c.data[N - 1 - k]] = [x, x, -1];
    }
  }
  return [a, b, c, ndarray(elem, [N])];
}

const EXACT: DType[] = ["float32", "float32x4", "float32x8", "float32x3", "float16x8", "float64x2"];

Deno.test("fma on vectors without relaxed SIMD is exactly fused, bit for bit", async () => {
  const fs = EXACT.map(fmaKernel);
  const { mod, kernels, wasm } = await compileBatch(fs, { relaxedSimd: false });
  const diffs = fs.flatMap((f, k) => compareWithInterpreter(f, mod, kernels[k], inputs(EXACT[k])));
  assertEquals(diffs, []);
  assertEquals(count(wasm, F32X4_RELAXED_MADD) + count(wasm, F64X2_RELAXED_MADD), 0);
  const text = await disassemble(wasm);
  assert(text.includes("f64x2.promote_low_f32x4"), "float32 lanes are fused in f64x2 SIMD");
  assert(!kernels[0].hostImports.includes("tsr_fma_narrow"), "scalar float32 fma is inline");
});

Deno.test("fma on float32x4k / float64x2k with relaxed SIMD is relaxed_madd: fused or not, per lane", async () => {
  const types: DType[] = ["float32x4", "float32x16", "float64x2"];
  const fs = types.map(fmaKernel);
  const { mod, kernels, wasm } = await compileBatch(fs, { relaxedSimd: true });
  assert(count(wasm, F32X4_RELAXED_MADD) >= 5 && count(wasm, F64X2_RELAXED_MADD) >= 1);
  for (const [k, dtype] of types.entries()) {
    const args = inputs(dtype);
    mod.call(kernels[k], args);
    const [a, b, c, o] = args.map((t) => t.data as Float32Array | Float64Array);
    const f32 = dtype.startsWith("float32");
    const round = f32 ? Math.fround : (x: number) => x;
    let fusedDiffers = 0;
    for (let i = 0; i < N; i++) {
      const fused = round(f32 ? fmaNarrow(a[i], b[i], c[i]) : fma64(a[i], b[i], c[i]));
      const twice = round(round(a[i] * b[i]) + c[i]);
      const same = (w: number) => Object.is(w, o[i]) || (w !== w && o[i] !== o[i]);
      assert(
        same(fused) || same(twice),
        `${dtype}[${i}]: ${o[i]} is neither ${fused} nor ${twice}`,
      );
      if (!Object.is(fused, twice)) fusedDiffers++;
    }
    if (f32) assert(fusedDiffers > 100, "the inputs tell fused from not");
  }
});
