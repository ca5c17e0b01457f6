/**
 * The cpu runtime (cpu_abi.md): a `CpuDevice` owns one growable `WebAssembly.Memory` shared by
 * every kernel module loaded on it (stack at the bottom, tensor heap above — layout.ts), loads
 * artifacts by instantiating their modules against that memory and the host imports, runs them
 * synchronously, and maps wasm traps to typed errors (`KERNEL_*` codes, sdk/errors.ts).
 *
 * Host imports: `env.memory`; `env.tsr_alloc(bytes, align) → ptr` and `env.tsr_free(ptr)` for
 * allocations inside a kernel (any left when the call ends — e.g. after a trap — are freed);
 * `env.tsr_assert_fail(id)` raising `KERNEL_ASSERT` with the artifact's message; and the
 * `env.tsr_<op>` math functions of host_math.ts. Parallel loops run serially for now.
 *
 * @module
 */
import { byteSize, type DType, isFloat } from "../../ir/dtype.ts";
import { CallError, InternalError, TargetError, TesseraError } from "../../ir/errors.ts";
import { type NDArray, ndarray, numel } from "../../ir/ndarray.ts";
import type {
  Device,
  DeviceArg,
  DeviceOptions,
  DeviceTensor,
  LoadedKernel,
  Runtime,
  TimeOptions,
  Timing,
} from "../../sdk/device.ts";
import { KERNEL_CODES } from "../../sdk/errors.ts";
import { measure } from "../../sdk/timing.ts";
import type { CpuArtifact } from "./artifact.ts";
import { RESERVED_BYTES } from "./layout.ts";
import { CpuMemory, type CpuMemoryOptions } from "./memory.ts";
import { CpuTensor } from "./tensor.ts";
import { dataSegmentCount } from "./wasm_sections.ts";

/** Host functions a kernel may import as `env.<name>` (math: f64 → f64). */
export type HostFunctions = Readonly<Record<string, (...args: number[]) => number>>;

type Convert = (a: DeviceArg) => number | bigint;

/** A kernel module instantiated on a cpu device. */
export interface CpuLoadedKernel extends LoadedKernel {
  /** The artifact. */
  readonly artifact: CpuArtifact;
  /** The device. */
  readonly device: CpuDevice;
  /** The compiled module. */
  readonly module: WebAssembly.Module;
}

interface Loaded extends CpuLoadedKernel {
  imports: WebAssembly.Imports;
  fn: (...args: (number | bigint)[]) => unknown;
  /** A trap left the module's stack pointer mid-frame: instantiate afresh before the next call. */
  stale: boolean;
  convert: readonly Convert[];
}

function trapError(e: unknown, k: Loaded): unknown {
  if (e instanceof TesseraError) return e;
  const name = k.artifact.lowered.name;
  const where = { path: `func "${name}"` };
  if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
    const msg = e.message;
    const code = /divide by zero|remainder by zero/.test(msg)
      ? KERNEL_CODES.divideByZero
      : /out of bounds/.test(msg)
      ? KERNEL_CODES.outOfBounds
      : KERNEL_CODES.trap;
    return new TargetError(code, `Kernel "${name}" failed on the cpu device: ${msg}`, where);
  }
  return e;
}

/** A cpu device: one wasm memory, its tensors and the kernels loaded on it. */
export class CpuDevice implements Device<CpuArtifact> {
  /** The target name. */
  readonly target = "cpu";
  /** The memory and tensor heap. */
  readonly mem: CpuMemory;
  /** Heap blocks a running kernel allocated through `env.tsr_alloc`. */
  private readonly callAllocs = new Set<number>();

  /**
   * Make a device (usually through the cpu target's runtime).
   *
   * @example
   * ```ts
   * import { CpuDevice } from "./runtime.ts";
   * import { ndarray } from "../../ir/ndarray.ts";
   * const d = new CpuDevice({});
   * const t = d.fromArray(ndarray("int32", [3], [1, 2, 3]));
   * console.assert(t.data[2] === 3);
   * d.free(t);
   * ```
   */
  constructor(private readonly host: HostFunctions, options: CpuMemoryOptions = {}) {
    this.mem = new CpuMemory(options);
  }

