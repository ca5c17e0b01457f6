/**
 * The parser's foundation: the token stream, scopes of names, spans of parsed nodes, and the
 * conversion of IR construction errors into `ParseError`s at the offending text.
 *
 * Scoping: every declaration of a variable (`for`, `let`, a block's iteration variable, a size)
 * makes a new object, visible in its scope only: two sibling loops `for i` are two variables, as
 * schedules, which find loops by variable, need. (The printer binds each name once, giving a
 * variable bound at two places a second name.) A buffer declared again out of scope, identical
 * to the earlier one, is that same object.
 *
 * @module
 */
import { type DType, parseDType } from "../dtype.ts";
import { IRTypeError, type SourceSpan } from "../errors.ts";
import { type Var, variable } from "../expr.ts";
import { type Node, NODE_FIELDS } from "../node.ts";
import type { Buffer } from "../stmt.ts";
import { SourceText, type Token, tokenize } from "./lexer.ts";

interface Scope {
  readonly vars: Map<string, Var>;
  readonly buffers: Map<string, Buffer>;
}

/** Spans of parsed nodes (variables and buffers: their declaration). */
export type SpanMap = WeakMap<object, SourceSpan>;

/** Token stream, scopes and error helpers shared by the expression and statement parsers. */
export class ParserBase {
  protected readonly src: SourceText;
  protected readonly toks: Token[];
  protected pos = 0;
  protected scopes: Scope[] = [];
  private declaredBuffers = new Map<string, Buffer>();
  /** While reading parameter buffers, unknown names become int32 size variables. */
  protected implicitSizes = false;

  /** Tokenize `text`; `spans` receives the span of every node built. */
  constructor(text: string, source: string, readonly spans: SpanMap) {
    this.src = new SourceText(text, source);
    this.toks = tokenize(this.src);
  }

  // -------------------------------------------------------------------------------------------
  // Tokens

  protected peek(k = 0): Token {
    return this.toks[Math.min(this.pos + k, this.toks.length - 1)];
  }

