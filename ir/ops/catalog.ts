/**
 * The op catalogue: every op of the library as a descriptor (build, inputs, reference, sample
 * cases). The conformance suite builds its case list from `OPS`.
 *
 * ```ts
 * import { OPS } from "./catalog.ts";
 * import { runFunc } from "../interp/mod.ts";
 * const op = OPS.find((o) => o.name === "softmax")!;
 * const c = op.cases[0];
 * const inputs = op.makeInputs(c);
 * const [got] = runFunc(op.build(c), inputs);
 * const [want] = op.reference(inputs, c.attrs, c.vars ?? {});
 * console.assert(got.shape.join() === want.shape.join());
 * ```
 *
 * @module
 */
import type { OpDescriptor } from "./descriptor.ts";
import { ELEMENTWISE_OPS } from "./catalog_elementwise.ts";
import { REDUCE_OPS } from "./catalog_reduce.ts";
import { CONV_OPS } from "./catalog_conv.ts";
import { NN_OPS } from "./catalog_nn.ts";
import { TRANSFORM_OPS } from "./catalog_transform.ts";
import { OpError } from "./errors.ts";

/** Every op in the catalogue. */
export const OPS: readonly OpDescriptor[] = [
  ...ELEMENTWISE_OPS,
  ...REDUCE_OPS,
  ...CONV_OPS,
  ...NN_OPS,
  ...TRANSFORM_OPS,
];

/**
 * The descriptor of an op by name (`OP_BAD_PARAM` if there is none).
 *
 * @example
 * ```ts
 * import { findOp } from "./catalog.ts";
 * console.assert(findOp("add").family === "elementwise");
 * ```
 */
export function findOp(name: string): OpDescriptor {
  const op = OPS.find((o) => o.name === name);
  if (!op) {
    throw new OpError("OP_BAD_PARAM", `Cannot find op "${name}" in the catalogue`, {
      hint: `known ops: ${OPS.map((o) => o.name).join(", ")}`,
    });
  }
  return op;
}