  /** The tensor as one of this device's live tensors (CALL_DEVICE_MISMATCH / CALL_TENSOR_FREED). */
  private own(t: DeviceTensor, action: string): CpuTensor {
    if (!(t instanceof CpuTensor) || t.device !== this) {
      throw new CallError(
        "CALL_DEVICE_MISMATCH",
        `Cannot ${action} a tensor of another device on this cpu device`,
      );
    }
    if (t.freed) throw new CallError("CALL_TENSOR_FREED", `Cannot ${action} a freed tensor`);
    return t;
  }

  /** Allocate a zero-filled tensor. */
  allocate(shape: readonly number[], dtype: DType): CpuTensor {
    for (const d of shape) {
      if (!Number.isSafeInteger(d) || d < 0) {
        throw new CallError(
          "BAD_SHAPE",
          `Cannot allocate a tensor of shape [${
            shape.join(", ")
          }]: dimensions must be integers ≥ 0`,
        );
      }
    }
    const bytes = numel(shape) * byteSize(dtype);
    const p = this.mem.alloc(bytes);
    new Uint8Array(this.mem.buffer, p, bytes).fill(0);
    return new CpuTensor(this, this.mem, p, shape, dtype);
  }

  /** Allocate a tensor holding a copy of `a`. */
  fromArray(a: NDArray): CpuTensor {
    const t = this.allocate(a.shape, a.dtype);
    (t.data as unknown as { set(x: ArrayLike<number | bigint>): void }).set(a.data);
    return t;
  }

