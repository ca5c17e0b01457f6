/**
 * Statements and blocks of the script form (grammar in `grammar.ts`). `stmt` dispatches on the
 * keyword that `Printer.stmt` (`printer.ts`) writes for each statement kind.
 *
 * @module
 */
import type { DType } from "../dtype.ts";
import type { PrimExpr } from "../expr.ts";
import {
  allocate,
  type AnnotationValue,
  assertStmt,
  block,
  blockRealize,
  type Buffer,
  type BufferRegion,
  bufferRegion,
  bufferStore,
  evaluate,
  type ForKind,
  forLoop,
  ifThenElse,
  type IterKind,
  iterVar,
  letStmt,
  type Range,
  range,
  type Stmt,
  TRUE,
} from "../stmt.ts";
import { FOR_KINDS, ITER_KINDS } from "./grammar.ts";
import type { Token } from "./lexer.ts";
import { DeclParser } from "./parse_decl.ts";

const FOR_KIND_BY_WORD: ReadonlyMap<string, ForKind> = new Map(
  Object.entries(FOR_KINDS).filter(([, w]) => w !== "").map(([k, w]) => [w, k as ForKind]),
);

interface Binding {
  readonly tok: Token;
  readonly iterKind: IterKind;
  readonly dtype: DType;
  readonly dom: Range;
  readonly value?: PrimExpr;
}

interface BlockParts {
  readonly allocBuffers: Buffer[];
  readonly reads: BufferRegion[];
  readonly writes: BufferRegion[];
  readonly init?: Stmt;
  readonly body: Stmt;
}

/** The statement parser. */
export class StmtParser extends DeclParser {
  /** Set when a `let`/`allocate`/`assert` took the rest of the enclosing body as its own. */
  private tailTaken = false;

  /** Statements up to `}` (not consumed): one statement, or a `SeqStmt` of any other number. */
  body(): Stmt {
    const start = this.peek().offset;
    const list = this.stmtList();
    return list.length === 1 ? list[0] : this.mark({ kind: "SeqStmt", seq: list }, start);
  }

  private stmtList(): Stmt[] {
    const list: Stmt[] = [];
    while (!this.at("}") && this.peek().kind !== "eof") {
      this.tailTaken = false;
      list.push(this.stmt());
      if (this.tailTaken) break;
    }
    this.tailTaken = false;
    return list;
  }

  /** `{ body }`. */
  protected braced(): Stmt {
    this.expect("{");
    const b = this.body();
    this.expect("}");
    return b;
  }

  /** The body of a `let`/`allocate`/`assert`: braced, or the rest of the enclosing body. */
  private tailBody(): Stmt {
    if (this.at("{")) return this.braced();
    const b = this.body();
    this.tailTaken = true;
    return b;
  }

  /** One statement. */
  stmt(): Stmt {
    const t = this.peek();
    if (t.kind === "ident" && this.at("[", 1)) return this.store();
    const start = t.offset;
    switch (t.kind === "ident" ? t.text : "") {
      case "for":
        return this.forStmt();
      case "seq": {
        this.next();
        this.expect("{");
        const seq = this.stmtList();
        this.expect("}");
        return this.mark({ kind: "SeqStmt", seq }, start);
      }
      case "if":
        return this.ifStmt();
      case "let": {
        this.next();
        const name = this.ident("a variable name");
        const given = this.accept(":") ? this.dtype() : undefined;
        this.expect("=");
        const value = this.exprAs(given);
        const head = this.prevEnd();
        this.push();
        const v = this.declareVar(name, given ?? value.e.dtype);
        const body = this.tailBody();
        this.pop();
        return this.made(start, head, () => letStmt(v, value.e, body));
      }
      case "allocate": {
        this.next();
        const d = this.bufferDecl();
        const head = this.prevEnd();
        this.push();
        const buf = this.declareBuffer(d.tok, d.buffer);
        const body = this.tailBody();
        this.pop();
        return this.made(start, head, () => allocate(buf, body));
      }
      case "assert": {
        this.next();
        const cond = this.expr();
        this.expect(",");
        const message = this.string("an assertion message");
        const head = this.prevEnd();
        const body = this.tailBody();
        return this.made(start, head, () => assertStmt(cond.e, message, body));
      }
      case "eval": {
        this.next();
        const e = this.expr();
        return this.made(start, this.prevEnd(), () => evaluate(e.e));
      }
      case "block":
        return this.blockStmt();
      case "bare":
        return this.bareBlock();
    }
    return this.unexpected("a statement");
  }

  private store(): Stmt {
    const t = this.next();
    const buf = this.useBuffer(t);
    this.expect("[");
    const idx = this.list("]", () => this.expr().e);
    this.expect("=");
    const value = this.exprAs(buf.dtype);
    return this.made(t.offset, this.prevEnd(), () => bufferStore(buf, value.e, idx));
  }

