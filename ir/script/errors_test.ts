/** Malformed scripts: every parse error code, with its line:column and the caret under the text. */
import { assert, assertEquals, assertThrows } from "../test_util.ts";
import { ParseError } from "../errors.ts";
import { parseExpr, parseFunc, parseModule } from "./parse.ts";

/**
 * Parse `text` and check the error: its code, that the caret in `render()` sits under `marked`
 * (the first occurrence of that text on the reported line, or the `nth`), and its line.
 */
function expectError(
  parse: () => unknown,
  code: string,
  line: number,
  marked: string,
  nth = 0,
): ParseError {
  const e = assertThrows(parse, ParseError);
  assertEquals(e.code, code, e.render());
  assertEquals(e.span?.line, line, e.render());
  const src = e.sourceText!.split("\n")[line - 1];
  let col = -1;
  for (let k = 0; k <= nth; k++) col = src.indexOf(marked, col + 1);
  assert(col >= 0, `"${marked}" not on line ${line}: ${src}`);
  assertEquals(e.span?.column, col + 1, e.render());
  const rendered = e.render().split("\n");
  const at = rendered.findIndex((l) => l.endsWith(`| ${src}`));
  assert(at >= 0, e.render());
  const caretLine = rendered[at + 1];
  const gutter = caretLine.indexOf("|") + 2;
  assertEquals(caretLine.slice(gutter), " ".repeat(col) + "^".repeat(marked.length), e.render());
  assert(e.message.includes(`${line}:${col + 1}`), e.message);
  return e;
}

const f = (body: string, params = "A: buffer<float32>[8], x: int32") => () =>
  parseFunc(`func f(${params}) {\n${body}\n}`);

Deno.test("PARSE_BAD_CHARACTER and PARSE_UNTERMINATED_STRING point at the character", () => {
  expectError(f("  eval x $ 2"), "PARSE_BAD_CHARACTER", 2, "$");
  expectError(f(`  assert x > 0, "never closed`), "PARSE_UNTERMINATED_STRING", 2, `"never closed`);
});

Deno.test("PARSE_UNEXPECTED_TOKEN names what was expected", () => {
  const e = expectError(f("  for i 0..8 {\n  }"), "PARSE_UNEXPECTED_TOKEN", 2, "0");
  assert(e.message.includes(`expected "in"`), e.message);
  expectError(f("  A[x] = = 1.0"), "PARSE_UNEXPECTED_TOKEN", 2, "=", 1);
  expectError(f("  x = 1"), "PARSE_UNEXPECTED_TOKEN", 2, "x");
  expectError(f("  for i in 0..8 wobbly {\n  }"), "PARSE_UNEXPECTED_TOKEN", 2, "wobbly");
  expectError(
    f("  A[x] = 1.0", "A: buffer<float32>[8](colour=1)"),
    "PARSE_UNEXPECTED_TOKEN",
    1,
    "colour",
  );
  const eof = assertThrows(() => parseFunc("func f() {\n  eval 1"), ParseError);
  assertEquals(eof.code, "PARSE_UNEXPECTED_TOKEN");
  assert(eof.message.includes("the end of the text"), eof.message);
});

Deno.test("PARSE_UNKNOWN_NAME for variables, buffers and functions", () => {
  expectError(f("  A[y] = 1.0"), "PARSE_UNKNOWN_NAME", 2, "y");
  expectError(f("  Q[x] = 1.0"), "PARSE_UNKNOWN_NAME", 2, "Q");
  const e = expectError(f("  A[x] = frob(1.0)"), "PARSE_UNKNOWN_NAME", 2, "frob");
  assert(e.hint?.includes(`call<dtype>("frob"`));
  // A loop variable is out of scope after its loop.
  expectError(
    f("  for i in 0..8 {\n    A[i] = 1.0\n  }\n  A[i] = 2.0"),
    "PARSE_UNKNOWN_NAME",
    5,
    "i",
  );
  // Block bodies see their iteration variables; regions resolve against the block's scope.
  expectError(
    f("  block b(v: spatial(0..8) = 0) {\n    reads(B[v])\n    A[v] = 1.0\n  }"),
    "PARSE_UNKNOWN_NAME",
    3,
    "B",
  );
});

