/**
 * `Kernel`: a built function loaded on a device — call it on device tensors (destination
 * passing, no copies), or run it on host arrays (copies in, allocates outputs, copies out).
 *
 * @module
 */
import { CallError } from "../ir/errors.ts";
import type { PrimFunc } from "../ir/func.ts";
import { visit } from "../ir/node.ts";
import type { NDArray } from "../ir/ndarray.ts";
import { checkArgumentRanges, VALUE_RANGE_ATTR } from "../ir/value_range.ts";
import type { Artifact } from "./codegen.ts";
import type {
  Device,
  DeviceArg,
  DeviceTensor,
  KernelStats,
  LoadedKernel,
  TimeOptions,
  Timing,
} from "./device.ts";
import { abiValue, type Binding, type BufferSig, Signature } from "./signature.ts";
import type { Target } from "./target.ts";

/** Options of `Kernel.run`. */
export interface RunOptions {
  /** Shapes of the outputs (by output position) where the inputs do not determine them. */
  readonly outputShapes?: readonly (readonly number[] | undefined)[];
}

/** A compiled function, loaded on a device. */
export interface Kernel {
  /** Function name. */
  readonly name: string;
  /** The function as built (before lowering). */
  readonly func: PrimFunc;
  /** The lowered function the artifact implements. */
  readonly lowered: PrimFunc;
  /** Generated code, for inspection. */
  readonly source: string;
  /** The artifact. */
  readonly artifact: Artifact;
  /** The target built for. */
  readonly target: Target;
  /** The device it is loaded on. */
  readonly device: Device;
  /**
   * Run on host data like the interpreter's `runFunc`: `inputs` are the first parameters (an
   * NDArray per buffer, a number per scalar); the remaining buffer parameters are outputs,
   * allocated from the sizes the inputs bind, and returned. Inputs of parameters with a
   * declared value range (`tessera.value_range`, `ir/value_range.ts`) are checked first
   * (`CallError` `CALL_VALUE_RANGE`); `call` and `time`, on device tensors, do not read them.
   */
  run(inputs: readonly (NDArray | number | bigint)[], options?: RunOptions): Promise<NDArray[]>;
  /**
   * Call in destination-passing style: one argument per parameter of the function as written
   * (device tensors of `device` for buffers, numbers for scalars). Sizes are bound from the
   * tensors' shapes; nothing is copied.
   */
  call(args: readonly DeviceArg[]): Promise<void>;
  /** Time repeated calls on the same arguments. */
  time(args: readonly DeviceArg[], options?: TimeOptions): Promise<Timing>;
  /**
   * What the device reports about the last run (`Device.stats`: simulated cycles, utilisation,
   * share of MACs on intrinsics, host ops …); undefined when the device reports nothing.
   */
  stats(): KernelStats | undefined;
}

/** Call signatures a kernel remembers (most recently used first). */
const KNOWN_SIGNATURES = 8;

/** A call signature a kernel bound and checked (see `prepare` in `createKernel`). */
interface Known {
  /** Scalar arguments by parameter position (as passed). */
  readonly scalars: unknown[];
  /** Tensor arguments' dtypes and shapes by parameter position. */
  readonly dtypes: string[];
  readonly shapes: (readonly number[])[];
  /** For a tensor argument: the first earlier position passed the same tensor, else -1. */
  readonly alias: number[];
  /** The lowered call's arguments, tensors as 0 (scalars in ABI form, then the size values). */
  readonly lowered: readonly DeviceArg[];
}

function isNDArray(x: unknown): x is NDArray {
  return typeof x === "object" && x !== null && "data" in x && "shape" in x && "dtype" in x;
}

function isDeviceTensor(x: unknown): x is DeviceTensor {
  return typeof x === "object" && x !== null && "device" in x && "shape" in x && "dtype" in x;
}

