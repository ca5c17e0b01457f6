/**
 * The grammar of the script form, as tables read by both the printer and the parser, so that the
 * two cannot drift: operators with their precedence, the call-like expression forms with their
 * argument lists, loop kinds, buffer options with their defaults, and the reserved words.
 *
 * ```
 * module    := func*
 * func      := 'func' NAME ('[' NAME (':' DTYPE)? , … ']')? '(' param, … ')' annots? '{' body '}'
 * param     := NAME ':' DTYPE | NAME ':' buffer
 * buffer    := 'buffer' '<' DTYPE '>' '[' expr, … ']' ('(' option, … ')')?      (BUFFER_OPTIONS)
 * annots    := '@' '{' key ':' value, … '}'
 * stmt      := NAME '[' expr, … ']' '=' expr
 *            | 'for' NAME (':' DTYPE)? 'in' range forkind? annots? '{' body '}'     (FOR_KINDS)
 *            | 'seq' '{' body '}' | 'eval' expr
 *            | 'if' expr '{' body '}' ('else' ('{' body '}' | if-stmt))?
 *            | 'let' NAME '=' expr tail | 'allocate' NAME ':' buffer tail
 *            | 'assert' expr ',' STRING tail
 *            | 'block' NAME '(' (NAME ':' ITERKIND ('<' DTYPE '>')? '(' range ')' '=' expr), … ')'
 *                ('where' expr)? annots? '{' blockbody '}'
 *            | 'bare' 'block' NAME '(' (NAME ':' ITERKIND ('<' DTYPE '>')? '(' range ')'), … ')'
 *                annots? '{' blockbody '}'
 * tail      := '{' body '}' | <the rest of the enclosing body>
 * blockbody := ('alloc' NAME ':' buffer)* ('reads' '(' region, … ')')? ('writes' '(' region, … ')')?
 *              ('init' '{' body '}')? body
 * region    := NAME '[' (range | expr), … ']'            (a lone expr is the point range e +: 1)
 * range     := expr '..' expr | expr '+:' expr           (start..stop, or min +: extent)
 * expr      := infix (INFIX) | '!' expr | '-' NUMBER | NUMBER | 'true' | 'false' | STRING
 *            | NAME | NAME '[' expr, … ']' | CALL_FORMS | MATH(expr, …) | 'let' NAME '=' expr 'in' expr
 * ```
 *
 * A body with one statement is that statement; with any other number it is a `SeqStmt`; `seq { }`
 * makes a `SeqStmt` explicitly (needed for nested or one-element sequences).
 *
 * @module
 */
import type { DType } from "../dtype.ts";
import { type BinaryOp, CALL_OPS, type PrimExpr } from "../expr.ts";
import { type Buffer, DEFAULT_ALIGNMENT, type ForKind, type IterKind } from "../stmt.ts";
import type { NodeKind } from "../node.ts";
import { rawBinary, rawBroadcast, rawCall, rawCast, rawRamp, rawSelect } from "./build.ts";

/** Binding strength of each level; higher binds tighter. */
export const PREC = {
  let: 0,
  or: 1,
  and: 2,
  compare: 3,
  add: 4,
  mul: 5,
  unary: 6,
  atom: 7,
} as const;

/** An infix operator: its token and precedence. All are left-associative. */
export interface InfixSyntax {
  /** The token, e.g. `//`. */
  readonly token: string;
  /** Precedence level (see `PREC`). */
  readonly prec: number;
}

/**
 * Infix spelling of the binary operators. `/` and `%` truncate for integers (C, the IR's `div` and
 * `mod`); `//` and `%%` floor (Python's `//`, R's `%%`). `min` and `max` are call forms.
 */
export const INFIX: Readonly<Partial<Record<BinaryOp, InfixSyntax>>> = {
  or: { token: "||", prec: PREC.or },
  and: { token: "&&", prec: PREC.and },
  eq: { token: "==", prec: PREC.compare },
  ne: { token: "!=", prec: PREC.compare },
  lt: { token: "<", prec: PREC.compare },
  le: { token: "<=", prec: PREC.compare },
  gt: { token: ">", prec: PREC.compare },
  ge: { token: ">=", prec: PREC.compare },
  add: { token: "+", prec: PREC.add },
  sub: { token: "-", prec: PREC.add },
  mul: { token: "*", prec: PREC.mul },
  div: { token: "/", prec: PREC.mul },
  mod: { token: "%", prec: PREC.mul },
  floordiv: { token: "//", prec: PREC.mul },
  floormod: { token: "%%", prec: PREC.mul },
};

/** Binary operator by infix token. */
export const INFIX_BY_TOKEN: ReadonlyMap<string, BinaryOp> = new Map(
  Object.entries(INFIX).map(([op, s]) => [s!.token, op as BinaryOp]),
);

/** What an argument of a call form is. */
export type ArgSpec = "expr" | "int" | "string" | "exprs";

