import { assert } from "../ir/test_util.ts";
import { printFunc } from "../ir/script/mod.ts";
import { build } from "../sdk/mod.ts";
import cpu from "../targets/cpu/mod.ts";
import { assertClose, assertEquivalent, assertTraceRoundTrip } from "../tensorize/testing.ts";
import { runFunc } from "../ir/interp/mod.ts";
import { matmulFunction, matmulInputs, matmulSchedule, scheduleMatmul } from "./02_fast_matmul.ts";

// Sizes that divide the 4 × 8 tile and the k unroll, and sizes that leave tails everywhere.
const SHAPES = [[8, 8, 16], [10, 7, 20], [5, 3, 9]];

Deno.test("02 fast matmul: the schedule computes the matmul (interpreter), traces round-trip", () => {
  for (const [m, k, n] of SHAPES) {
    const f = matmulFunction(m, k, n);
    for (const threads of [1, 2]) {
      const sch = matmulSchedule(f, { threads });
      assertEquivalent(f, sch.func, 2, { rtol: 1e-5 });
      assertTraceRoundTrip(sch, f);
      assert(printFunc(sch.func).includes("parallel") === threads > 1);
    }
  }
});

Deno.test("02 fast matmul: packed panels, a local 4×8 tile, fma, vectorized columns", () => {
  const text = printFunc(scheduleMatmul(matmulFunction(16, 16, 16)));
  for (const part of ["B_global", "A_global", "C_local", "fma(", "vectorized", "unrolled"]) {
    assert(text.includes(part), `${part} missing in\n${text}`);
  }
});

Deno.test("02 fast matmul: built for cpu, on one and two threads", async () => {
  for (const [m, k, n] of [[32, 24, 40], [10, 7, 20]]) {
    const f = matmulFunction(m, k, n);
    const inputs = matmulInputs(m, k, n, 3);
    const want = runFunc(f, inputs);
    for (const threads of [1, 2]) {
      const kernel = await build(scheduleMatmul(f, { threads }), cpu);
      assertClose(await kernel.run(inputs), want, 1e-5);
    }
  }
});