  protected next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.pos++;
    return t;
  }

  /** True if the next token is the punctuation or word `text`. */
  protected at(text: string, k = 0): boolean {
    const t = this.peek(k);
    return (t.kind === "punct" || t.kind === "ident") && t.text === text;
  }

  protected accept(text: string): boolean {
    if (!this.at(text)) return false;
    this.pos++;
    return true;
  }

  protected expect(text: string, what = `"${text}"`): Token {
    if (!this.at(text)) this.unexpected(what);
    return this.next();
  }

  protected unexpected(what: string): never {
    const t = this.peek();
    const found = t.kind === "eof" ? "the end of the text" : `"${t.text}"`;
    throw this.src.error(
      "PARSE_UNEXPECTED_TOKEN",
      `Cannot parse: expected ${what}, found ${found}`,
      t.offset,
      t.end,
    );
  }

  protected ident(what: string): Token {
    if (this.peek().kind !== "ident") this.unexpected(what);
    return this.next();
  }

  protected string(what: string): string {
    const t = this.peek();
    if (t.kind !== "string") this.unexpected(what);
    this.next();
    try {
      return JSON.parse(t.text) as string;
    } catch {
      throw this.src.error("PARSE_BAD_LITERAL", `Cannot read string ${t.text}`, t.offset, t.end);
    }
  }

  protected integer(what: string): number {
    const t = this.peek();
    if (t.kind !== "number" || !/^\d+$/.test(t.text)) this.unexpected(what);
    this.next();
    return Number(t.text);
  }

  protected dtype(): DType {
    const t = this.ident("a dtype");
    try {
      parseDType(t.text);
      return t.text;
    } catch {
      throw this.src.error(
        "PARSE_UNKNOWN_DTYPE",
        `Cannot read dtype "${t.text}": no such dtype`,
        t.offset,
        t.end,
        "dtypes are float16/32/64, bfloat16, int8…int64, uint8…uint64, bool, with lanes as in float32x4",
      );
    }
  }

  /** End offset of the last token taken. */
  protected prevEnd(): number {
    return this.pos > 0 ? this.toks[this.pos - 1].end : 0;
  }

  protected span(start: number, end = this.prevEnd()): SourceSpan {
    return this.src.span(start, end);
  }

  /** Remember where a node came from; returns the node. */
  protected mark<T extends object>(node: T, start: number, end = this.prevEnd()): T {
    if (!this.spans.has(node)) this.spans.set(node, this.span(start, end));
    return node;
  }

  /** A `ParseError` over `[start, end)`. */
  protected fail(code: string, message: string, start: number, end: number, hint?: string): never {
    throw this.src.error(code, message, start, end, hint);
  }

  /** Run an IR constructor; its `IRTypeError` becomes a `ParseError` over `[start, end)`. */
  protected guard<T>(start: number, end: number, build: () => T): T {
    try {
      return build();
    } catch (e) {
      if (!(e instanceof IRTypeError)) throw e;
      switch (e.code) {
        case "DTYPE_MISMATCH":
          return this.fail("PARSE_DTYPE_MISMATCH", e.message, start, end, e.hint);
        case "INDEX_RANK":
          return this.fail("PARSE_INDEX_RANK", e.message, start, end, e.hint);
        case "DUPLICATE_PARAM":
        case "DUPLICATE_FUNCTION":
          return this.fail("PARSE_DUPLICATE_NAME", e.message, start, end, e.hint);
        default:
          return this.fail("PARSE_INVALID_IR", `${e.message} [${e.code}]`, start, end, e.hint);
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Scopes

  /** Start a function: forget every name. */
  protected resetNames(): void {
    this.scopes = [{ vars: new Map(), buffers: new Map() }];
    this.declaredBuffers = new Map();
  }

  protected push(): void {
    this.scopes.push({ vars: new Map(), buffers: new Map() });
  }

  protected pop(): void {
    this.scopes.pop();
  }

  protected findVar(name: string): Var | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i].vars.get(name);
      if (v) return v;
    }
    return undefined;
  }

  protected findBuffer(name: string): Buffer | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const b = this.scopes[i].buffers.get(name);
      if (b) return b;
    }
    return undefined;
  }

  /** The variable a name denotes here (or, in parameter buffers, a new int32 size variable). */
  protected useVar(t: Token): Var {
    const v = this.findVar(t.text);
    if (v) return v;
    if (this.implicitSizes) return this.declareVar(t, "int32", this.scopes[0]);
    return this.fail("PARSE_UNKNOWN_NAME", `Cannot find variable "${t.text}"`, t.offset, t.end);
  }

  protected useBuffer(t: Token): Buffer {
    const b = this.findBuffer(t.text);
    if (b) return b;
    return this.fail(
      "PARSE_UNKNOWN_NAME",
      `Cannot find buffer "${t.text}"`,
      t.offset,
      t.end,
      "declare it as a parameter, with `alloc` in a block or with `allocate`",
    );
  }

  /** Declare a new variable in the innermost scope (see the module doc on scoping). */
  protected declareVar(t: Token, dtype: DType, scope = this.scopes[this.scopes.length - 1]): Var {
    const v = variable(t.text, dtype);
    scope.vars.set(t.text, v);
    return this.mark(v, t.offset, t.end);
  }

  /** Declare a buffer in the innermost scope; an identical earlier one out of scope is reused. */
  protected declareBuffer(t: Token, b: Buffer): Buffer {
    const prev = this.declaredBuffers.get(t.text);
    const out = prev && !this.findBuffer(t.text) && identical(prev, b) ? prev : b;
    this.declaredBuffers.set(t.text, out);
    this.scopes[this.scopes.length - 1].buffers.set(t.text, out);
    return this.mark(out, t.offset, t.end);
  }
}

/** Equal fields, with variables and buffers compared by identity. */
function identical(a: Node, b: Node): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind || a.kind === "Var") return false;
  const fa = a as unknown as Record<string, unknown>;
  const fb = b as unknown as Record<string, unknown>;
  for (const [field, role] of NODE_FIELDS[a.kind]) {
    const x = fa[field];
    const y = fb[field];
    if (role === "node" || role === "def") {
      if (!identical(x as Node, y as Node)) return false;
    } else if (role === "nodes") {
      const xs = x as Node[];
      const ys = y as Node[];
      if (xs.length !== ys.length || xs.some((n, i) => !identical(n, ys[i]))) return false;
    } else if (role !== "ignore" && !Object.is(x, y)) return false;
  }
  return true;
}
