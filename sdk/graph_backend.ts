/**
 * A target as a graph executor backend (`ir/graph`'s `Backend`): each tensor-level function is built once with `sdk.build`
 * (cached by the SDK) and called with device tensors; sizes are bound per call, so one compiled
 * kernel serves every size.
 *
 * @module
 */
import { build, type BuildOptions, defaultDevice } from "./build.ts";
import type { Device, DeviceTensor } from "./device.ts";
import type { Target } from "./target.ts";
import type { Backend } from "../ir/graph/backend.ts";
import type { DType } from "../ir/dtype.ts";
import { CallError } from "../ir/errors.ts";

/** Bytes of released tensors a backend keeps for reuse (past that, they go back to the device). */
const POOL_BYTES = 64 << 20;

/**
 * Released tensors kept for reuse by shape and dtype: an executor allocates the same shapes on
 * every run, and taking one back is cheaper than the device's allocate/free. Only tensors whose
 * contents are a host-visible typed array (`data`, as cpu tensors have) are kept, since a reused
 * tensor is zero-filled again, as `allocate` promises.
 */
class TensorPool {
  private readonly free = new Map<string, DeviceTensor[]>();
  private readonly held = new Set<DeviceTensor>();
  private bytes = 0;

  constructor(private readonly device: Device) {}

  /** A released tensor of this shape and dtype, zero-filled; undefined if none. */
  take(shape: readonly number[], dtype: DType): DeviceTensor | undefined {
    const t = this.free.get(`${dtype}[${shape.join(",")}]`)?.pop();
    if (!t) return undefined;
    this.held.delete(t);
    this.bytes -= t.byteLength;
    const d = (t as unknown as { data: ArrayBufferView }).data;
    new Uint8Array(d.buffer, d.byteOffset, d.byteLength).fill(0);
    return t;
  }

  /** Keep a released tensor (true), or leave it to the caller to free (false). */
  give(t: DeviceTensor): boolean {
    if (this.held.has(t)) {
      throw new CallError("CALL_TENSOR_FREED", "Cannot free a tensor twice");
    }
    if (t.device !== this.device || t.freed || this.bytes + t.byteLength > POOL_BYTES) return false;
    if (!("data" in t)) return false; // (the getter may build a view: not called here)
    const key = `${t.dtype}[${t.shape.join(",")}]`;
    const list = this.free.get(key) ?? this.free.set(key, []).get(key)!;
    list.push(t);
    this.held.add(t);
    this.bytes += t.byteLength;
    return true;
  }
}

/** Options of `targetBackend`. */
export interface TargetBackendOptions {
  /** The device (default: the target's default device). */
  readonly device?: Device;
  /** Options passed to `build` (lowering, codegen, schedule). */
  readonly build?: Omit<BuildOptions, "device" | "entry">;
}

/**
 * A target as a backend: functions built with `sdk.build` on a device.
 *
 * @example
 * ```ts ignore
 * import cpu from "../targets/cpu/mod.ts";
 * const backend = await targetBackend(cpu);
 * ```
 */
export async function targetBackend(
  target: Target,
  options: TargetBackendOptions = {},
): Promise<Backend> {
  const device = options.device ?? await defaultDevice(target);
  const pool = new TensorPool(device);
  return {
    name: target.name,
    prepare: async (f) => {
      const kernel = await build(f, target, { ...options.build, device });
      return (args) => kernel.call(args as DeviceTensor[]);
    },
    upload: (a) => device.fromArray(a),
    allocate: (shape, dtype) => pool.take(shape, dtype) ?? device.allocate(shape, dtype),
    download: (t) => device.toArray(t as DeviceTensor),
    free: (t) => {
      if (!pool.give(t as DeviceTensor)) device.free(t as DeviceTensor);
    },
  };
}

/**
 * One backend per target, by name: the `backends` of a `PlacedExecutor` (`ir/graph`).
 *
 * @example
 * ```ts ignore
 * import cpu from "../targets/cpu/mod.ts";
 * import npu from "../targets/npu/mod.ts";
 * const ex = new PlacedExecutor(placed, { backends: await targetBackends([cpu, npu]) });
 * ```
 */
export async function targetBackends(
  targets: readonly Target[],
): Promise<Record<string, Backend>> {
  const out: Record<string, Backend> = {};
  for (const t of targets) out[t.name] = await targetBackend(t);
  return out;
}
