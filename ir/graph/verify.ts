/**
 * `verifyGraph`: the well-formedness rules of the graph level, checked on a whole module —
 * every value read is a parameter, a constant or bound earlier; no variable is bound twice;
 * dataflow blocks hold no impure extern calls; a `callTIR` names a tensor-level function whose
 * signature fits its operands and result; tuple fields exist; an op call's type is the one
 * inference gives. Returns the problems (empty: well-formed); `runPasses({ verify: true })` runs
 * it after every pass.
 *
 * @module
 */
import { TesseraError } from "../errors.ts";
import { nodePath } from "./errors.ts";
import { inferOp } from "./graph_ops.ts";
import { argsOf, type Atom, type GraphFunc, type GraphModule } from "./ir.ts";
import { dimsEqual } from "./shape_ctx.ts";
import { type GraphType, showType, SizeScope } from "./types.ts";
import { typeVars } from "./rewrite.ts";

function sameType(a: GraphType, b: GraphType): boolean {
  if (a.kind === "TupleType" || b.kind === "TupleType") {
    return a.kind === "TupleType" && b.kind === "TupleType" &&
      a.fields.length === b.fields.length && a.fields.every((f, k) => sameType(f, b.fields[k]));
  }
  return a.dtype === b.dtype && a.shape.length === b.shape.length &&
    a.shape.every((d, k) => dimsEqual(d, b.shape[k]));
}

function verifyFunc(f: GraphFunc, mod: GraphModule, out: string[]): void {
  const defined = new Set<Atom>();
  const sizes = new SizeScope();
  const problem = (where: string | undefined, what: string) =>
    out.push(`${nodePath(f.name, where)}: ${what}`);
  for (const p of f.params) {
    if (defined.has(p)) problem(p.name, "parameter listed twice");
    defined.add(p);
    for (const v of typeVars(p.type, new Set())) if (!sizes.find(v.name)) sizes.adopt(v);
  }
  const use = (a: Atom, where: string) => {
    if (a.kind === "GraphVar" && !defined.has(a)) {
      problem(where, `reads "${a.name}" before it is bound`);
    }
  };
  for (const blk of f.blocks) {
    for (const b of blk.bindings) {
      const name = b.v.name;
      const v = b.value;
      argsOf(v).forEach((a) => use(a, name));
      if (defined.has(b.v)) problem(name, "bound twice");
      if (blk.dataflow && v.kind === "CallExtern" && !v.pure) {
        problem(name, `impure extern "${v.func}" in a dataflow block`);
      }
      if (v.kind === "CallTIR") {
        const prim = mod.tir.functions.get(v.func);
        const outs = b.v.type.kind === "TupleType" ? b.v.type.fields : [b.v.type];
        if (!prim) problem(name, `calls "${v.func}", which the module does not have`);
        else if (prim.params.length !== v.args.length + outs.length) {
          problem(
            name,
            `calls "${v.func}" with ${v.args.length} inputs and ${outs.length} outputs; it has ${prim.params.length} parameters`,
          );
        }
      }
      if (v.kind === "TupleGetItem") {
        const t = v.tuple.type;
        if (t.kind !== "TupleType" || v.index >= t.fields.length) {
          problem(name, `takes field ${v.index} of ${showType(t)}`);
        } else if (!sameType(t.fields[v.index], b.v.type)) {
          problem(
            name,
            `has type ${showType(b.v.type)}, field ${v.index} is ${showType(t.fields[v.index])}`,
          );
        }
      }
      if (v.kind === "Tuple") {
        const t = b.v.type;
        if (
          t.kind !== "TupleType" ||
          !sameType(t, { kind: "TupleType", fields: v.fields.map((a) => a.type) })
        ) {
          problem(
            name,
            `has type ${showType(t)}, its fields make ${
              showType({ kind: "TupleType", fields: v.fields.map((a) => a.type) })
            }`,
          );
        }
      }
      if (v.kind === "OpCall") {
        try {
          const types = v.args.map((a) => a.type);
          if (types.some((t) => t.kind !== "TensorType")) {
            problem(name, "an operand of an op call is a tuple");
          } else {
            const r = inferOp(v.op, types as never, v.attrs, sizes, nodePath(f.name, name));
            if (!sameType(r.type, b.v.type)) {
              problem(
                name,
                `has type ${showType(b.v.type)}, op "${v.op}" gives ${showType(r.type)}`,
              );
            }
          }
        } catch (e) {
          if (!(e instanceof TesseraError)) throw e;
          problem(name, `op "${v.op}" refuses its operands: ${e.message}`);
        }
      }
      defined.add(b.v);
      for (const sv of typeVars(b.v.type, new Set())) if (!sizes.find(sv.name)) sizes.adopt(sv);
    }
  }
  use(f.output, "return");
}

/**
 * The well-formedness problems of a module (empty if none); each names the function and binding.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { verifyGraph } from "./verify.ts";
 * const b = new GraphBuilder("main");
 * b.output(b.relu(b.input("x", ["n"])));
 * console.assert(verifyGraph(b.finish()).length === 0);
 * ```
 */
export function verifyGraph(mod: GraphModule): string[] {
  const out: string[] = [];
  for (const f of mod.graphs.values()) verifyFunc(f, mod, out);
  return out;
}
