/**
 * The starting module `deno task new-target NAME` writes: a complete vendor target, built with
 * the public SDK, that passes the conformance kit as written — the reference NPU's design under
 * the vendor's own names, with every piece spelled out (hardware config, memory scopes, GEMM
 * intrinsics with DSL descriptions, codegen, runtime, limits, peaks) and a TODO where the vendor
 * swaps in their own. Pure text generation (browser-safe); the CLI is `new_target.ts`.
 *
 * @module
 */

/** What the template needs. */
export interface TemplateOptions {
  /** Target name (lower-case letters, digits, `_` and `-`; checked by the CLI). */
  readonly name: string;
  /**
   * Where the Tessera checkout's root is, as the module imports it: a relative path from the
   * module's directory (`"../tessera/"`) or a URL, ending in `/`.
   */
  readonly tessera: string;
}

/** The identifier form of a target name (`my-chip` → `my_chip`): intrinsic and scope prefix. */
export function targetId(name: string): string {
  return name.replace(/-/g, "_");
}

/**
 * The module text for a new target.
 *
 * @example
 * ```ts
 * import { targetTemplate } from "./target_template.ts";
 * const text = targetTemplate({ name: "my-chip", tessera: "../" });
 * console.assert(text.includes(`from "../mod.ts"`) && text.includes(`"my_chip.acc"`));
 * ```
 */