  private forStmt(): Stmt {
    const start = this.next().offset;
    const name = this.ident("a loop variable");
    const given = this.accept(":") ? this.dtype() : undefined;
    this.expect("in", `"in"`);
    const r = this.range();
    let kind: ForKind = "serial";
    let threadTag = "";
    const kt = this.peek();
    const k = kt.kind === "ident" ? FOR_KIND_BY_WORD.get(kt.text) : undefined;
    if (k) {
      this.next();
      kind = k;
      if (k === "thread") {
        this.expect("(");
        threadTag = this.string('a thread tag such as "threadIdx.x"');
        this.expect(")");
      }
    }
    const annotations = this.annotations();
    const head = this.prevEnd();
    this.push();
    const v = this.declareVar(name, given ?? r.extent.dtype);
    const body = this.braced();
    this.pop();
    return this.made(
      start,
      head,
      () => forLoop(v, r.min, r.extent, body, { kind, threadTag, annotations }),
    );
  }

  private ifStmt(): Stmt {
    const start = this.expect("if").offset;
    const cond = this.expr();
    const head = this.prevEnd();
    const then = this.braced();
    let otherwise: Stmt | undefined;
    if (this.accept("else")) otherwise = this.at("if") ? this.ifStmt() : this.braced();
    return this.made(start, head, () => ifThenElse(cond.e, then, otherwise));
  }

  // -------------------------------------------------------------------------------------------
  // Blocks

  private blockName(): string {
    return this.peek().kind === "string"
      ? this.string("a block name")
      : this.ident("a block name").text;
  }

  private binding(withValue: boolean): Binding {
    const tok = this.ident("an iteration variable");
    this.expect(":");
    const kt = this.ident(`"spatial" or "reduce"`);
    if (!(ITER_KINDS as readonly string[]).includes(kt.text)) {
      this.pos--;
      this.unexpected(`"spatial" or "reduce"`);
    }
    let dtype: DType | undefined;
    if (this.accept("<")) {
      dtype = this.dtype();
      this.expect(">");
    }
    this.expect("(");
    const r = this.range();
    this.expect(")");
    const dom = this.mark(range(r.min, r.extent), r.start);
    const value = withValue ? (this.expect("="), this.expr().e) : undefined;
    return { tok, iterKind: kt.text as IterKind, dtype: dtype ?? r.extent.dtype, dom, value };
  }

  private blockStmt(): Stmt {
    const start = this.expect("block").offset;
    const name = this.blockName();
    this.expect("(");
    const binds = this.list(")", () => this.binding(true));
    const predicate = this.accept("where") ? this.expr().e : TRUE;
    const annotations = this.annotations();
    const head = this.prevEnd();
    const blk = this.blockRest(start, head, name, binds, annotations);
    const values = binds.map((b) => b.value!);
    return this.made(start, head, () => blockRealize(values, predicate, blk));
  }

  private bareBlock(): Stmt {
    const start = this.expect("bare").offset;
    this.expect("block");
    const name = this.blockName();
    this.expect("(");
    const binds = this.list(")", () => this.binding(false));
    const annotations = this.annotations();
    return this.blockRest(start, this.prevEnd(), name, binds, annotations);
  }

  private blockRest(
    start: number,
    head: number,
    name: string,
    binds: Binding[],
    annotations: Record<string, AnnotationValue>,
  ) {
    this.push();
    const iterVars = binds.map((b) =>
      this.mark(iterVar(this.declareVar(b.tok, b.dtype), b.dom, b.iterKind), b.tok.offset)
    );
    const parts = this.blockBody();
    this.pop();
    return this.made(start, head, () => block({ name, iterVars, annotations, ...parts }));
  }

  private blockBody(): BlockParts {
    this.expect("{");
    const allocBuffers: Buffer[] = [];
    while (this.accept("alloc")) {
      const d = this.bufferDecl();
      allocBuffers.push(this.declareBuffer(d.tok, d.buffer));
    }
    const reads = this.accept("reads") ? this.regions() : [];
    const writes = this.accept("writes") ? this.regions() : [];
    const init = this.accept("init") ? this.braced() : undefined;
    const body = this.body();
    this.expect("}");
    return init
      ? { allocBuffers, reads, writes, init, body }
      : { allocBuffers, reads, writes, body };
  }

  private regions(): BufferRegion[] {
    this.expect("(");
    return this.list(")", () => {
      const t = this.ident("a buffer name");
      const buf = this.useBuffer(t);
      this.expect("[");
      const dims = this.list("]", () => this.regionDim());
      return this.mark(
        this.guard(t.offset, this.prevEnd(), () => bufferRegion(buf, dims)),
        t.offset,
      );
    });
  }
}