  /** Copy a tensor into a fresh host array. */
  toArray(t: DeviceTensor): Promise<NDArray> {
    try {
      return Promise.resolve(this.toArraySync(t));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Copy a tensor into a fresh host array, synchronously. */
  toArraySync(t: DeviceTensor): NDArray {
    const c = this.own(t, "read");
    return ndarray(c.dtype, c.shape, c.data.slice());
  }

  /** Release a tensor's memory. */
  free(t: DeviceTensor): void {
    const c = this.own(t, "free");
    this.mem.free(c.byteOffset);
    c.markFreed();
  }

  /** Load (compile and instantiate) a cpu artifact. */
  async load(artifact: CpuArtifact): Promise<CpuLoadedKernel> {
    const name = artifact.lowered.name;
    const segments = dataSegmentCount(artifact.wasm);
    if (segments > 0) {
      throw new TargetError(
        "CPU_DATA_SEGMENT",
        `Cannot load kernel "${name}": its module has ${segments} data segment(s), which would overwrite other modules' data in the shared memory`,
        { path: `func "${name}"`, hint: "the codegen must not emit static data" },
      );
    }
    const module = await WebAssembly.compile(artifact.wasm as Uint8Array<ArrayBuffer>);
    const k: Loaded = {
      artifact,
      device: this,
      module,
      imports: {},
      fn: () => undefined,
      stale: true,
      convert: artifact.lowered.params.map((p): Convert => {
        if (p.kind === "Buffer") return (a) => (a as CpuTensor).byteOffset;
        if (isFloat(p.dtype)) return (a) => Number(a);
        return byteSize(p.dtype) === 8 ? (a) => BigInt(a as number | bigint) : (a) => Number(a);
      }),
    };
    k.imports = this.imports(k);
    this.instantiate(k);
    return k;
  }

  /** The import object of a kernel module: only what it asks for (CPU_UNKNOWN_IMPORT otherwise). */
  private imports(k: Loaded): WebAssembly.Imports {
    const name = k.artifact.lowered.name;
    const env: Record<string, WebAssembly.ImportValue> = {};
    const known: Record<string, WebAssembly.ImportValue> = {
      memory: this.mem.memory,
      tsr_alloc: (bytes: number, align: number) => {
        const p = this.mem.alloc(bytes >>> 0, Math.max(align >>> 0, 1));
        this.callAllocs.add(p);
        return p;
      },
      tsr_free: (p: number) => {
        if (!this.callAllocs.delete(p)) {
          throw new InternalError(`kernel "${name}" freed ${p} twice`);
        }
        this.mem.free(p);
      },
      tsr_assert_fail: (id: number) => {
        const msg = k.artifact.assertMessages[id] ?? `assert #${id}`;
        throw new TargetError(KERNEL_CODES.assert, `Kernel "${name}" failed an assert: ${msg}`, {
          path: `func "${name}"`,
        });
      },
    };
    for (const imp of WebAssembly.Module.imports(k.module)) {
      const value = imp.module === "env" ? known[imp.name] ?? this.host[imp.name] : undefined;
      if (value === undefined) {
        throw new TargetError(
          "CPU_UNKNOWN_IMPORT",
          `Cannot load kernel "${name}": its module imports ${imp.module}.${imp.name} (${imp.kind}), which the cpu runtime does not provide`,
          { path: `func "${name}"` },
        );
      }
      env[imp.name] = value;
    }
    return { env };
  }

  /** Instantiate (again) and check `__heap_base` and the entry point. */
  private instantiate(k: Loaded): void {
    const name = k.artifact.lowered.name;
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(k.module, k.imports);
    } catch (e) {
      throw new TargetError(
        "CPU_BAD_MODULE",
        `Cannot instantiate kernel "${name}": ${e instanceof Error ? e.message : String(e)}`,
        { path: `func "${name}"` },
      );
    }
    const base = instance.exports.__heap_base;
    const heapBase = base instanceof WebAssembly.Global ? Number(base.value) : NaN;
    if (!(heapBase <= RESERVED_BYTES)) {
      throw new TargetError(
        "CPU_HEAP_BASE",
        `Cannot load kernel "${name}": its __heap_base is ${
          base === undefined ? "not exported" : heapBase
        }, need an exported value ≤ ${RESERVED_BYTES} (the reserved stack region)`,
        { path: `func "${name}"`, hint: "link with --stack-first, a 1 MiB stack and no data" },
      );
    }
    const fn = instance.exports[k.artifact.entry];
    if (typeof fn !== "function") {
      throw new TargetError(
        "CPU_BAD_MODULE",
        `Cannot load kernel "${name}": its module does not export "${k.artifact.entry}"`,
        { path: `func "${name}"` },
      );
    }
    k.fn = fn as Loaded["fn"];
    k.stale = false;
  }

  /** The kernel as loaded on this device. */
  private loaded(kernel: LoadedKernel): Loaded {
    if (kernel.device !== this) {
      throw new InternalError("a kernel loaded on another device was run on this one");
    }
    return kernel as Loaded;
  }

  /** Run a loaded kernel synchronously on lowered-form arguments. */
  invoke(kernel: LoadedKernel, args: readonly DeviceArg[]): void {
    const k = this.loaded(kernel);
    if (args.length !== k.convert.length) {
      throw new InternalError(
        `kernel "${k.artifact.lowered.name}" takes ${k.convert.length} arguments, got ${args.length}`,
      );
    }
    if (k.stale) this.instantiate(k);
    const raw = args.map((a, i) => k.convert[i](a));
    try {
      k.fn(...raw);
    } catch (e) {
      k.stale = true;
      throw trapError(e, k);
    } finally {
      for (const p of this.callAllocs) this.mem.free(p);
      this.callAllocs.clear();
    }
  }

  /** Run a loaded kernel on lowered-form arguments. */
  run(kernel: LoadedKernel, args: readonly DeviceArg[]): Promise<void> {
    try {
      this.invoke(kernel, args);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Time repeated runs. */
  time(kernel: LoadedKernel, args: readonly DeviceArg[], options?: TimeOptions): Promise<Timing> {
    return measure(() => this.invoke(kernel, args), options);
  }
}

/**
 * The cpu runtime: makes `CpuDevice`s whose kernels may import `host` functions.
 * Device options: `initialPages`, `maximumPages` (see `CpuMemoryOptions`).
 *
 * @example
 * ```ts
 * import { cpuRuntime } from "./runtime.ts";
 * const device = await cpuRuntime({}).createDevice();
 * console.assert(device.target === "cpu");
 * ```
 */
export function cpuRuntime(host: HostFunctions): Runtime<CpuArtifact> {
  return {
    createDevice: (options?: DeviceOptions) =>
      Promise.resolve(new CpuDevice(host, (options ?? {}) as CpuMemoryOptions)),
  };
}
