/**
 * The grammar of graph functions in the script form, read by both the printer and the parser
 * (`print.ts`, `parse.ts`). Graph functions print beside tensor-level `func`s in one module text;
 * dimensions are written in the script form's expression syntax (`ir/script`), so both levels
 * spell sizes alike.
 *
 * ```
 * module   := (func | graph)*                           (func: ir/script's grammar)
 * graph    := 'graph' NAME '(' NAME ':' type, … ')' ('@' attrs)? '{' block* 'return' atom '}'
 * type     := 'tensor' '<' DTYPE '>' '[' expr, … ']' | '(' type, … ')'
 * block    := ('dataflow' | 'bindings') '{' binding* '}'
 * binding  := NAME ':' type '=' value ('check' '(' expr '==' expr ',' STRING ')')*
 * value    := 'call_tir' NAME '(' atom, … ')'
 *           | 'call_extern' STRING '(' atom, … ')' attrs? 'impure'?
 *           | 'tuple' '(' atom, … ')' | 'get_item' '(' atom ',' INT ')' | 'match_shape' '(' atom ')'
 *           | OP '(' atom, … ')' attrs?                  (OP: a graph op, e.g. dense)
 * atom     := NAME | 'const' NAME '<' DTYPE '>' '[' INT, … ']' '(' number, … ')'
 * attrs    := '{' (NAME | STRING) ':' attr, … '}'
 * attr     := NUMBER | '-' NUMBER | STRING | 'true' | 'false' | '[' attr, … ']'
 * ```
 *
 * Size variables are not declared: a name in a type that is not known yet is a new size
 * variable (of the function), as in tensor-level parameter buffers. A binding's type is written
 * in full, so a `call_tir`'s output shapes are explicit; for op calls the parser re-infers the
 * type and refuses a text whose type does not match.
 *
 * @module
 */
import type { GraphValue } from "./ir.ts";

/** Words of the graph grammar. */
export const GRAPH_WORDS = {
  graph: "graph",
  dataflow: "dataflow",
  bindings: "bindings",
  ret: "return",
  check: "check",
  tensor: "tensor",
  constant: "const",
  impure: "impure",
} as const;

/** The keyword of each value form other than op calls (which are written by the op's name). */
export const VALUE_FORMS: Readonly<Record<Exclude<GraphValue["kind"], "OpCall">, string>> = {
  CallTIR: "call_tir",
  CallExtern: "call_extern",
  Tuple: "tuple",
  TupleGetItem: "get_item",
  MatchShape: "match_shape",
};

/** Value form by keyword. */
export const VALUE_FORM_BY_WORD: ReadonlyMap<string, GraphValue["kind"]> = new Map(
  Object.entries(VALUE_FORMS).map(([k, w]) => [w, k as GraphValue["kind"]]),
);

/** Words a graph value may not be named (the printer renames such values). */
export const GRAPH_RESERVED: ReadonlySet<string> = new Set([
  ...Object.values(GRAPH_WORDS),
  ...Object.values(VALUE_FORMS),
]);
