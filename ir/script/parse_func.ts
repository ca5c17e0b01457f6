/**
 * Functions and modules of the script form: the header (size variables, parameters, attributes)
 * and the body.
 *
 * @module
 */
import { parseDType } from "../dtype.ts";
import type { Var } from "../expr.ts";
import { type IRModule, irModule, type PrimFunc, primFunc } from "../func.ts";
import type { Buffer } from "../stmt.ts";
import { StmtParser } from "./parse_stmt.ts";

/** The parser of whole functions and modules. */
export class FuncParser extends StmtParser {
  /** Declare the scalar parameters ahead, so that buffer shapes before them can use them. */
  private predeclareScalars(): void {
    let depth = 0;
    let atParam = true;
    for (let i = this.pos; i < this.toks.length; i++) {
      const t = this.toks[i];
      if (t.kind === "eof" || (depth === 0 && t.text === ")")) return;
      if (atParam && t.kind === "ident" && this.toks[i + 1]?.text === ":") {
        const d = this.toks[i + 2];
        if (d?.kind === "ident" && d.text !== "buffer" && this.isDType(d.text)) {
          this.declareVar(t, d.text);
        }
      }
      atParam = depth === 0 && t.text === ",";
      if (t.kind === "punct" && "([{".includes(t.text)) depth++;
      if (t.kind === "punct" && ")]}".includes(t.text)) depth--;
    }
  }

  private isDType(s: string): boolean {
    try {
      parseDType(s);
      return true;
    } catch {
      return false;
    }
  }

  private param(): Buffer | Var {
    const t = this.ident("a parameter name");
    this.expect(":");
    if (this.at("buffer")) {
      this.implicitSizes = true;
      try {
        return this.declareBuffer(t, this.bufferType(t));
      } finally {
        this.implicitSizes = false;
      }
    }
    const dtype = this.dtype();
    const v = this.scopes[0].vars.get(t.text);
    return v && v.dtype === dtype ? v : this.declareVar(t, dtype);
  }

  /** One function. */
  func(): PrimFunc {
    const start = this.expect("func", `"func"`).offset;
    const name = this.ident("a function name").text;
    this.resetNames();
    if (this.accept("[")) {
      this.list("]", () => {
        const t = this.ident("a size variable");
        this.declareVar(t, this.accept(":") ? this.dtype() : "int32");
      });
    }
    this.expect("(");
    this.predeclareScalars();
    const seen = new Set<string>();
    const params = this.list(")", () => {
      const t = this.peek();
      if (seen.has(t.text)) {
        this.fail(
          "PARSE_DUPLICATE_NAME",
          `Cannot name two parameters "${t.text}"`,
          t.offset,
          t.end,
        );
      }
      seen.add(t.text);
      return this.param();
    });
    const attrs = this.annotations();
    const head = this.prevEnd();
    const body = this.braced();
    return this.made(start, head, () => primFunc(name, params, body, attrs));
  }

  /** Functions up to the end of the text. */
  module(): IRModule {
    const funcs: PrimFunc[] = [];
    const seen = new Set<string>();
    while (this.peek().kind !== "eof") {
      const nameTok = this.peek(1);
      const f = this.func();
      if (seen.has(f.name)) {
        this.fail(
          "PARSE_DUPLICATE_NAME",
          `Cannot define function "${f.name}" twice in a module`,
          nameTok.offset,
          nameTok.end,
        );
      }
      seen.add(f.name);
      funcs.push(f);
    }
    return irModule(funcs);
  }

  /** Fail unless the whole text was read. */
  end(): void {
    if (this.peek().kind !== "eof") this.unexpected("the end of the text");
  }

  /** Make variables and buffers known by name (for parsing fragments). */
  define(vars: readonly Var[], buffers: readonly Buffer[]): void {
    this.resetNames();
    for (const v of vars) this.scopes[0].vars.set(v.name, v);
    for (const b of buffers) this.scopes[0].buffers.set(b.name, b);
  }
}
