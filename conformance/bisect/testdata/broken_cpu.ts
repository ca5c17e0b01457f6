/**
 * A deliberately broken target for the bisect tests: the cpu target, except that every kernel
 * whose name starts with `softmax` stores `value + 1` into its output.
 *
 * @module
 */
import { add } from "../../../ir/expr.ts";
import type { PrimFunc } from "../../../ir/func.ts";
import { rewrite } from "../../../ir/node.ts";
import { bufferStore } from "../../../ir/stmt.ts";
import { defineTarget, type Target } from "../../../sdk/mod.ts";
import cpu from "../../../targets/cpu/mod.ts";

/** The function with every scalar store into its last buffer parameter off by one. */
export function corrupt(f: PrimFunc): PrimFunc {
  const out = f.params.filter((p) => p.kind === "Buffer").at(-1)!;
  const body = rewrite(f.body, {
    post: (n) =>
      n.kind === "BufferStore" && n.buffer.name === out.name && n.value.dtype === out.dtype
        ? bufferStore(n.buffer, add(n.value, 1), n.indices)
        : n,
  });
  return { ...f, body };
}

const broken: Target = defineTarget({
  ...cpu,
  name: "broken-cpu",
  codegen: {
    ...cpu.codegen,
    compile: (f, ctx) => cpu.codegen.compile(f.name.startsWith("softmax") ? corrupt(f) : f, ctx),
  },
});
export default broken;
