/**
 * Parsing graph functions and modules of both levels (grammar in `grammar.ts`). The parser
 * extends `ir/script`'s, so tokens, expressions (dimensions), dtypes, tensor-level `func`s and
 * errors (`ParseError` with line:column) are the same; op calls are re-inferred and must match
 * the written type.
 *
 * @module
 */
import { isInt } from "../dtype.ts";
import { ParseError, type SourceSpan, TesseraError } from "../errors.ts";
import type { PrimExpr, Var } from "../expr.ts";
import type { PrimFunc } from "../func.ts";
import { ndarray } from "../ndarray.ts";
import { FuncParser } from "../script/parse_func.ts";
import type { Token } from "../script/lexer.ts";
import { readNumber } from "../script/literal.ts";
import { sizeVar } from "../te.ts";
import { nodePath } from "./errors.ts";
import { GRAPH_WORDS as W, VALUE_FORM_BY_WORD } from "./grammar.ts";
import { inferOp } from "./graph_ops.ts";
import {
  type Atom,
  type Attrs,
  type AttrValue,
  type Binding,
  binding,
  type BindingBlock,
  bindingBlock,
  constant,
  type GraphFunc,
  graphFunc,
  type GraphModule,
  graphModule,
  type GraphValue,
  type GraphVar,
  graphVar,
  type ShapeCheck,
} from "./ir.ts";
import { dimsEqual } from "./shape_ctx.ts";
import { asTensor, type GraphType, showType, SizeScope, tensorType, tupleType } from "./types.ts";

const SPANS = new WeakMap<object, SourceSpan>();

/** The parser of modules with both levels. */
class GraphParser extends FuncParser {
  private gvars = new Map<string, GraphVar>();
  private sizes = new SizeScope();
  private inType = false;
  private funcName = "";
  /** call_tir targets, checked once every function is read. */
  readonly calls: { name: string; tok: Token }[] = [];

  constructor(text: string, source: string) {
    super(text, source, SPANS);
  }

  /** In a type, an unknown name is a new size variable of the function. */
  protected override useVar(t: Token): Var {
    if (!this.inType || this.findVar(t.text)) return super.useVar(t);
    const v = sizeVar(t.text);
    this.scopes[0].vars.set(t.text, v);
    this.sizes.adopt(v);
    return this.mark(v, t.offset, t.end);
  }

  private type(): GraphType {
    if (this.accept("(")) return tupleType(this.list(")", () => this.type()));
    this.expect(W.tensor, `a type ("${W.tensor}<…>[…]" or "(…)")`);
    this.expect("<");
    const dtype = this.dtype();
    this.expect(">");
    this.expect("[");
    this.inType = true;
    try {
      const dims = this.list("]", () => {
        const start = this.peek().offset;
        const e = this.expr().e;
        if (!isInt(e.dtype)) {
          this.fail(
            "PARSE_DTYPE_MISMATCH",
            `Cannot use a ${e.dtype} expression as a dimension`,
            start,
            this.prevEnd(),
          );
        }
        return e;
      });
      return tensorType(dims, dtype);
    } finally {
      this.inType = false;
    }
  }

  private number(): number {
    const negative = this.accept("-");
    const t = this.peek();
    if (t.kind !== "number") this.unexpected("a number");
    this.next();
    const n = readNumber(t.text);
    if (typeof n === "string" || n.dtype !== undefined) {
      return this.fail(
        "PARSE_BAD_LITERAL",
        `Cannot read number "${t.text}" here: no dtype suffix allowed`,
        t.offset,
        t.end,
      );
    }
    return negative ? -n.raw : n.raw;
  }

  private attrValue(): AttrValue {
    if (this.accept("[")) return this.list("]", () => this.attrValue());
    if (this.peek().kind === "string") return this.string("a value");
    if (this.accept("true")) return true;
    if (this.accept("false")) return false;
    return this.number();
  }

  private attrs(): Attrs {
    const out: Record<string, AttrValue> = {};
    if (!this.accept("{")) return out;
    this.list("}", () => {
      const kt = this.peek();
      const key = kt.kind === "string" ? this.string("a key") : this.ident("an attribute key").text;
      if (Object.hasOwn(out, key)) {
        this.fail("PARSE_DUPLICATE_NAME", `Cannot set attribute "${key}" twice`, kt.offset, kt.end);
      }
      this.expect(":");
      Object.defineProperty(out, key, { value: this.attrValue(), enumerable: true });
    });
    return out;
  }

