/**
 * A minimal, test-only host for compiled cpu kernels (the real runtime is runtime.ts): one
 * memory with the reserved stack region, arrays copied in above it, the entry called, the arrays
 * copied back in place. Host imports: the math table (host_math.ts), a bump allocator for
 * `tsr_alloc` that counts frees, and `tsr_assert_fail` throwing `KERNEL_ASSERT`.
 *
 * Also `compareWithInterpreter`: run a lowered function both compiled and in the reference
 * interpreter on copies of the same arguments and report every differing element.
 *
 * @module
 */
import { bf16FromBits, type DType, elementOf, isFloat } from "../../ir/dtype.ts";
import { TargetError } from "../../ir/errors.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { type NDArray, randomNDArray, setElement } from "../../ir/ndarray.ts";
import { interpret } from "../../ir/interp/mod.ts";
import { type CKernel, emitC, type EmitOptions, linkC } from "./codegen_c.ts";
import { compileC, cpuFlags } from "./toolchain.ts";
import { HOST_MATH } from "./host_math.ts";
import { dataSegmentCount } from "./wasm_sections.ts";

/** Bytes at the bottom of memory reserved for the shared 1 MiB stack (+ 64 KiB slack). */
export const RESERVED_BYTES: number = (1 << 20) + 65536;

/** An argument: a tensor for a buffer parameter, a number or bigint for a scalar. */
export type KernelArg = NDArray | number | bigint;

/** An instantiated module with one or more kernels. */
export class TestModule {
  /** The memory kernels run in. */
  readonly memory: WebAssembly.Memory;
  /** Allocations made through `tsr_alloc` and not yet freed. */
  live = 0;
  private readonly instance: WebAssembly.Instance;
  private messages: readonly string[] = [];
  private tasks: readonly string[] = [];
  private heap = RESERVED_BYTES;

  private constructor(memory: WebAssembly.Memory, instance: WebAssembly.Instance) {
    this.memory = memory;
    this.instance = instance;
  }

  /** Instantiate wasm bytes with the test host imports. */
  static async load(wasm: Uint8Array): Promise<TestModule> {
    const memory = new WebAssembly.Memory({
      initial: RESERVED_BYTES / 65536 + 1,
      maximum: 65536,
      shared: true,
    });
    const box: { mod?: TestModule } = {}; // the imports need the module made after them
    const env: Record<string, WebAssembly.ImportValue> = {
      memory,
      ...HOST_MATH,
      tsr_alloc: (bytes: number, align: number) => box.mod!.alloc(bytes, align),
      tsr_free: () => {
        box.mod!.live--;
      },
      tsr_assert_fail: (id: number) => {
        throw new TargetError("KERNEL_ASSERT", box.mod!.messages[id] ?? `assert #${id}`);
      },
      tsr_parallel_for: (task: number, args: number, extent: number) =>
        box.mod!.runTask(task, args, extent),
    };
    // modules share one memory: they must not carry data segments (runtime.ts refuses them)
    const segments = dataSegmentCount(wasm);
    if (segments !== 0) throw new Error(`the module has ${segments} data segments`);
    const module = await WebAssembly.compile(wasm as BufferSource);
    const instance = await WebAssembly.instantiate(module, { env });
    const base = (instance.exports.__heap_base as WebAssembly.Global).value as number;
    if (base > RESERVED_BYTES) throw new Error(`__heap_base ${base} beyond the reserved region`);
    box.mod = new TestModule(memory, instance);
    return box.mod;
  }

  /** Bump-allocate `bytes` at `align` above the reserved region, growing memory as needed. */
  private alloc(bytes: number, align: number): number {
    const at = Math.ceil(this.heap / align) * align;
    this.heap = at + bytes;
    const need = Math.ceil(this.heap / 65536) - this.memory.buffer.byteLength / 65536;
    if (need > 0) this.memory.grow(need);
    this.live++;
    return at;
  }

  /**
   * `env.tsr_parallel_for` on one thread: the range in three chunks, last chunk first, so tests
   * see tasks run on sub-ranges in any order.
   */
  runTask(task: number, args: number, extent: number): void {
    const fn = this.instance.exports[this.tasks[task]] as (a: number, b: number, e: number) => void;
    const step = Math.ceil(extent / 3);
    for (let b = Math.floor((extent - 1) / step) * step; b >= 0; b -= step) {
      fn(args, b, Math.min(extent, b + step));
    }
  }

