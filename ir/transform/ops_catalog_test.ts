/**
 * Every case of the op catalogue (`ir/ops/catalog.ts`): lowered as built, with every innermost
 * loop vectorized, and with every innermost loop unrolled, each agrees with the original function
 * in the interpreter; and an op vectorizes unless it is listed below with the reason it cannot.
 */
import { assert, assertEquals } from "../test_util.ts";
import type { PrimFunc } from "../func.ts";
import { visit } from "../node.ts";
import { OPS } from "../ops/catalog.ts";
import { lower } from "./lower.ts";
import { markInnermost } from "./schedule_testing.ts";
import { loweredFormProblems, runBoth } from "./testing.ts";

/**
 * Ops of which no case vectorizes when innermost loops are marked, each with the reason. (Ops with
 * several stages, such as a padding stage before a convolution, vectorize some of them.)
 */
const SERIAL_BY_DESIGN: Record<string, string> = {
  matmul: "the innermost loop is the reduction: every lane would store one place",
  batch_matmul: "the innermost loop is the reduction",
  global_max_pool2d: "the innermost loop is the reduction over the window",
  reduce_sum: "the innermost loop is the reduction",
  reduce_prod: "the innermost loop is the reduction",
  reduce_max: "the innermost loop is the reduction",
  reduce_min: "the innermost loop is the reduction",
  argmax: "the innermost loop is the reduction",
  argmin: "the innermost loop is the reduction",
  transpose: "the load is strided along the innermost loop",
};

function vectorStores(f: PrimFunc): number {
  let n = 0;
  visit(f.body, (x) => void (x.kind === "BufferStore" && x.value.dtype.includes("x") && n++));
  return n;
}

for (const op of OPS) {
  Deno.test(`catalogue ${op.family}/${op.name}: lowered cases agree with the original`, () => {
    let vectorized = 0;
    for (const c of op.cases) {
      const f = op.build(c);
      const inputs = op.makeInputs(c, 5);
      for (
        const [label, g] of [
          ["as built", f],
          ["vectorized", markInnermost(f, "vectorized")],
          ["unrolled", markInnermost(f, "unrolled")],
        ] as const
      ) {
        const low = lower(g, { verify: true });
        const where = `${op.name} [${c.label}] ${label}`;
        assertEquals(loweredFormProblems(g, low), [], where);
        const [want, got] = runBoth(f, low, inputs);
        assertEquals(got, want, where);
        if (label === "vectorized" && vectorStores(low) > 0) vectorized++;
      }
    }
    const why = SERIAL_BY_DESIGN[op.name];
    if (why === undefined) assert(vectorized > 0, `${op.name}: no case vectorized`);
    else assertEquals(vectorized, 0, `${op.name} vectorized, though listed: ${why}`);
  });
}
