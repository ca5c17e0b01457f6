/**
 * Printing graph functions and modules of both levels in the script form (grammar in
 * `grammar.ts`). Tensor-level functions print with `ir/script`'s printer, first, then the graph
 * functions; dimensions print with its expression printer.
 *
 * @module
 */
import type { PrimExpr } from "../expr.ts";
import { printFunc } from "../script/mod.ts";
import { sanitize } from "../script/names.ts";
import { Printer } from "../script/printer.ts";
import { formatAnnotation } from "../script/literal.ts";
import { getElement, numel } from "../ndarray.ts";
import { GRAPH_RESERVED, GRAPH_WORDS as W, VALUE_FORMS } from "./grammar.ts";
import type { Atom, Attrs, AttrValue, Binding, GraphFunc, GraphModule, GraphValue } from "./ir.ts";
import type { GraphType } from "./types.ts";

/** Options of the graph printer. */
export interface GraphPrintOptions {
  /**
   * Constants with more elements than this print as a summary `const w<float32>[…](…)`, which
   * does not parse back (default: all print in full).
   */
  readonly maxConstantElements?: number;
}

/** Prints one graph function. */
class GraphPrinter {
  private readonly p = new Printer(); // dimensions: its namer names the size variables
  private readonly names = new Map<object, string>();
  private readonly used = new Set<string>();
  private readonly lines: string[] = [];

  constructor(private readonly options: GraphPrintOptions) {}

  private nameOf(v: { readonly name: string }): string {
    const hit = this.names.get(v);
    if (hit !== undefined) return hit;
    let base = sanitize(v.name, "v");
    if (GRAPH_RESERVED.has(base)) base = `${base}_`;
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    this.names.set(v, name);
    return name;
  }

  private dim(e: PrimExpr): string {
    return this.p.expr(e);
  }

  type(t: GraphType): string {
    if (t.kind === "TupleType") return `(${t.fields.map((f) => this.type(f)).join(", ")})`;
    return `${W.tensor}<${t.dtype}>[${t.shape.map((d) => this.dim(d)).join(", ")}]`;
  }

  private atom(a: Atom): string {
    if (a.kind === "GraphVar") return this.nameOf(a);
    const v = a.value;
    const head = `${W.constant} ${sanitize(a.name, "c")}<${v.dtype}>[${v.shape.join(", ")}]`;
    const max = this.options.maxConstantElements ?? Infinity;
    if (numel(v.shape) > max) return `${head}(…)`;
    const items = Array.from(
      { length: v.data.length },
      (_, i) => formatAnnotation(getElement(v.data, v.dtype, i)),
    );
    return `${head}(${items.join(", ")})`;
  }

  private atoms(xs: readonly Atom[]): string {
    return xs.map((a) => this.atom(a)).join(", ");
  }

  private value(v: GraphValue): string {
    switch (v.kind) {
      case "OpCall":
        return `${v.op}(${this.atoms(v.args)})${attrs(v.attrs)}`;
      case "CallTIR":
        return `${VALUE_FORMS.CallTIR} ${v.func}(${this.atoms(v.args)})`;
      case "CallExtern":
        return `${VALUE_FORMS.CallExtern} ${JSON.stringify(v.func)}(${this.atoms(v.args)})${
          attrs(v.attrs)
        }${v.pure ? "" : ` ${W.impure}`}`;
      case "Tuple":
        return `${VALUE_FORMS.Tuple}(${this.atoms(v.fields)})`;
      case "TupleGetItem":
        return `${VALUE_FORMS.TupleGetItem}(${this.atom(v.tuple)}, ${v.index})`;
      case "MatchShape":
        return `${VALUE_FORMS.MatchShape}(${this.atom(v.value)})`;
    }
  }

  private binding(b: Binding): string {
    const checks = b.checks.map((c) =>
      ` ${W.check}(${this.dim(c.a)} == ${this.dim(c.b)}, ${JSON.stringify(c.what)})`
    );
    return `${this.nameOf(b.v)}: ${this.type(b.v.type)} = ${this.value(b.value)}${checks.join("")}`;
  }

  func(f: GraphFunc): string {
    const params = f.params.map((v) => `${this.nameOf(v)}: ${this.type(v.type)}`).join(", ");
    const fattrs = Object.keys(f.attrs).length > 0 ? ` @${attrs(f.attrs)}` : "";
    this.lines.push(`${W.graph} ${f.name}(${params})${fattrs} {`);
    for (const blk of f.blocks) {
      this.lines.push(`  ${blk.dataflow ? W.dataflow : W.bindings} {`);
      for (const b of blk.bindings) this.lines.push(`    ${this.binding(b)}`);
      this.lines.push("  }");
    }
    this.lines.push(`  ${W.ret} ${this.atom(f.output)}`, "}");
    return this.lines.join("\n");
  }
}

/** ` {key: value, …}` or nothing. */
function attrs(a: Attrs): string {
  const keys = Object.keys(a);
  if (keys.length === 0) return "";
  const key = (k: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k));
  return ` {${keys.map((k) => `${key(k)}: ${attrValue(a[k])}`).join(", ")}}`;
}

function attrValue(v: AttrValue): string {
  return Array.isArray(v)
    ? `[${(v as readonly AttrValue[]).map(attrValue).join(", ")}]`
    : formatAnnotation(v as string | number | boolean);
}

/**
 * Print a graph function as script text.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { printGraphFunc } from "./print.ts";
 * const b = new GraphBuilder("main");
 * b.output(b.relu(b.input("x", ["n", 4]), "y"));
 * const text = printGraphFunc(b.finish().graphs.get("main")!);
 * console.assert(text.includes("y: tensor<float32>[n, 4] = relu(x)"));
 * ```
 */
export function printGraphFunc(f: GraphFunc, options: GraphPrintOptions = {}): string {
  return new GraphPrinter(options).func(f);
}

/**
 * Print a module of both levels: its tensor-level functions, then its graph functions,
 * separated by blank lines.
 */
export function printGraphModule(mod: GraphModule, options: GraphPrintOptions = {}): string {
  return [
    ...[...mod.tir.functions.values()].map(printFunc),
    ...[...mod.graphs.values()].map((g) => printGraphFunc(g, options)),
  ].join("\n\n");
}
