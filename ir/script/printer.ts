/**
 * The printer of the script form. Its output parses back (`parser.ts`) to a structurally equal
 * tree: it reads the same grammar tables (`grammar.ts`) and literal rules (`literal.ts`), and
 * gives distinct variables and buffers distinct names (`names.ts`).
 *
 * @module
 */
import { CALL_OPS, type PrimExpr, type Var } from "../expr.ts";
import { lanesOf, withLanes } from "../dtype.ts";
import { InternalError } from "../errors.ts";
import type { IRModule, PrimFunc } from "../func.ts";
import { definedVars, isStmt, type Node, visit } from "../node.ts";
import type { AnnotationValue, Block, Buffer, BufferRegion, IterVar, Stmt } from "../stmt.ts";
import {
  BUFFER_OPTIONS,
  type CallForm,
  callFormOf,
  FOR_KINDS,
  INFIX,
  isIdentifier,
  PREC,
} from "./grammar.ts";
import { formatAnnotation, formatConstant, isSpecialLiteral } from "./literal.ts";
import { Namer } from "./names.ts";

type Fields = Record<string, unknown>;

/** Prints IR nodes as script text; one instance per function (names are per function). */
export class Printer {
  /** Names given to variables and buffers. */
  readonly names: Namer = new Namer();
  private readonly out: string[] = [];
  private depth = 0;

  /** The printed lines so far, joined. */
  text(): string {
    return this.out.join("\n");
  }

  private line(s: string): void {
    this.out.push("  ".repeat(this.depth) + s);
  }

