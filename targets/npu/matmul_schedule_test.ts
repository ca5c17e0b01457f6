import { assert, assertEquals } from "../../ir/test_util.ts";
import { REFERENCE_NPU } from "./config.ts";
import { matmulProgram, type MatmulSpec } from "./matmul_program.ts";
import { chooseMatmulSchedule } from "./matmul_schedule.ts";
import { simulateTiming, usefulUtilization } from "./simulator.ts";

const spec = (m: number, k: number, n: number, out: "int32" | "int8"): MatmulSpec => ({
  m,
  n,
  k,
  a: { address: 0 },
  b: { address: 0 },
  c: { address: 0 },
  inDtype: "int8",
  outDtype: out,
});

// Targets of issue 4, from the simulator's cycles (deterministic: these are counts, not timings).
// utilization = GEMM MACs done (padding included) / (peak MACs per cycle · total cycles).
for (const out of ["int32", "int8"] as const) {
  Deno.test(`int8 matmul 256x256x256 → ${out}: chosen schedule reaches ≥ 85% of the GEMM peak`, () => {
    const s = spec(256, 256, 256, out);
    const { schedule, cycles } = chooseMatmulSchedule(REFERENCE_NPU, s);
    const r = simulateTiming(REFERENCE_NPU, matmulProgram(REFERENCE_NPU, s, schedule));
    assertEquals(r.totalCycles, cycles);
    assert(schedule.doubleBuffer);
    assert(r.utilization >= 0.85, `utilization ${r.utilization}`);
    const serial = simulateTiming(
      REFERENCE_NPU,
      matmulProgram(REFERENCE_NPU, s, { ...schedule, doubleBuffer: false, splitEdges: false }),
    );
    assert(serial.totalCycles > r.totalCycles * 1.4, `serial ${serial.totalCycles}`);
  });

  Deno.test(`int8 matmul 100x70x50 → ${out}: chosen schedule reaches ≥ 60% of the GEMM peak`, () => {
    const s = spec(100, 70, 50, out);
    const r = simulateTiming(
      REFERENCE_NPU,
      matmulProgram(REFERENCE_NPU, s, chooseMatmulSchedule(REFERENCE_NPU, s).schedule),
    );
    assert(r.utilization >= 0.6, `utilization ${r.utilization}`);
    // counting only useful MACs (no padding) scales it by 100·70·50 / (112·80·64) ≈ 0.61
    const useful = usefulUtilization(r, 100 * 70 * 50);
    assert(Math.abs(useful - (r.utilization * 350000) / (112 * 80 * 64)) < 1e-12);
  });
}
