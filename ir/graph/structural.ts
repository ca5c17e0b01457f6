/**
 * Structural equality of graph functions and modules: graph variables and size variables are
 * mapped by position (a bijection built where they are first met) and their names ignored, as
 * at the tensor level; constants compare by dtype, shape and bits; tensor-level functions with
 * `ir/structural`.
 *
 * @module
 */
import type { PrimExpr, Var } from "../expr.ts";
import { NODE_FIELDS } from "../node.ts";
import { firstMismatch } from "../structural.ts";
import type { Atom, AttrValue, Binding, GraphFunc, GraphModule, GraphValue } from "./ir.ts";
import type { GraphType } from "./types.ts";

/** Maps of one comparison: left object → right object, both ways. */
class Bijection {
  private readonly l2r = new Map<object, object>();
  private readonly r2l = new Map<object, object>();

  /** True if `a` ↔ `b` agrees with the mapping (recording it on first meeting). */
  pair(a: object, b: object): boolean {
    const x = this.l2r.get(a);
    const y = this.r2l.get(b);
    if (x === undefined && y === undefined) {
      this.l2r.set(a, b);
      this.r2l.set(b, a);
      return true;
    }
    return x === b && y === a;
  }
}

type Path = string | undefined; // undefined: equal

function exprEq(a: PrimExpr, b: PrimExpr, m: Bijection): boolean {
  if (a.kind !== b.kind || a.dtype !== b.dtype) return false;
  if (a.kind === "Var") return m.pair(a, b as Var);
  const fa = a as unknown as Record<string, unknown>;
  const fb = b as unknown as Record<string, unknown>;
  for (const [field, role] of NODE_FIELDS[a.kind]) {
    if (role === "node") {
      if (!exprEq(fa[field] as PrimExpr, fb[field] as PrimExpr, m)) return false;
    } else if (role === "nodes") {
      const xs = fa[field] as PrimExpr[];
      const ys = fb[field] as PrimExpr[];
      if (xs.length !== ys.length || xs.some((x, k) => !exprEq(x, ys[k], m))) return false;
    } else if (role === "data" && !Object.is(fa[field], fb[field])) return false;
  }
  return true;
}

function typeEq(a: GraphType, b: GraphType, m: Bijection): boolean {
  if (a.kind === "TupleType" || b.kind === "TupleType") {
    return a.kind === "TupleType" && b.kind === "TupleType" &&
      a.fields.length === b.fields.length && a.fields.every((f, k) => typeEq(f, b.fields[k], m));
  }
  return a.dtype === b.dtype && a.shape.length === b.shape.length &&
    a.shape.every((d, k) => exprEq(d, b.shape[k], m));
}

function attrEq(a: AttrValue | undefined, b: AttrValue | undefined): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
      a.every((x, k) => attrEq(x, (b as readonly AttrValue[])[k]));
  }
  return Object.is(a, b);
}

function attrsEq(
  a: Readonly<Record<string, AttrValue>>,
  b: Readonly<Record<string, AttrValue>>,
): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && attrEq(a[k], b[k]));
}

function atomEq(a: Atom, b: Atom, m: Bijection): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "GraphVar") return m.pair(a, b);
  const x = a.value;
  const y = (b as typeof a).value;
  if (x.dtype !== y.dtype || x.shape.join() !== y.shape.join() || x.data.length !== y.data.length) {
    return false;
  }
  const bx = new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength);
  const by = new Uint8Array(y.data.buffer, y.data.byteOffset, y.data.byteLength);
  return bx.every((v, k) => v === by[k]);
}

function atomsEq(a: readonly Atom[], b: readonly Atom[], m: Bijection): boolean {
  return a.length === b.length && a.every((x, k) => atomEq(x, b[k], m));
}

