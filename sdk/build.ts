/**
 * `build`: from a function (or a module's entry function) to a `Kernel` on a device — lower with
 * the target's lowering options, compile with the target's codegen, load on the device.
 *
 * Caching: the key is `structuralHash(f)` + the function and parameter names + the target name +
 * the options. Artifacts are cached per target (a second device loads without compiling) and
 * loaded kernels per device (a repeat build costs a hash and a map lookup). Concurrent builds of
 * one key share one promise; a failed build is forgotten. Targets add their own caches beneath
 * (the cpu toolchain's content-hash disk cache).
 *
 * @module
 */
import { TargetError } from "../ir/errors.ts";
import { type IRModule, isScheduled, type PrimFunc } from "../ir/func.ts";
import { moduleFunctions } from "../ir/node.ts";
import { structuralEqual, structuralHash } from "../ir/structural.ts";
import { lower, type LowerOptions } from "../ir/transform/mod.ts";
import type { Artifact } from "./codegen.ts";
import type { Device } from "./device.ts";
import { createKernel, type Kernel } from "./kernel.ts";
import { checkScopes } from "./scope_check.ts";
import { Signature } from "./signature.ts";
import type { Target } from "./target.ts";

/** Options of `build`. */
export interface BuildOptions {
  /** The device to load on (default: the target's default device, see `defaultDevice`). */
  readonly device?: Device;
  /** For a module: the function to build (needed when it has several). */
  readonly entry?: string;
  /** Lowering options, merged over the target codegen's `lowerOptions`. */
  readonly lower?: LowerOptions;
  /** Target-specific codegen options (e.g. `{ relaxedSimd: true }` for cpu). */
  readonly codegen?: Readonly<Record<string, unknown>>;
  /** Use and fill the caches (default true). */
  readonly cache?: boolean;
  /**
   * Apply the target's default schedule (`codegen.schedule`) to a function that is not
   * scheduled yet (default true; functions a `Schedule` produced are always left as they are).
   */
  readonly schedule?: boolean;
}

/** Counters of the build pipeline, for tests and reports. */
export interface BuildStats {
  /** Calls of `build`. */
  builds: number;
  /** Builds answered by a kernel already loaded on the device. */
  kernelHits: number;
  /** Builds that reused a cached artifact (loaded it on a new device). */
  artifactHits: number;
  /** Default schedules applied (`codegen.schedule`). */
  schedules: number;
  /** Calls of `lower`. */
  lowerings: number;
  /** Calls of a codegen's `compile`. */
  compiles: number;
  /** Calls of a device's `load`. */
  loads: number;
}

const LIMIT = 512; // entries per cache; the oldest goes first

let stats: BuildStats = freshStats();
/** A cache entry: the function it was made from (checked on a hit: hashes may collide). */
interface Entry<T> {
  readonly func: PrimFunc;
  readonly value: Promise<T>;
}
type Cache<T> = Map<string, Entry<T>>;

let artifacts = new WeakMap<Target, Cache<Artifact>>();
let kernels = new WeakMap<Device, Cache<Kernel>>();
const devices = new WeakMap<Target, Promise<Device>>();

function freshStats(): BuildStats {
  return {
    builds: 0,
    kernelHits: 0,
    artifactHits: 0,
    schedules: 0,
    lowerings: 0,
    compiles: 0,
    loads: 0,
  };
}

/**
 * A snapshot of the build counters.
 *
 * @example
 * ```ts
 * import { buildStats } from "./build.ts";
 * console.assert(buildStats().builds >= 0);
 * ```
 */
export function buildStats(): BuildStats {
  return { ...stats };
}

/** Forget every cached artifact and kernel and zero the counters (devices are kept). */
export function clearBuildCache(): void {
  stats = freshStats();
  artifacts = new WeakMap();
  kernels = new WeakMap();
}

/**
 * The target's default device, made on first use and shared afterwards.
 *
 * @example
 * ```ts ignore
 * const device = await defaultDevice(cpu);
 * ```
 */
export function defaultDevice<A extends Artifact>(target: Target<A>): Promise<Device<A>> {
  let d = devices.get(target as Target);
  if (!d) {
    d = target.runtime.createDevice() as Promise<Device>;
    d.catch(() => devices.delete(target as Target));
    devices.set(target as Target, d);
  }
  return d as Promise<Device<A>>;
}