  /** Call `kernel`'s entry: tensors are copied in, and back out in place when it returns. */
  call(kernel: CKernel, args: readonly KernelArg[]): void {
    if (args.length !== kernel.params.length) {
      throw new Error(
        `${kernel.entry} takes ${kernel.params.length} arguments, got ${args.length}`,
      );
    }
    this.heap = RESERVED_BYTES;
    const placed: [NDArray, number][] = [];
    const values = kernel.params.map((p, i) => {
      const a = args[i];
      if (p.kind === "buffer") {
        const t = a as NDArray;
        const at = this.alloc(t.data.byteLength, 64);
        placed.push([t, at]);
        return at;
      }
      const big = elementOf(p.dtype) === "int64" || elementOf(p.dtype) === "uint64";
      return big ? BigInt(a as number | bigint) : Number(a);
    });
    this.live = 0;
    for (const [t, at] of placed) {
      new Uint8Array(this.memory.buffer, at, t.data.byteLength).set(bytes(t));
    }
    this.messages = kernel.assertMessages;
    this.tasks = kernel.parallelTasks;
    const fn = this.instance.exports[kernel.entry] as (...a: (number | bigint)[]) => void;
    fn(...values);
    for (const [t, at] of placed) {
      bytes(t).set(new Uint8Array(this.memory.buffer, at, t.data.byteLength));
    }
  }
}

function bytes(t: NDArray): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** A deep copy of an argument list (tensors copied, scalars kept). */
export function copyArgs(args: readonly KernelArg[]): KernelArg[] {
  return args.map((a) =>
    typeof a === "object" ? { ...a, data: a.data.slice() as NDArray["data"] } : a
  );
}

/** Element `i` of a tensor as a comparable value: bits of NaN ignored, −0 kept. */
function elementKey(d: DType, data: NDArray["data"], i: number): string {
  const v = data[i];
  const x = elementOf(d) === "bfloat16" ? bf16FromBits(v as number) : v;
  if (typeof x === "number" && Number.isNaN(x)) return "NaN";
  return Object.is(x, -0) ? "-0" : String(x);
}

/** Differences between two tensors of one dtype: `index: got vs want` lines (at most `limit`). */
export function diffTensors(got: NDArray, want: NDArray, limit = 8): string[] {
  const out: string[] = [];
  for (let i = 0; i < want.data.length && out.length < limit; i++) {
    const g = elementKey(got.dtype, got.data, i);
    const w = elementKey(want.dtype, want.data, i);
    if (g !== w) out.push(`[${i}]: got ${g}, want ${w}`);
  }
  return out;
}

/**
 * Run lowered function `f` compiled (`kernel` in `mod`) and in the interpreter on copies of
 * `args`; returns the differences per buffer parameter (empty when bit-identical; NaN payloads
 * are not compared).
 */
export function compareWithInterpreter(
  f: PrimFunc,
  mod: TestModule,
  kernel: CKernel,
  args: readonly KernelArg[],
): string[] {
  const want = copyArgs(args);
  interpret(f, want);
  const got = copyArgs(args);
  mod.call(kernel, got);
  const diffs: string[] = [];
  kernel.params.forEach((p, i) => {
    if (p.kind !== "buffer") return;
    for (const d of diffTensors(got[i] as NDArray, want[i] as NDArray)) {
      diffs.push(`${f.name}.${p.name}${d}`);
    }
  });
  if (mod.live !== 0) diffs.push(`${f.name}: ${mod.live} allocations not freed`);
  return diffs;
}

