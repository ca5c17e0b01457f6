/**
 * The node table: for every IR node kind, its fields in traversal order and what each field is.
 * It drives generic traversal, rewriting, structural equality, hashing and the verifier, so a new
 * node kind cannot be forgotten: the table is typed over every kind.
 *
 * Field roles:
 * - `node` / `nodes` / `optNode`: child IR nodes (expressions, statements, buffers, ranges, …);
 * - `def`: a variable bound at this node (loop var, let var, iteration var);
 * - `data`: a plain value (dtype, op, kind, scope, …) compared with `Object.is`;
 * - `record`: a flat record of plain values (annotations, attrs);
 * - `ignore`: a name hint that equality ignores.
 *
 * @module
 */
import type { PrimExpr, Var } from "./expr.ts";
import type { IRModule, PrimFunc } from "./func.ts";
import type { Buffer, BufferRegion, IterVar, Range, Stmt } from "./stmt.ts";

/** Every IR node. */
export type Node = PrimExpr | Stmt | Buffer | Range | IterVar | BufferRegion | PrimFunc;

/** Every node kind. */
export type NodeKind = Node["kind"];

/** What a field of a node is. */
export type FieldRole = "node" | "nodes" | "optNode" | "def" | "data" | "record" | "ignore";

/** The fields of one node kind, in traversal order (definitions before uses). */
export type FieldTable = readonly (readonly [string, FieldRole])[];

/** The node table. */
export const NODE_FIELDS: { readonly [K in NodeKind]: FieldTable } = {
  IntImm: [["dtype", "data"], ["value", "data"]],
  FloatImm: [["dtype", "data"], ["value", "data"]],
  Var: [["dtype", "data"], ["name", "ignore"]],
  Binary: [["op", "data"], ["dtype", "data"], ["a", "node"], ["b", "node"]],
  Not: [["dtype", "data"], ["a", "node"]],
  Select: [["dtype", "data"], ["cond", "node"], ["t", "node"], ["f", "node"]],
  Cast: [["dtype", "data"], ["value", "node"]],
  BufferLoad: [["dtype", "data"], ["buffer", "node"], ["indices", "nodes"]],
  Call: [["dtype", "data"], ["op", "data"], ["args", "nodes"]],
  Ramp: [["dtype", "data"], ["lanes", "data"], ["base", "node"], ["stride", "node"]],
  Broadcast: [["dtype", "data"], ["lanes", "data"], ["value", "node"]],
  Let: [["dtype", "data"], ["value", "node"], ["v", "def"], ["body", "node"]],
  Buffer: [
    ["name", "ignore"],
    ["dtype", "data"],
    ["scope", "data"],
    ["alignment", "data"],
    ["shape", "nodes"],
    ["strides", "nodes"],
    ["elemOffset", "node"],
  ],
  Range: [["min", "node"], ["extent", "node"]],
  IterVar: [["iterKind", "data"], ["dom", "node"], ["v", "def"]],
  BufferRegion: [["buffer", "node"], ["region", "nodes"]],
  BufferStore: [["buffer", "node"], ["value", "node"], ["indices", "nodes"]],
  For: [
    ["forKind", "data"],
    ["threadTag", "data"],
    ["annotations", "record"],
    ["min", "node"],
    ["extent", "node"],
    ["loopVar", "def"],
    ["body", "node"],
  ],
  SeqStmt: [["seq", "nodes"]],
  IfThenElse: [["cond", "node"], ["then", "node"], ["otherwise", "optNode"]],
  LetStmt: [["value", "node"], ["v", "def"], ["body", "node"]],
  Allocate: [["buffer", "node"], ["body", "node"]],
  AssertStmt: [["message", "data"], ["cond", "node"], ["body", "node"]],
  Evaluate: [["value", "node"]],
  Block: [
    ["name", "data"],
    ["annotations", "record"],
    ["iterVars", "nodes"],
    ["allocBuffers", "nodes"],
    ["reads", "nodes"],
    ["writes", "nodes"],
    ["init", "optNode"],
    ["body", "node"],
  ],
  BlockRealize: [["iterValues", "nodes"], ["predicate", "node"], ["block", "node"]],
  PrimFunc: [["name", "data"], ["attrs", "record"], ["params", "nodes"], ["body", "node"]],
};

/** Expression kinds. */
export const EXPR_KINDS: ReadonlySet<string> = new Set([
  "IntImm",
  "FloatImm",
  "Var",
  "Binary",
  "Not",
  "Select",
  "Cast",
  "BufferLoad",
  "Call",
  "Ramp",
  "Broadcast",
  "Let",
]);

/** Statement kinds. */
export const STMT_KINDS: ReadonlySet<string> = new Set([
  "BufferStore",
  "For",
  "SeqStmt",
  "IfThenElse",
  "LetStmt",
  "Allocate",
  "AssertStmt",
  "Evaluate",
  "Block",
  "BlockRealize",
]);