  private atom(): Atom {
    const start = this.peek().offset;
    if (this.accept(W.constant)) {
      const name = this.ident("a constant name").text;
      this.expect("<");
      const dtype = this.dtype();
      this.expect(">");
      this.expect("[");
      const shape = this.list("]", () => this.integer("a dimension"));
      this.expect("(");
      const data = this.list(")", () => this.number());
      return this.mark(
        this.convert(start, () => constant(ndarray(dtype, shape, data), name)),
        start,
      );
    }
    const t = this.ident("a value");
    const v = this.gvars.get(t.text);
    if (!v) {
      return this.fail("PARSE_UNKNOWN_NAME", `Cannot find value "${t.text}"`, t.offset, t.end);
    }
    return v;
  }

  private atoms(): Atom[] {
    this.expect("(");
    return this.list(")", () => this.atom());
  }

  /** Run a constructor; a Tessera error becomes a `ParseError` over `[start, now)`. */
  private convert<T>(start: number, make: () => T): T {
    try {
      return make();
    } catch (e) {
      if (!(e instanceof TesseraError)) throw e;
      return this.fail(
        "PARSE_INVALID_GRAPH",
        `${e.message} [${e.code}]`,
        start,
        this.prevEnd(),
        e.hint,
      );
    }
  }

  private value(): GraphValue {
    const t = this.ident("a value form or an op name");
    switch (VALUE_FORM_BY_WORD.get(t.text)) {
      case "CallTIR": {
        const f = this.ident("a function name");
        this.calls.push({ name: f.text, tok: f });
        return { kind: "CallTIR", func: f.text, args: this.atoms() };
      }
      case "CallExtern": {
        const func = this.string("the extern function's name");
        const args = this.atoms();
        const attrs = this.attrs();
        return { kind: "CallExtern", func, args, attrs, pure: !this.accept(W.impure) };
      }
      case "Tuple":
        return { kind: "Tuple", fields: this.atoms() };
      case "TupleGetItem": {
        this.expect("(");
        const tuple = this.atom();
        this.expect(",");
        const index = this.integer("a field index");
        this.expect(")");
        return { kind: "TupleGetItem", tuple, index };
      }
      case "MatchShape": {
        this.expect("(");
        const value = this.atom();
        this.expect(")");
        return { kind: "MatchShape", value };
      }
      default:
        return { kind: "OpCall", op: t.text, args: this.atoms(), attrs: this.attrs() };
    }
  }

  private check(): ShapeCheck {
    this.expect("(");
    const start = this.peek().offset;
    const e = this.expr().e;
    if (e.kind !== "Binary" || e.op !== "eq") {
      this.fail(
        "PARSE_UNEXPECTED_TOKEN",
        "Cannot read a check: expected `a == b`",
        start,
        this.prevEnd(),
      );
    }
    this.expect(",");
    const what = this.string("what the check compares");
    this.expect(")");
    return { a: e.a, b: e.b, what };
  }

  /** The type a value must have (undefined: any, as written). */
  private expected(
    v: GraphValue,
    path: string,
    start: number,
  ): { type?: GraphType; checks?: ShapeCheck[] } {
    switch (v.kind) {
      case "OpCall": {
        const types = v.args.map((a) => a.type);
        return this.convert(start, () => {
          const r = inferOp(
            v.op,
            types.map((t) => {
              return asTensor(t, "an operand", path);
            }),
            v.attrs,
            this.sizes,
            path,
          );
          return { type: r.type, checks: [...r.checks] };
        });
      }
      case "Tuple":
        return { type: tupleType(v.fields.map((f) => f.type)) };
      case "TupleGetItem": {
        const t = v.tuple.type;
        if (t.kind !== "TupleType" || v.index >= t.fields.length) {
          return this.fail(
            "PARSE_INVALID_GRAPH",
            `Cannot take field ${v.index} of a value of type ${showType(t)}`,
            start,
            this.prevEnd(),
          );
        }
        return { type: t.fields[v.index] };
      }
      default:
        return {};
    }
  }

  private graphBinding(): Binding {
    const t = this.ident("a binding name");
    if (this.gvars.has(t.text)) {
      this.fail("PARSE_DUPLICATE_NAME", `Cannot bind "${t.text}" twice`, t.offset, t.end);
    }
    this.expect(":");
    const type = this.type();
    this.expect("=");
    const start = this.peek().offset;
    const value = this.value();
    const path = nodePath(this.funcName, t.text);
    const want = this.expected(value, path, start);
    if (want.type && !sameType(want.type, type)) {
      this.fail(
        "PARSE_GRAPH_TYPE_MISMATCH",
        `Cannot bind "${t.text}": its value has type ${showType(want.type)}, written ${
          showType(type)
        }`,
        t.offset,
        this.prevEnd(),
      );
    }
    const checks: ShapeCheck[] = [];
    while (this.accept(W.check)) checks.push(this.check());
    const v = this.mark(graphVar(t.text, type), t.offset, t.end);
    this.gvars.set(t.text, v);
    return this.mark(binding(v, value, checks), t.offset);
  }

