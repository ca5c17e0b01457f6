/**
 * The lexer of the script form: text → tokens, each with its source span. `#` starts a comment
 * that runs to the end of the line. Negative numbers are not tokens: the parser reads a `-`
 * before a number as part of the literal.
 *
 * @module
 */
import { ParseError, type SourceSpan } from "../errors.ts";
import { isSpecialLiteral } from "./literal.ts";

/** What a token is. */
export type TokenKind = "ident" | "number" | "string" | "punct" | "eof";

/** A token: its kind, its text as written and where it is. */
export interface Token {
  /** Kind of token. */
  readonly kind: TokenKind;
  /** The text as written (for strings: with quotes and escapes). */
  readonly text: string;
  /** 0-based offset of the first character. */
  readonly offset: number;
  /** Offset just past the last character. */
  readonly end: number;
}

/** Punctuation, longest first so that `..` wins over `.` and `//` over `/`. */
const PUNCT = [
  "..",
  "+:",
  "//",
  "%%",
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "+",
  "-",
  "*",
  "/",
  "%",
  "<",
  ">",
  "!",
  "=",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  "@",
];

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
/** Digits, an optional fraction (digits required after the dot), exponent, then a suffix. */
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[A-Za-z0-9_]*/y;
const STRING = /"(?:[^"\\\n]|\\.)*"/y;

/** A source text with its name, able to turn offsets into spans. */
export class SourceText {
  private readonly lineStarts: number[] = [0];

  /** Index the lines of `text`. */
  constructor(readonly text: string, readonly source: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") this.lineStarts.push(i + 1);
  }

  /** The span from `offset` to `end` (at least one character wide when rendered). */
  span(offset: number, end: number): SourceSpan {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return {
      source: this.source,
      offset,
      line: lo + 1,
      column: offset - this.lineStarts[lo] + 1,
      length: Math.max(1, end - offset),
    };
  }

  /** A `ParseError` at `[offset, end)` with the source attached for rendering. */
  error(code: string, message: string, offset: number, end: number, hint?: string): ParseError {
    const span = this.span(offset, end);
    return new ParseError(code, `${message} (at ${span.line}:${span.column})`, {
      span,
      sourceText: this.text,
      hint,
    });
  }
}

/**
 * Split a script text into tokens; the last token is `eof`. Throws `ParseError`
 * (`PARSE_BAD_CHARACTER`, `PARSE_UNTERMINATED_STRING`) on text no token can start with.
 *
 * @example
 * ```ts
 * import { SourceText, tokenize } from "./lexer.ts";
 * const toks = tokenize(new SourceText("A[i] = 1.5f16", "<script>"));
 * console.assert(toks.map((t) => t.text).join(" ") === "A [ i ] = 1.5f16 ");
 * ```
 */
export function tokenize(src: SourceText): Token[] {
  const text = src.text;
  const out: Token[] = [];
  let i = 0;
  const take = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    const m = re.exec(text);
    return m ? m[0] : undefined;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    let kind: TokenKind | undefined;
    let t: string | undefined;
    if ((t = take(IDENT)) !== undefined) kind = isSpecialLiteral(t) ? "number" : "ident";
    else if ((t = take(NUMBER)) !== undefined) kind = "number";
    else if (c === '"') {
      t = take(STRING);
      if (t === undefined) {
        let end = i + 1;
        while (end < text.length && text[end] !== "\n") end++;
        throw src.error(
          "PARSE_UNTERMINATED_STRING",
          "Cannot read a string: no closing quote",
          i,
          end,
        );
      }
      kind = "string";
    } else {
      t = PUNCT.find((p) => text.startsWith(p, i));
      kind = "punct";
    }
    if (t === undefined) {
      throw src.error(
        "PARSE_BAD_CHARACTER",
        `Cannot read character ${JSON.stringify(c)}: no token starts with it`,
        i,
        i + 1,
      );
    }
    out.push({ kind, text: t, offset: i, end: i + t.length });
    i += t.length;
  }
  out.push({ kind: "eof", text: "", offset: text.length, end: text.length });
  return out;
}
