/**
 * Helpers passes share: replacing a function's bindings, substituting atoms, and the size
 * variables a function mentions.
 *
 * @module
 */
import type { Var } from "../expr.ts";
import { visit } from "../node.ts";
import {
  type Atom,
  type Binding,
  type BindingBlock,
  bindingBlock,
  type GraphFunc,
  type GraphValue,
} from "./ir.ts";
import type { GraphType } from "./types.ts";

/**
 * The function with every binding mapped by `fn` (a binding, or undefined to drop it); empty
 * blocks are dropped. Returns `f` itself when nothing changed.
 */
export function mapBindings(
  f: GraphFunc,
  fn: (b: Binding, block: BindingBlock) => Binding | undefined,
  output: Atom = f.output,
): GraphFunc {
  let changed = output !== f.output;
  const blocks: BindingBlock[] = [];
  for (const blk of f.blocks) {
    const bs: Binding[] = [];
    let same = true;
    for (const b of blk.bindings) {
      const nb = fn(b, blk);
      if (nb !== b) same = false;
      if (nb) bs.push(nb);
    }
    if (!same) changed = true;
    if (bs.length > 0) blocks.push(same ? blk : bindingBlock(bs, blk.dataflow));
  }
  return changed ? { ...f, blocks, output } : f;
}

/** A value with atoms replaced through `sub` (the same object when none is). */
export function substituteValue(v: GraphValue, sub: ReadonlyMap<Atom, Atom>): GraphValue {
  const s = (a: Atom) => sub.get(a) ?? a;
  const ss = (xs: readonly Atom[]) => {
    const ys = xs.map(s);
    return ys.every((y, k) => y === xs[k]) ? xs : ys;
  };
  switch (v.kind) {
    case "OpCall":
    case "CallTIR":
    case "CallExtern": {
      const args = ss(v.args);
      return args === v.args ? v : { ...v, args };
    }
    case "Tuple": {
      const fields = ss(v.fields);
      return fields === v.fields ? v : { ...v, fields };
    }
    case "TupleGetItem": {
      const tuple = s(v.tuple);
      return tuple === v.tuple ? v : { ...v, tuple };
    }
    case "MatchShape": {
      const value = s(v.value);
      return value === v.value ? v : { ...v, value };
    }
  }
}

/** Size variables of a type, added to `out`. */
export function typeVars(t: GraphType, out: Set<Var>): Set<Var> {
  if (t.kind === "TupleType") {
    for (const f of t.fields) typeVars(f, out);
    return out;
  }
  for (const d of t.shape) {
    visit(d, (n) => {
      if (n.kind === "Var") out.add(n);
    });
  }
  return out;
}

/** Every size variable a function's types mention, by name (first one of a name wins). */
export function sizeVarsByName(f: GraphFunc): Map<string, Var> {
  const vars = new Set<Var>();
  for (const p of f.params) typeVars(p.type, vars);
  for (const blk of f.blocks) for (const b of blk.bindings) typeVars(b.v.type, vars);
  const out = new Map<string, Var>();
  for (const v of vars) if (!out.has(v.name)) out.set(v.name, v);
  return out;
}
