/**
 * A cpu-style intrinsic — a C function in the `CIntrinsicImplementation` convention, compiled
 * through the cpu toolchain — validated against its description: the runner a C-emitting target
 * gives its runtime (`runIntrinsic`) compiles a wrapper that calls the function on the tiles'
 * addresses and strides in a wasm memory, exactly as generated kernels do.
 */
import { assert, assertEquals } from "../ir/test_util.ts";
import { runCpuIntrinsic } from "../targets/cpu/run_intrinsic.ts";
import { defineIntrinsic, type Intrinsic } from "./intrinsic.ts";
import type { CIntrinsicImplementation, IntrinsicTile } from "./intrinsic_run.ts";
import { validateTarget } from "./validate.ts";
import { gemmDescription, toyTarget } from "./validate_testing.ts";

/** Runs a C intrinsic the way the cpu target does (its wrapper, on a wasm memory). */
const runC = (intrinsic: Intrinsic, tiles: readonly IntrinsicTile[]): Promise<void> =>
  runCpuIntrinsic(intrinsic, tiles);

function cGemm(k: string): Intrinsic<CIntrinsicImplementation> {
  return defineIntrinsic<CIntrinsicImplementation>({
    name: "c.gemm4_i8",
    description: gemmDescription(4, "int8", "int32"),
    implementation: {
      kind: "c",
      symbol: "gemm4",
      source: `static inline void gemm4(const signed char* a, int a0, int a1,
    const signed char* b, int b0, int b1, int* c, int c0, int c1) {
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) {
      int acc = c[i * c0 + j * c1];
      for (int k = 0; ${k}; k++) acc += a[i * a0 + k * a1] * b[k * b0 + j * b1];
      c[i * c0 + j * c1] = acc;
    }
}`,
    },
    operandScopes: {},
    cost: { cycles: 16 },
  });
}

Deno.test("a C intrinsic through the cpu toolchain: correct passes, one that drops k fails", async () => {
  const ok = await validateTarget(toyTarget({ intrinsics: [cGemm("k < 4")], runIntrinsic: runC }));
  assertEquals(ok.problems.map((e) => e.message), []);
  assert(ok.intrinsics[0].trials > 8);

  const wrong = await validateTarget(
    toyTarget({ intrinsics: [cGemm("k < 3")], runIntrinsic: runC }),
  );
  assertEquals(wrong.problems.map((e) => e.code), ["TARGET_INTRINSIC_MISMATCH"]);
  assertEquals(wrong.intrinsics[0].mismatch?.operand, "C");
});
