import { assert, assertEquals } from "../ir/test_util.ts";
import type { Row } from "./harness.ts";
import { caseRatios, formatRatios } from "./ratios.ts";

const ok = (impl: string, role: Row["role"], threads: number, gflops: number, c = "mm"): Row => ({
  case: c,
  impl,
  role,
  threads,
  status: "ok",
  ms: 1,
  gflops,
});

const rows: Row[] = [
  ok("tessera", "ours", 1, 40),
  ok("tessera", "ours", 2, 72),
  ok("tessera-default", "ours", 1, 10),
  ok("ts-loop", "baseline", 1, 2),
  ok("tfjs-wasm", "peer", 1, 32),
  ok("onnxruntime-web", "peer", 1, 25),
  ok("onnxruntime-web", "peer", 2, 45),
  { case: "mm", impl: "onnxruntime-node", role: "peer", threads: 1, status: "unavailable" },
  ok("wasm-peak", "ceiling", 1, 50, "peak"),
  ok("wasm-peak-fma", "ceiling", 1, 55, "peak"),
];

Deno.test("caseRatios: ours at no more threads than each peer, fraction of peak, scaling", () => {
  const q = caseRatios("mm", rows);
  assertEquals(q.best1?.gflops, 40);
  assertEquals(q.bestN?.gflops, 72);
  assertEquals(q.peers.map((p) => [p.peer, p.threads, p.ours.gflops, p.ratio]), [
    ["tfjs-wasm", 1, 40, 40 / 32],
    ["onnxruntime-web", 1, 40, 40 / 25],
    ["onnxruntime-web", 2, 72, 72 / 45],
  ]);
  assertEquals(q.ofPeak, [
    { ceiling: "wasm-peak", fraction: 40 / 50 },
    { ceiling: "wasm-peak-fma", fraction: 40 / 55 },
  ]);
  assertEquals(q.scaling, 72 / 40);
});

Deno.test("caseRatios: no kernel of ours, nothing to compare; a 1-thread kernel faces 2-thread peers", () => {
  const none = caseRatios("mm", rows.filter((r) => r.role !== "ours"));
  assertEquals([none.best1, none.bestN, none.peers.length, none.ofPeak.length], [
    undefined,
    undefined,
    0,
    0,
  ]);
  const single = caseRatios("mm", rows.filter((r) => !(r.role === "ours" && r.threads === 2)));
  assertEquals(single.peers[2].ratio, 40 / 45);
  assertEquals(single.scaling, undefined);
});

Deno.test("formatRatios: one block per case, peers with threads, percent of peak", () => {
  const t = formatRatios(rows);
  assert(
    t.includes("mm\n  ours 1T: tessera 40.00 GFLOP/s; multi-thread: tessera 72.00 GFLOP/s (2T)"),
  );
  assert(t.includes("onnxruntime-web 2T 1.60×"));
  assert(t.includes("80% of wasm-peak, 73% of wasm-peak-fma; multi-thread over 1T: 1.80×"));
  assert(!t.includes("\npeak\n"), "the ceiling case has no block of its own");
  assert(formatRatios([]).split("\n").length === 1);
});
