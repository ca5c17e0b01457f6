/**
 * Control flow the importer can resolve: `If` whose condition is known at import time (exporters
 * emit such Ifs around shape checks) imports the taken branch in place — the branch sees the
 * enclosing values. A condition computed at run time is refused.
 *
 * @module
 */
import { asNumber, type OpRule, type Val } from "./context.ts";

const ifRule: OpRule = (ctx) => {
  ctx.expectInputs(1);
  const c = ctx.input(0);
  const v = c.known?.length === 1
    ? asNumber(c.known[0])
    : c.data?.data.length === 1
    ? Number(c.data.data[0])
    : undefined;
  if (v === undefined) {
    throw ctx.fail(
      "ONNX_UNSUPPORTED_OP",
      "its condition is computed at run time (only conditions known at import time are supported)",
    );
  }
  const name = v ? "then_branch" : "else_branch";
  const branch = ctx.attr(name);
  if (branch?.kind !== "graph") {
    throw ctx.fail("ONNX_BAD_ATTRIBUTE", `attribute "${name}" is missing or not a graph`);
  }
  return ctx.subgraph(branch.value).map((out, k): Val => {
    if (out === undefined) {
      throw ctx.fail("ONNX_UNKNOWN_VALUE", `output ${k} of its ${name} is not produced`);
    }
    return out;
  });
};

/** The control-flow rules by ONNX op type. */
export const CONTROL_RULES: Readonly<Record<string, OpRule>> = { If: ifRule };
