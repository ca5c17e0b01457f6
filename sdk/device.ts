/**
 * The runtime interface every target implements: a `Runtime` makes `Device`s; a device owns
 * memory (`DeviceTensor`s), loads compiled artifacts and runs them.
 *
 * Kernels are called in *destination-passing* style on the lowered form's parameters (see
 * `docs/sdk.md`): one argument per parameter of the lowered `PrimFunc` — a `DeviceTensor` of this
 * device for each buffer, a number (bigint for 64-bit integers) for each scalar, then the size
 * values. The SDK's `Kernel` checks and binds arguments before a device sees them, so a device
 * may trust them.
 *
 * @module
 */
import type { DType } from "../ir/dtype.ts";
import type { NDArray } from "../ir/ndarray.ts";
import type { Artifact } from "./codegen.ts";
import type { Intrinsic } from "./intrinsic.ts";
import type { IntrinsicTile } from "./intrinsic_run.ts";

/** A tensor living in a device's memory. Targets extend it (a byte offset, a buffer handle …). */
export interface DeviceTensor {
  /** The device whose memory holds it. */
  readonly device: Device;
  /** Concrete shape, row-major and compact. */
  readonly shape: readonly number[];
  /** Element dtype. */
  readonly dtype: DType;
  /** Bytes of storage. */
  readonly byteLength: number;
  /** True once `device.free(tensor)` released it; using it then is a `CALL_TENSOR_FREED`. */
  readonly freed: boolean;
}

/** A kernel argument on a device: a tensor for a buffer parameter, a number for a scalar one. */
export type DeviceArg = DeviceTensor | number | bigint;

/** An artifact loaded on a device, ready to run. Targets extend it with their handles. */
export interface LoadedKernel {
  /** The artifact it was loaded from. */
  readonly artifact: Artifact;
  /** The device it is loaded on. */
  readonly device: Device;
}

/** Options of `Device.time`. */
export interface TimeOptions {
  /** Untimed runs first (default 1). */
  readonly warmup?: number;
  /** Timed runs at least (default 5). */
  readonly repeat?: number;
  /** Keep running until this much time passed, up to `maxRepeat` runs (default 0 ms). */
  readonly minTimeMs?: number;
  /** Timed runs at most (default 1000). */
  readonly maxRepeat?: number;
}

/** Timings of repeated runs, in milliseconds. */
export interface Timing {
  /** Median of the samples. */
  readonly medianMs: number;
  /** Fastest sample. */
  readonly minMs: number;
  /** Every sample, in run order. */
  readonly samplesMs: readonly number[];
}

/**
 * What a device knows about a kernel's last run beyond wall time, for reports (conformance,
 * benchmarks). Every field is optional: a target fills what it measures or simulates; targets may
 * add more fields.
 */
export interface KernelStats {
  /** Device cycles of the last run (simulated or counted). */
  readonly cycles?: number;
  /** Device seconds of the last run at the device's clock. */
  readonly seconds?: number;
  /** Achieved MACs per cycle of the matrix unit over its peak, 0…1. */
  readonly utilization?: number;
  /** Share of the kernel's multiply-accumulates that ran on target intrinsics, 0…1. */
  readonly intrinsicShare?: number;
  /** Operations (blocks) that ran on the host rather than on the accelerator. */
  readonly hostOps?: readonly string[];
  /** Further target-specific figures. */
  readonly [key: string]: unknown;
}

/** A device: memory plus the ability to load and run artifacts of one target. */
export interface Device<A extends Artifact = Artifact> {
  /** Name of the target whose artifacts it runs. */
  readonly target: string;
  /** Allocate an uninitialised tensor (zeroed on targets where that is free). */
  allocate(shape: readonly number[], dtype: DType): DeviceTensor;
  /** Allocate a tensor holding a copy of a host array. */
  fromArray(array: NDArray): DeviceTensor;
  /** Copy a tensor back into a fresh host array. */
  toArray(tensor: DeviceTensor): Promise<NDArray>;
  /** Release a tensor's memory; the tensor must not be used afterwards. */
  free(tensor: DeviceTensor): void;
  /**
   * A zero-filled tensor of `shape` (the dtype of `base`) over the first bytes of `base`'s
   * memory, for memory plans (`ir/graph/memory_plan.ts`): freed with `base` (freeing the view
   * itself releases nothing). Optional: without it, graph backends give each view its own memory.
   */
  view?(base: DeviceTensor, shape: readonly number[]): DeviceTensor;
  /** Load an artifact of this target. */
  load(artifact: A): Promise<LoadedKernel>;
  /** Run a loaded kernel on lowered-form arguments (checked by the caller). */
  run(kernel: LoadedKernel, args: readonly DeviceArg[]): Promise<void>;
  /** Run repeatedly and time it (see `measure` in sdk/timing.ts). */
  time(kernel: LoadedKernel, args: readonly DeviceArg[], options?: TimeOptions): Promise<Timing>;
  /** Figures of the kernel's last run on this device (optional; undefined before a run). */
  stats?(kernel: LoadedKernel): KernelStats | undefined;
}

/** Options a runtime accepts when making a device (targets may read more). */
export interface DeviceOptions {
  /** Free-form, target-specific settings. */
  readonly [key: string]: unknown;
}

/** What a target provides to run code: a way to make devices. */
export interface Runtime<A extends Artifact = Artifact> {
  /** Make a device (its memory, its loaded kernels). */
  createDevice(options?: DeviceOptions): Promise<Device<A>>;
  /**
   * Run one intrinsic on concrete tiles the way the target runs it (the cpu calls its C
   * function, an NPU simulates its command), writing the results into the tiles' storage. Required
   * when the target has intrinsics: `validateTarget` checks each one against its description with
   * it (`sdk/intrinsic_run.ts`).
   */
  runIntrinsic?(intrinsic: Intrinsic, tiles: readonly IntrinsicTile[]): Promise<void>;
}
