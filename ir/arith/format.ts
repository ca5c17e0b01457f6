/**
 * A compact infix rendering of expressions for diagnostics and test tables
 * (`i*16 + j`, `floordiv(x, 8)`, `x < 4 && y != 0`). Not the script form: it does not parse back.
 *
 * @module
 */
import type { PrimExpr } from "../expr.ts";

const INFIX: Record<string, [string, number]> = {
  or: ["||", 1],
  and: ["&&", 2],
  eq: ["==", 3],
  ne: ["!=", 3],
  lt: ["<", 4],
  le: ["<=", 4],
  gt: [">", 4],
  ge: [">=", 4],
  add: ["+", 5],
  sub: ["-", 5],
  mul: ["*", 6],
  div: ["/", 6],
  mod: ["%", 6],
};

/**
 * Render an expression on one line.
 *
 * @example
 * ```ts
 * import { formatExpr } from "./format.ts";
 * import { add, mul, variable } from "../expr.ts";
 * console.assert(formatExpr(add(mul(variable("i"), 16), variable("j"))) === "i*16 + j");
 * ```
 */
export function formatExpr(e: PrimExpr): string {
  return fmt(e, 0);
}

function fmt(e: PrimExpr, prec: number): string {
  switch (e.kind) {
    case "IntImm":
      return e.dtype === "bool" ? (e.value ? "true" : "false") : String(e.value);
    case "FloatImm":
      return Number.isInteger(e.value) ? `${e.value}.0` : String(e.value);
    case "Var":
      return e.name;
    case "Binary": {
      const inf = INFIX[e.op];
      if (!inf) return `${e.op}(${fmt(e.a, 0)}, ${fmt(e.b, 0)})`;
      const [sym, p] = inf;
      const tight = p >= 6 ? sym : ` ${sym} `;
      const s = `${fmt(e.a, p)}${tight}${fmt(e.b, p + 1)}`;
      return p < prec ? `(${s})` : s;
    }
    case "Not":
      return `!${fmt(e.a, 7)}`;
    case "Select":
      return `select(${fmt(e.cond, 0)}, ${fmt(e.t, 0)}, ${fmt(e.f, 0)})`;
    case "Cast":
      return `${e.dtype}(${fmt(e.value, 0)})`;
    case "BufferLoad":
      return `${e.buffer.name}[${e.indices.map((i) => fmt(i, 0)).join(", ")}]`;
    case "Call":
      return `${e.op}(${e.args.map((a) => fmt(a, 0)).join(", ")})`;
    case "Ramp":
      return `ramp(${fmt(e.base, 0)}, ${fmt(e.stride, 0)}, ${e.lanes})`;
    case "Broadcast":
      return `broadcast(${fmt(e.value, 0)}, ${e.lanes})`;
    case "Let":
      return `(let ${e.v.name} = ${fmt(e.value, 0)} in ${fmt(e.body, 0)})`;
  }
}
