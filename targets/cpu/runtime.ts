/**
 * The cpu runtime (cpu_abi.md): a `CpuDevice` owns one growable `WebAssembly.Memory` shared by
 * every kernel module loaded on it (stack at the bottom, tensor heap above — layout.ts), loads
 * artifacts by instantiating their modules against that memory and the host imports, runs them
 * synchronously, and maps wasm traps to typed errors (`KERNEL_*` codes, sdk/errors.ts).
 *
 * Host imports: `env.memory`; `env.tsr_alloc(bytes, align) → ptr` and `env.tsr_free(ptr)` for
 * allocations inside a kernel, from an arena kept across calls (scratch.ts; any left when the
 * call ends — e.g. after a trap — are released);
 * `env.tsr_assert_fail(id)` raising `KERNEL_ASSERT` with the artifact's message; the
 * `env.tsr_<op>` math functions of host_math.ts; and `env.tsr_parallel_for(task, args, extent,
 * work)`,
 * which runs an outlined parallel loop (c_parallel.ts) on the device's threads (thread_pool.ts):
 * `threads − 1` workers, started when the first kernel with parallel loops is loaded, plus the
 * calling thread. With `threads: 1` (or kernels whose imports workers cannot provide) the loop
 * runs on the calling thread. `dispose()` terminates the workers.
 *
 * @module
 */
import { byteSize, type DType, isFloat } from "../../ir/dtype.ts";
import { CallError, InternalError, TargetError, TesseraError } from "../../ir/errors.ts";
import { type NDArray, numel } from "../../ir/ndarray.ts";
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
import { HOST_MATH } from "./host_math.ts";
import { RESERVED_BYTES } from "./layout.ts";
import { CpuMemory } from "./memory.ts";
import { CpuTensor } from "./tensor.ts";
import { CallScratch } from "./scratch.ts";
import { ParallelFault, type Task, ThreadPool } from "./thread_pool.ts";
import { FAULT, faultOfTrap } from "./thread_protocol.ts";
import { dataSegmentCount } from "./wasm_sections.ts";
import { runCpuIntrinsic } from "./run_intrinsic.ts";
import { type CpuKernelStats, macStats } from "./intrinsics_stats.ts";

/**
 * Options of a cpu device (`cpu.runtime.createDevice(options)`): a type alias, not an
 * interface, so it is assignable to the SDK's free-form `DeviceOptions`.
 */
export type CpuDeviceOptions = {
  /** Memory pages to start with (see `CpuMemoryOptions`). */
  readonly initialPages?: number;
  /** Most memory pages (see `CpuMemoryOptions`). */
  readonly maximumPages?: number;
  /**
   * Threads parallel loops run on, the calling thread included (default: the machine's cores,
   * `navigator.hardwareConcurrency`); 1 starts no workers.
   */
  readonly threads?: number;
  /**
   * False: the calling thread only waits while workers run every chunk of a parallel loop
   * (for tests, which must see workers compute; default true).
   */
  readonly callerRunsChunks?: boolean;
};

/** Counters of a cpu device's threads (`CpuDevice.threadStats`). */
export interface ThreadStats {
  /** Worker threads running. */
  readonly workers: number;
  /** Parallel loops handed to the workers. */
  readonly dispatches: number;
  /** Chunks of those the calling thread ran. */
  readonly callerChunks: number;
  /** Chunks each worker ran. */
  readonly workerChunks: readonly number[];
  /** Heap blocks the threads hold as allocation arenas (the workers', the calling thread's). */
  readonly arenaBlocks: number;
}

/** Most threads a cpu device may have. */
export const MAX_THREADS = 256;

/** Threads a device has by default: the machine's logical cores (1 if unknown). */
export function defaultThreads(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
    ?.hardwareConcurrency;
  return Number.isInteger(n) && n! >= 1 ? Math.min(n!, MAX_THREADS) : 1;
}

/** Pools of devices that were dropped without `dispose()`: terminate their workers. */
const ORPHANS = new FinalizationRegistry<ThreadPool>((pool) => pool.dispose());

