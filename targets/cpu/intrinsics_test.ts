/**
 * The cpu intrinsics against their descriptions through `validateTarget` (random and edge-case
 * tiles, compact and strided), on both compiled paths; wrong variants are caught.
 */
import { assert, assertEquals, assertThrows } from "../../ir/test_util.ts";
import { TargetError } from "../../ir/errors.ts";
import { defineIntrinsic, type Intrinsic } from "../../sdk/intrinsic.ts";
import type { CIntrinsicImplementation } from "../../sdk/intrinsic_run.ts";
import { defineTarget } from "../../sdk/target.ts";
import { validateTarget } from "../../sdk/validate.ts";
import cpu from "./mod.ts";
import { cpuIntrinsics, DOT_I8X4_C } from "./intrinsics.ts";
import { runCpuIntrinsic } from "./run_intrinsic.ts";

/** One of the cpu intrinsics by name. */
function byName(name: string): Intrinsic<CIntrinsicImplementation> {
  return cpuIntrinsics().find((x) => x.name === name)!;
}

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

Deno.test("validateTarget(cpu) passes with cpu.mma_u7i8, cpu.mma_i8, cpu.mma_f32 and cpu.dot_i8x4", async () => {
  assertEquals(cpu.intrinsics.map((x) => x.name), [
    "cpu.mma_u7i8",
    "cpu.mma_i8",
    "cpu.mma_f32",
    "cpu.dot_i8x4",
  ]);
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
  const dot = byName("cpu.dot_i8x4");
  const wrong = defineIntrinsic<CIntrinsicImplementation>({
    ...dot,
    implementation: { ...dot.implementation, source: naive },
  });
  const r = await validateTarget(cpuWith([wrong]));
  assertEquals(r.problems.map((e) => e.code), ["TARGET_INTRINSIC_MISMATCH"]);
  assertEquals(r.intrinsics[0].mismatch?.operand, "C");
});

/** `name`'s intrinsic with its C source edited by `edit` (which must change it). */
function edited(name: string, edit: (source: string) => string): Intrinsic {
  const x = byName(name);
  const source = edit(x.implementation.source);
  assert(source !== x.implementation.source, `the edit of ${name} changed nothing`);
  return defineIntrinsic<CIntrinsicImplementation>({
    ...x,
    implementation: { ...x.implementation, source },
  });
}

const WRONG: [string, string, (s: string) => string][] = [
  [
    "an fp32 micro-kernel that skips its last k step",
    "cpu.mma_f32",
    (s) => s.replace("k < 4; k++) {", "k < 3; k++) {"),
  ],
  [
    "an int8 micro-kernel that zero-extends B",
    "cpu.mma_i8",
    (s) =>
      s.replaceAll(
        "__builtin_convertvector(b8",
        "__builtin_convertvector((tsrc_m_u8x8)b8",
      ),
  ],
  [
    "an int8 micro-kernel that drops its last row",
    "cpu.mma_i8",
    (s) =>
      s.replace(
        "for (int i = 0; i < 4; i++) {\n    tsrc_m_i16x8 av",
        "for (int i = 0; i < 3; i++) {\n    tsrc_m_i16x8 av",
      ),
  ],
  [
    "an int8 micro-kernel that reads every A tile as packed",
    "cpu.mma_i8",
    (s) => s.replace("if (a0 == 2 && a1 == 1) {", "if (1) {"),
  ],
  [
    "an int8 micro-kernel that ignores B's strides",
    "cpu.mma_i8",
    (s) => s.replace("if (b0 == 1 && b1 == 2) {", "if (1) {"),
  ],
  [
    "a relaxed micro-kernel that drops the odd pairs of its i16 sums",
    "cpu.mma_u7i8",
    (s) => s.replace("ones = {1, 1, 1, 1, 1, 1, 1, 1}", "ones = {1, 0, 1, 0, 1, 0, 1, 0}"),
  ],
  [
    "a relaxed micro-kernel that overwrites its accumulators",
    "cpu.mma_u7i8",
    (s) => s.replace("acc[i][h] += __builtin_wasm_dot_s", "acc[i][h] = __builtin_wasm_dot_s"),
  ],
  [
    "a relaxed micro-kernel that gathers strided B columns in the wrong order",
    "cpu.mma_u7i8",
    (s) => s.replace("(4 * h + (p >> 2)) * b1", "(h + 2 * (p >> 2)) * b1"),
  ],
];

for (const [what, name, edit] of WRONG) {
  Deno.test(`${what} is caught`, async () => {
    const r = await validateTarget(cpuWith([edited(name, edit)]));
    assertEquals(r.problems.map((e) => e.code), ["TARGET_INTRINSIC_MISMATCH"]);
  });
}

Deno.test("an operand layout that is not a permutation of the operand's dimensions is refused", () => {
  const mma = byName("cpu.mma_i8");
  const bad: Record<string, number[]>[] = [{ B: [0, 0] }, { B: [1] }, { D: [0, 1] }];
  for (const operandLayouts of bad) {
    const e = assertThrows(() => defineIntrinsic({ ...mma, operandLayouts }), TargetError);
    assertEquals(e.code, "TARGET_BAD_FIELD");
  }
});

Deno.test("cpu.mma_u7i8 validates only with its precondition (B in [0, 127])", async () => {
  // The relaxed dot reads a negative second operand as unsigned on x64 (pmaddubsw): with the
  // precondition dropped, validation draws B over all of int8 and catches the difference. (On
  // an engine whose dot reads it signed, e.g. arm64 sdot, the sums would agree.)
  const u7 = byName("cpu.mma_u7i8");
  assertEquals(u7.operandRanges, { B: [0, 127] });
  const { operandRanges: _, ...rest } = u7;
  const r = await validateTarget(cpuWith([defineIntrinsic<CIntrinsicImplementation>(rest)]));
  if (Deno.build.arch === "x86_64") {
    assertEquals(r.problems.map((e) => e.code), ["TARGET_INTRINSIC_MISMATCH"]);
    assertEquals(r.intrinsics[0].mismatch?.operand, "C");
  }
  // with it, every trial's B lies in [0, 127] and the kernel is exact
  const ok = await validateTarget(cpuWith([u7]));
  assertEquals(ok.problems.map((e) => e.message), []);
});