function valueEq(a: GraphValue, b: GraphValue, m: Bijection): boolean {
  switch (a.kind) {
    case "OpCall": {
      const o = b as typeof a;
      return a.op === o.op && atomsEq(a.args, o.args, m) && attrsEq(a.attrs, o.attrs);
    }
    case "CallTIR": {
      const o = b as typeof a;
      return a.func === o.func && atomsEq(a.args, o.args, m);
    }
    case "CallExtern": {
      const o = b as typeof a;
      return a.func === o.func && a.pure === o.pure && atomsEq(a.args, o.args, m) &&
        attrsEq(a.attrs, o.attrs);
    }
    case "Tuple":
      return atomsEq(a.fields, (b as typeof a).fields, m);
    case "TupleGetItem": {
      const o = b as typeof a;
      return a.index === o.index && atomEq(a.tuple, o.tuple, m);
    }
    case "MatchShape":
      return atomEq(a.value, (b as typeof a).value, m);
  }
}

function bindingMismatch(a: Binding, b: Binding, m: Bijection, at: string): Path {
  if (a.value.kind !== b.value.kind || !valueEq(a.value, b.value, m)) return `${at}.value`;
  if (!typeEq(a.v.type, b.v.type, m)) return `${at}.type`;
  if (!m.pair(a.v, b.v)) return `${at}.v`;
  if (a.checks.length !== b.checks.length) return `${at}.checks`;
  for (let k = 0; k < a.checks.length; k++) {
    const x = a.checks[k];
    const y = b.checks[k];
    if (!exprEq(x.a, y.a, m) || !exprEq(x.b, y.b, m) || x.what !== y.what) {
      return `${at}.checks[${k}]`;
    }
  }
  return undefined;
}

function funcMismatch(a: GraphFunc, b: GraphFunc): Path {
  const m = new Bijection();
  const at = `graph "${a.name}"`;
  if (a.name !== b.name) return `${at}.name`;
  if (!attrsEq(a.attrs, b.attrs)) return `${at}.attrs`;
  if (a.params.length !== b.params.length) return `${at}.params`;
  for (let k = 0; k < a.params.length; k++) {
    if (!typeEq(a.params[k].type, b.params[k].type, m) || !m.pair(a.params[k], b.params[k])) {
      return `${at}.params[${k}]`;
    }
  }
  if (a.blocks.length !== b.blocks.length) return `${at}.blocks`;
  for (let i = 0; i < a.blocks.length; i++) {
    const x = a.blocks[i];
    const y = b.blocks[i];
    if (x.dataflow !== y.dataflow || x.bindings.length !== y.bindings.length) {
      return `${at}.blocks[${i}]`;
    }
    for (let j = 0; j < x.bindings.length; j++) {
      const p = bindingMismatch(x.bindings[j], y.bindings[j], m, `${at}.blocks[${i}][${j}]`);
      if (p) return p;
    }
  }
  return atomEq(a.output, b.output, m) ? undefined : `${at}.output`;
}

/**
 * Where two graph functions or modules first differ (a path), or undefined if they are
 * structurally equal.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { graphFirstMismatch } from "./structural.ts";
 * const make = (op: string) => {
 *   const b = new GraphBuilder("f");
 *   b.output(b.op(op, [b.input("x", ["n"])]));
 *   return b.finish();
 * };
 * console.assert(graphFirstMismatch(make("relu"), make("relu")) === undefined);
 * console.assert(graphFirstMismatch(make("relu"), make("exp")) !== undefined);
 * ```
 */
export function graphFirstMismatch(
  a: GraphModule | GraphFunc,
  b: GraphModule | GraphFunc,
): string | undefined {
  if (a.kind === "GraphFunc" || b.kind === "GraphFunc") {
    return a.kind === "GraphFunc" && b.kind === "GraphFunc" ? funcMismatch(a, b) : "kind";
  }
  const ga = [...a.graphs.keys()].sort();
  const gb = [...b.graphs.keys()].sort();
  if (ga.join() !== gb.join()) return `graphs [${ga.join(", ")}] vs [${gb.join(", ")}]`;
  for (const name of ga) {
    const p = funcMismatch(a.graphs.get(name)!, b.graphs.get(name)!);
    if (p) return p;
  }
  const t = firstMismatch(a.tir, b.tir);
  return t ? `tir: ${t.pathA} (${t.reason})` : undefined;
}

/** True if two graph functions or modules are structurally equal (see `graphFirstMismatch`). */
export function graphStructuralEqual(
  a: GraphModule | GraphFunc,
  b: GraphModule | GraphFunc,
): boolean {
  return graphFirstMismatch(a, b) === undefined;
}
