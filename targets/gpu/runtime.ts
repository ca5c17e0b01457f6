/**
 * The gpu runtime on `navigator.gpu`: a `GpuDevice` holds tensors in pooled storage buffers
 * (buffer_pool.ts), loads artifacts by creating one compute pipeline per dispatch (cached on the
 * device by the WGSL's content hash, so equal kernels share a pipeline), runs a call as one
 * command buffer (all its dispatches in one compute pass, in order), and reads back
 * asynchronously (`mapAsync`). `time` uses timestamp queries when the device has them — a batch
 * of runs in one submission, one read-back — and the wall clock otherwise.
 *
 * @module
 */
import { type DType, elementOf } from "../../ir/dtype.ts";
import { CallError, TargetError } from "../../ir/errors.ts";
import { type NDArray, ndarray, numel } from "../../ir/ndarray.ts";
import type {
  Device,
  DeviceArg,
  DeviceTensor,
  LoadedKernel,
  Runtime,
  TimeOptions,
  Timing,
} from "../../sdk/device.ts";
import { KERNEL_CODES } from "../../sdk/errors.ts";
import { measure } from "../../sdk/timing.ts";
import type { GpuArtifact } from "./artifact.ts";
import { type AdapterInfo, requestAdapterInfo, requestDevice } from "./adapter.ts";
import { BufferPool } from "./buffer_pool.ts";
import { evalHost } from "./host_expr.ts";
import type { GpuLimits } from "./limits.ts";
import { storageBytes } from "./wgsl_types.ts";
import { allocTyped } from "../../ir/dtype.ts";
import "../../tensorize/auto/mod.ts";
import { autoTensorize } from "../../tensorize/auto/auto_tensorize.ts";
import { blocksUnder } from "../../tensorize/analysis/find.ts";
import { Schedule } from "../../tensorize/schedule.ts";
import { compactRunner } from "../../sdk/intrinsic_run.ts";
import { build } from "../../sdk/build.ts";
import type { Target } from "../../sdk/target.ts";

/** A tensor in a gpu storage buffer (its bytes are the host array's bytes). */
export class GpuTensor implements DeviceTensor {
  /** Released. */
  freed = false;
  /** Make a tensor (through `GpuDevice.allocate`). */
  constructor(
    readonly device: GpuDevice,
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly byteLength: number,
    readonly buffer: GPUBuffer,
    /** The tensor whose buffer this one views (`GpuDevice.view`); undefined for its own buffer. */
    readonly base?: GpuTensor,
  ) {}
}

/** A gpu artifact loaded on a device: its pipelines. */
export interface GpuLoadedKernel extends LoadedKernel {
  /** The artifact. */
  readonly artifact: GpuArtifact;
  /** The device. */
  readonly device: GpuDevice;
  /** One pipeline per dispatch. */
  readonly pipelines: readonly GPUComputePipeline[];
}

interface Prepared {
  readonly groups: (GPUBindGroup | undefined)[];
  readonly grids: [number, number, number][];
  readonly release: () => void;
}

/** A gpu device. */
export class GpuDevice implements Device<GpuArtifact> {
  /** The target name. */
  readonly target: string = "gpu";
  /** The buffer pool. */
  readonly pool: BufferPool;
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  /** Pipelines created (not found in the cache). */
  pipelineCompiles = 0;

  /** Make a device (usually through the gpu target's runtime). */
  constructor(readonly gpu: GPUDevice, readonly info: AdapterInfo) {
    this.pool = new BufferPool(gpu);
  }

  /** The device's limits. */
  get limits(): GpuLimits {
    return this.info.limits;
  }

  allocate(shape: readonly number[], dtype: DType): GpuTensor {
    const bytes = storageBytes(dtype, numel(shape));
    if (bytes > this.limits.maxStorageBufferBindingSize) {
      throw new TargetError(
        KERNEL_CODES.outOfMemory,
        `Cannot allocate a ${dtype} tensor of shape [${
          shape.join(", ")
        }] on the gpu: ${bytes} bytes exceed maxStorageBufferBindingSize ${this.limits.maxStorageBufferBindingSize}`,
      );
    }
    const { buffer, fresh } = this.pool.acquire("storage", bytes);
    if (!fresh) this.gpu.queue.writeBuffer(buffer, 0, new Uint8Array(bytes));
    return new GpuTensor(this, shape, dtype, bytes, buffer);
  }