/** Edge values of each dtype: limits, zeros, NaN/±inf, halfway cases for rounding. */
const SPECIAL: Readonly<Record<string, readonly (number | bigint)[]>> = {
  bool: [0, 1],
  int8: [-128, -127, -100, -7, -3, -2, -1, 0, 1, 2, 3, 7, 100, 126, 127],
  uint8: [0, 1, 2, 3, 7, 100, 127, 128, 200, 254, 255],
  int16: [-32768, -32767, -1000, -256, -7, -1, 0, 1, 2, 7, 255, 1000, 32767],
  uint16: [0, 1, 2, 7, 255, 256, 1000, 32767, 32768, 65535],
  int32: [
    -2147483648,
    -2147483647,
    -65536,
    -7,
    -1,
    0,
    1,
    2,
    7,
    46341,
    65536,
    16777217,
    16842753,
    2147483647,
  ],
  uint32: [0, 1, 2, 7, 65536, 16777217, 123456789, 2147483647, 2147483648, 4294967295],
  int64: [
    -(2n ** 63n),
    -(2n ** 63n) + 1n,
    -(2n ** 32n),
    -7n,
    -1n,
    0n,
    1n,
    2n,
    7n,
    2n ** 32n,
    (2n ** 24n + 2n ** 16n + 1n) * 2n ** 30n,
    2n ** 53n + 1n,
    2n ** 62n,
    2n ** 63n - 1n,
  ],
  float32: [
    NaN,
    Infinity,
    -Infinity,
    0,
    -0,
    1,
    -1,
    0.5,
    1.5,
    2.5,
    -2.5,
    0.1,
    1 / 3,
    3.4e38,
    -3.4e38,
    1e-45,
    1.1754943508222875e-38,
    16777216,
    2147483520,
    2147483648,
    -2147483904,
    4294967296,
    1e10,
    300.7,
    -129.5,
    65519,
    65520,
    1e-8,
  ],
  float16: [
    NaN,
    Infinity,
    -Infinity,
    0,
    -0,
    1,
    -1,
    0.5,
    1.5,
    2.5,
    -2.5,
    0.1,
    1 / 3,
    65504,
    -65504,
    6.103515625e-5,
    5.960464477539063e-8,
    2049,
    1000,
    300.7,
    -129.5,
  ],
  bfloat16: [
    NaN,
    Infinity,
    -Infinity,
    0,
    -0,
    1,
    -1,
    0.5,
    1.5,
    2.5,
    -2.5,
    0.1,
    1 / 3,
    3.3895313892515355e38,
    1e-38,
    9.2e-41,
    257,
    1e10,
    -3e9,
    300.7,
  ],
  float64: [
    NaN,
    Infinity,
    -Infinity,
    0,
    -0,
    1,
    -1,
    0.5,
    2.5,
    -2.5,
    0.1,
    1 / 3,
    1.7976931348623157e308,
    5e-324,
    2 ** 53 + 2,
    9.3e18,
    -9.3e18,
    1.8e19,
    2147483647.5,
    -2147483648.9,
    4294967295.9,
    65519.99,
    65520,
    1 + 2 ** -8 + 2 ** -30,
  ],
};

/**
 * Test data for dtype `d`: `n` elements whose first s² (s edge values of the dtype) run through
 * the edge values — cycling (`second` false) or each repeated s times (`second` true), so two
 * such arrays meet every pair — and the rest random (seeded).
 */
export function testValues(d: DType, n: number, seed: number, second = false): NDArray {
  const s = SPECIAL[elementOf(d)];
  const a = randomNDArray(d, [n], seed, isFloat(d) ? -4 : undefined, isFloat(d) ? 4 : undefined);
  for (let i = 0; i < Math.min(n, s.length * s.length); i++) {
    const v = s[second ? Math.floor(i / s.length) : i % s.length];
    if (typeof v === "bigint") (a.data as BigInt64Array)[i] = v;
    else setElement(a.data, d, i, v);
  }
  return a;
}

/** A copy of `a` with every zero replaced by one (divisors). */
export function nonZero(a: NDArray): NDArray {
  const data = a.data.slice() as NDArray["data"];
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0 || data[i] === 0n) data[i] = typeof data[i] === "bigint" ? 1n : 1;
  }
  return { ...a, data };
}

/**
 * Emit, link into one C file and compile several lowered functions (each distinct function
 * once); load the module. `kernels[k]` is the kernel of `fs[k]`.
 */
export async function compileBatch(
  fs: readonly PrimFunc[],
  options: EmitOptions = {},
): Promise<{ mod: TestModule; kernels: CKernel[]; source: string; wasm: Uint8Array }> {
  const emitted = new Map<PrimFunc, CKernel>();
  for (const f of fs) if (!emitted.has(f)) emitted.set(f, emitC(f, options));
  const source = linkC([...emitted.values()]);
  const wasm = await compileC(
    source,
    cpuFlags({ relaxedSimd: options.relaxedSimd, sharedMemory: true }),
  );
  const kernels = fs.map((f) => emitted.get(f)!);
  return { mod: await TestModule.load(wasm), kernels, source, wasm };
}
