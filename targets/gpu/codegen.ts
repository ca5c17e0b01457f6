/**
 * The gpu codegen: a lowered `PrimFunc` → a sequence of WGSL compute kernels (one per top-level
 * statement: a dispatch boundary is the only device-wide barrier WebGPU has) plus the host plan
 * (artifact.ts). Before emission the target's passes run on the lowered function
 * (`passes/barrier.ts`: barriers between thread-bound loops that exchange data through memory)
 * runs on each kernel.
 * Adapter limits are checked here, at compile time (limits.ts).
 *
 * @module
 */
import { elementOf } from "../../ir/dtype.ts";
import type { PrimExpr, Var } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import type { Buffer, Stmt } from "../../ir/stmt.ts";
import { visit } from "../../ir/node.ts";
import type { Codegen, CompileContext } from "../../sdk/codegen.ts";
import type { GpuArtifact, GpuBufferSlot, GpuKernel, GpuScalar } from "./artifact.ts";
import { checkLimits, type GpuLimits } from "./limits.ts";
import { sync } from "./passes/barrier.ts";
import { emitKernel, type KernelEnv } from "./wgsl_kernel.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import { intrinsicCallName } from "../../tensorize/auto/marker.ts";
import { unsupported, UNSUPPORTED_DTYPES, withNativeF16 } from "./wgsl_types.ts";

/** The parts of a lowered body: workspaces, function-wide lets, host asserts, kernels. */
export interface SplitBody {
  /** Top-level allocations: storage the runtime provides per call. */
  readonly workspaces: Buffer[];
  /** Top-level lets, in order. */
  readonly lets: [Var, PrimExpr][];
  /** Top-level asserts (checked on the host). */
  readonly asserts: { cond: PrimExpr; message: string }[];
  /** One statement per dispatch. */
  readonly kernels: Stmt[];
}

/**
 * Take a lowered body apart into dispatches.
 *
 * @example
 * ```ts ignore
 * const { kernels } = splitBody(lower(f).body);
 * ```
 */
export function splitBody(body: Stmt): SplitBody {
  const out: SplitBody = { workspaces: [], lets: [], asserts: [], kernels: [] };
  const go = (s: Stmt): void => {
    switch (s.kind) {
      case "Allocate":
        out.workspaces.push(s.buffer);
        return go(s.body);
      case "LetStmt":
        out.lets.push([s.v, s.value]);
        return go(s.body);
      case "AssertStmt":
        out.asserts.push({ cond: s.cond, message: s.message });
        return go(s.body);
      case "SeqStmt":
        return s.seq.forEach(go);
      case "Evaluate":
        if (s.value.kind !== "Call") return; // a no-op
    }
    out.kernels.push(s);
  };
  go(body);
  return out;
}

/** Whether a kernel has threadIdx-bound loops (workgroups of more than one invocation). */
function hasThreads(s: Stmt): boolean {
  let found = false;
  visit(s, (n) => {
    if (n.kind === "For" && n.forKind === "thread" && n.threadTag.startsWith("threadIdx")) {
      found = true;
    }
    return !found;
  });
  return found;
}

/** 64-bit FNV-1a of a string, as 16 hex digits (the pipeline cache key). */
export function contentHash(s: string): string {
  let h1 = 0x811c9dc5, h2 = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}

/** Options of the gpu codegen. */
export interface GpuCodegenOptions {
  /** The adapter's limits (checked at compile time). */
  readonly limits: GpuLimits;
  /** float16 as native `f16` (the adapter has `shader-f16`; default false: emulated in f32). */
  readonly nativeF16?: boolean;
  /** The target's intrinsics (markers of tensorized blocks name them). */
  readonly intrinsics?: readonly Intrinsic[];
  /** The device has `subgroups`: cross-thread reductions use `subgroupAdd/Max/Min`. */
  readonly subgroups?: boolean;
}

/**
 * Compile a lowered function into a gpu artifact.
 *
 * @example
 * ```ts ignore
 * const artifact = compileGpu(lower(f), { limits: DEFAULT_LIMITS });
 * console.log(artifact.source);
 * ```
 */
export function compileGpu(lowered: PrimFunc, options: GpuCodegenOptions): GpuArtifact {
  const f = lowered;
  for (const p of f.params) {
    if (UNSUPPORTED_DTYPES.includes(elementOf(p.dtype))) {
      throw unsupported(
        elementOf(p.dtype),
        p.kind === "Buffer" ? `buffer "${p.name}"` : `scalar "${p.name}"`,
        `func "${f.name}" / ${p.kind === "Buffer" ? "buffer" : "param"} "${p.name}"`,
      );
    }
  }
  const split = splitBody(f.body);
  const slots = new Map<Buffer, number>();
  const buffers: GpuBufferSlot[] = [];
  const scalars: GpuScalar[] = [];
  const scalarIndex = new Map<Var, number>();
  f.params.forEach((p, k) => {
    if (p.kind === "Buffer") {
      slots.set(p, buffers.length);
      buffers.push({ name: p.name, dtype: p.dtype, param: k });
    } else {
      scalarIndex.set(p, scalars.length);
      scalars.push({ v: p, param: k });
    }
  });
  for (const w of split.workspaces) {
    if (UNSUPPORTED_DTYPES.includes(elementOf(w.dtype))) {
      throw unsupported(
        elementOf(w.dtype),
        `buffer "${w.name}"`,
        `func "${f.name}" / buffer "${w.name}"`,
      );
    }
    slots.set(w, buffers.length);
    buffers.push({ name: w.name, dtype: w.dtype, param: -1, elements: w.shape[0] });
  }
  const env: KernelEnv = {
    func: f.name,
    slots,
    slotInfo: buffers,
    scalars: scalarIndex,
    scalarTypes: scalars.map((s) => s.v.dtype),
    lets: split.lets,
    intrinsics: new Map((options.intrinsics ?? []).map((x) => [intrinsicCallName(x), x])),
    subgroups: options.subgroups ?? false,
  };
  const kernels: GpuKernel[] = split.kernels.map((s, k) => {
    const e = withNativeF16(
      options.nativeF16 ?? false,
      () => emitKernel(hasThreads(s) ? sync(s) : s, env, k),
    );
    return { ...e, hash: contentHash(e.source) };
  });
  checkLimits(f, { kernels, buffers }, options.limits);
  const source = kernels.map((k, i) => `// ---- dispatch ${i}: ${k.entry}\n${k.source}`).join("\n");
  return {
    target: "gpu",
    entry: f.name,
    source,
    lowered,
    buffers,
    scalars,
    kernels,
    asserts: split.asserts.map((a) => ({ cond: a.cond, message: a.message })),
  };
}

/**
 * The gpu codegen for given adapter limits (the target's `codegen`).
 *
 * @example
 * ```ts ignore
 * const codegen = gpuCodegen({ limits: DEFAULT_LIMITS });
 * ```
 */
export function gpuCodegen(
  options: GpuCodegenOptions,
  schedule?: Codegen<GpuArtifact>["schedule"],
): Codegen<GpuArtifact> {
  return {
    lowerOptions: { maxLanes: 4 },
    schedule,
    compile(lowered: PrimFunc, ctx: CompileContext): Promise<GpuArtifact> {
      try {
        const intrinsics = options.intrinsics ?? ctx.target.intrinsics;
        return Promise.resolve(compileGpu(lowered, { ...options, intrinsics }));
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}
