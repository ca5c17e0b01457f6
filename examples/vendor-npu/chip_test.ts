/**
 * The Acme N1 (`chip.ts`) through the conformance kit, as `deno task conformance --target
 * ./examples/vendor-npu/chip.ts` runs it: loaded and validated by `loadTarget`, then a few
 * cases run by `runCases` and compared with the reference interpreter.
 */
import { assert, assertEquals } from "../../ir/test_util.ts";
import { loadTarget } from "../../conformance/load_target.ts";
import { kernelCases } from "../../conformance/kernel_cases.ts";
import { type CaseResult, runCases } from "../../conformance/runner.ts";
import type { Target } from "../../sdk/mod.ts";

const CHIP_URL = new URL("./chip.ts", import.meta.url).href;

let loaded: Promise<Target> | undefined;
const chip = (): Promise<Target> => (loaded ??= loadTarget(CHIP_URL));

Deno.test("the Acme N1 loads through the conformance kit, validation included", async () => {
  const t = await chip();
  assertEquals(t.name, "acme-n1");
  assertEquals(t.kind, "npu");
  assertEquals(t.scopes.map((s) => s.name), ["global", "acme.sram_a", "acme.sram_b", "acme.accum"]);
  assertEquals(t.scopeMap.get("acme.sram_a")?.capacityBytes, 16 * 1024);
  assertEquals(t.scopeMap.get("acme.accum")?.alignmentBytes, 1024);
  const gemm = t.intrinsics.find((x) => x.name === "acme_n1.gemm.int8");
  assert(gemm !== undefined, "an int8 GEMM intrinsic");
  assertEquals(gemm.operandScopes, { A: "acme.sram_a", B: "acme.sram_b", C: "acme.accum" });
  assertEquals(gemm.description.params.map((p) => p.kind === "Buffer" && p.shape.length), [
    2,
    2,
    2,
  ]);
  assert(!t.intrinsics.some((x) => x.name.includes("float32")), "no float32 GEMM mode");
  // peaks follow from the config: 8·8·32 MACs per cycle at 800 MHz, 64 B per cycle per DMA
  // engine
  assertEquals(t.peak.flopsPerSecond.int8, 2 * 8 * 8 * 32 * 800e6);
  assertEquals(t.peak.flopsPerSecond.float32, undefined);
  assertEquals(t.peak.bytesPerSecond.global, 64 * 800e6);
});

function byId(results: readonly CaseResult[], id: string): CaseResult {
  const r = results.find((x) => x.id === id);
  assert(r !== undefined, `case ${id} ran`);
  return r;
}

Deno.test("conformance cases on the Acme N1: correct, GEMMs on its 8x8x32 unit", async () => {
  const ids = [
    "matmul/int8/100x50_50x70", // unaligned: padded to 8x8x32 tiles
    "matmul/float16/4x9_9x3",
    "dense/int8/3x21_5x21_5",
    "matmul/float32/7x13_13x5", // no float32 mode: host code
    "relu/int8/4x11",
    "conv2d/int8/1x16x10x10_32x16x3x3", // implicit GEMM on 8x8x32 tiles
  ];
  const cases = kernelCases().filter((c) => ids.includes(c.id));
  assertEquals(cases.map((c) => c.id).sort(), [...ids].sort());
  const results = await runCases(cases, await chip(), { repeats: 0 });
  for (const r of results) assertEquals(r.verdict, "passed", `${r.id}: ${r.detail}`);

  const mm = byId(results, "matmul/int8/100x50_50x70");
  assertEquals(mm.intrinsicShare, 1);
  assertEquals(mm.hostOps, []);
  assert(mm.cycles! > 0 && mm.utilization! > 0 && mm.utilization! <= 1, JSON.stringify(mm));
  // utilisation counts tile MACs over this chip's peak: M 100→104, N 70→96, K 50→56
  assertEquals(Math.round(mm.utilization! * 8 * 8 * 32 * mm.cycles!), 104 * 96 * 56);
  assertEquals(byId(results, "matmul/float16/4x9_9x3").intrinsicShare, 1);
  assertEquals(byId(results, "dense/int8/3x21_5x21_5").intrinsicShare, 1);

  const f32 = byId(results, "matmul/float32/7x13_13x5");
  assertEquals(f32.intrinsicShare, 0);
  assertEquals(f32.hostOps, ["T_matmul"]);
  // the convolution runs as one implicit-GEMM region, its padding stage and the transpose of its
  // OIHW weights on the chip too: at most a host im2col copy of the site stays on the host
  const conv = byId(results, "conv2d/int8/1x16x10x10_32x16x3x3");
  assertEquals(conv.intrinsicShare, 1);
  assert(!conv.hostOps!.includes("T_conv2d_nchw"), JSON.stringify(conv.hostOps));
  assert(conv.hostOps!.every((x) => x.endsWith("_im2col")), JSON.stringify(conv.hostOps));
  assert(conv.cycles! > 0 && conv.utilization! > 0.1, JSON.stringify(conv));
  const relu = byId(results, "relu/int8/4x11");
  assertEquals(relu.cycles, 0);
  assert(relu.hostOps!.length > 0, "elementwise ops run on the host");
});
