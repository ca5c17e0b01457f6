/**
 * # 05 — int8 with a declared value range
 *
 * The cpu's fastest int8 instruction, the relaxed-SIMD dot `i16x8.relaxed_dot_i8x16_i7x16_s`,
 * is exact on every engine only when its second operand lies in [0, 127]; outside that its
 * result depends on the machine. So full-range int8 matmul runs on the exact widening kernel
 * `cpu.mma_i8`, and the faster `cpu.mma_u7i8` (`operandRanges: { B: [0, 127] }`) is used only
 * where a **declared value range** proves the operand inside — as FBGEMM/PyTorch quantize
 * activations to 7 bits ("reduce_range") on x86 without VNNI.
 *
 * This example builds the same int8 matmul twice, with and without the range on `B`, shows which
 * intrinsic auto-tensorization picked for each (`auto.intrinsicsUsed`), checks both against the
 * reference interpreter, and shows that an input outside its declared range is refused with an
 * error naming the buffer and the element.
 *
 * Run it: `deno run -A examples/05_int8_value_range.ts`.
 *
 * @module
 */
import {
  auto,
  build,
  CallError,
  cpu,
  createPrimFunc,
  type NDArray,
  ndarray,
  ops,
  placeholder,
  runFunc,
  toNumbers,
  valueRanges,
} from "../mod.ts";

/** What the example shows, for its test. */
export interface Int8RangeResult {
  /** Intrinsics the kernel with the range on `B` runs on. */
  readonly rangedIntrinsics: string[];
  /** Intrinsics the kernel without a range runs on. */
  readonly plainIntrinsics: string[];
  /** The declared ranges as the function records them (`tessera.value_range`). */
  readonly declared: Record<string, readonly [number, number]>;
  /** Whether both kernels' outputs equal the interpreter's. */
  readonly exact: boolean;
  /** The error code of running the ranged kernel with `B` outside [0, 127]. */
  readonly outOfRangeCode: string | undefined;
  /** Its message. */
  readonly outOfRangeMessage: string;
}

/** int8 `C[m, n] = Σ_k A[m, k] · B[k, n]` into int32, `B` optionally declared in [0, 127]. */
function int8Matmul(m: number, k: number, n: number, ranged: boolean) {
  const A = placeholder([m, k], "int8", "A");
  const B = placeholder([k, n], "int8", "B", ranged ? { range: [0, 127] } : {});
  const C = ops.matmul(A, B, { name: "C", outDtype: "int32" });
  return createPrimFunc([A, B, C], ranged ? "matmul_u7" : "matmul_i8");
}

/** Deterministic int8 data: `A` over the whole int8 range, `B` in [0, 127]. */
function inputs(m: number, k: number, n: number): NDArray[] {
  const a = Int8Array.from({ length: m * k }, (_, i) => ((i * 37) % 256) - 128);
  const b = Int8Array.from({ length: k * n }, (_, i) => (i * 53) % 128);
  return [ndarray("int8", [m, k], a), ndarray("int8", [k, n], b)];
}

/** Build and run both kernels. */
export async function int8ValueRange(m = 16, k = 64, n = 24): Promise<Int8RangeResult> {
  const ranged = int8Matmul(m, k, n, true);
  const plain = int8Matmul(m, k, n, false);
  const [a, b] = inputs(m, k, n);

  // 1. Build both: auto-tensorization picks the intrinsic the range allows.
  const rangedKernel = await build(ranged, cpu);
  const plainKernel = await build(plain, cpu);

  // 2. Same results as the reference interpreter, exactly (integers).
  const want = toNumbers(runFunc(plain, [a, b])[0]);
  const [c1] = await rangedKernel.run([a, b]);
  const [c2] = await plainKernel.run([a, b]);
  const exact = [c1, c2].every((c) => toNumbers(c).every((v, i) => v === want[i]));

  // 3. A value outside the declared range is refused before the kernel runs.
  const bad = ndarray(
    "int8",
    [k, n],
    Int8Array.from({ length: k * n }, (_, i) => i === 5 ? -3 : 1),
  );
  let outOfRangeCode: string | undefined, outOfRangeMessage = "";
  try {
    await rangedKernel.run([a, bad]);
  } catch (e) {
    if (!(e instanceof CallError)) throw e;
    outOfRangeCode = e.code;
    outOfRangeMessage = e.message;
  }
  return {
    rangedIntrinsics: auto.intrinsicsUsed(rangedKernel.lowered),
    plainIntrinsics: auto.intrinsicsUsed(plainKernel.lowered),
    declared: Object.fromEntries(valueRanges(ranged)),
    exact,
    outOfRangeCode,
    outOfRangeMessage,
  };
}

if (import.meta.main) console.log(await int8ValueRange());