  private braced(header: string, inner: () => void, closer = "}"): void {
    this.line(`${header} {`);
    this.depth++;
    inner();
    this.depth--;
    this.line(closer);
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  /** An expression, parenthesized if it binds less tightly than `minPrec`. */
  expr(e: PrimExpr, minPrec: number = PREC.let): string {
    const [text, prec] = this.exprPrec(e);
    return prec < minPrec ? `(${text})` : text;
  }

  private exprPrec(e: PrimExpr): [string, number] {
    switch (e.kind) {
      case "IntImm":
      case "FloatImm":
        return [formatConstant(e), PREC.atom];
      case "Var":
        return [this.names.of(e), PREC.atom];
      case "BufferLoad":
        return [`${this.names.of(e.buffer, "buf")}[${this.exprs(e.indices)}]`, PREC.atom];
      case "Not":
        return [`!${this.expr(e.a, PREC.unary)}`, PREC.unary];
      case "Let": {
        // `let … in body` reaches as far right as it can: always parenthesized.
        const value = this.expr(e.value); // in the outer scope
        const v = this.names.bind(e.v);
        const body = this.expr(e.body);
        v.restore();
        return [
          `(let ${v.name}${this.typeTag(e.v, e.value.dtype)} = ${value} in ${body})`,
          PREC.atom,
        ];
      }
      case "Binary": {
        const infix = INFIX[e.op];
        if (infix) {
          const p = infix.prec;
          const left = p === PREC.compare ? p + 1 : p; // comparisons do not chain
          return [`${this.expr(e.a, left)} ${infix.token} ${this.expr(e.b, p + 1)}`, p];
        }
        break;
      }
      case "Call":
        if (isShortCall(e)) return [`${e.op}(${this.exprs(e.args)})`, PREC.atom];
        break;
    }
    const form = callFormOf(e);
    if (!form) throw new InternalError(`the script grammar has no form for ${e.kind}`);
    return [this.callForm(form, e), PREC.atom];
  }

  private callForm(form: CallForm, n: PrimExpr): string {
    const f = n as unknown as Fields;
    const args: string[] = [];
    for (const [field, spec] of form.args) {
      const v = f[field];
      if (spec === "expr") args.push(this.expr(v as PrimExpr));
      else if (spec === "exprs") args.push(...(v as PrimExpr[]).map((x) => this.expr(x)));
      else if (spec === "int") args.push(String(v));
      else args.push(JSON.stringify(v));
    }
    return `${form.name}${form.dtype ? `<${n.dtype}>` : ""}(${args.join(", ")})`;
  }

  private exprs(es: readonly PrimExpr[]): string {
    return es.map((x) => this.expr(x)).join(", ");
  }

  /** A range as `0..stop` when it starts at a zero of its extent's dtype, else `min +: extent`. */
  range(min: PrimExpr, extent: PrimExpr): string {
    if (min.kind === "IntImm" && Object.is(min.value, 0) && min.dtype === extent.dtype) {
      return `${this.expr(min)}..${this.expr(extent)}`;
    }
    return `${this.expr(min)} +: ${this.expr(extent)}`;
  }

  /** A region: a point range (`e +: 1` of int32) prints as the lone `e`. */
  region(r: BufferRegion): string {
    const dims = r.region.map((rg) =>
      rg.extent.kind === "IntImm" && rg.extent.dtype === "int32" && rg.extent.value === 1
        ? this.expr(rg.min)
        : this.range(rg.min, rg.extent)
    );
    return `${this.names.of(r.buffer, "buf")}[${dims.join(", ")}]`;
  }

  /** A buffer declaration: `A: buffer<float32>[n, 4](scope="shared")`. */
  buffer(b: Buffer): string {
    const opts: string[] = [];
    for (const o of BUFFER_OPTIONS) {
      if (o.isDefault(b)) continue;
      const v = b[o.field];
      const text = o.spec === "exprs"
        ? `[${this.exprs(v as PrimExpr[])}]`
        : o.spec === "expr"
        ? this.expr(v as PrimExpr)
        : o.spec === "string"
        ? JSON.stringify(v)
        : String(v);
      opts.push(`${o.key}=${text}`);
    }
    const name = this.names.of(b, "buf");
    const tail = opts.length ? `(${opts.join(", ")})` : "";
    return `${name}: buffer<${b.dtype}>[${this.exprs(b.shape)}]${tail}`;
  }

  /** Annotations as ` @{key: value, …}`, or nothing. */
  annotations(a: Readonly<Record<string, AnnotationValue>>): string {
    const keys = Object.keys(a);
    if (keys.length === 0) return "";
    const items = keys.map((k) =>
      `${isIdentifier(k) && !isSpecialLiteral(k) ? k : JSON.stringify(k)}: ${
        formatAnnotation(a[k])
      }`
    );
    return ` @{${items.join(", ")}}`;
  }

  private typeTag(v: Var, like = "int32"): string {
    return v.dtype === like ? "" : `: ${v.dtype}`;
  }

  /** An iteration variable: `vi: reduce(0..k)` (`reduce<int64>(…)` when its dtype differs from the extent's). */
  iterVar(iv: IterVar, name = this.names.of(iv.v)): string {
    const d = iv.v.dtype === iv.dom.extent.dtype ? "" : `<${iv.v.dtype}>`;
    return `${name}: ${iv.iterKind}${d}(${this.range(iv.dom.min, iv.dom.extent)})`;
  }

  /**
   * Iteration variables bound by a block head: `head(texts)` gets each variable's text (and
   * ` = value` when `values`), with domains and values printed before the variables are bound;
   * the bindings end after `body`.
   */
  private withIterVars(
    ivs: readonly IterVar[],
    values: readonly PrimExpr[] | undefined,
    head: (binds: string[]) => void,
  ): void {
    const doms = ivs.map((iv) => this.iterVar(iv, ""));
    const vals = values && ivs.map((iv, i) => ` = ${this.expr(values[i] ?? iv.v)}`);
    const bound = ivs.map((iv) => this.names.bind(iv.v));
    head(doms.map((d, i) => `${bound[i].name}${d}${vals ? vals[i] : ""}`));
    for (const b of bound) b.restore();
  }

  // -------------------------------------------------------------------------------------------
  // Statements

  /** A statement list: the elements of a sequence of two or more, else the one statement. */
  body(s: Stmt): void {
    if (s.kind === "SeqStmt" && s.seq.length >= 2) {
      s.seq.forEach((x, i) => this.stmt(x, i === s.seq.length - 1));
    } else this.stmt(s, true);
  }

  /**
   * One statement. `last` says nothing follows it in its list, so `let`, `allocate` and `assert`
   * may print their body flat after them instead of in braces.
   */
  stmt(s: Stmt, last: boolean): void {
    switch (s.kind) {
      case "BufferStore":
        this.line(
          `${this.names.of(s.buffer, "buf")}[${this.exprs(s.indices)}] = ${this.expr(s.value)}`,
        );
        return;
      case "For": {
        const kind = s.forKind === "thread"
          ? ` thread(${JSON.stringify(s.threadTag)})`
          : FOR_KINDS[s.forKind] === ""
          ? ""
          : ` ${FOR_KINDS[s.forKind]}`;
        const r = this.range(s.min, s.extent); // in the outer scope
        const lv = this.names.bind(s.loopVar);
        const head = `for ${lv.name}${this.typeTag(s.loopVar, s.extent.dtype)} in ${r}${kind}`;
        this.braced(`${head}${this.annotations(s.annotations)}`, () => this.body(s.body));
        lv.restore();
        return;
      }
      case "SeqStmt":
        this.braced("seq", () => s.seq.forEach((x, i) => this.stmt(x, i === s.seq.length - 1)));
        return;
      case "IfThenElse":
        this.ifChain(s, "if");
        return;
      case "LetStmt": {
        const v = s.v.dtype === s.value.dtype ? "" : `: ${s.v.dtype}`;
        const value = this.expr(s.value); // in the outer scope
        const lv = this.names.bind(s.v);
        this.tail(`let ${lv.name}${v} = ${value}`, s.body, last);
        lv.restore();
        return;
      }
      case "Allocate":
        this.tail(`allocate ${this.buffer(s.buffer)}`, s.body, last);
        return;
      case "AssertStmt":
        this.tail(`assert ${this.expr(s.cond)}, ${JSON.stringify(s.message)}`, s.body, last);
        return;
      case "Evaluate":
        this.line(`eval ${this.expr(s.value)}`);
        return;
      case "BlockRealize": {
        const b = s.block;
        const p = s.predicate;
        const where = p.kind === "IntImm" && p.dtype === "bool" && p.value === 1
          ? ""
          : ` where ${this.expr(p)}`;
        this.withIterVars(
          b.iterVars,
          s.iterValues,
          (binds) => this.blockForm(`block ${blockName(b)}(${binds.join(", ")})${where}`, b),
        );
        return;
      }
      case "Block":
        this.withIterVars(
          s.iterVars,
          undefined,
          (binds) => this.blockForm(`bare block ${blockName(s)}(${binds.join(", ")})`, s),
        );
        return;
      default:
        unknownKind(s);
    }
  }

  private ifChain(s: Extract<Stmt, { kind: "IfThenElse" }>, word: string): void {
    this.line(`${word} ${this.expr(s.cond)} {`);
    this.depth++;
    this.body(s.then);
    this.depth--;
    const o = s.otherwise;
    if (o === undefined) this.line("}");
    else if (o.kind === "IfThenElse") this.ifChain(o, "} else if");
    else this.braced("} else", () => this.body(o));
  }

  private tail(head: string, body: Stmt, last: boolean): void {
    if (!last) {
      this.braced(head, () => this.body(body));
      return;
    }
    this.line(head);
    this.body(body);
  }

  private blockForm(head: string, b: Block): void {
    this.braced(`${head}${this.annotations(b.annotations)}`, () => {
      for (const a of b.allocBuffers) this.line(`alloc ${this.buffer(a)}`);
      if (b.reads.length) this.line(`reads(${b.reads.map((r) => this.region(r)).join(", ")})`);
      if (b.writes.length) this.line(`writes(${b.writes.map((r) => this.region(r)).join(", ")})`);
      const init = b.init;
      if (init) this.braced("init", () => this.body(init));
      this.body(b.body);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Functions

  /** A function: header with size variables that the parameters do not declare, then the body. */
  func(f: PrimFunc): void {
    const sizes = headerVars(f).map((v) => `${this.names.of(v)}${this.typeTag(v)}`);
    const params = f.params.map((p) =>
      p.kind === "Var" ? `${this.names.of(p)}: ${p.dtype}` : this.buffer(p)
    );
    const head = `func ${f.name}${sizes.length ? `[${sizes.join(", ")}]` : ""}(${
      params.join(", ")
    })${this.annotations(f.attrs)}`;
    this.braced(head, () => this.body(f.body));
  }
}

/** Compile-time check that every statement kind has a case; a bug of ours if reached. */
function unknownKind(s: never): never {
  throw new InternalError(`the script printer has no form for ${(s as Stmt).kind}`);
}

function blockName(b: Block): string {
  return isIdentifier(b.name) ? b.name : JSON.stringify(b.name);
}

/** A call of a math function printable as `exp(x)`: its dtype is the one `call` would give. */
function isShortCall(e: Extract<PrimExpr, { kind: "Call" }>): boolean {
  const arity = CALL_OPS[e.op];
  if (arity === undefined || arity !== e.args.length) return false;
  const d0 = e.args[0].dtype;
  const inferred = e.op === "isnan" || e.op === "isinf" ? withLanes("bool", lanesOf(d0)) : d0;
  return e.dtype === inferred;
}

/**
 * Variables the function header must declare: size variables of the parameter buffers that are
 * not int32 (the parser declares unknown names there as int32), and variables used but bound
 * nowhere.
 */
function headerVars(f: PrimFunc): Var[] {
  const defined = new Set<Var>();
  const implicit = new Set<Var>();
  const used: Var[] = [];
  const seen = new Set<Var>();
  for (const p of f.params) {
    if (p.kind === "Var") defined.add(p);
  }
  for (const p of f.params) {
    if (p.kind !== "Buffer") continue;
    for (const e of [...p.shape, ...p.strides, p.elemOffset]) {
      visit(e, (n) => {
        if (n.kind === "Var" && !defined.has(n)) implicit.add(n);
      });
    }
  }
  visit(f, (n: Node) => {
    for (const v of definedVars(n)) defined.add(v);
    if (n.kind === "Var" && !seen.has(n)) {
      seen.add(n);
      used.push(n);
    }
  });
  return used.filter((v) => implicit.has(v) ? v.dtype !== "int32" : !defined.has(v));
}

/**
 * Print a function as script text.
 *
 * @example
 * ```ts
 * import { printFunc } from "./printer.ts";
 * import { primFunc } from "../func.ts";
 * import { decl, evaluate } from "../stmt.ts";
 * import { int } from "../expr.ts";
 * const text = printFunc(primFunc("f", [decl("A", [4])], evaluate(int(0))));
 * console.assert(text.startsWith("func f(A: buffer<float32>[4])"));
 * ```
 */
export function printFunc(f: PrimFunc): string {
  const p = new Printer();
  p.func(f);
  return p.text();
}

/** Print a module: its functions, separated by blank lines. */
export function printModule(m: IRModule): string {
  return [...m.functions.values()].map(printFunc).join("\n\n");
}

/**
 * Print any node for diagnostics: an expression, a statement, a buffer declaration, a range, an
 * iteration variable, a region, a function or a module.
 *
 * @example
 * ```ts
 * import { printNode } from "./printer.ts";
 * import { add, variable } from "../expr.ts";
 * console.assert(printNode(add(variable("i"), 1)) === "i + 1");
 * ```
 */
export function printNode(n: Node | IRModule): string {
  const p = new Printer();
  switch (n.kind) {
    case "IRModule":
      return printModule(n);
    case "PrimFunc":
      p.func(n);
      return p.text();
    case "Buffer":
      return p.buffer(n);
    case "Range":
      return p.range(n.min, n.extent);
    case "IterVar":
      return p.iterVar(n);
    case "BufferRegion":
      return p.region(n);
  }
  if (isStmt(n)) {
    p.body(n);
    return p.text();
  }
  return p.expr(n);
}
