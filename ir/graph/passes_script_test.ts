/** Passes as script text in, script text out, compared structurally. */
import { assertEquals } from "../test_util.ts";
import { eliminateDeadCode } from "./dce.ts";
import { foldConstants } from "./fold_constants.ts";
import type { GraphPass } from "./pass.ts";
import { legalize } from "./legalize.ts";
import { parseGraphModule } from "./parse.ts";
import { printGraphModule } from "./print.ts";
import { graphFirstMismatch } from "./structural.ts";

function check(pass: GraphPass, before: string, after: string): void {
  const got = pass.run(parseGraphModule(before));
  const want = parseGraphModule(after);
  assertEquals(graphFirstMismatch(got, want), undefined, printGraphModule(got));
}

Deno.test("script passes: eliminate-dead-code keeps impure externs and what the result reads", () => {
  check(
    eliminateDeadCode,
    `graph main(x: tensor<float32>[n]) {
  dataflow {
    a: tensor<float32>[n] = relu(x)
    b: tensor<float32>[n] = exp(a)
    c: tensor<float32>[n] = neg(x)
  }
  bindings {
    d: tensor<float32>[n] = call_extern "log"(c) impure
    e: tensor<float32>[n] = call_extern "pure"(c)
  }
  return a
}`,
    `graph main(x: tensor<float32>[n]) {
  dataflow {
    a: tensor<float32>[n] = relu(x)
    c: tensor<float32>[n] = neg(x)
  }
  bindings {
    d: tensor<float32>[n] = call_extern "log"(c) impure
  }
  return a
}`,
  );
});

Deno.test("script passes: fold-constants evaluates constant op calls", () => {
  check(
    foldConstants,
    `graph main(x: tensor<float32>[n, 2]) {
  dataflow {
    r: tensor<float32>[2] = relu(const w<float32>[2](-1.5, 2))
    y: tensor<float32>[n, 2] = add(x, r)
  }
  return y
}`,
    `graph main(x: tensor<float32>[n, 2]) {
  dataflow {
    y: tensor<float32>[n, 2] = add(x, const r<float32>[2](0, 2))
  }
  return y
}`,
  );
});

Deno.test("script passes: legalize turns an op call into a callTIR of a symbolic function", () => {
  check(
    legalize,
    `graph main(x: tensor<float32>[n]) {
  dataflow {
    y: tensor<float32>[n] = relu(x)
  }
  return y
}`,
    `func relu(in0: buffer<float32>[n], T_relu: buffer<float32>[n]) @{legalized_from: "relu"} {
  block root() {
    for i in 0..n {
      block T_relu(vi: spatial(0..n) = i) {
        reads(in0[vi])
        writes(T_relu[vi])
        T_relu[vi] = max(in0[vi], 0.0)
      }
    }
  }
}

graph main(x: tensor<float32>[n]) {
  dataflow {
    y: tensor<float32>[n] = call_tir relu(x)
  }
  return y
}`,
  );
});