/** Make a kernel from a loaded artifact (used by `build`). */
export function createKernel(
  func: PrimFunc,
  target: Target,
  loaded: LoadedKernel,
  sig: Signature = new Signature(func),
): Kernel {
  const artifact = loaded.artifact;
  sig.checkLowered(artifact.lowered);
  const device = loaded.device;
  const arity = (got: number, what: string) =>
    new CallError(
      "CALL_ARITY",
      `Cannot call function "${func.name}" with ${got} ${what}: it takes ${func.params.length} (${
        func.params.map((p) => p.name).join(", ")
      })`,
      { path: `func "${func.name}"` },
    );

  const checkTensor = (b: Binding, p: BufferSig, x: unknown): DeviceTensor => {
    if (!isDeviceTensor(x)) throw b.notATensor(p, x, "a device tensor");
    const where = { path: `func "${func.name}" / buffer "${p.buffer.name}"` };
    if (x.device !== device) {
      throw new CallError(
        "CALL_DEVICE_MISMATCH",
        `Cannot call function "${func.name}" with a tensor of another device for buffer "${p.buffer.name}": the kernel is loaded on a ${device.target} device`,
        { ...where, hint: "allocate the tensor on kernel.device, or build for its device" },
      );
    }
    if (x.freed) {
      throw new CallError(
        "CALL_TENSOR_FREED",
        `Cannot call function "${func.name}" with a freed tensor for buffer "${p.buffer.name}"`,
        where,
      );
    }
    return x;
  };

  // Buffer parameters the kernel stores to: generated code may assume parameters do not overlap
  // (C `restrict`), so a tensor passed for a written parameter must not be passed again.
  const written = new Set<string>();
  visit(artifact.lowered, (n) => {
    if (n.kind === "BufferStore") written.add(n.buffer.name);
  });
  const checkAliasing = (args: readonly DeviceArg[]): void => {
    const seen = new Map<DeviceTensor, number>();
    sig.params.forEach((p, k) => {
      if (p.kind !== "buffer") return;
      const t = args[k] as DeviceTensor;
      const j = seen.get(t);
      if (j === undefined) return void seen.set(t, k);
      const q = sig.params[j] as BufferSig;
      if (written.has(p.buffer.name) || written.has(q.buffer.name)) {
        throw new CallError(
          "CALL_ALIASED",
          `Cannot call function "${func.name}" with one tensor for buffers "${q.buffer.name}" and "${p.buffer.name}": the kernel writes ${
            written.has(p.buffer.name) ? `"${p.buffer.name}"` : `"${q.buffer.name}"`
          } and assumes its parameters do not overlap`,
          { path: `func "${func.name}" / buffer "${p.buffer.name}"`, hint: "pass a copy" },
        );
      }
    });
  };

  // Call signatures already bound and checked (the arguments' dtypes, shapes, scalar values and
  // which tensors repeat), most recent first: a call matching one skips binding, solving and
  // the checks those made, and reuses the size values they gave.
  const n = sig.params.length;
  const isScalar = sig.params.map((p) => p.kind === "scalar");
  const known: Known[] = [];
  const matches = (s: Known, args: readonly DeviceArg[]): boolean => {
    for (let k = 0; k < n; k++) {
      const a = args[k];
      if (isScalar[k]) {
        const v = s.scalars[k];
        if (typeof a !== typeof v || (a !== v && (a === a || v === v))) return false;
        continue;
      }
      if (typeof a !== "object" || a === null) return false;
      const want = s.shapes[k]!;
      const shape = a.shape;
      if (a.device !== device || a.dtype !== s.dtypes[k] || shape.length !== want.length) {
        return false;
      }
      for (let d = 0; d < want.length; d++) if (shape[d] !== want[d]) return false;
      let alias = -1;
      for (let j = 0; j < k; j++) {
        if (args[j] === a) {
          alias = j;
          break;
        }
      }
      if (alias !== s.alias[k] || a.freed) return false;
    }
    return true;
  };
  const remember = (args: readonly DeviceArg[], lowered: readonly DeviceArg[]): void => {
    const s: Known = { scalars: [], dtypes: [], shapes: [], alias: [], lowered: [...lowered] };
    for (let k = 0; k < n; k++) {
      const a = args[k];
      if (isScalar[k]) s.scalars[k] = a;
      else {
        const t = a as DeviceTensor;
        s.dtypes[k] = t.dtype;
        s.shapes[k] = [...t.shape];
        s.alias[k] = args.indexOf(t);
        if (s.alias[k] === k) s.alias[k] = -1;
      }
    }
    if (known.length >= KNOWN_SIGNATURES) known.pop();
    known.unshift(s);
  };

  /** Check and bind device arguments; the lowered call's argument list. */
  const prepare = (args: readonly DeviceArg[]): DeviceArg[] => {
    if (args.length !== n) throw arity(args.length, "arguments");
    for (let i = 0; i < known.length; i++) {
      const s = known[i];
      if (!matches(s, args)) continue;
      if (i > 0) known.unshift(...known.splice(i, 1));
      const out = s.lowered.slice();
      for (let k = 0; k < n; k++) if (!isScalar[k]) out[k] = args[k];
      return out;
    }
    const b = sig.binding();
    sig.params.forEach((p, k) => p.kind === "scalar" && b.scalar(p, args[k]));
    sig.params.forEach((p, k) => p.kind === "buffer" && b.tensor(p, checkTensor(b, p, args[k])));
    b.solve();
    b.requireAllBound();
    checkAliasing(args);
    const out = args.map((a, k) => {
      const p = sig.params[k];
      return p.kind === "scalar" ? abiValue(p.v.dtype, a as number | bigint) : a;
    });
    out.push(...b.sizeValues());
    remember(args, out.map((a, k) => (isScalar[k] || k >= n ? a : 0)));
    return out;
  };

  const run = async (
    inputs: readonly (NDArray | number | bigint)[],
    options: RunOptions = {},
  ): Promise<NDArray[]> => {
    if (inputs.length > sig.params.length) throw arity(inputs.length, "inputs");
    const b = sig.binding();
    const head = sig.params.slice(0, inputs.length);
    head.forEach((p, k) => p.kind === "scalar" && b.scalar(p, inputs[k]));
    head.forEach((p, k) => {
      if (p.kind !== "buffer") return;
      const x = inputs[k];
      if (!isNDArray(x)) throw b.notATensor(p, x, "an NDArray");
      b.tensor(p, x);
    });
    b.solve();
    if (func.attrs[VALUE_RANGE_ATTR] !== undefined) {
      checkArgumentRanges(
        func,
        head.flatMap((p, k) => {
          const x = inputs[k] as NDArray;
          return p.kind === "buffer" ? [{ name: p.buffer.name, ...x }] : [];
        }),
      );
    }
    const args: DeviceArg[] = [];
    const owned: DeviceTensor[] = [];
    const outputs: DeviceTensor[] = [];
    try {
      inputs.forEach((x, k) => {
        const p = sig.params[k];
        if (p.kind === "scalar") args.push(abiValue(p.v.dtype, x as number | bigint));
        else {
          const t = device.fromArray(x as NDArray);
          owned.push(t);
          args.push(t);
        }
      });
      for (const p of sig.params.slice(inputs.length)) {
        if (p.kind === "scalar") {
          if (!b.has(p.slot)) {
            throw new CallError(
              "CALL_ARITY",
              `Cannot run function "${func.name}": scalar parameter "${p.v.name}" follows the inputs and the inputs do not determine it`,
              { path: `func "${func.name}"`, hint: "pass it among the inputs" },
            );
          }
          args.push(b.value(p.v));
          continue;
        }
        const shape = options.outputShapes?.[outputs.length] ?? b.shapeOf(p);
        b.tensor(p, { dtype: p.buffer.dtype, shape });
        b.solve();
        const t = device.allocate(shape, p.buffer.dtype);
        owned.push(t);
        outputs.push(t);
        args.push(t);
      }
      b.requireAllBound();
      args.push(...b.sizeValues());
      await device.run(loaded, args);
      const result: NDArray[] = [];
      for (const t of outputs) result.push(await device.toArray(t));
      return result;
    } finally {
      for (const t of owned) device.free(t);
    }
  };

  return {
    name: func.name,
    func,
    lowered: artifact.lowered,
    source: artifact.source,
    artifact,
    target,
    device,
    run,
    call: (args) => {
      try {
        return device.run(loaded, prepare(args));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    stats: () => device.stats?.(loaded),
    time: (args, options) => {
      try {
        return device.time(loaded, prepare(args), options);
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}