/** Imports a worker provides besides the host math (worker.ts). */
const WORKER_IMPORTS = new Set([
  "memory",
  "tsr_alloc",
  "tsr_free",
  "tsr_assert_fail",
  "tsr_parallel_for",
]);

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
  /** The parallel tasks of the current instance, by task id. */
  tasks: Task[];
  /** The kernel's id in the device's thread pool (undefined: its loops run on this thread). */
  poolKernel?: number;
  /** A trap left the module's stack pointer mid-frame: instantiate afresh before the next call. */
  stale: boolean;
  convert: readonly Convert[];
  /** The wasm arguments of the current call (reused: calls are synchronous). */
  raw: (number | bigint)[];
  /** The last call's scalar arguments (tensors as 0, so they are not kept alive), for `stats`. */
  last?: DeviceArg[];
}

/** The promise `run` returns for a call that succeeded (settled, so it may be shared). */
const DONE: Promise<void> = Promise.resolve();

const FAULT_CODES: Readonly<Record<number, string>> = {
  [FAULT.divideByZero]: KERNEL_CODES.divideByZero,
  [FAULT.outOfBounds]: KERNEL_CODES.outOfBounds,
  [FAULT.trap]: KERNEL_CODES.trap,
  [FAULT.outOfMemory]: KERNEL_CODES.outOfMemory,
};

function trapError(e: unknown, k: Loaded): unknown {
  if (e instanceof TesseraError) return e;
  const name = k.artifact.lowered.name;
  const where = { path: `func "${name}"` };
  if (e instanceof ParallelFault) {
    if (e.kind === FAULT.assert) return assertError(k, e.arg);
    const code = FAULT_CODES[e.kind];
    if (!code) return new InternalError(`kernel "${name}" failed in a worker: ${e.message}`);
    return new TargetError(
      code,
      `Kernel "${name}" failed on the cpu device (in a worker thread): ${e.message}`,
      where,
    );
  }
  if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
    const code = FAULT_CODES[faultOfTrap(e.message)];
    return new TargetError(code, `Kernel "${name}" failed on the cpu device: ${e.message}`, where);
  }
  return e;
}

function assertError(k: Loaded, id: number): TargetError {
  const name = k.artifact.lowered.name;
  const msg = k.artifact.assertMessages[id] ?? `assert #${id}`;
  return new TargetError(KERNEL_CODES.assert, `Kernel "${name}" failed an assert: ${msg}`, {
    path: `func "${name}"`,
  });
}

function checkThreads(threads: unknown): number {
  if (threads === undefined) return defaultThreads();
  if (
    typeof threads !== "number" || !Number.isInteger(threads) || threads < 1 ||
    threads > MAX_THREADS
  ) {
    throw new TargetError(
      "CPU_BAD_DEVICE_OPTION",
      `Cannot create a cpu device with threads ${
        String(threads)
      }: need an integer from 1 to ${MAX_THREADS}`,
      { path: "device option threads" },
    );
  }
  return threads;
}

/** A cpu device: one wasm memory, its tensors and the kernels loaded on it. */
export class CpuDevice implements Device<CpuArtifact> {
  /** The target name. */
  readonly target: string = "cpu";
  /** The memory and tensor heap. */
  readonly mem: CpuMemory;
  /** Threads parallel loops run on (the calling thread included). */
  readonly threads: number;
  /** Memory a running kernel allocates through `env.tsr_alloc`. */
  private readonly scratch: CallScratch;
  private readonly callerRunsChunks: boolean;
  private poolStart?: Promise<ThreadPool>;
  private pool?: ThreadPool;
  private disposed = false;

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
  constructor(private readonly host: HostFunctions, options: CpuDeviceOptions = {}) {
    this.threads = checkThreads(options.threads);
    this.callerRunsChunks = options.callerRunsChunks !== false;
    this.mem = new CpuMemory(options);
    this.scratch = new CallScratch(this.mem);
  }

  /** Throw CALL_DEVICE_DISPOSED if the device was disposed. */
  private live(action: string): void {
    if (this.disposed) {
      throw new CallError("CALL_DEVICE_DISPOSED", `Cannot ${action} on a disposed cpu device`);
    }
  }

  /**
   * Terminate the device's worker threads and refuse further loads, runs and allocations.
   * Idle workers never keep the process alive, so this is only needed to release them early.
   */
  dispose(): void {
    this.disposed = true;
    this.pool?.dispose();
    this.poolStart?.then((p) => p.dispose(), () => {});
  }

