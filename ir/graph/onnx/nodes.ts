/**
 * The importer's node loop: each node's inputs looked up, its rule from the op mapping table
 * applied, its outputs bound. A call of a model-local function is inlined: its body imported in
 * a scope of its own, formals bound to the call's values, attribute references resolved against
 * the call's attributes and the function's defaults.
 *
 * @module
 */
import { constVal, type ImportState, NodeContext, type Val } from "./context.ts";
import { OnnxError } from "./errors.ts";
import type { OnnxAttribute, OnnxFunction, OnnxGraph, OnnxNode } from "./model.ts";
import { ONNX_OPS } from "./op_table.ts";

/** What the loop shares across scopes. */
export interface NodeScope {
  /** The importer's state. */
  readonly state: ImportState;
  /** Model-local functions by `domain::name`. */
  readonly functions: ReadonlyMap<string, OnnxFunction>;
  /** Values read after this scope (graph or function outputs). */
  readonly outputs: ReadonlySet<string>;
  /** Function nesting depth. */
  readonly depth: number;
}

const MAX_DEPTH = 32;

/** Import `nodes` in order, reading and binding values in `env`. */
export function importNodes(
  nodes: readonly OnnxNode[],
  env: Map<string, Val>,
  scope: NodeScope,
): void {
  const read = new Set([...scope.outputs, ...nodes.flatMap((n) => n.inputs)]);
  for (const node of nodes) {
    const ctx = new NodeContext(
      node,
      node.inputs.map((name) => lookup(node, name, env, scope)),
      scope.state,
      (g) => importSubgraph(g, env, scope),
    );

    const fn = scope.functions.get(`${node.domain}::${node.opType}`);
    const outs = fn ? inline(ctx, fn, scope) : applyRule(ctx);
    node.outputs.forEach((name, k) => {
      if (name === "") return;
      const v = outs[k];
      if (v === undefined) {
        if (read.has(name)) {
          throw ctx.fail("ONNX_UNSUPPORTED_OP", `its output ${k} ("${name}") is not supported`);
        }
        return;
      }
      env.set(name, v);
    });
  }
}

/** A graph attribute's outputs: its body imported over a copy of the enclosing scope. */
function importSubgraph(
  g: OnnxGraph,
  outer: ReadonlyMap<string, Val>,
  scope: NodeScope,
): (Val | undefined)[] {
  if (scope.depth >= MAX_DEPTH) {
    throw new OnnxError(
      "ONNX_UNSUPPORTED_OP",
      `Cannot import graph "${g.name}": subgraphs nest deeper than ${MAX_DEPTH}`,
    );
  }
  if (g.inputs.length > 0) {
    throw new OnnxError(
      "ONNX_UNSUPPORTED_OP",
      `Cannot import graph "${g.name}": subgraphs with inputs (loop bodies) are not supported`,
    );
  }
  const env = new Map(outer);
  for (const [name, data] of g.initializers) env.set(name, constVal(data));
  const outputs = new Set(g.outputs.map((o) => o.name));
  importNodes(g.nodes, env, { ...scope, outputs, depth: scope.depth + 1 });
  return g.outputs.map((o) => env.get(o.name));
}

function lookup(
  node: OnnxNode,
  name: string,
  env: ReadonlyMap<string, Val>,
  scope: NodeScope,
): Val | undefined {
  if (name === "") return undefined;
  const v = env.get(name);
  if (v === undefined) {
    throw new OnnxError(
      "ONNX_UNKNOWN_VALUE",
      `Cannot import ${
        new NodeContext(node, [], scope.state).label
      }: its input "${name}" is not defined before it`,
      {
        hint:
          "nodes must be in topological order; every input an initializer, graph input or earlier output",
      },
    );
  }
  return v;
}

function applyRule(ctx: NodeContext): (Val | undefined)[] {
  const node = ctx.node;
  if (node.domain !== "") {
    throw ctx.fail(
      "ONNX_UNSUPPORTED_OP",
      `the op domain "${node.domain}" is not supported (only the default ONNX domain and model-local functions)`,
    );
  }
  const rule = ONNX_OPS.get(node.opType);
  if (rule === undefined) {
    throw ctx.fail(
      "ONNX_UNSUPPORTED_OP",
      `the importer has no mapping for op ${node.opType}`,
      "see supportedOnnxOps()",
    );
  }
  return ctx.guard(() => rule(ctx));
}

/** The outputs of a call of `fn`: its body imported with the call's inputs and attributes. */
function inline(ctx: NodeContext, fn: OnnxFunction, scope: NodeScope): (Val | undefined)[] {
  if (scope.depth >= MAX_DEPTH) {
    throw ctx.fail(
      "ONNX_UNSUPPORTED_OP",
      `functions nest deeper than ${MAX_DEPTH} calls (recursion?)`,
    );
  }
  const inner = new Map<string, Val>();
  fn.inputs.forEach((formal, i) => {
    const v = ctx.optional(i);
    if (v !== undefined) inner.set(formal, v);
  });
  const given: Record<string, OnnxAttribute> = Object.create(null);
  for (const [k, v] of Object.entries(fn.attributes)) if (v) given[k] = v;
  Object.assign(given, ctx.node.attributes);
  const body = fn.nodes.map((n): OnnxNode => {
    const attributes: Record<string, OnnxAttribute> = Object.create(null);
    for (const [k, a] of Object.entries(n.attributes)) {
      const v = a.kind === "ref" ? given[a.value] : a;
      if (v !== undefined) attributes[k] = v;
    }
    return {
      ...n,
      name: `${ctx.node.name || `#${ctx.node.index}`}/${n.name || `#${n.index}`}`,
      attributes,
    };
  });
  importNodes(body, inner, { ...scope, outputs: new Set(fn.outputs), depth: scope.depth + 1 });
  return fn.outputs.map((o) => inner.get(o));
}