/** JSON with sorted keys (functions by name), so equal options give equal keys. */
function stableJSON(x: unknown): string {
  if (typeof x === "function") return `fn:${x.name}`;
  if (Array.isArray(x)) return `[${x.map(stableJSON).join(",")}]`;
  if (typeof x === "object" && x !== null) {
    const keys = Object.keys(x).sort();
    const r = x as Record<string, unknown>;
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJSON(r[k])}`).join(",")}}`;
  }
  return JSON.stringify(x) ?? "undefined";
}

function entryOf(m: PrimFunc | IRModule, entry?: string): PrimFunc {
  if (m.kind === "PrimFunc") return m;
  const fs = moduleFunctions(m);
  if (entry !== undefined) {
    const f = m.functions.get(entry);
    if (f) return f;
  } else if (fs.length === 1) return fs[0];
  throw new TargetError(
    "BUILD_ENTRY",
    entry === undefined
      ? `Cannot build a module of ${fs.length} functions without an entry`
      : `Cannot build entry "${entry}": the module has no such function`,
    { hint: `name one of: ${fs.map((f) => f.name).join(", ") || "(none)"} in options.entry` },
  );
}

function lookup<T>(cache: Cache<T>, key: string, func: PrimFunc): Promise<T> | undefined {
  const e = cache.get(key);
  return e && (e.func === func || structuralEqual(e.func, func)) ? e.value : undefined;
}

function remember<T>(cache: Cache<T>, key: string, func: PrimFunc, value: Promise<T>): Promise<T> {
  if (cache.size >= LIMIT) cache.delete(cache.keys().next().value!);
  const entry = { func, value };
  cache.set(key, entry);
  value.catch(() => cache.get(key) === entry && cache.delete(key));
  return value;
}

function cacheOf<K extends object, T>(all: WeakMap<K, Cache<T>>, owner: K): Cache<T> {
  let c = all.get(owner);
  if (!c) all.set(owner, c = new Map());
  return c;
}

/**
 * Build a function for a target and load it on a device: apply the target's default schedule
 * to a function nobody scheduled (unless `{ schedule: false }`), lower, compile, load.
 *
 * @example
 * ```ts ignore
 * import { build } from "./build.ts";
 * import cpu from "../targets/cpu/mod.ts";
 * const kernel = await build(f, cpu);
 * const [out] = await kernel.run([a]);
 * ```
 */
export async function build<A extends Artifact>(
  f: PrimFunc | IRModule,
  target: Target<A>,
  options: BuildOptions = {},
): Promise<Kernel> {
  stats.builds++;
  const func = entryOf(f, options.entry);
  const sig = new Signature(func); // parameters calls cannot bind fail here, before compiling
  const t = target as unknown as Target;
  const device = options.device ?? await defaultDevice(t);
  const lowerOptions: LowerOptions = { ...target.codegen.lowerOptions, ...options.lower };
  const hook = options.schedule !== false && !isScheduled(func)
    ? target.codegen.schedule
    : undefined;
  const key = [
    structuralHash(func),
    func.name,
    func.params.map((p) => p.name).join(","),
    target.name,
    stableJSON({ lower: lowerOptions, codegen: options.codegen ?? {}, schedule: !!hook }),
  ].join("|");
  const useCache = options.cache !== false;

  const compile = async (): Promise<Artifact> => {
    let scheduled = func;
    if (hook) {
      stats.schedules++;
      scheduled = hook(func, t);
    }
    stats.lowerings++;
    const lowered = lower(scheduled, lowerOptions);
    checkScopes(lowered, t); // buffers fit the target's scopes (SCOPE_OVERFLOW …)
    stats.compiles++;
    return await t.codegen.compile(lowered, {
      target: t,
      original: func,
      options: options.codegen ?? {},
    });
  };
  const load = async (): Promise<Kernel> => {
    let art: Promise<Artifact>;
    const cache = cacheOf(artifacts, t);
    const cached = useCache ? lookup(cache, key, func) : undefined;
    if (cached) {
      stats.artifactHits++;
      art = cached;
    } else art = useCache ? remember(cache, key, func, compile()) : compile();
    const artifact = await art;
    stats.loads++;
    const loaded = await device.load(artifact);
    return createKernel(func, t, loaded, sig);
  };

  if (!useCache) return await load();
  const cache = cacheOf(kernels, device);
  const hit = lookup(cache, key, func);
  if (hit) {
    stats.kernelHits++;
    return await hit;
  }
  return await remember(cache, key, func, load());
}
