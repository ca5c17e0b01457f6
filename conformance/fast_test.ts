import { assert, assertEquals } from "../ir/test_util.ts";
import npu from "../targets/npu/mod.ts";
import { fastVerdict, memoryRoofs } from "./fast.ts";
import { interpTarget } from "./testing.ts";

// The npu's global rate is one DMA engine's (256 GB/s); its float32 peak is far above the work.
const work = {
  flops: 2 * 128 * 64 * 96,
  macs: 128 * 64 * 96,
  bytes: 4 * (128 * 64 + 64 * 96 + 128 * 96),
};
const loads = 4 * (128 * 64 + 64 * 96), stores = 4 * 128 * 96;
const stats = { seconds: 377e-9, cycles: 377, dmaBytes: loads + stores, dmaLoadBytes: loads };

Deno.test("loads and stores are two roofs, each against the global rate", () => {
  const roofs = memoryRoofs(npu, stats, true, work.bytes);
  assertEquals(roofs.map((r) => [r.name, r.bytes]), [["global loads", loads], [
    "global stores",
    stores,
  ]]);
  const v = fastVerdict(npu, { dtype: "float32", work, stats });
  assertEquals([v.timeSource, v.bound, v.roof, v.bytes], [
    "simulated",
    "memory",
    "global loads",
    loads + stores,
  ]);
  // 57344 B at 256 GB/s = 224 ns of 377 ns (the sum over one engine would claim 110%)
  const want = loads / npu.peak.bytesPerSecond.global / 377e-9;
  assert(Math.abs(v.roofline! - want) < 1e-12 && v.roofline! < 1, String(v.roofline));
  assertEquals(v.detail, undefined);
});

Deno.test("without the loaded part, DMA bytes are one global roof; on the host, the parameters", () => {
  const whole = memoryRoofs(npu, { dmaBytes: 1000 }, true, 10);
  assertEquals(whole.map((r) => [r.name, r.bytes]), [["global", 1000]]);
  const host = memoryRoofs(npu, stats, false, 10);
  assertEquals(host.map((r) => [r.name, r.bytes]), [["global", 10]]);
  const bad = memoryRoofs(npu, { dmaBytes: 1000, dmaLoadBytes: 2000 }, true, 10);
  assertEquals(bad.map((r) => r.name), ["global"]);
});

Deno.test("a scope's reported traffic is a roof against that scope's declared rate", () => {
  const acc = npu.peak.bytesPerSecond["npu.acc"];
  const s = { ...stats, scopeBytes: { "npu.acc": acc * 300e-9, "no.such.scope": 1e12 } };
  const roofs = memoryRoofs(npu, s, true, work.bytes);
  assertEquals(roofs.map((r) => r.name), ["global loads", "global stores", "npu.acc"]);
  const v = fastVerdict(npu, { dtype: "float32", work, stats: s });
  assertEquals(v.roof, "npu.acc");
  assert(Math.abs(v.roofline! - 300 / 377) < 1e-9, String(v.roofline));
});

Deno.test("above 100% of the roofline is flagged: the peaks understate the target", () => {
  const { target } = interpTarget(); // 1 GFLOP/s, 1 GB/s
  const v = fastVerdict(target, { dtype: "float32", work, wallMs: 1e-3 });
  assertEquals(v.bound, "compute");
  assert(v.roofline! > 1, String(v.roofline));
  assert(v.detail!.includes("peaks understate"), v.detail);
});
