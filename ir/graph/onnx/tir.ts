/**
 * ONNX ops the graph level has no op for become tensor-level functions written with the tensor
 * DSL (`ir/te`) and called with `callTIR`. The function's parameters take the inputs' symbolic
 * sizes: a size variable of the graph stays itself (the function binds it from the argument's
 * shape), any other dimension expression gets a fresh size variable, mapped back in the result
 * type. Functions are named by op and structural hash, so equal ones are shared.
 *
 * @module
 */
import type { PrimExpr, Var } from "../../expr.ts";
import { rewrite } from "../../node.ts";
import { toPrimFunc } from "../../ops/func.ts";
import { structuralHash } from "../../structural.ts";
import { placeholder, sizeVar, type Tensor } from "../../te.ts";
import { simplify } from "../../arith/simplify.ts";
import type { GraphBuilder } from "../builder.ts";
import type { Atom } from "../ir.ts";
import type { TensorType } from "../types.ts";
import type { NodeContext, Val } from "./context.ts";

/**
 * Output `k` of the node as `build(placeholders)` of its input values, through a tensor-level
 * function. `tag` names the function (`onnx_<tag>_<hash>`).
 *
 * @example
 * ```ts ignore
 * // Sign(x): compute the elements with the DSL, call the function.
 * return [callTe(ctx, "sign", [ctx.input(0)], ([x]) => compute(x.shape, (i) => …))];
 * ```
 */
export function callTe(
  ctx: NodeContext,
  tag: string,
  inputs: readonly Val[],
  build: (ts: Tensor[]) => Tensor,
  k = 0,
): Val {
  return ctx.guard(() => {
    const args = inputs.map((v) => ({ type: v.type, atom: ctx.atomOf(v) }));
    const vname = ctx.state.bindingName(ctx.node.outputs[k] || `${tag}_out`);
    return teCall(ctx.b, tag, args, build, vname);
  });
}

/** `callTe` without a node: graph values in, the call's value out, bound as `vname`. */
export function teCall(
  b: GraphBuilder,
  tag: string,
  inputs: readonly { readonly type: TensorType; readonly atom: Atom }[],
  build: (ts: Tensor[]) => Tensor,
  vname: string,
): Val {
  const back = new Map<Var, PrimExpr>();
  const fresh = new Map<string, Var>();
  let counter = 0;
  const dimOf = (d: PrimExpr): PrimExpr => {
    if (d.kind === "IntImm" || d.kind === "Var") return d;
    const key = structuralHash(d);
    let v = fresh.get(key);
    if (!v) {
      v = sizeVar(`d${counter++}`);
      fresh.set(key, v);
      back.set(v, d);
    }
    return v;
  };
  const ph = inputs.map((v, i) => placeholder(v.type.shape.map(dimOf), v.type.dtype, `in${i}`));
  const out = build(ph);
  const probe = toPrimFunc("f", ph, [out]);
  const name = `onnx_${tag}_${structuralHash(probe).slice(0, 8)}`;
  const f = toPrimFunc(name, ph, [out]);
  const shape = out.shape.map((d) =>
    simplify(rewrite(d, { post: (n) => (n.kind === "Var" && back.get(n)) || n }))
  );
  const g = b.callTIR(f, inputs.map((v) => v.atom), { shape, dtype: out.dtype }, vname);
  return { type: g.type as TensorType, atom: g };
}