/** A call-like expression form `name<dtype>?(arg, …)`: the node kind it builds and its fields. */
export interface CallForm {
  /** The name written in the text. */
  readonly name: string;
  /** The node kind it stands for. */
  readonly kind: NodeKind;
  /** For `Binary` forms: the operator. */
  readonly op?: BinaryOp;
  /** True if the form takes a `<dtype>` (the node's dtype). */
  readonly dtype?: boolean;
  /** The node's fields, in argument order, with what each is. */
  readonly args: readonly (readonly [string, ArgSpec])[];
  /** Fields whose expressions must share one dtype (untyped literals adapt). */
  readonly unify?: readonly string[];
  /** Build the node from its parsed fields (exactly: checked, never folded). */
  readonly build: (f: ParsedFields, dtype: DType) => PrimExpr;
}

/** Fields of a call form as parsed: expressions, expression lists, integers, strings. */
export type ParsedFields = Readonly<Record<string, PrimExpr & PrimExpr[] & number & string>>;

/** The call-like expression forms. Math functions (`exp(x)`, `CALL_OPS`) are short `call`s. */
export const CALL_FORMS: readonly CallForm[] = [
  {
    name: "select",
    kind: "Select",
    args: [["cond", "expr"], ["t", "expr"], ["f", "expr"]],
    unify: ["t", "f"],
    build: (f) => rawSelect(f.cond, f.t, f.f),
  },
  {
    name: "cast",
    kind: "Cast",
    dtype: true,
    args: [["value", "expr"]],
    build: (f, dtype) => rawCast(dtype, f.value),
  },
  {
    name: "ramp",
    kind: "Ramp",
    args: [["base", "expr"], ["stride", "expr"], ["lanes", "int"]],
    unify: ["base", "stride"],
    build: (f) => rawRamp(f.base, f.stride, f.lanes),
  },
  {
    name: "broadcast",
    kind: "Broadcast",
    args: [["value", "expr"], ["lanes", "int"]],
    build: (f) => rawBroadcast(f.value, f.lanes),
  },
  {
    name: "min",
    kind: "Binary",
    op: "min",
    args: [["a", "expr"], ["b", "expr"]],
    unify: ["a", "b"],
    build: (f) => rawBinary("min", f.a, f.b),
  },
  {
    name: "max",
    kind: "Binary",
    op: "max",
    args: [["a", "expr"], ["b", "expr"]],
    unify: ["a", "b"],
    build: (f) => rawBinary("max", f.a, f.b),
  },
  {
    name: "call",
    kind: "Call",
    dtype: true,
    args: [["op", "string"], ["args", "exprs"]],
    build: (f, dtype) => rawCall(f.op, f.args, dtype),
  },
];

/** Call forms by name. */
export const CALL_FORM_BY_NAME: ReadonlyMap<string, CallForm> = new Map(
  CALL_FORMS.map((f) => [f.name, f]),
);

/** The call form that prints a node (`Binary` only for `min`/`max`). */
export function callFormOf(n: PrimExpr): CallForm | undefined {
  return CALL_FORMS.find((f) => f.kind === n.kind && (n.kind !== "Binary" || f.op === n.op));
}

/** Loop kinds: the word after the range (`serial` writes none; `thread` takes a tag). */
export const FOR_KINDS: Readonly<Record<ForKind, string>> = {
  serial: "",
  parallel: "parallel",
  vectorized: "vectorized",
  unrolled: "unrolled",
  thread: "thread",
};

/** Iteration variable kinds, as written. */
export const ITER_KINDS: readonly IterKind[] = ["spatial", "reduce"];

/** An option of a buffer declaration: `(strides=[…], offset=…, scope="…", align=…)`. */
export interface BufferOption {
  /** The key written in the text. */
  readonly key: string;
  /** The `BufferOptions` field it sets. */
  readonly field: "strides" | "elemOffset" | "scope" | "alignment";
  /** What its value is. */
  readonly spec: ArgSpec;
  /** True if the buffer has the default (then the printer leaves the option out). */
  readonly isDefault: (b: Buffer) => boolean;
}

/** Buffer options in printing order. */
export const BUFFER_OPTIONS: readonly BufferOption[] = [
  { key: "strides", field: "strides", spec: "exprs", isDefault: (b) => b.strides.length === 0 },
  {
    key: "offset",
    field: "elemOffset",
    spec: "expr",
    isDefault: (b) =>
      b.elemOffset.kind === "IntImm" && b.elemOffset.dtype === "int32" &&
      Object.is(b.elemOffset.value, 0),
  },
  { key: "scope", field: "scope", spec: "string", isDefault: (b) => b.scope === "global" },
  {
    key: "align",
    field: "alignment",
    spec: "int",
    isDefault: (b) => b.alignment === DEFAULT_ALIGNMENT,
  },
];

/** Words a variable or buffer may not be named (the printer renames such names). */
export const RESERVED: ReadonlySet<string> = new Set([
  "func",
  "buffer",
  "for",
  "in",
  "seq",
  "if",
  "else",
  "let",
  "allocate",
  "assert",
  "eval",
  "block",
  "bare",
  "alloc",
  "reads",
  "writes",
  "init",
  "where",
  "true",
  "false",
  ...ITER_KINDS,
  ...Object.values(FOR_KINDS).filter((w) => w !== ""),
  ...CALL_FORMS.map((f) => f.name),
  ...Object.keys(CALL_OPS),
]);

/** True if `s` can be written as a bare identifier. */
export function isIdentifier(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s);
}
