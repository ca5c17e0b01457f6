/**
 * The cpu intrinsics against their descriptions through `validateTarget` (random and edge-case
 * tiles, compact and strided), on both compiled paths; wrong variants are caught.
 */
import { assert, assertEquals } from "../../ir/test_util.ts";
import { defineIntrinsic, type Intrinsic } from "../../sdk/intrinsic.ts";
import type { CIntrinsicImplementation } from "../../sdk/intrinsic_run.ts";
import { defineTarget } from "../../sdk/target.ts";
import { validateTarget } from "../../sdk/validate.ts";
import cpu from "./mod.ts";
import { cpuIntrinsics, DOT_I8X4_C } from "./intrinsics.ts";
import { runCpuIntrinsic } from "./run_intrinsic.ts";

/** The cpu target with other intrinsics and optionally relaxed SIMD off in the runner. */
function cpuWith(intrinsics: Intrinsic[], relaxedSimd = true) {
  return defineTarget({
    ...cpu,
    intrinsics,
    runtime: {
      ...cpu.runtime,
      runIntrinsic: (x, tiles) => runCpuIntrinsic(x, tiles, relaxedSimd),
    },
  });
}

Deno.test("validateTarget(cpu) passes with cpu.dot_i8x4 and cpu.fma_f32x4", async () => {
  assertEquals(cpu.intrinsics.map((x) => x.name), ["cpu.dot_i8x4", "cpu.fma_f32x4"]);
  const r = await validateTarget(cpu);
  assertEquals(r.problems.map((e) => e.message), []);
  for (const x of r.intrinsics) assert(x.trials > 8, `${x.name}: ${x.trials} trials`);
});

Deno.test("the exact widening path (no relaxed SIMD) also validates", async () => {
  const r = await validateTarget(cpuWith(cpuIntrinsics(), false));
  assertEquals(r.problems.map((e) => e.message), []);
});

Deno.test("a dot that trusts relaxed_dot with a full int8 weight is caught", async () => {
  // Without the i7 split, weights in [-128, -1] are read as unsigned on x86: not exact.
  const naive = DOT_I8X4_C.replace(
    /tsrc_i8x16 lo = [^\n]*\n[^\n]*\n[^\n]*\n[^\n]*\n[^\n]*\n[^\n]*\n/,
    "cv = __builtin_wasm_relaxed_dot_i8x16_i7x16_add_s_i32x4(av, bv, cv);\n",
  );
  assert(naive !== DOT_I8X4_C && !naive.includes("tsrc_u32x4"));
  const dot = cpuIntrinsics()[0];
  const wrong = defineIntrinsic<CIntrinsicImplementation>({
    ...dot,
    implementation: { ...dot.implementation, source: naive },
  });
  const r = await validateTarget(cpuWith([wrong]));
  assertEquals(r.problems.map((e) => e.code), ["TARGET_INTRINSIC_MISMATCH"]);
  assertEquals(r.intrinsics[0].mismatch?.operand, "C");
});

Deno.test("an fma micro-kernel that skips its last k step is caught", async () => {
  const fma = cpuIntrinsics()[1];
  const source = fma.implementation.source.replace("k < 4; k++) {", "k < 3; k++) {");
  assert(source !== fma.implementation.source);
  const wrong = defineIntrinsic<CIntrinsicImplementation>({
    ...fma,
    implementation: { ...fma.implementation, source },
  });
  const r = await validateTarget(cpuWith([wrong]));
  assertEquals(r.problems.map((e) => e.code), ["TARGET_INTRINSIC_MISMATCH"]);
});
