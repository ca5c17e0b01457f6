/**
 * Test helpers for the SDK: a device whose kernels run in the reference interpreter, on tensors
 * in host memory — the smallest honest runtime, shared by the SDK's tests of build, binding,
 * scheduling hooks and scope checks. Not exported from `mod.ts`.
 *
 * @module
 */
import { interpret } from "../ir/interp/mod.ts";
import { type NDArray, ndarray, numel } from "../ir/ndarray.ts";
import type { Artifact } from "./codegen.ts";
import type { Device, DeviceArg, DeviceTensor, LoadedKernel, Timing } from "./device.ts";
import { measure } from "./timing.ts";
import { printFuncPlain } from "../ir/transform/mod.ts";
import { defineMemoryScope } from "./scope.ts";
import { defineTarget, type Target } from "./target.ts";
import { SDK_VERSION } from "./version.ts";

/** A tensor of the interpreter device: host storage. */
export class HostTensor implements DeviceTensor {
  /** Set when the device frees it. */
  freed = false;
  /** A tensor on `device` holding `array`. */
  constructor(readonly device: Device, readonly array: NDArray) {}
  /** Shape. */
  get shape(): readonly number[] {
    return this.array.shape;
  }
  /** Element dtype. */
  get dtype(): string {
    return this.array.dtype;
  }
  /** Bytes of storage. */
  get byteLength(): number {
    return this.array.data.byteLength;
  }
}

/** A device that runs lowered kernels in the reference interpreter. */
export class InterpDevice implements Device {
  /** Calls of `run`. */
  runs = 0;
  /** A device of the target named `target`; `time` takes `timeRepeat` samples. */
  constructor(readonly target: string, private readonly timeRepeat = 2) {}
  /** A zero-filled tensor. */
  allocate(shape: readonly number[], dtype: string): HostTensor {
    return new HostTensor(this, ndarray(dtype, shape));
  }
  /** A copy of `a` on the device. */
  fromArray(a: NDArray): HostTensor {
    return new HostTensor(this, ndarray(a.dtype, a.shape, a.data.slice()));
  }
  /** A copy of a tensor on the host. */
  toArray(t: DeviceTensor): Promise<NDArray> {
    const a = (t as HostTensor).array;
    return Promise.resolve(ndarray(a.dtype, a.shape, a.data.slice()));
  }
  /** Mark a tensor freed. */
  free(t: DeviceTensor): void {
    (t as HostTensor).freed = true;
  }
  /** Loading is keeping the artifact. */
  load(artifact: Artifact): Promise<LoadedKernel> {
    return Promise.resolve({ artifact, device: this });
  }
  /** Interpret the lowered function; its buffers are 1-D, so each tensor is viewed flat. */
  run(kernel: LoadedKernel, args: readonly DeviceArg[]): Promise<void> {
    this.runs++;
    const flat = args.map((a): NDArray | number | bigint =>
      a instanceof HostTensor ? { ...a.array, shape: [numel(a.array.shape)] } : a as number
    );
    interpret(kernel.artifact.lowered, flat);
    return Promise.resolve();
  }
  /** Time repeated runs. */
  time(kernel: LoadedKernel, args: readonly DeviceArg[]): Promise<Timing> {
    return measure(() => this.run(kernel, args), { repeat: this.timeRepeat, warmup: 0 });
  }
}

/**
 * A cpu-kind target named "interp" whose codegen prints the lowered function and whose devices
 * (`device`, default an `InterpDevice`) run it in the interpreter: the SDK's tests drive `build`
 * and `Kernel` through it.
 *
 * @example
 * ```ts ignore
 * const kernel = await build(f, interpreterTarget());
 * ```
 */
export function interpreterTarget(
  device: () => Device = () => new InterpDevice("interp", 2),
): Target {
  return defineTarget({
    name: "interp",
    kind: "cpu",
    sdkVersion: SDK_VERSION,
    scopes: [defineMemoryScope({ name: "global", alignmentBytes: 8 })],
    codegen: {
      compile: (lowered) =>
        Promise.resolve({
          target: "interp",
          entry: lowered.name,
          source: printFuncPlain(lowered),
          lowered,
        }),
    },
    runtime: { createDevice: () => Promise.resolve(device()) },
    limits: {},
    peak: { flopsPerSecond: { float32: 1e8 }, bytesPerSecond: { global: 1e9 } },
  });
}
