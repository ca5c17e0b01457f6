/**
 * Running a cpu intrinsic on concrete tiles the way kernels run it (`Runtime.runIntrinsic`, for
 * `validateTarget`): a wrapper `tsr_run(p0, s0_0, …)` that calls the intrinsic's C function
 * (`CIntrinsicImplementation`) is compiled through the cpu toolchain — with the same relaxed-SIMD
 * setting kernels get — and called on copies of the tiles' storages placed in a wasm memory,
 * at the tiles' offsets and strides; the storages are copied back afterwards.
 *
 * @module
 */
import { byteSize, elementOf } from "../../ir/dtype.ts";
import { TargetError } from "../../ir/errors.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import type { CIntrinsicImplementation, IntrinsicTile } from "../../sdk/intrinsic_run.ts";
import { RESERVED_BYTES } from "./layout.ts";
import { compileC, cpuFlags } from "./toolchain.ts";

const C_TYPES: Readonly<Record<string, string>> = {
  int8: "signed char",
  uint8: "unsigned char",
  int16: "short",
  uint16: "unsigned short",
  int32: "int",
  uint32: "unsigned int",
  float32: "float",
  float64: "double",
};

/** The wrapper source calling `impl.symbol` on one pointer and its strides per tile. */
export function wrapperSource(
  impl: CIntrinsicImplementation,
  tiles: readonly IntrinsicTile[],
): string {
  const params = tiles.flatMap((t, k) => {
    const ct = C_TYPES[elementOf(t.dtype)];
    if (!ct) {
      throw new TargetError(
        "CPU_INTRINSIC_DTYPE",
        `Cannot run intrinsic "${impl.symbol}": operand "${t.param}" has dtype ${t.dtype}`,
        { path: `intrinsic "${impl.symbol}" / ${t.param}` },
      );
    }
    return [`${ct}* p${k}`, ...t.shape.map((_, d) => `int s${k}_${d}`)];
  });
  const args = params.map((p) => p.split(/[* ]/).at(-1));
  return `${impl.source}
__attribute__((export_name("tsr_run"))) void tsr_run(${params.join(", ")}) {
  ${impl.symbol}(${args.join(", ")});
}`;
}

/**
 * Run `intrinsic` (a `CIntrinsicImplementation`) on `tiles` and write the results into their
 * storages. `relaxedSimd` (default true, like the codegen) selects the compiled path.
 *
 * @example
 * ```ts ignore
 * await runCpuIntrinsic(cpuIntrinsics()[0], tiles);
 * ```
 */
export async function runCpuIntrinsic(
  intrinsic: Intrinsic,
  tiles: readonly IntrinsicTile[],
  relaxedSimd = true,
): Promise<void> {
  const impl = intrinsic.implementation as CIntrinsicImplementation;
  if (impl?.kind !== "c") {
    throw new TargetError(
      "CPU_INTRINSIC_KIND",
      `Cannot run intrinsic "${intrinsic.name}" on the cpu: its implementation is not C`,
      { path: `intrinsic "${intrinsic.name}" / implementation` },
    );
  }
  const wasm = await compileC(wrapperSource(impl, tiles), cpuFlags({ relaxedSimd }));
  const base = RESERVED_BYTES; // above the stack and its slack (notes/cpu_abi.md)
  const bytes = tiles.reduce((n, t) => n + t.data.data.byteLength + 64, 0);
  const memory = new WebAssembly.Memory({ initial: Math.ceil((base + bytes) / 65536) });
  const { instance } = await WebAssembly.instantiate(wasm as BufferSource, { env: { memory } });
  let at = base;
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
