/**
 * A target as a graph executor backend (`ir/graph`'s `Backend`): each tensor-level function is built once with `sdk.build`
 * (cached by the SDK) and called with device tensors; sizes are bound per call, so one compiled
 * kernel serves every size. Intermediates are views (`Device.view`) of the storages of the
 * executor's memory plan, kept across runs, so the backend keeps no pool of its own.
 *
 * @module
 */
import { build, type BuildOptions, defaultDevice } from "./build.ts";
import type { Device, DeviceTensor } from "./device.ts";
import type { Target } from "./target.ts";
import type { Backend } from "../ir/graph/backend.ts";
import { InternalError } from "../ir/errors.ts";

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
  // Without Device.view a view is a tensor of its own, one per base and shape: values of one
  // storage are never live at once, so the next view of that shape replaces the last.
  const own = new Map<DeviceTensor, Map<string, DeviceTensor>>();
  // With Device.view, views alias their base and stay valid until it is freed: zeroing one
  // again is viewing its base again (which zero-fills the same bytes).
  const baseOf = new WeakMap<DeviceTensor, DeviceTensor>();
  return {
    name: target.name,
    prepare: async (f) => {
      const kernel = await build(f, target, { ...options.build, device });
      return (args) => kernel.call(args as DeviceTensor[]);
    },
    upload: (a) => device.fromArray(a),
    allocate: (shape, dtype) => device.allocate(shape, dtype),
    view: (base, shape) => {
      const b = base as DeviceTensor;
      if (device.view) {
        const t = device.view(b, shape);
        baseOf.set(t, b);
        return t;
      }
      const mine = own.get(b) ?? own.set(b, new Map()).get(b)!;
      const key = shape.join(",");
      const last = mine.get(key);
      if (last) device.free(last);
      const t = device.allocate(shape, b.dtype);
      mine.set(key, t);
      return t;
    },
    zero: device.view
      ? (t) => {
        const base = baseOf.get(t as DeviceTensor);
        if (!base) throw new InternalError("zero: not a view made by this backend");
        device.view!(base, t.shape);
      }
      : undefined,
    download: (t) => device.toArray(t as DeviceTensor),
    free: (t) => {
      for (const v of own.get(t as DeviceTensor)?.values() ?? []) device.free(v);
      own.delete(t as DeviceTensor);
      device.free(t as DeviceTensor);
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
