/**
 * Every case of the op catalogue (`ir/ops/catalog.ts`), lowered as built and with every innermost
 * loop vectorized, agrees with the original function in the interpreter.
 */
import { assertEquals } from "../test_util.ts";
import { OPS } from "../ops/catalog.ts";
import { lower } from "./lower.ts";
import { markInnermost } from "./schedule_testing.ts";
import { loweredFormProblems, runBoth } from "./testing.ts";

for (const op of OPS) {
  Deno.test(`catalogue ${op.family}/${op.name}: lowered cases agree with the original`, () => {
    for (const c of op.cases) {
      const f = op.build(c);
      const inputs = op.makeInputs(c, 5);
      for (const g of [f, markInnermost(f, "vectorized")]) {
        const low = lower(g, { verify: true });
        assertEquals(loweredFormProblems(g, low), [], `${op.name} [${c.label}]`);
        const [want, got] = runBoth(f, low, inputs);
        assertEquals(got, want, `${op.name} [${c.label}]`);
      }
    }
  });
}