  /** Dispose (`using device = …`). */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Worker threads now running (0 before the first kernel with parallel loops, after dispose). */
  get workerCount(): number {
    return this.pool && !this.pool.isDisposed ? this.pool.threads - 1 : 0;
  }

  /**
   * Counters of the device's threads: parallel loops handed to workers, chunks run by the
   * calling thread and by each worker, heap blocks the workers hold as arenas.
   */
  threadStats(): ThreadStats {
    const p = this.pool;
    return {
      workers: this.workerCount,
      dispatches: p?.dispatches ?? 0,
      callerChunks: p?.callerChunks ?? 0,
      workerChunks: p?.workerChunks() ?? [],
      arenaBlocks: (p?.arenaBlocks() ?? 0) + this.scratch.blocks,
    };
  }

  /** The thread pool, started on first use. */
  private threadPool(): Promise<ThreadPool> {
    this.poolStart ??= ThreadPool.start(this.mem, this.threads).then((p) => {
      p.callerRunsChunks = this.callerRunsChunks;
      ORPHANS.register(this, p);
      if (this.disposed) p.dispose();
      return (this.pool = p);
    });
    return this.poolStart;
  }

  /** True if workers provide every import of the kernel exactly as this thread does. */
  private workersCanRun(k: Loaded): boolean {
    return WebAssembly.Module.imports(k.module).every((imp) =>
      WORKER_IMPORTS.has(imp.name) ||
      (HOST_MATH[imp.name] !== undefined && this.host[imp.name] === HOST_MATH[imp.name])
    );
  }

  /**
   * `env.tsr_parallel_for`: iterations [0, extent) of task `task` of kernel `k`, each of about
   * `work` element operations (-1: unknown; c_parallel.ts).
   */
  private parallelFor(k: Loaded, task: number, args: number, extent: number, work: number): void {
    const fn = k.tasks[task];
    if (!fn) throw new InternalError(`kernel "${k.artifact.lowered.name}" has no task ${task}`);
    if (this.pool && k.poolKernel !== undefined) {
      this.pool.run(k.poolKernel, task, args, extent, fn, work);
    } else fn(args, 0, extent);
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
    const t = this.allocateRaw(shape, dtype);
    new Uint8Array(this.mem.buffer, t.byteOffset, t.byteLength).fill(0);
    return t;
  }

  /** Allocate a tensor whose elements are whatever its memory held. */
  private allocateRaw(shape: readonly number[], dtype: DType): CpuTensor {
    this.live("allocate a tensor");
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
    return new CpuTensor(this, this.mem, p, shape, dtype);
  }

  /** Allocate a tensor holding a copy of `a`. */
  fromArray(a: NDArray): CpuTensor {
    const t = this.allocateRaw(a.shape, a.dtype);
    // every element is overwritten below unless the array is short of its shape's elements
    if (a.data.length < t.length) {
      new Uint8Array(this.mem.buffer, t.byteOffset, t.byteLength).fill(0);
    }
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
    // the copy has the tensor's dtype, shape and length already: no need to check them again
    return { dtype: c.dtype, shape: [...c.shape], data: c.data.slice() };
  }

  /**
   * A zero-filled tensor of `shape` over the first bytes of `base` (its dtype), for memory plans;
   * freed with `base`.
   */
  view(base: DeviceTensor, shape: readonly number[]): CpuTensor {
    const b = this.own(base, "view");
    const t = new CpuTensor(this, this.mem, b.byteOffset, shape, b.dtype, b.base ?? b);
    if (t.byteLength > b.byteLength || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw new CallError(
        "BAD_SHAPE",
        `Cannot view a ${b.dtype} tensor of ${b.length} elements as shape [${shape.join(", ")}]`,
      );
    }
    new Uint8Array(this.mem.buffer, b.byteOffset, t.byteLength).fill(0);
    return t;
  }

  /** Release a tensor's memory (a view's is its base's: only the view is marked freed). */
  free(t: DeviceTensor): void {
    const c = this.own(t, "free");
    if (!c.base) this.mem.free(c.byteOffset);
    c.markFreed();
  }

