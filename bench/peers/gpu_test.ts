import { caseInputs, matmulCase } from "../cases.ts";
import { assert } from "../../ir/test_util.ts";
import { GPU_IMPLS } from "./gpu.ts";
import { HAS_GPU } from "../../targets/gpu/testing.ts";

Deno.test({
  name: "gpu impls: every one computes matmul 40 like a plain loop",
  ignore: !HAS_GPU,
  async fn() {
    const n = 40;
    const c = matmulCase(n);
    const [a, b] = caseInputs(c);
    const want = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
        want[i * n + j] = s;
      }
    }
    for (const impl of GPU_IMPLS) {
      await impl.init();
      // The bench runs the issue's sizes only; the check runs a small size.
      assert(impl.supports(matmulCase(512)) && impl.supports(matmulCase(1024)));
      assert(!impl.supports(c) && !impl.supports(matmulCase(256)));
      const p = await impl.prepare(c, [a, b]);
      await p.run();
      const got = await p.result();
      const worst = got.reduce((m, x, i) => Math.max(m, Math.abs(x - want[i])), 0);
      assert(
        worst < 1e-4,
        `${impl.name}${impl.variant ? `/${impl.variant}` : ""}: off by ${worst}`,
      );
      await p.dispose();
    }
  },
});
