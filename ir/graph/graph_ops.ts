/**
 * Graph ops: every op of the operator library (`ir/ops` catalogue, by its name) is a graph op.
 * Shape inference applies the op's own definition to placeholders of the operands' symbolic
 * shapes (so the graph and the kernel cannot disagree), after making dimensions the analyzer
 * proves equal the same expression. Ops whose operands must agree on dimensions that may only be
 * equal at run time (elementwise binaries, `matmul`, `dense`) have a rule here that records a
 * run-time check instead of refusing.
 *
 * @module
 */
import type { PrimExpr, Var } from "../expr.ts";
import { OpError } from "../ops/errors.ts";
import { OPS } from "../ops/catalog.ts";
import type { OpDescriptor } from "../ops/descriptor.ts";
import { placeholder, type Tensor } from "../te.ts";
import { GraphError, ShapeError } from "./errors.ts";
import type { Attrs } from "./ir.ts";
import { dimsEqual, ShapeContext, simplifyDim } from "./shape_ctx.ts";
import { type SizeScope, type TensorType, tensorType } from "./types.ts";

const BY_NAME = new Map<string, OpDescriptor>(OPS.map((o) => [o.name, o]));

/**
 * Names of the graph ops (the op library's catalogue).
 *
 * @example
 * ```ts
 * import { graphOpNames } from "./graph_ops.ts";
 * console.assert(graphOpNames().includes("dense"));
 * ```
 */
export function graphOpNames(): string[] {
  return [...BY_NAME.keys()];
}

/** The catalogue entry of a graph op (`GRAPH_UNKNOWN_OP` if none). */
export function graphOp(op: string, path?: string): OpDescriptor {
  const d = BY_NAME.get(op);
  if (!d) {
    throw new GraphError("GRAPH_UNKNOWN_OP", `Cannot apply "${op}": there is no such graph op`, {
      path,
      hint: "graph ops are the op library's catalogue: see graphOpNames()",
    });
  }
  return d;
}

/** A shape rule: the result type of an op, recording run-time checks on `ctx`. */
type Rule = (ctx: ShapeContext, args: readonly TensorType[], attrs: Attrs) => TensorType;

const BINARY = [
  "add",
  "sub",
  "mul",
  "div",
  "floor_div",
  "floor_mod",
  "maximum",
  "minimum",
  "pow",
  "equal",
  "not_equal",
  "less",
  "less_equal",
  "greater",
  "greater_equal",
];
const COMPARE = new Set(BINARY.slice(9));

/** Numpy broadcasting with run-time checks; a `scalar` attribute stands for the second operand. */
const binaryRule: Rule = (ctx, args, attrs) => {
  if (args.length === 1 && attrs.scalar !== undefined) {
    return tensorType(args[0].shape, COMPARE.has(ctx.op) ? "bool" : args[0].dtype);
  }
  arity(ctx, args, 2, 2);
  const [a, b] = args;
  if (a.dtype !== b.dtype) {
    throw ctx.fail("GRAPH_DTYPE_MISMATCH", `operand dtypes differ (${a.dtype} vs ${b.dtype})`);
  }
  const rank = Math.max(a.shape.length, b.shape.length);
  const out: PrimExpr[] = [];
  for (let d = 0; d < rank; d++) {
    const x = a.shape[d - (rank - a.shape.length)];
    const y = b.shape[d - (rank - b.shape.length)];
    if (x === undefined) out.push(y);
    else if (y === undefined) out.push(x);
    else {
      const ax = d - (rank - a.shape.length);
      const by = d - (rank - b.shape.length);
      out.push(ctx.broadcast(x, y, `dim ${ax} of operand 0 and dim ${by} of operand 1`));
    }
  }
  return tensorType(out, COMPARE.has(ctx.op) ? "bool" : a.dtype);
};

/** `matmul`: `[M, K]·[K, N]`, each operand possibly transposed. */
const matmulRule: Rule = (ctx, args, attrs) => {
  arity(ctx, args, 2, 2);
  const [a, b] = args;
  rank(ctx, a, 2, "operand 0");
  rank(ctx, b, 2, "operand 1");
  const [m, ka] = attrs.transposeA ? [a.shape[1], a.shape[0]] : a.shape;
  const [kb, n] = attrs.transposeB ? [b.shape[1], b.shape[0]] : b.shape;
  ctx.equal(ka, kb, "the reduction dims of operand 0 and operand 1");
  sameDType(ctx, a, b);
  return tensorType([m, n], (attrs.outDtype as string | undefined) ?? a.dtype);
};

/** `dense`: `x[..., K]`, `weight[N, K]`, optional `bias[N]` → `[..., N]`. */
const denseRule: Rule = (ctx, args, attrs) => {
  arity(ctx, args, 2, 3);
  const [x, w, bias] = args;
  if (x.shape.length < 1) throw ctx.fail("GRAPH_BAD_RANK", `operand 0 has rank 0, need at least 1`);
  rank(ctx, w, 2, "operand 1 (weight)");
  sameDType(ctx, x, w);
  const r = x.shape.length;
  ctx.equal(
    x.shape[r - 1],
    w.shape[1],
    `dim ${r - 1} of operand 0 and dim 1 of operand 1 (weight)`,
  );
  const d = (attrs.outDtype as string | undefined) ?? x.dtype;
  if (bias) {
    rank(ctx, bias, 1, "operand 2 (bias)");
    ctx.equal(
      bias.shape[0],
      w.shape[0],
      "dim 0 of operand 2 (bias) and dim 0 of operand 1 (weight)",
    );
    if (bias.dtype !== d) {
      throw ctx.fail("GRAPH_DTYPE_MISMATCH", `operand 2 (bias) has dtype ${bias.dtype}, need ${d}`);
    }
  }
  return tensorType([...x.shape.slice(0, r - 1), w.shape[0]], d);
};

const RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ...BINARY.map((n) => [n, binaryRule] as const),
  ["matmul", matmulRule],
  ["dense", denseRule],
]);

function arity(ctx: ShapeContext, args: readonly TensorType[], lo: number, hi: number): void {
  if (args.length < lo || args.length > hi) {
    const need = lo === hi ? `${lo}` : `${lo} to ${hi}`;
    throw new GraphError(
      "GRAPH_BAD_ARG",
      `Cannot apply "${ctx.op}": it takes ${need} operands, got ${args.length}`,
      { path: ctx.path },
    );
  }
}

function rank(ctx: ShapeContext, t: TensorType, r: number, what: string): void {
  if (t.shape.length !== r) {
    throw ctx.fail("GRAPH_BAD_RANK", `${what} has rank ${t.shape.length}, need ${r}`);
  }
}

function sameDType(ctx: ShapeContext, a: TensorType, b: TensorType): void {
  if (a.dtype !== b.dtype) {
    throw ctx.fail("GRAPH_DTYPE_MISMATCH", `operand dtypes differ (${a.dtype} vs ${b.dtype})`);
  }
}

/** Result of inferring one op call. */
export interface Inferred {
  /** The result type. */
  readonly type: TensorType;
  /** Run-time checks the call needs. */
  readonly checks: ShapeContext["checks"];
}

/**
 * The result type of an op call, and the run-time checks it needs. `sizes` resolves size
 * variables named in attributes (a `reshape` to `["n", 3, 4]`).
 *
 * @example
 * ```ts
 * import { inferOp } from "./graph_ops.ts";
 * import { SizeScope, tensorType } from "./types.ts";
 * const sizes = new SizeScope();
 * const x = tensorType([sizes.get("n"), 16]);
 * const w = tensorType([sizes.get("k"), 16]);
 * const { type } = inferOp("dense", [x, w], {}, sizes);
 * console.assert(type.shape[0] === sizes.get("n") && type.shape[1] === sizes.get("k"));
 * ```
 */
export function inferOp(
  op: string,
  args: readonly TensorType[],
  attrs: Attrs,
  sizes: SizeScope,
  path?: string,
): Inferred {
  const desc = graphOp(op, path);
  const ctx = new ShapeContext(op, path);
  const rule = RULES.get(op);
  if (!rule) catalogueArity(desc, args.length, ctx);
  if (rule) return { type: simplified(rule(ctx, args, attrs)), checks: ctx.checks };
  const canon = canonicalDims(args.map((a) => a.shape));
  const ph = args.map((a, k) => placeholder(canon[k], a.dtype, `in${k}`));
  const out = applyOp(desc, ph, attrs, (n) => sizes.get(n), path);
  return { type: simplified(tensorType(out.shape, out.dtype)), checks: [] };
}

function simplified(t: TensorType): TensorType {
  const shape = t.shape.map(simplifyDim);
  return shape.every((d, k) => d === t.shape[k]) ? t : tensorType(shape, t.dtype);
}

/** The operand count an op takes, from its catalogue cases (`concat` takes any number). */
function catalogueArity(desc: OpDescriptor, n: number, ctx: ShapeContext): void {
  const counts = desc.cases.map((c) => c.inputs.length);
  const lo = Math.min(...counts);
  const hi = desc.name === "concat" ? Infinity : Math.max(...counts);
  if (n < Math.max(1, lo) || n > hi) {
    const need = hi === Infinity ? `at least ${lo}` : lo === hi ? `${lo}` : `${lo} to ${hi}`;
    throw new GraphError(
      "GRAPH_BAD_ARG",
      `Cannot apply "${ctx.op}": it takes ${need} operands, got ${n}`,
      { path: ctx.path },
    );
  }
}

/** Shapes with dimensions the analyzer proves equal replaced by one expression. */
export function canonicalDims(shapes: readonly (readonly PrimExpr[])[]): PrimExpr[][] {
  const seen: PrimExpr[] = [];
  return shapes.map((s) =>
    s.map((d) => {
      if (d.kind === "IntImm") return d;
      const hit = seen.find((e) => dimsEqual(e, d));
      if (hit) return hit;
      seen.push(d);
      return d;
    })
  );
}

/**
 * Apply an op's library definition to placeholders: the op's result tensor. Op errors become
 * graph errors at `path`.
 */
export function applyOp(
  desc: OpDescriptor,
  ph: readonly Tensor[],
  attrs: Attrs,
  dim: (name: string) => Var,
  path?: string,
): Tensor {
  try {
    return desc.apply(ph, attrs, dim);
  } catch (e) {
    if (e instanceof TypeError) {
      throw new GraphError("GRAPH_BAD_ATTR", `Cannot apply "${desc.name}": ${e.message}`, { path });
    }
    if (!(e instanceof OpError)) throw e;
    const base = { path, hint: e.hint };
    switch (e.code) {
      case "OP_SHAPE_MISMATCH":
        throw new ShapeError("GRAPH_SHAPE_MISMATCH", e.message, base);
      case "OP_UNPROVABLE_SHAPE":
        throw new ShapeError("GRAPH_UNPROVABLE_SHAPE", e.message, {
          ...base,
          hint: "give equal sizes the same size variable, or assert a shape with matchShape",
        });
      case "OP_BAD_RANK":
        throw new ShapeError("GRAPH_BAD_RANK", e.message, base);
      case "OP_DTYPE_MISMATCH":
        throw new ShapeError("GRAPH_DTYPE_MISMATCH", e.message, base);
      default:
        throw new GraphError("GRAPH_BAD_ATTR", `${e.message} [${e.code}]`, base);
    }
  }
}
