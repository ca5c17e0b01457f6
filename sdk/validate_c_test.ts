/**
 * A cpu-style intrinsic — a C function in the `CIntrinsicImplementation` convention, compiled
 * through the cpu toolchain — validated against its description: the runner a C-emitting target
 * gives its runtime (`runIntrinsic`) compiles a wrapper that calls the function on the tiles'
 * addresses and strides in a wasm memory, exactly as generated kernels do.
 */
import { byteSize, elementOf } from "../ir/dtype.ts";
import { assert, assertEquals } from "../ir/test_util.ts";
import { compileC, cpuFlags } from "../targets/cpu/toolchain.ts";
import { defineIntrinsic, type Intrinsic } from "./intrinsic.ts";
import type { CIntrinsicImplementation, IntrinsicTile } from "./intrinsic_run.ts";
import { validateTarget } from "./validate.ts";
import { gemmDescription, toyTarget } from "./validate_testing.ts";

const C_TYPES: Readonly<Record<string, string>> = {
  int8: "signed char",
  uint8: "unsigned char",
  int16: "short",
  int32: "int",
  float32: "float",
  float64: "double",
};

const BASE = (1 << 20) + 65536; // above the 1 MiB stack and its slack (notes/cpu_abi.md)

/** Runs a C intrinsic: a wrapper `tsr_run(p0, s0_0, …)` calls `symbol` on the tiles in memory. */
async function runC(intrinsic: Intrinsic, tiles: readonly IntrinsicTile[]): Promise<void> {
  const impl = intrinsic.implementation as CIntrinsicImplementation;
  const params = tiles.flatMap((t, k) => [
    `${C_TYPES[elementOf(t.dtype)]}* p${k}`,
    ...t.shape.map((_, d) => `int s${k}_${d}`),
  ]);
  const args = params.map((p) => p.split(/[* ]/).at(-1));
  const source = `${impl.source}
__attribute__((export_name("tsr_run"))) void tsr_run(${params.join(", ")}) {
  ${impl.symbol}(${args.join(", ")});
}`;
  const wasm = await compileC(source, cpuFlags());
  const bytes = tiles.reduce((n, t) => n + t.data.data.byteLength + 64, 0);
  const memory = new WebAssembly.Memory({ initial: Math.ceil((BASE + bytes) / 65536) });
  const { instance } = await WebAssembly.instantiate(wasm as BufferSource, { env: { memory } });
  let at = BASE;
  const placed = tiles.map((t) => {
    const addr = at;
    at = Math.ceil((at + t.data.data.byteLength) / 64) * 64;
    const view = new Uint8Array(t.data.data.buffer, t.data.data.byteOffset, t.data.data.byteLength);
    new Uint8Array(memory.buffer, addr, view.length).set(view);
    return { addr, view };
  });
  const values = tiles.flatMap((t, k) => [
    placed[k].addr + t.offset * byteSize(t.dtype),
    ...t.strides,
  ]);
  (instance.exports.tsr_run as (...a: number[]) => void)(...values);
  for (const p of placed) p.view.set(new Uint8Array(memory.buffer, p.addr, p.view.length));
}

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
