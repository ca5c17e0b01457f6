/**
 * Test helpers for the conformance kit: a target whose kernels run in the reference interpreter
 * (`InterpDevice`), with knobs to make it fail in each way a vendor target can — crash on a
 * kernel, compute a wrong answer, fail to compile, hang (a run that never settles, or a
 * synchronous loop that spins a while) — and an optional deterministic cycle count
 * (so floors can be tested without wall-clock noise). It counts its codegen's compiles.
 *
 * @module
 */
import type { NDArray } from "../ir/ndarray.ts";
import {
  type Artifact,
  defineMemoryScope,
  defineTarget,
  type DeviceArg,
  type KernelStats,
  type LoadedKernel,
  SDK_VERSION,
  type Target,
} from "../sdk/mod.ts";
import { HostTensor, InterpDevice } from "../sdk/testing.ts";
import { TargetError } from "../ir/errors.ts";

/** How the interpreter target misbehaves. */
export interface InterpTargetOptions {
  /** Target name (default `interp`). */
  readonly name?: string;
  /** Throw from `run` for kernels whose name matches (a crash of the target). */
  readonly crashOn?: RegExp;
  /** Add 1 to the first output element of kernels whose name matches (a wrong answer). */
  readonly wrongOn?: RegExp;
  /** Refuse to compile kernels whose name matches. */
  readonly refuseOn?: RegExp;
  /** Never settle `run` for kernels whose name matches (a hung target). */
  readonly hangOn?: RegExp;
  /** Busy-wait this many ms on the calling thread in `run` of kernels matching `hangOn` first. */
  readonly spinMs?: number;
  /** Simulated cycles per run (reported as `KernelStats.cycles`/`seconds` at 1 GHz). */
  readonly cycles?: number;
}

/** The target and its compile counter. */
export interface InterpTarget {
  /** The target. */
  readonly target: Target;
  /** Calls of the codegen's `compile`. */
  readonly compiles: { count: number };
}

class MisbehavingDevice extends InterpDevice {
  constructor(name: string, private readonly o: InterpTargetOptions) {
    super(name, 1);
  }
  override run(kernel: LoadedKernel, args: readonly DeviceArg[]): Promise<void> {
    const name = kernel.artifact.entry;
    if (this.o.crashOn?.test(name)) {
      return Promise.reject(new RangeError(`interp device crashed in kernel "${name}"`));
    }
    if (this.o.hangOn?.test(name)) {
      const until = performance.now() + (this.o.spinMs ?? 0);
      while (performance.now() < until) { /* a synchronous loop: nothing can pre-empt it */ }
      return new Promise<void>(() => {});
    }
    const done = super.run(kernel, args);
    if (this.o.wrongOn?.test(name)) {
      const out = args.filter((a) => a instanceof HostTensor).at(-1) as HostTensor | undefined;
      if (out) (out.array as NDArray).data[0] = Number((out.array as NDArray).data[0]) + 1;
    }
    return done;
  }
  stats(): KernelStats | undefined {
    const c = this.o.cycles;
    return c === undefined ? undefined : { cycles: c, seconds: c / 1e9 };
  }
}

/**
 * A target running kernels in the interpreter.
 *
 * @example
 * ```ts
 * import { interpTarget } from "./testing.ts";
 * const { target } = interpTarget({ cycles: 100 });
 * console.assert(target.name === "interp");
 * ```
 */
export function interpTarget(o: InterpTargetOptions = {}): InterpTarget {
  const name = o.name ?? "interp";
  const compiles = { count: 0 };
  const target = defineTarget({
    name,
    kind: "npu",
    sdkVersion: SDK_VERSION,
    scopes: [defineMemoryScope({ name: "global", alignmentBytes: 64 })],
    codegen: {
      compile: (lowered): Promise<Artifact> => {
        compiles.count++;
        if (o.refuseOn?.test(lowered.name)) {
          return Promise.reject(
            new TargetError("INTERP_REFUSED", `Cannot compile "${lowered.name}" for ${name}`, {
              path: `func "${lowered.name}"`,
            }),
          );
        }
        return Promise.resolve({ target: name, entry: lowered.name, source: "", lowered });
      },
    },
    runtime: { createDevice: () => Promise.resolve(new MisbehavingDevice(name, o)) },
    limits: {},
    peak: { flopsPerSecond: { float32: 1e9, int8: 4e9 }, bytesPerSecond: { global: 1e9 } },
  });
  return { target, compiles };
}
