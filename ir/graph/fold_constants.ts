/**
 * `foldConstants`: an op call or `callTIR` whose operands are all constants is run once, at
 * compile time, with the reference interpreter (`ir/interp`; an op call through the function
 * `legalize` would build for it), and its uses read the resulting constants; tuple fields of
 * folded tuples fold too. `eliminateDeadCode` then removes the functions it leaves unused.
 *
 * @module
 */
import { runFunc } from "../interp/mod.ts";
import { type Atom, type Constant, constant, type GraphFunc, type GraphModule } from "./ir.ts";
import type { GraphPass } from "./pass.ts";
import { opFunc } from "./legalize.ts";
import { mapBindings, substituteValue } from "./rewrite.ts";
import type { GraphType } from "./types.ts";

const isConstType = (t: GraphType): boolean =>
  t.kind === "TupleType" ? t.fields.every(isConstType) : t.shape.every((d) => d.kind === "IntImm");

function foldFunc(f: GraphFunc, mod: GraphModule): GraphFunc {
  const sub = new Map<Atom, Atom>();
  const tuples = new Map<Atom, readonly Atom[]>(); // folded tuples: their fields
  const g = mapBindings(f, (b) => {
    const value = substituteValue(b.value, sub);
    const args = value.kind === "CallTIR" || value.kind === "OpCall" ? value.args : [];
    if (args.length > 0 && args.every((a) => a.kind === "Constant") && isConstType(b.v.type)) {
      const prim = value.kind === "CallTIR"
        ? mod.tir.functions.get(value.func)
        : opFunc(f, { ...b, value }, new Map());
      if (prim) {
        const outs = runFunc(prim, args.map((a) => (a as Constant).value));
        const cs = outs.map((o, k) =>
          constant(o, outs.length === 1 ? b.v.name : `${b.v.name}_${k}`)
        );
        if (b.v.type.kind === "TensorType") sub.set(b.v, cs[0]);
        else tuples.set(b.v, cs);
        return undefined;
      }
    }
    if (value.kind === "TupleGetItem" && tuples.has(value.tuple)) {
      sub.set(b.v, tuples.get(value.tuple)![value.index]);
      return undefined;
    }
    if (value.kind === "Tuple" && value.fields.every((a) => a.kind === "Constant")) {
      tuples.set(b.v, value.fields);
    }
    return value === b.value ? b : { ...b, value };
  }, undefined);
  const out = sub.get(f.output) ?? f.output;
  return out === f.output ? g : { ...g, output: out };
}

function foldModule(mod: GraphModule): GraphModule {
  const graphs = new Map(mod.graphs);
  let changed = false;
  for (const [name, f] of mod.graphs) {
    const g = foldFunc(f, mod);
    if (g !== f) {
      changed = true;
      graphs.set(name, g);
    }
  }
  return changed ? { ...mod, graphs } : mod;
}

/**
 * Evaluate `callTIR`s of constants at compile time (see the module doc).
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { legalize } from "./legalize.ts";
 * import { foldConstants } from "./fold_constants.ts";
 * import { ndarray } from "../ndarray.ts";
 * const b = new GraphBuilder("main");
 * const c = b.constant(ndarray("float32", [2], [-1, 2]));
 * b.output(b.add(b.input("x", [2]), b.relu(c)));
 * const mod = foldConstants.run(legalize.run(b.finish()));
 * console.assert(mod.graphs.get("main")!.blocks[0].bindings.length === 1);
 * ```
 */
export const foldConstants: GraphPass = {
  name: "fold-constants",
  summary: "evaluate op calls and callTIRs of constants with the interpreter",
  run: foldModule,
};