  /** Load (compile and instantiate) a cpu artifact. */
  async load(artifact: CpuArtifact): Promise<CpuLoadedKernel> {
    this.live("load a kernel");
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
      tasks: [],
      stale: true,
      raw: [],
      convert: artifact.lowered.params.map((p): Convert => {
        if (p.kind === "Buffer") return (a) => (a as CpuTensor).byteOffset;
        if (isFloat(p.dtype)) return (a) => Number(a);
        return byteSize(p.dtype) === 8 ? (a) => BigInt(a as number | bigint) : (a) => Number(a);
      }),
    };
    k.imports = this.imports(k);
    this.instantiate(k);
    if (k.tasks.length > 0 && this.threads > 1 && this.workersCanRun(k)) {
      k.poolKernel = await (await this.threadPool()).load(module, artifact.parallelTasks ?? []);
    }
    return k;
  }

  /** The import object of a kernel module: only what it asks for (CPU_UNKNOWN_IMPORT otherwise). */
  private imports(k: Loaded): WebAssembly.Imports {
    const name = k.artifact.lowered.name;
    const env: Record<string, WebAssembly.ImportValue> = {};
    const known: Record<string, WebAssembly.ImportValue> = {
      memory: this.mem.memory,
      tsr_alloc: (bytes: number, align: number) => this.scratch.alloc(bytes >>> 0, align >>> 0),
      tsr_free: (p: number) => this.scratch.free(p >>> 0, name),
      tsr_assert_fail: (id: number) => {
        throw assertError(k, id);
      },
      tsr_parallel_for: (task: number, args: number, extent: number, work: number) =>
        this.parallelFor(k, task, args, extent, work),
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
    k.tasks = (k.artifact.parallelTasks ?? []).map((t) => {
      const task = instance.exports[t];
      if (typeof task !== "function") {
        throw new TargetError(
          "CPU_BAD_MODULE",
          `Cannot load kernel "${name}": its module does not export the parallel task "${t}"`,
          { path: `func "${name}"` },
        );
      }
      return task as Task;
    });
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
    if (this.disposed) this.live("run a kernel");
    const k = this.loaded(kernel);
    const n = k.convert.length;
    if (args.length !== n) {
      throw new InternalError(
        `kernel "${k.artifact.lowered.name}" takes ${n} arguments, got ${args.length}`,
      );
    }
    if (k.stale) this.instantiate(k);
    const raw = k.raw;
    const last = (k.last ??= new Array(n));
    for (let i = 0; i < n; i++) {
      const a = args[i];
      raw[i] = k.convert[i](a);
      last[i] = typeof a === "object" ? 0 : a;
    }
    try {
      k.fn(...raw);
    } catch (e) {
      k.stale = true;
      throw trapError(e, k);
    } finally {
      this.scratch.endCall();
    }
  }

  /** Run a loaded kernel on lowered-form arguments. */
  run(kernel: LoadedKernel, args: readonly DeviceArg[]): Promise<void> {
    try {
      this.invoke(kernel, args);
      return DONE;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Time repeated runs. */
  time(kernel: LoadedKernel, args: readonly DeviceArg[], options?: TimeOptions): Promise<Timing> {
    return measure(() => this.invoke(kernel, args), options);
  }

  /**
   * Figures of the kernel's last run: the share of its multiply-accumulates that ran on
   * intrinsics (`intrinsics_stats.ts`), at the last call's sizes.
   */
  stats(kernel: LoadedKernel): CpuKernelStats | undefined {
    const args = this.loaded(kernel).last;
    const art = kernel.artifact as CpuArtifact;
    return args && art.macs ? macStats(art.macs, art.lowered, args) : undefined;
  }
}

/**
 * The cpu runtime: makes `CpuDevice`s whose kernels may import `host` functions.
 * Device options (`CpuDeviceOptions`): `threads` (default: the machine's cores), `initialPages`,
 * `maximumPages`.
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
    runIntrinsic: (intrinsic, tiles) => runCpuIntrinsic(intrinsic, tiles),
    createDevice: (options?: DeviceOptions) => {
      try {
        return Promise.resolve(new CpuDevice(host, (options ?? {}) as CpuDeviceOptions));
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}
