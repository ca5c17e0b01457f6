/**
 * Adapter and device selection on `navigator.gpu`: the adapter is requested once per process
 * (high-performance preference), its real limits and features are read, and devices request
 * exactly those limits (a device otherwise gets the small WebGPU defaults: 16 KiB workgroup
 * memory, 256 invocations, 8 storage buffers) and the features the target uses.
 *
 * @module
 */
import { TargetError } from "../../ir/errors.ts";
import {
  DEFAULT_LIMITS,
  type GpuFeatures,
  type GpuLimits,
  limitsOf,
  NO_FEATURES,
} from "./limits.ts";

/** What the adapter offers. */
export interface AdapterInfo {
  /** The adapter (undefined when there is none). */
  readonly adapter?: GPUAdapter;
  /** Its limits (the WebGPU defaults without an adapter). */
  readonly limits: GpuLimits;
  /** Its features. */
  readonly features: GpuFeatures;
  /** WGSL language features (`navigator.gpu.wgslLanguageFeatures`). */
  readonly languageFeatures?: ReadonlySet<string>;
  /** A description for reports ("llvmpipe (LLVM 15.0.6, 256 bits)"). */
  readonly description: string;
  /** Why there is no adapter, if there is none. */
  readonly missing?: string;
  /** A software (CPU) adapter such as llvmpipe: register blocking suits it, not shared tiles. */
  readonly fallback?: boolean;
}

let cached: Promise<AdapterInfo> | undefined;

/**
 * The process's adapter (requested on first call).
 *
 * @example
 * ```ts ignore
 * const info = await requestAdapterInfo();
 * console.log(info.description, info.limits.maxComputeWorkgroupStorageSize);
 * ```
 */
export function requestAdapterInfo(): Promise<AdapterInfo> {
  cached ??= (async () => {
    const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
    if (!gpu) {
      return {
        limits: DEFAULT_LIMITS,
        features: NO_FEATURES,
        description: "none",
        missing: "navigator.gpu is not available",
      };
    }
    let adapter: GPUAdapter | null = null;
    try {
      adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    } catch (e) {
      return {
        limits: DEFAULT_LIMITS,
        features: NO_FEATURES,
        description: "none",
        missing: `requestAdapter failed: ${String(e)}`,
      };
    }
    if (!adapter) {
      return {
        limits: DEFAULT_LIMITS,
        features: NO_FEATURES,
        description: "none",
        missing: "navigator.gpu offers no adapter",
      };
    }
    const features: GpuFeatures = {
      shaderF16: adapter.features.has("shader-f16"),
      subgroups: adapter.features.has("subgroups"),
      timestampQuery: adapter.features.has("timestamp-query"),
    };
    const info = (adapter as {
      info?: { description?: string; vendor?: string; isFallbackAdapter?: boolean };
    }).info;
    return {
      adapter,
      limits: limitsOf(adapter.limits as unknown as Record<keyof GpuLimits, number>),
      features,
      description: info?.description || info?.vendor || "unknown adapter",
      languageFeatures: new Set(
        (gpu as { wgslLanguageFeatures?: Iterable<string> }).wgslLanguageFeatures ?? [],
      ),
      fallback: info?.isFallbackAdapter ??
        (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
    };
  })();
  return cached;
}

/**
 * A device on the adapter with its real limits and the features the target uses.
 * Throws `GPU_NO_ADAPTER` when there is no adapter.
 */
export async function requestDevice(info: AdapterInfo): Promise<GPUDevice> {
  if (!info.adapter) {
    throw new TargetError("GPU_NO_ADAPTER", `Cannot create a gpu device: ${info.missing}`, {
      hint: "run where WebGPU has an adapter (Deno: a Vulkan/Metal/GL driver, or Mesa llvmpipe)",
    });
  }
  const requiredFeatures: GPUFeatureName[] = [];
  if (info.features.timestampQuery) requiredFeatures.push("timestamp-query");
  if (info.features.shaderF16) requiredFeatures.push("shader-f16");
  if (info.features.subgroups) requiredFeatures.push("subgroups" as GPUFeatureName);
  const requiredLimits: Record<string, number> = {};
  for (const k of Object.keys(DEFAULT_LIMITS)) {
    requiredLimits[k] = info.limits[k as keyof GpuLimits];
  }
  return await info.adapter.requestDevice({ requiredFeatures, requiredLimits });
}