  /** One graph function. */
  graph(): GraphFunc {
    const start = this.expect(W.graph).offset;
    const name = this.ident("a graph function name").text;
    this.funcName = name;
    this.resetNames();
    this.gvars = new Map();
    this.sizes = new SizeScope();
    this.expect("(");
    const params = this.list(")", () => {
      const t = this.ident("a parameter name");
      if (this.gvars.has(t.text)) {
        this.fail(
          "PARSE_DUPLICATE_NAME",
          `Cannot name two parameters "${t.text}"`,
          t.offset,
          t.end,
        );
      }
      this.expect(":");
      const v = this.mark(graphVar(t.text, this.type()), t.offset, t.end);
      this.gvars.set(t.text, v);
      return v;
    });
    const attrs = this.accept("@") ? this.attrs() : {};
    this.expect("{");
    const blocks: BindingBlock[] = [];
    while (this.at(W.dataflow) || this.at(W.bindings)) {
      const dataflow = this.next().text === W.dataflow;
      this.expect("{");
      const bs: Binding[] = [];
      while (!this.accept("}")) bs.push(this.graphBinding());
      blocks.push(bindingBlock(bs, dataflow));
    }
    this.expect(W.ret, `"${W.ret}" or a block`);
    const output = this.atom();
    this.expect("}");
    return this.mark(
      this.convert(start, () => graphFunc(name, params, blocks, output, attrs)),
      start,
    );
  }

  /** Functions of both levels up to the end of the text. */
  graphModule(): GraphModule {
    const graphs: GraphFunc[] = [];
    const prims: PrimFunc[] = [];
    const seen = new Set<string>();
    while (this.peek().kind !== "eof") {
      const nameTok = this.peek(1);
      const f = this.at(W.graph)
        ? this.graph()
        : this.at("func")
        ? this.func()
        : this.unexpected(`"func" or "${W.graph}"`);
      if (seen.has(f.name)) {
        this.fail(
          "PARSE_DUPLICATE_NAME",
          `Cannot define function "${f.name}" twice in a module`,
          nameTok.offset,
          nameTok.end,
        );
      }
      seen.add(f.name);
      if (f.kind === "GraphFunc") graphs.push(f);
      else prims.push(f);
    }
    for (const c of this.calls) {
      if (!prims.some((p) => p.name === c.name)) {
        this.fail(
          "PARSE_UNKNOWN_NAME",
          `Cannot find tensor-level function "${c.name}"`,
          c.tok.offset,
          c.tok.end,
        );
      }
    }
    return graphModule(graphs, prims);
  }
}

function sameType(a: GraphType, b: GraphType): boolean {
  if (a.kind === "TupleType" || b.kind === "TupleType") {
    return a.kind === "TupleType" && b.kind === "TupleType" &&
      a.fields.length === b.fields.length &&
      a.fields.every((f, k) => sameType(f, b.fields[k]));
  }
  return a.dtype === b.dtype && a.shape.length === b.shape.length &&
    a.shape.every((d, k) => dimsEqual(d, b.shape[k] as PrimExpr));
}

/**
 * Parse a module of both levels: tensor-level `func`s and `graph` functions, in any order.
 *
 * @example
 * ```ts
 * import { parseGraphModule } from "./parse.ts";
 * const m = parseGraphModule(`graph main(x: tensor<float32>[n, 4]) {
 *   dataflow {
 *     y: tensor<float32>[n, 4] = relu(x)
 *   }
 *   return y
 * }`);
 * console.assert(m.graphs.get("main")!.blocks[0].bindings.length === 1);
 * ```
 */
export function parseGraphModule(text: string, source = "<script>"): GraphModule {
  return new GraphParser(text, source).graphModule();
}

/** Parse one graph function (it may not `call_tir`: a module holds the callees). */
export function parseGraphFunc(text: string, source = "<script>"): GraphFunc {
  const p = new GraphParser(text, source);
  const f = p.graph();
  p.end();
  if (p.calls.length > 0) {
    const c = p.calls[0];
    throw new ParseError(
      "PARSE_UNKNOWN_NAME",
      `Cannot find tensor-level function "${c.name}": parse the whole module`,
      { hint: "use parseGraphModule for text with call_tir" },
    );
  }
  return f;
}

/** Where a parsed graph node (function, binding, variable, constant) came from. */
export function graphSpanOf(node: object): SourceSpan | undefined {
  return SPANS.get(node);
}