/** True if the node is an expression. @example `isExpr(int(1)) === true` */
export function isExpr(n: Node): n is PrimExpr {
  return EXPR_KINDS.has(n.kind);
}

/** True if the node is a statement. @example `isStmt(evaluate(int(0))) === true` */
export function isStmt(n: Node): n is Stmt {
  return STMT_KINDS.has(n.kind);
}

type Fields = Record<string, unknown>;

/**
 * The child nodes of a node (not the variables it defines), in traversal order.
 *
 * @example
 * ```ts
 * import { children } from "./node.ts";
 * import { add, variable } from "./expr.ts";
 * console.assert(children(add(variable("i"), 1)).length === 2);
 * ```
 */
export function children(n: Node): Node[] {
  const out: Node[] = [];
  for (const [field, role] of NODE_FIELDS[n.kind]) {
    const v = (n as unknown as Fields)[field];
    if (role === "node") out.push(v as Node);
    else if (role === "optNode") {
      if (v !== undefined) out.push(v as Node);
    } else if (role === "nodes") out.push(...(v as Node[]));
  }
  return out;
}

/** Variables defined at this node (loop var, let var, iteration var). */
export function definedVars(n: Node): Var[] {
  const out: Var[] = [];
  for (const [field, role] of NODE_FIELDS[n.kind]) {
    if (role === "def") out.push((n as unknown as Fields)[field] as Var);
  }
  return out;
}

/**
 * Rebuild a node with each child replaced by `fn(child)`; returns the same object when no child
 * changed. Constructors' checks are not re-run: callers rewrite to well-typed nodes.
 *
 * @example
 * ```ts
 * import { mapChildren } from "./node.ts";
 * import { add, int, variable } from "./expr.ts";
 * const e = add(variable("i"), 1);
 * console.assert(mapChildren(e, (c) => c) === e);
 * ```
 */
export function mapChildren<T extends Node>(n: T, fn: (child: Node) => Node): T {
  let copy: Fields | undefined;
  for (const [field, role] of NODE_FIELDS[n.kind]) {
    const v = (n as unknown as Fields)[field];
    let nv: unknown = v;
    if (role === "node") nv = fn(v as Node);
    else if (role === "optNode") nv = v === undefined ? undefined : fn(v as Node);
    else if (role === "nodes") {
      const arr = v as Node[];
      let changed = false;
      const mapped = arr.map((c) => {
        const m = fn(c);
        if (m !== c) changed = true;
        return m;
      });
      nv = changed ? mapped : arr;
    }
    if (nv !== v) {
      copy ??= { ...(n as unknown as Fields) };
      copy[field] = nv;
    }
  }
  return (copy ?? n) as T;
}

/**
 * Visit every node under `root` in pre-order. Buffers are visited once each (at first sight), so
 * their shapes are seen once. Return `false` from `fn` to skip a node's children.
 *
 * @example
 * ```ts
 * import { visit } from "./node.ts";
 * import { add, variable } from "./expr.ts";
 * let count = 0;
 * visit(add(variable("i"), 1), () => { count++; });
 * console.assert(count === 3);
 * ```
 */
export function visit(root: Node, fn: (n: Node) => boolean | void): void {
  const seenBuffers = new Set<Buffer>();
  const go = (n: Node) => {
    if (n.kind === "Buffer") {
      if (seenBuffers.has(n)) return;
      seenBuffers.add(n);
    }
    if (fn(n) === false) return;
    for (const c of children(n)) go(c);
  };
  go(root);
}

/**
 * Rewrite a tree bottom-up: children first, then `post` on the rebuilt node. `pre` may return a
 * replacement to stop descent. Buffers are not descended into unless `intoBuffers` is set.
 *
 * @example
 * ```ts
 * import { rewrite } from "./node.ts";
 * import { add, int, variable } from "./expr.ts";
 * const i = variable("i");
 * const e = rewrite(add(i, 1), { post: (n) => (n === i ? int(2) : n) });
 * console.assert(e.kind === "IntImm" || e.kind === "Binary");
 * ```
 */
export function rewrite<T extends Node>(
  root: T,
  opts: { pre?: (n: Node) => Node | undefined; post?: (n: Node) => Node; intoBuffers?: boolean },
): T {
  const memo = new Map<Node, Node>();
  const go = (n: Node): Node => {
    const hit = memo.get(n);
    if (hit) return hit;
    let out: Node;
    const early = opts.pre?.(n);
    if (early !== undefined) out = early;
    else if (n.kind === "Buffer" && !opts.intoBuffers) out = opts.post ? opts.post(n) : n;
    else {
      const m = mapChildren(n, go);
      out = opts.post ? opts.post(m) : m;
    }
    memo.set(n, out);
    return out;
  };
  return go(root) as T;
}

/** Every function of a module, in insertion order. */
export function moduleFunctions(mod: IRModule): PrimFunc[] {
  return [...mod.functions.values()];
}
