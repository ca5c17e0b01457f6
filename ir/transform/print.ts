/**
 * A plain text form of a function for pass dumps, used until the script printer (`ir/script`)
 * is available to this module. One statement per line, indented; expressions in infix.
 *
 * @module
 */
import type { PrimExpr } from "../expr.ts";
import type { PrimFunc } from "../func.ts";
import type { Buffer, Stmt } from "../stmt.ts";

const INFIX: Record<string, string> = {
  add: "+",
  sub: "-",
  mul: "*",
  div: "/",
  mod: "%",
  eq: "==",
  ne: "!=",
  lt: "<",
  le: "<=",
  gt: ">",
  ge: ">=",
  and: "&&",
  or: "||",
};

/** An expression in infix form. @example `printExpr(add(i, 1)) === "(i + 1)"` */
export function printExpr(e: PrimExpr): string {
  switch (e.kind) {
    case "IntImm":
      return e.dtype === "int32"
        ? `${e.value}`
        : e.dtype === "bool"
        ? `${!!e.value}`
        : `${e.dtype}(${e.value})`;
    case "FloatImm":
      return e.dtype === "float32" ? `${e.value}f` : `${e.dtype}(${e.value})`;
    case "Var":
      return e.name;
    case "Binary":
      return INFIX[e.op]
        ? `(${printExpr(e.a)} ${INFIX[e.op]} ${printExpr(e.b)})`
        : `${e.op}(${printExpr(e.a)}, ${printExpr(e.b)})`;
    case "Not":
      return `!${printExpr(e.a)}`;
    case "Select":
      return `select(${printExpr(e.cond)}, ${printExpr(e.t)}, ${printExpr(e.f)})`;
    case "Cast":
      return `${e.dtype}(${printExpr(e.value)})`;
    case "BufferLoad":
      return `${e.buffer.name}[${e.indices.map(printExpr).join(", ")}]`;
    case "Call":
      return `${e.op}(${e.args.map(printExpr).join(", ")})`;
    case "Ramp":
      return `ramp(${printExpr(e.base)}, ${printExpr(e.stride)}, ${e.lanes})`;
    case "Broadcast":
      return `broadcast(${printExpr(e.value)}, ${e.lanes})`;
    case "Let":
      return `(let ${e.v.name} = ${printExpr(e.value)} in ${printExpr(e.body)})`;
  }
}

function printBuffer(b: Buffer): string {
  const extra = [
    b.strides.length ? `strides=[${b.strides.map(printExpr).join(", ")}]` : "",
    b.elemOffset.kind === "IntImm" && b.elemOffset.value === 0
      ? ""
      : `offset=${printExpr(b.elemOffset)}`,
    b.scope === "global" ? "" : `scope=${b.scope}`,
  ].filter((x) => x);
  return `${b.name}: ${b.dtype}[${b.shape.map(printExpr).join(", ")}]${
    extra.length ? ` ${extra.join(" ")}` : ""
  }`;
}

function printStmt(s: Stmt, ind: string, out: string[]): void {
  const inner = ind + "  ";
  switch (s.kind) {
    case "BufferStore":
      out.push(
        `${ind}${s.buffer.name}[${s.indices.map(printExpr).join(", ")}] = ${printExpr(s.value)}`,
      );
      return;
    case "For": {
      const kind = s.forKind === "serial"
        ? ""
        : s.forKind === "thread"
        ? ` thread(${s.threadTag})`
        : ` ${s.forKind}`;
      out.push(
        `${ind}for${kind} ${s.loopVar.name} in [${printExpr(s.min)}, +${printExpr(s.extent)}):`,
      );
      printStmt(s.body, inner, out);
      return;
    }
    case "SeqStmt":
      for (const c of s.seq) printStmt(c, ind, out);
      return;
    case "IfThenElse":
      out.push(`${ind}if ${printExpr(s.cond)}:`);
      printStmt(s.then, inner, out);
      if (s.otherwise) {
        out.push(`${ind}else:`);
        printStmt(s.otherwise, inner, out);
      }
      return;
    case "LetStmt":
      out.push(`${ind}let ${s.v.name} = ${printExpr(s.value)}`);
      printStmt(s.body, ind, out);
      return;
    case "Allocate":
      out.push(`${ind}allocate ${printBuffer(s.buffer)}`);
      printStmt(s.body, ind, out);
      return;
    case "AssertStmt":
      out.push(`${ind}assert ${printExpr(s.cond)}, ${JSON.stringify(s.message)}`);
      printStmt(s.body, ind, out);
      return;
    case "Evaluate":
      out.push(`${ind}${printExpr(s.value)}`);
      return;
    case "BlockRealize":
      out.push(
        `${ind}block ${s.block.name}(${
          s.block.iterVars.map((iv, k) => `${iv.v.name}=${printExpr(s.iterValues[k])}`).join(", ")
        })${
          s.predicate.kind === "IntImm" && s.predicate.value
            ? ""
            : ` where ${printExpr(s.predicate)}`
        }:`,
      );
      printBlock(s.block, inner, out);
      return;
    case "Block":
      out.push(`${ind}block ${s.name}:`);
      printBlock(s, inner, out);
  }
}

function printBlock(b: Extract<Stmt, { kind: "Block" }>, ind: string, out: string[]): void {
  for (const a of b.allocBuffers) out.push(`${ind}alloc ${printBuffer(a)}`);
  if (b.init) {
    out.push(`${ind}init:`);
    printStmt(b.init, ind + "  ", out);
  }
  printStmt(b.body, ind, out);
}

/**
 * A function as plain text.
 *
 * @example
 * ```ts
 * import { printFuncPlain } from "./print.ts";
 * import { primFunc } from "../func.ts";
 * import { decl, evaluate } from "../stmt.ts";
 * import { int } from "../expr.ts";
 * console.assert(printFuncPlain(primFunc("f", [decl("A", [4])], evaluate(int(0)))).startsWith("func f"));
 * ```
 */
export function printFuncPlain(f: PrimFunc): string {
  const params = f.params.map((
    p,
  ) => (p.kind === "Buffer" ? printBuffer(p) : `${p.name}: ${p.dtype}`));
  const out = [`func ${f.name}(${params.join(", ")}):`];
  printStmt(f.body, "  ", out);
  return out.join("\n");
}