Deno.test("PARSE_UNKNOWN_DTYPE", () => {
  expectError(f("  eval 0", "A: buffer<float31>[8]"), "PARSE_UNKNOWN_DTYPE", 1, "float31");
  expectError(f("  eval cast<int12>(x)"), "PARSE_UNKNOWN_DTYPE", 2, "int12");
});

Deno.test("PARSE_BAD_LITERAL: out of range, wrong suffix, float for an integer", () => {
  expectError(f("  eval 300i8"), "PARSE_BAD_LITERAL", 2, "300i8");
  expectError(f("  eval -1u8"), "PARSE_BAD_LITERAL", 2, "-1u8");
  expectError(f("  eval 1.5i32"), "PARSE_BAD_LITERAL", 2, "1.5i32");
  expectError(f("  eval 3q7"), "PARSE_BAD_LITERAL", 2, "3q7");
  expectError(() => parseFunc("func f() @{k: 1i8} {\n}"), "PARSE_BAD_LITERAL", 1, "1i8");
});

Deno.test("PARSE_DTYPE_MISMATCH from the IR's checks, at the expression", () => {
  expectError(f("  eval x + 1.5"), "PARSE_DTYPE_MISMATCH", 2, "1.5");
  expectError(f("  eval 1i8 + 2i16"), "PARSE_DTYPE_MISMATCH", 2, "1i8 + 2i16");
  expectError(f("  A[x] = A[x] + 1.0f16"), "PARSE_DTYPE_MISMATCH", 2, "A[x] + 1.0f16");
  expectError(f("  A[x] = x"), "PARSE_DTYPE_MISMATCH", 2, "A[x] = x");
  expectError(f("  if x {\n  }"), "PARSE_DTYPE_MISMATCH", 2, "if x");
  expectError(f("  A[x] = select(x, 1.0, 2.0)"), "PARSE_DTYPE_MISMATCH", 2, "select(x, 1.0, 2.0)");
});

Deno.test("PARSE_INDEX_RANK: loads, stores and regions with the wrong number of indices", () => {
  expectError(f("  A[x, 0] = 1.0"), "PARSE_INDEX_RANK", 2, "A[x, 0] = 1.0");
  expectError(f("  A[x] = A[x, x]"), "PARSE_INDEX_RANK", 2, "A[x, x]");
  expectError(
    f("  block b(v: spatial(0..8) = x) {\n    writes(A[v, 0])\n    A[v] = 1.0\n  }"),
    "PARSE_INDEX_RANK",
    3,
    "A[v, 0]",
  );
});

Deno.test("PARSE_DUPLICATE_NAME: parameters, functions of a module, annotation keys", () => {
  expectError(f("  eval 0", "A: buffer<float32>[8], A: int32"), "PARSE_DUPLICATE_NAME", 1, "A", 1);
  expectError(
    () => parseModule("func g() {\n  eval 0\n}\nfunc g() {\n  eval 1\n}"),
    "PARSE_DUPLICATE_NAME",
    4,
    "g",
  );
  expectError(f("  for i in 0..8 @{u: 1, u: 2} {\n  }"), "PARSE_DUPLICATE_NAME", 2, "u", 1);
});

Deno.test("PARSE_INVALID_IR: other constructor checks keep their code in the message", () => {
  const e = expectError(
    f("  eval 0", "A: buffer<float32>[8](align=3)"),
    "PARSE_INVALID_IR",
    1,
    "buffer<float32>[8](align=3)",
  );
  assert(e.message.includes("BAD_ALIGNMENT"), e.message);
  expectError(
    f(`  for i in 0..8 thread("") {\n  }`),
    "PARSE_INVALID_IR",
    2,
    `for i in 0..8 thread("")`,
  );
  expectError(
    f(`  eval call<int32>("exp", x, x)`),
    "PARSE_INVALID_IR",
    2,
    `call<int32>("exp", x, x)`,
  );
});

Deno.test("parseExpr reports errors in the expression text", () => {
  const eof = assertThrows(() => parseExpr("1 +"), ParseError);
  assertEquals([eof.code, eof.span?.line, eof.span?.column], ["PARSE_UNEXPECTED_TOKEN", 1, 4]);
  assert(eof.render().endsWith("|    ^"), eof.render());
  expectError(() => parseExpr("i + 1"), "PARSE_UNKNOWN_NAME", 1, "i");
  expectError(() => parseExpr("1 2"), "PARSE_UNEXPECTED_TOKEN", 1, "2");
});