  fromArray(array: NDArray): GpuTensor {
    const t = this.allocate(array.shape, array.dtype);
    const src = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
    const padded = new Uint8Array(t.byteLength);
    padded.set(src);
    this.gpu.queue.writeBuffer(t.buffer, 0, padded);
    return t;
  }

  async toArray(tensor: DeviceTensor): Promise<NDArray> {
    const t = tensor as GpuTensor;
    const { buffer: staging } = this.pool.acquire("staging", t.byteLength);
    const enc = this.gpu.createCommandEncoder();
    enc.copyBufferToBuffer(t.buffer, 0, staging, 0, t.byteLength);
    this.gpu.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ, 0, t.byteLength);
    const data = allocTyped(t.dtype, numel(t.shape));
    new Uint8Array(data.buffer).set(
      new Uint8Array(staging.getMappedRange(0, t.byteLength), 0, data.byteLength),
    );
    staging.unmap();
    this.pool.release("staging", staging);
    return ndarray(t.dtype, [...t.shape], data);
  }

  /**
   * A zero-filled tensor of `shape` at offset 0 of `base`'s buffer (its dtype), for memory plans;
   * freed with `base`. Kernels take sizes from their uniforms, never from the buffer's length
   * (pooled buffers are already larger than their tensors).
   */
  view(base: DeviceTensor, shape: readonly number[]): GpuTensor {
    const b = base as GpuTensor;
    const bytes = storageBytes(b.dtype, numel(shape));
    if (bytes > b.byteLength) {
      throw new CallError(
        "BAD_SHAPE",
        `Cannot view a ${b.dtype} tensor of ${b.byteLength} bytes as shape [${shape.join(", ")}]`,
      );
    }
    this.gpu.queue.writeBuffer(b.buffer, 0, new Uint8Array(bytes));
    return new GpuTensor(this, shape, b.dtype, bytes, b.buffer, b.base ?? b);
  }

  free(tensor: DeviceTensor): void {
    const t = tensor as GpuTensor;
    if (t.freed) return;
    t.freed = true;
    if (!t.base) this.pool.release("storage", t.buffer);
  }

  /** The pipeline of a kernel's WGSL, created once per content hash. */
  private pipeline(source: string, hash: string, entry: string): Promise<GPUComputePipeline> {
    let p = this.pipelines.get(hash);
    if (!p) {
      this.pipelineCompiles++;
      p = (async () => {
        this.gpu.pushErrorScope("validation");
        const module = this.gpu.createShaderModule({ code: source });
        const info = await module.getCompilationInfo();
        const errors = info.messages.filter((m) => m.type === "error");
        const pipe = errors.length ? undefined : await this.gpu.createComputePipelineAsync({
          layout: "auto",
          compute: { module, entryPoint: entry },
        }).catch((e) => e as Error);
        const scope = await this.gpu.popErrorScope();
        if (errors.length || !pipe || pipe instanceof Error || scope) {
          const why = errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join("; ") ||
            (pipe instanceof Error ? pipe.message : scope?.message ?? "unknown");
          throw new TargetError(
            "GPU_SHADER_INVALID",
            `Cannot create the gpu pipeline ${entry}: ${why}`,
            {
              hint: `the generated WGSL was rejected (a bug of the gpu codegen):\n${source}`,
            },
          );
        }
        return pipe;
      })();
      p.catch(() => this.pipelines.delete(hash));
      this.pipelines.set(hash, p);
    }
    return p;
  }

  async load(artifact: GpuArtifact): Promise<GpuLoadedKernel> {
    const pipelines = await Promise.all(
      artifact.kernels.map((k) => this.pipeline(k.source, k.hash, k.entry)),
    );
    return { artifact, device: this, pipelines };
  }

  /** Host asserts, grids, workspaces, the uniform and bind groups of one call. */
  private prepare(k: GpuLoadedKernel, args: readonly DeviceArg[]): Prepared {
    const a = k.artifact;
    const env = new Map(a.scalars.map((s) => [s.v, Number(args[s.param] as number | bigint)]));
    for (const c of a.asserts) {
      if (!evalHost(c.cond, env)) {
        throw new TargetError(
          KERNEL_CODES.assert,
          `Kernel "${a.entry}" failed an assert: ${c.message}`,
          { path: `func "${a.entry}"` },
        );
      }
    }
    const grids = a.kernels.map((kn) => {
      const g = kn.grid.map((e) => evalHost(e, env)) as [number, number, number];
      g.forEach((n, d) => {
        if (n > this.limits.maxComputeWorkgroupsPerDimension) {
          throw new TargetError(
            "GPU_DISPATCH_LIMIT",
            `Cannot run "${a.entry}" on the gpu: dispatch ${kn.entry} needs ${n} workgroups along ${
              "xyz"[d]
            }, above maxComputeWorkgroupsPerDimension ${this.limits.maxComputeWorkgroupsPerDimension}`,
            { path: `func "${a.entry}"`, hint: "give each thread more work in the schedule" },
          );
        }
      });
      return g;
    });
    const temps: GPUBuffer[] = [];
    const buffers = a.buffers.map((b) => {
      if (b.param >= 0) return (args[b.param] as GpuTensor).buffer;
      const bytes = storageBytes(b.dtype, evalHost(b.elements!, env));
      const { buffer } = this.pool.acquire("storage", bytes);
      temps.push(buffer);
      return buffer;
    });
    let uniform: GPUBuffer | undefined;
    if (a.scalars.length) {
      const words = new ArrayBuffer(Math.ceil((a.scalars.length + 1) / 4) * 16);
      const i32 = new Int32Array(words),
        u32 = new Uint32Array(words),
        f32 = new Float32Array(words);
      a.scalars.forEach((s, k) => {
        const v = Number(args[s.param] as number | bigint);
        const d = elementOf(s.v.dtype);
        if (d.startsWith("float") || d === "bfloat16") f32[k] = v;
        else if (d.startsWith("uint") || d === "bool") u32[k] = v;
        else i32[k] = v;
      });
      uniform = this.pool.acquire("uniform", words.byteLength).buffer;
      this.gpu.queue.writeBuffer(uniform, 0, words);
    }
    const groups = a.kernels.map((kn, i) => {
      if (!kn.bindings.length) return undefined;
      return this.gpu.createBindGroup({
        layout: k.pipelines[i].getBindGroupLayout(0),
        entries: kn.bindings.map((b) => ({
          binding: b.binding,
          resource: { buffer: b.slot < 0 ? uniform! : buffers[b.slot] },
        })),
      });
    });
    const release = () => {
      for (const t of temps) this.pool.release("storage", t);
      if (uniform) this.pool.release("uniform", uniform);
    };
    return { groups, grids, release };
  }

  /** Encode a call's dispatches in one compute pass. */
  private encode(
    enc: GPUCommandEncoder,
    k: GpuLoadedKernel,
    p: Prepared,
    timestamps?: GPUComputePassTimestampWrites,
  ): void {
    const pass = enc.beginComputePass(timestamps ? { timestampWrites: timestamps } : {});
    k.artifact.kernels.forEach((_, i) => {
      const [x, y, z] = p.grids[i];
      if (x * y * z === 0) return;
      pass.setPipeline(k.pipelines[i]);
      if (p.groups[i]) pass.setBindGroup(0, p.groups[i]!);
      pass.dispatchWorkgroups(x, y, z);
    });
    pass.end();
  }

  run(kernel: LoadedKernel, args: readonly DeviceArg[]): Promise<void> {
    try {
      const k = kernel as GpuLoadedKernel;
      const p = this.prepare(k, args);
      const enc = this.gpu.createCommandEncoder();
      this.encode(enc, k, p);
      this.gpu.queue.submit([enc.finish()]);
      p.release(); // later users of these buffers are queued after this submission
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async time(
    kernel: LoadedKernel,
    args: readonly DeviceArg[],
    options: TimeOptions = {},
  ): Promise<Timing> {
    const k = kernel as GpuLoadedKernel;
    if (!this.info.features.timestampQuery) {
      return measure(async () => {
        await this.run(k, args);
        await this.gpu.queue.onSubmittedWorkDone();
      }, options);
    }
    for (let i = 0; i < (options.warmup ?? 1); i++) await this.run(k, args);
    const n = Math.min(Math.max(1, options.repeat ?? 5), 2048);
    const qs = this.gpu.createQuerySet({ type: "timestamp", count: 2 * n });
    const resolve = this.gpu.createBuffer({
      size: 16 * n,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    const read = this.gpu.createBuffer({
      size: 16 * n,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const p = this.prepare(k, args);
    const enc = this.gpu.createCommandEncoder();
    for (let i = 0; i < n; i++) {
      this.encode(enc, k, p, {
        querySet: qs,
        beginningOfPassWriteIndex: 2 * i,
        endOfPassWriteIndex: 2 * i + 1,
      });
    }
    enc.resolveQuerySet(qs, 0, 2 * n, resolve, 0);
    enc.copyBufferToBuffer(resolve, 0, read, 0, 16 * n);
    this.gpu.queue.submit([enc.finish()]);
    p.release();
    await read.mapAsync(GPUMapMode.READ);
    const ts = new BigUint64Array(read.getMappedRange().slice(0));
    read.unmap();
    for (const b of [resolve, read]) b.destroy();
    qs.destroy();
    const samples = Array.from({ length: n }, (_, i) => Number(ts[2 * i + 1] - ts[2 * i]) / 1e6);
    const sorted = [...samples].sort((a, b) => a - b);
    const mid = n >> 1;
    return {
      medianMs: n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
      minMs: sorted[0],
      samplesMs: samples,
    };
  }

  /**
   * Release the device: pooled buffers and the `GPUDevice` (tensors and kernels of it must not be
   * used afterwards).
   */
  dispose(): void {
    this.pool.clear();
    this.pipelines.clear();
    this.gpu.destroy();
  }

  /** Wait until every submitted command has run. */
  async finish(): Promise<void> {
    await this.gpu.queue.onSubmittedWorkDone();
  }
}

/**
 * The gpu runtime: devices on `adapter` (default: the process's adapter). `runIntrinsic` (for `validateTarget`) runs
 * an intrinsic the way kernels do: its description tensorized with the intrinsic itself, built
 * for `target()` and run on the tiles' data.
 *
 * @example
 * ```ts ignore
 * const runtime = gpuRuntime(() => gpu);
 * const device = await runtime.createDevice();
 * ```
 */
export function gpuRuntime(
  target: () => Target<GpuArtifact>,
  adapter?: AdapterInfo,
): Runtime<GpuArtifact> {
  return {
    async createDevice(): Promise<Device<GpuArtifact>> {
      const info = adapter ?? await requestAdapterInfo();
      return new GpuDevice(await requestDevice(info), info);
    },
    runIntrinsic: compactRunner(async (intrinsic, arrays) => {
      const sch = new Schedule(intrinsic.description);
      const block = blocksUnder(sch.func.body).find((r) => r.block.name !== "root")!;
      const r = autoTensorize(sch, sch.getBlock(block.block.name), [intrinsic]);
      if (!r.applied) {
        throw new TargetError(
          "GPU_INTRINSIC_UNMAPPED",
          `Cannot run intrinsic "${intrinsic.name}": its description does not tensorize onto it: ${r.diagnostic.message}`,
        );
      }
      const kernel = await build(sch.func, target(), { schedule: false });
      const dev = kernel.device;
      const tensors = arrays.map((a) => dev.fromArray(a));
      await kernel.call(tensors);
      for (const [k, t] of tensors.entries()) {
        arrays[k].data.set((await dev.toArray(t)).data as never);
        dev.free(t);
      }
    }),
  };
}
