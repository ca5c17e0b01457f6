/**
 * Adapter limits and features, and the compile-time checks against them: a kernel that needs
 * more storage bindings, workgroup invocations or workgroup memory than the adapter gives fails
 * at build with `GPU_LIMIT_EXCEEDED` naming the limit, never at run time. Grid sizes and
 * workspace sizes that depend on symbolic sizes can only be checked per call (runtime.ts).
 *
 * @module
 */
import { TargetError } from "../../ir/errors.ts";
import type { GpuArtifact, GpuKernel } from "./artifact.ts";
import { storageBytes } from "./wgsl_types.ts";
import type { PrimFunc } from "../../ir/func.ts";

/** The WebGPU limits the gpu target reads (names as in `GPUSupportedLimits`). */
export interface GpuLimits {
  /** Storage buffers one shader stage may bind. */
  readonly maxStorageBuffersPerShaderStage: number;
  /** Uniform buffers one shader stage may bind. */
  readonly maxUniformBuffersPerShaderStage: number;
  /** Bytes of one storage binding. */
  readonly maxStorageBufferBindingSize: number;
  /** Bytes of one buffer. */
  readonly maxBufferSize: number;
  /** Bytes of workgroup memory. */
  readonly maxComputeWorkgroupStorageSize: number;
  /** Invocations of one workgroup. */
  readonly maxComputeInvocationsPerWorkgroup: number;
  /** Workgroup size along x. */
  readonly maxComputeWorkgroupSizeX: number;
  /** Workgroup size along y. */
  readonly maxComputeWorkgroupSizeY: number;
  /** Workgroup size along z. */
  readonly maxComputeWorkgroupSizeZ: number;
  /** Workgroups of one dispatch along each dimension. */
  readonly maxComputeWorkgroupsPerDimension: number;
}

/** What the adapter offers besides limits. */
export interface GpuFeatures {
  /** `shader-f16`. */
  readonly shaderF16: boolean;
  /** `subgroups`. */
  readonly subgroups: boolean;
  /** `timestamp-query`. */
  readonly timestampQuery: boolean;
}

/** The limits every WebGPU device has by default (the spec's guaranteed minimums). */
export const DEFAULT_LIMITS: GpuLimits = {
  maxStorageBuffersPerShaderStage: 8,
  maxUniformBuffersPerShaderStage: 12,
  maxStorageBufferBindingSize: 128 * 1024 * 1024,
  maxBufferSize: 256 * 1024 * 1024,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 256,
  maxComputeWorkgroupSizeZ: 64,
  maxComputeWorkgroupsPerDimension: 65535,
};

/** No optional features. */
export const NO_FEATURES: GpuFeatures = {
  shaderF16: false,
  subgroups: false,
  timestampQuery: false,
};

/** The limits of a `GPUSupportedLimits`-like object (missing ones: the defaults). */
export function limitsOf(src: Partial<Record<keyof GpuLimits, number>> | undefined): GpuLimits {
  const out: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const k of Object.keys(DEFAULT_LIMITS)) {
    const v = src?.[k as keyof GpuLimits];
    if (typeof v === "number" && v > 0) out[k] = v;
  }
  return out as unknown as GpuLimits;
}

function exceeded(
  f: string,
  limit: keyof GpuLimits,
  need: number,
  have: number,
  what: string,
  hint?: string,
): TargetError {
  return new TargetError(
    "GPU_LIMIT_EXCEEDED",
    `Cannot compile "${f}" for the gpu target: ${what} needs ${need}, above the adapter's ${limit} of ${have}`,
    { path: `func "${f}"`, hint },
  );
}

function checkKernel(f: string, k: GpuKernel, limits: GpuLimits): void {
  const storage = k.bindings.filter((b) => b.slot >= 0).length;
  if (storage > limits.maxStorageBuffersPerShaderStage) {
    throw exceeded(
      f,
      "maxStorageBuffersPerShaderStage",
      storage,
      limits.maxStorageBuffersPerShaderStage,
      `kernel ${k.entry} binds ${storage} storage buffers, which`,
      "fuse fewer operations into one function, or inline intermediates",
    );
  }
  const [x, y, z] = k.workgroupSize;
  const dims: [keyof GpuLimits, number][] = [
    ["maxComputeWorkgroupSizeX", x],
    ["maxComputeWorkgroupSizeY", y],
    ["maxComputeWorkgroupSizeZ", z],
  ];
  for (const [name, v] of dims) {
    if (v > limits[name]) {
      throw exceeded(
        f,
        name,
        v,
        limits[name],
        `kernel ${k.entry}'s workgroup size`,
        "bind a smaller threadIdx loop",
      );
    }
  }
  if (x * y * z > limits.maxComputeInvocationsPerWorkgroup) {
    throw exceeded(
      f,
      "maxComputeInvocationsPerWorkgroup",
      x * y * z,
      limits.maxComputeInvocationsPerWorkgroup,
      `kernel ${k.entry}'s workgroup (${x}×${y}×${z})`,
      "bind smaller threadIdx loops",
    );
  }
  if (k.workgroupBytes > limits.maxComputeWorkgroupStorageSize) {
    throw exceeded(
      f,
      "maxComputeWorkgroupStorageSize",
      k.workgroupBytes,
      limits.maxComputeWorkgroupStorageSize,
      `kernel ${k.entry}'s workgroup memory (bytes)`,
      "use smaller shared tiles",
    );
  }
  k.grid.forEach((g, d) => {
    if (g.kind === "IntImm" && g.value > limits.maxComputeWorkgroupsPerDimension) {
      throw exceeded(
        f,
        "maxComputeWorkgroupsPerDimension",
        g.value,
        limits.maxComputeWorkgroupsPerDimension,
        `kernel ${k.entry}'s grid along ${"xyz"[d]}`,
        "bind more loops to blockIdx.y/z or give each thread more work",
      );
    }
  });
}

/**
 * Check an artifact against the adapter's limits (throws `GPU_LIMIT_EXCEEDED`).
 *
 * @example
 * ```ts ignore
 * checkLimits(lowered, artifact, DEFAULT_LIMITS);
 * ```
 */
export function checkLimits(
  f: PrimFunc,
  a: Pick<GpuArtifact, "kernels" | "buffers">,
  limits: GpuLimits,
): void {
  for (const k of a.kernels) checkKernel(f.name, k, limits);
  for (const b of a.buffers) {
    const p = b.param >= 0 ? f.params[b.param] : undefined;
    const n = p?.kind === "Buffer" ? p.shape[0] : b.elements;
    if (n?.kind !== "IntImm") continue;
    const bytes = storageBytes(b.dtype, n.value);
    const cap = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    if (bytes > cap) {
      throw exceeded(
        f.name,
        "maxStorageBufferBindingSize",
        bytes,
        cap,
        `buffer "${b.name}" (bytes)`,
      );
    }
  }
}
