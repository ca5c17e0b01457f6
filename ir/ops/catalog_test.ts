import { assert, assertEquals } from "../test_util.ts";
import { runFunc } from "../interp/mod.ts";
import { verify } from "../verify.ts";
import { compareArrays } from "../../conformance/tolerance.ts";
import { OPS } from "./catalog.ts";

for (const op of OPS) {
  Deno.test(`${op.family}/${op.name}: every catalogue case matches the reference`, () => {
    assert(op.cases.length >= 3, `${op.name} needs at least 3 cases`);
    assert(
      op.cases.some((c) => c.inputs.some((s) => s.shape.some((d) => typeof d === "string"))),
      `${op.name} needs a case with a symbolic size`,
    );
    for (const c of op.cases) {
      const f = op.build(c);
      verify(f);
      const inputs = op.makeInputs(c, 7);
      const got = runFunc(f, inputs);
      const want = op.reference(inputs, c.attrs, c.vars ?? {});
      assertEquals(got.length, want.length);
      got.forEach((g, k) => {
        const cmp = compareArrays(g, want[k]);
        assert(
          cmp.ok,
          `${op.name} [${c.label}] output ${k}: ${
            cmp.reason ?? ""
          } ${cmp.mismatches} mismatches, first ${
            JSON.stringify(cmp.first)
          }, max ulps ${cmp.maxUlps}`,
        );
      });
    }
  });
}