export function targetTemplate(options: TemplateOptions): string {
  const { name, tessera } = options;
  const id = targetId(name);
  return `/**
 * ${name}: a Tessera target, started by \`deno task new-target ${name}\`.
 *
 * As written it is the reference NPU's design (targets/npu/ in the Tessera checkout) under your
 * names, so the conformance kit passes at once — from the checkout's root:
 *
 *   deno task conformance --target <path to this file> --quick
 *
 * Then make it your chip one piece at a time, re-running conformance after each step:
 *   1. CONFIG      the hardware figures: GEMM tile, modes, scratchpads, DMA, clock
 *   2. SCOPES      your memories: names, capacities, alignments
 *   3. INTRINSICS  what your compute units do (a description written with the DSL) and how the
 *                  codegen issues them (the implementation)
 *   4. codegen, runtime: your code generator and your device (or simulator)
 *   5. limits, peak: the figures reports compare against
 * The walk-through is docs/vendor-guide.md in the checkout.
 *
 * @module
 */
import {
  cast,
  compute,
  createPrimFunc,
  defineIntrinsic,
  defineMemoryScope,
  defineTarget,
  type Intrinsic,
  type MemoryScope,
  mul,
  placeholder,
  type PrimFunc,
  reduceAxis,
  SDK_VERSION,
  sum,
  type Target,
} from "${tessera}mod.ts";
import { auto } from "${tessera}tensorize/mod.ts";
import {
  defineNpuConfig,
  type NpuArtifact,
  npuCodegen,
  type NpuConfig,
  type NpuIntrinsicImpl,
  type NpuMode,
  npuRuntime,
  peakMacsPerCycle,
} from "${tessera}targets/npu/mod.ts";

const NAME = "${name}";

// 1. The hardware (fields: docs/npu.md). TODO: your chip's figures; defineNpuConfig checks
// them (NPU_BAD_CONFIG).
export const CONFIG: NpuConfig = defineNpuConfig({
  name: NAME,
  // acc[batch × blockOut] += inp[batch × blockIn] · wgt[blockIn × blockOut]
  gemm: { batch: 16, blockIn: 16, blockOut: 16, cyclesPerTile: 1 },
  modes: ["int8", "float16", "float32"], // int8 → int32; float16, float32 → float32
  scratchpads: {
    input: { capacityBytes: 128 * 1024, alignmentBytes: 256 },
    weight: { capacityBytes: 128 * 1024, alignmentBytes: 256 },
    acc: { capacityBytes: 256 * 1024, alignmentBytes: 1024 },
  },
  dma: { bytesPerCycle: 256, latencyCycles: 16 },
  alu: { lanes: 64 },
  computeOverheadCycles: 2,
  clockHz: 1e9,
});

// 2. Memory scopes: open names. build checks every buffer placed in a scope against its
// capacity and alignment. TODO: your memories' names.
export const SCOPES = {
  input: "${id}.inp",
  weight: "${id}.wgt",
  acc: "${id}.acc",
} as const;

const scopes: MemoryScope[] = [
  defineMemoryScope({
    name: "global", // every target has one: tensors live there
    capacityBytes: 4 * 1024 ** 3,
    alignmentBytes: 64,
    description: "device memory (here: the host's wasm memory)",
  }),
  ...(["input", "weight", "acc"] as const).map((b) =>
    defineMemoryScope({
      name: SCOPES[b],
      capacityBytes: CONFIG.scratchpads[b].capacityBytes,
      alignmentBytes: CONFIG.scratchpads[b].alignmentBytes,
      parent: "global", // staged from global memory by DMA
      description: \`the \${b} scratchpad\`,
    })
  ),
];

// 3. Intrinsics: the description says what one execution computes (a PrimFunc written with the
// DSL); the implementation is how the codegen issues it. validateTarget runs each one through
// runtime.runIntrinsic against its description when the target loads.
/** One GEMM tile: C[b, o] += Σ_i A[b, i] · B[i, o], widened to the accumulator type. */
function gemmTile(mode: NpuMode): PrimFunc {
  const acc = mode === "int8" ? "int32" : "float32";
  const { batch, blockIn, blockOut } = CONFIG.gemm;
  const A = placeholder([batch, blockIn], mode, "A");
  const B = placeholder([blockIn, blockOut], mode, "B");
  const i = reduceAxis(blockIn, "i");
  const C = compute(
    [batch, blockOut],
    ([b, o]) => sum(mul(cast(acc, A.at(b, i)), cast(acc, B.at(i, o))), [i]),
    "C",
  );
  // no init: the unit adds onto the accumulator tile
  return auto.accumulating(createPrimFunc([A, B, C], \`gemm_\${mode}\`));
}

function gemmIntrinsic(mode: NpuMode): Intrinsic<NpuIntrinsicImpl> {
  return defineIntrinsic<NpuIntrinsicImpl>({
    name: \`${id}.gemm.\${mode}\`,
    description: gemmTile(mode),
    implementation: { command: "GEMM", mode }, // TODO: your instruction
    operandScopes: { A: SCOPES.input, B: SCOPES.weight, C: SCOPES.acc },
    cost: { cycles: CONFIG.gemm.cyclesPerTile },
  });
}

// 4–5. The target.
const macsPerSecond = peakMacsPerCycle(CONFIG) * CONFIG.clockHz;

const target: Target<NpuArtifact> = defineTarget<NpuArtifact>({
  name: NAME,
  kind: "npu",
  sdkVersion: SDK_VERSION,
  description: \`\${NAME}: TODO one line about your chip, for reports\`,
  scopes,
  intrinsics: CONFIG.modes.map(gemmIntrinsic),
  // TODO: your code generator. npuCodegen offloads every GEMM-like block that matches a GEMM
  // intrinsic above as command streams and compiles the rest (host code) to wasm.
  codegen: npuCodegen(CONFIG),
  // TODO: your device. npuRuntime simulates the NPU and counts cycles; its runIntrinsic runs one
  // intrinsic for validation.
  runtime: npuRuntime(CONFIG, NAME),
  limits: { vectorBytes: 16, maxThreads: 1 },
  peak: {
    flopsPerSecond: Object.fromEntries(
      CONFIG.modes.map((m) => [m, 2 * macsPerSecond]),
    ),
    bytesPerSecond: { global: CONFIG.dma.bytesPerCycle * CONFIG.clockHz },
  },
});

export default target;
`;
}
