/**
 * The tensor-expression DSL: describe what a kernel computes in a few lines; `createPrimFunc`
 * turns it into a TensorIR `PrimFunc` (one block per `compute`, inside its loop nest).
 *
 * ```ts
 * import { mul } from "./expr.ts";
 * const n = sizeVar("n");
 * const A = placeholder([n, 64], "float32", "A");
 * const B = placeholder([64, 32], "float32", "B");
 * const k = reduceAxis(64, "k");
 * const C = compute([n, 32], ([i, j]) => sum(mul(A.at(i, k), B.at(k, j)), [k]), "C");
 * const f = createPrimFunc([A, B, C], "matmul");
 * ```
 *
 * @module
 */
import { type DType, isFloat, maxValue, minValue } from "./dtype.ts";
import {
  checkValueRange,
  formatValueRanges,
  VALUE_RANGE_ATTR,
  type ValueRange,
} from "./value_range.ts";
import { IRTypeError } from "./errors.ts";
import {
  binary,
  type BinaryOp,
  bufferLoad,
  constant,
  type ExprLike,
  float,
  type PrimExpr,
  toExpr,
  type Var,
  variable,
} from "./expr.ts";
import { type PrimFunc, primFunc } from "./func.ts";
import { rewrite, visit } from "./node.ts";
import {
  type Block,
  block,
  blockRealize,
  type Buffer,
  type BufferRegion,
  bufferRegion,
  bufferStore,
  decl,
  forLoop,
  type IterVar,
  iterVar,
  range,
  seq,
  type Stmt,
  TRUE,
} from "./stmt.ts";
import type { AnnotationValue } from "./stmt.ts";

/** A tensor of the DSL: a placeholder (input) or the result of a `compute`. */
export interface Tensor {
  /** The buffer the tensor lives in. */
  readonly buffer: Buffer;
  /** Shape (may be symbolic). */
  readonly shape: readonly PrimExpr[];
  /** Element dtype. */
  readonly dtype: DType;
  /** Name (the buffer's). */
  readonly name: string;
  /** How it is produced: undefined for placeholders. */
  readonly producer?: ComputeOp;
  /** Read one element: `A.at(i, j)`. */
  at(...indices: ExprLike[]): PrimExpr;
}

/**
 * A reduction axis: a variable (usable in index expressions) that carries its range. The range
 * lives only in the DSL; in the built function the axis becomes a reduction iteration variable.
 */
export type ReduceAxis = Var & {
  readonly dom: { readonly min: PrimExpr; readonly extent: PrimExpr };
};

/** A reduction combiner. */
export type Combiner = "sum" | "prod" | "max" | "min";

/** A reduction as the result of a compute's body (only at the top of the body). */
export interface Reduce {
  readonly kind: "Reduce";
  readonly combiner: Combiner;
  readonly source: PrimExpr;
  readonly axes: readonly ReduceAxis[];
  /** Starting value (default: the combiner's identity). */
  readonly init: PrimExpr;
}

/** How a computed tensor is produced. */
export interface ComputeOp {
  readonly name: string;
  readonly axes: readonly Var[];
  readonly body: PrimExpr | Reduce;
  readonly annotations: Readonly<Record<string, AnnotationValue>>;
}

function makeTensor(buffer: Buffer, producer?: ComputeOp): Tensor {
  return {
    buffer,
    shape: buffer.shape,
    dtype: buffer.dtype,
    name: buffer.name,
    producer,
    at: (...indices: ExprLike[]) => bufferLoad(buffer, indices),
  };
}

/**
 * A symbolic size: a variable bound at call time from a tensor's shape.
 *
 * @example
 * ```ts
 * import { sizeVar } from "./te.ts";
 * console.assert(sizeVar("n").dtype === "int32");
 * ```
 */
export function sizeVar(name: string): Var {
  const v = variable(name, "int32");
  SIZE_VARS.add(v);
  return v;
}

const SIZE_VARS = new WeakSet<Var>();

/**
 * True if `v` was made by `sizeVar`: a symbolic size, never negative. The arithmetic analyzer
 * (`ir/arith`) uses this to bound it below by 0.
 *
 * @example
 * ```ts
 * import { isSizeVar, sizeVar } from "./te.ts";
 * console.assert(isSizeVar(sizeVar("n")));
 * ```
 */
export function isSizeVar(v: Var): boolean {
  return SIZE_VARS.has(v);
}

/**
 * An input tensor.
 *
 * @example
 * ```ts
 * import { placeholder } from "./te.ts";
 * const A = placeholder([4, 8], "float32", "A");
 * console.assert(A.at(0, 1).kind === "BufferLoad");
 * const B = placeholder([8, 4], "int8", "B", { range: [0, 127] }); // 7-bit activations
 * ```
 */
export function placeholder(
  shape: readonly ExprLike[],
  dtype: DType = "float32",
  name = "A",
  options: PlaceholderOptions = {},
): Tensor {
  const t = track(makeTensor(decl(name, shape, dtype)));
  if (options.range !== undefined) {
    RANGES.set(t.buffer, checkValueRange(options.range, dtype, `placeholder "${name}"`));
  }
  return t;
}

/** Options of `placeholder`. */
export interface PlaceholderOptions {
  /**
   * Every element lies in `[lo, hi]`: a precondition of the built function, recorded as its
   * `tessera.value_range` attribute (`ir/value_range.ts`) when the placeholder is a parameter
   * of `createPrimFunc`. Intrinsics defined only on part of an operand's range (e.g. the relaxed
   * int8 dot, `[0, 127]`) are chosen only where such a range proves it; inputs are checked
   * against it at call time.
   */
  readonly range?: ValueRange;
}

/** Declared ranges of placeholders, by buffer. */
const RANGES = new WeakMap<Buffer, ValueRange>();

/**
 * A reduction axis over `[0, extent)` or `[min, min + extent)`.
 *
 * @example
 * ```ts
 * import { reduceAxis } from "./te.ts";
 * const k = reduceAxis(16, "k");
 * console.assert(k.name === "k");
 * ```
 */
export function reduceAxis(extent: ExprLike, name = "k", min: ExprLike = 0): ReduceAxis {
  return { ...variable(name, "int32"), dom: { min: toExpr(min), extent: toExpr(extent) } };
}

/** The identity of a combiner for a dtype (`-inf` for a float max, and so on). */
export function identityOf(combiner: Combiner, dtype: DType): PrimExpr {
  switch (combiner) {
    case "sum":
      return constant(0, dtype);
    case "prod":
      return constant(1, dtype);
    case "max":
      return isFloat(dtype) ? float(-Infinity, dtype) : constant(minValue(dtype), dtype);
    case "min":
      return isFloat(dtype) ? float(Infinity, dtype) : constant(maxValue(dtype), dtype);
  }
}

const COMBINE_OP: Record<Combiner, BinaryOp> = { sum: "add", prod: "mul", max: "max", min: "min" };

/** Apply a combiner to an accumulator and a value. */
export function combine(combiner: Combiner, acc: PrimExpr, value: PrimExpr): PrimExpr {
  return binary(COMBINE_OP[combiner], acc, value);
}

function reducer(combiner: Combiner) {
  return (source: ExprLike, axes: readonly ReduceAxis[], init?: ExprLike): Reduce => {
    const s = toExpr(source);
    if (axes.length === 0) {
      throw new IRTypeError("BAD_REDUCE", `Cannot ${combiner}-reduce over no axes`);
    }
    return {
      kind: "Reduce",
      combiner,
      source: s,
      axes,
      init: init === undefined ? identityOf(combiner, s.dtype) : toExpr(init, s.dtype),
    };
  };
}

/** Sum over reduce axes. @example `sum(mul(A.at(i, k), B.at(k, j)), [k])` */
export const sum: (source: ExprLike, axes: readonly ReduceAxis[], init?: ExprLike) => Reduce =
  reducer("sum");
/** Product over reduce axes. @example `prod(A.at(i, k), [k])` */
export const prod: (source: ExprLike, axes: readonly ReduceAxis[], init?: ExprLike) => Reduce =
  reducer("prod");
/** Maximum over reduce axes. @example `maxReduce(A.at(i, k), [k])` */
export const maxReduce: (source: ExprLike, axes: readonly ReduceAxis[], init?: ExprLike) => Reduce =
  reducer(
    "max",
  );
/** Minimum over reduce axes. @example `minReduce(A.at(i, k), [k])` */
export const minReduce: (source: ExprLike, axes: readonly ReduceAxis[], init?: ExprLike) => Reduce =
  reducer(
    "min",
  );

/** Options for `compute`. */
export interface ComputeOptions {
  /** Block annotations. */
  annotations?: Record<string, AnnotationValue>;
  /** Output dtype (default: the body's). The body is cast when they differ. */
  dtype?: DType;
}

const AXIS_NAMES = ["i", "j", "k", "l", "m", "n", "o", "p"];

/**
 * A computed tensor: `fcompute` maps output indices to a value or a reduction.
 *
 * @example
 * ```ts
 * import { compute, placeholder } from "./te.ts";
 * import { add } from "./expr.ts";
 * const A = placeholder([4], "float32", "A");
 * const B = compute([4], ([i]) => add(A.at(i), 1), "B");
 * console.assert(B.producer?.name === "B");
 * ```
 */
export function compute(
  shape: readonly ExprLike[],
  fcompute: (indices: Var[]) => ExprLike | Reduce,
  name = "T",
  options: ComputeOptions = {},
): Tensor {
  const axes = shape.map((_, d) => variable(AXIS_NAMES[d] ?? `ax${d}`, "int32"));
  const raw = fcompute(axes);
  const body = typeof raw === "object" && raw.kind === "Reduce" ? raw : toExpr(raw as ExprLike);
  const bodyType = body.kind === "Reduce" ? body.source.dtype : body.dtype;
  const dtype = options.dtype ?? bodyType;
  if (dtype !== bodyType) {
    throw new IRTypeError(
      "DTYPE_MISMATCH",
      `Cannot compute "${name}" of ${dtype} from a body of ${bodyType}`,
      { hint: "cast the body with cast()" },
    );
  }
  const buffer = decl(name, shape, dtype);
  return track(makeTensor(buffer, { name, axes, body, annotations: options.annotations ?? {} }));
}

/** Collect the tensors a tensor depends on, producers first (topological order). */
function topoOrder(outputs: readonly Tensor[], byBuffer: Map<Buffer, Tensor>): Tensor[] {
  const order: Tensor[] = [];
  const state = new Map<Tensor, "visiting" | "done">();
  const go = (t: Tensor) => {
    const s = state.get(t);
    if (s === "done") return;
    if (s === "visiting") {
      throw new IRTypeError("CYCLE", `Cannot build: tensor "${t.name}" depends on itself`);
    }
    state.set(t, "visiting");
    if (t.producer) {
      const body = t.producer.body;
      const roots = body.kind === "Reduce" ? [body.source, body.init] : [body];
      for (const r of roots) {
        visit(r, (n) => {
          if (n.kind === "BufferLoad") {
            const dep = byBuffer.get(n.buffer);
            if (!dep) {
              throw new IRTypeError(
                "UNKNOWN_TENSOR",
                `Cannot build "${t.name}": it reads buffer "${n.buffer.name}", which is no tensor of this function`,
              );
            }
            go(dep);
          }
        });
      }
    }
    state.set(t, "done");
    order.push(t);
  };
  for (const o of outputs) go(o);
  return order;
}

/** Register every tensor reachable from `roots` by buffer. */
function indexTensors(roots: readonly Tensor[]): Map<Buffer, Tensor> {
  const byBuffer = new Map<Buffer, Tensor>();
  const stack = [...roots];
  while (stack.length) {
    const t = stack.pop()!;
    if (byBuffer.has(t.buffer)) continue;
    byBuffer.set(t.buffer, t);
    if (!t.producer) continue;
    const body = t.producer.body;
    for (const r of body.kind === "Reduce" ? [body.source, body.init] : [body]) {
      visit(r, (n) => {
        if (n.kind === "BufferLoad" && !byBuffer.has(n.buffer)) {
          const known = producedTensors.get(n.buffer);
          if (known) stack.push(known);
        }
      });
    }
  }
  return byBuffer;
}

/** Every DSL tensor by buffer, so `createPrimFunc` can find intermediates from their loads. */
const producedTensors = new WeakMap<Buffer, Tensor>();

function track(t: Tensor): Tensor {
  producedTensors.set(t.buffer, t);
  return t;
}

/** Replace variables in an expression (re-folding constants). */
function substituteVars(e: PrimExpr, map: Map<Var, PrimExpr>): PrimExpr {
  return rewrite(e, {
    post: (n) => {
      if (n.kind === "Var") return map.get(n) ?? n;
      if (n.kind === "Binary") return binary(n.op, n.a, n.b);
      return n;
    },
  }) as PrimExpr;
}

/** Read regions of an expression: one point region per distinct access, else the whole buffer. */
export function accessRegions(exprs: readonly PrimExpr[]): BufferRegion[] {
  const accesses = new Map<Buffer, PrimExpr[][]>();
  for (const e of exprs) {
    visit(e, (n) => {
      if (n.kind === "BufferLoad") {
        const list = accesses.get(n.buffer) ?? [];
        list.push([...n.indices]);
        accesses.set(n.buffer, list);
      }
    });
  }
  const out: BufferRegion[] = [];
  for (const [buf, list] of accesses) {
    const first = list[0];
    const same = list.every((idx) => idx.every((x, d) => sameExpr(x, first[d])));
    out.push(
      same
        ? bufferRegion(buf, first.map((x) => range(x, 1)))
        : bufferRegion(buf, buf.shape.map((d) => range(0, d))),
    );
  }
  return out;
}

function sameExpr(a: PrimExpr, b: PrimExpr): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  if (a.kind === "IntImm" && b.kind === "IntImm") return a.value === b.value && a.dtype === b.dtype;
  if (a.kind === "Binary" && b.kind === "Binary") {
    return a.op === b.op && sameExpr(a.a, b.a) && sameExpr(a.b, b.b);
  }
  return false;
}

/** The loop nest and block of one compute. */
function lowerCompute(t: Tensor): Stmt {
  const op = t.producer!;
  const buf = t.buffer;
  const spatial: IterVar[] = op.axes.map((a, d) =>
    iterVar(variable(`v${a.name}`), range(0, buf.shape[d]), "spatial")
  );
  const reduceAxes = op.body.kind === "Reduce" ? op.body.axes : [];
  const reduce: IterVar[] = reduceAxes.map((r) =>
    iterVar(variable(`v${r.name}`), range(r.dom.min, r.dom.extent), "reduce")
  );
  const sub = new Map<Var, PrimExpr>();
  op.axes.forEach((a, d) => sub.set(a, spatial[d].v));
  reduceAxes.forEach((r, d) => sub.set(r, reduce[d].v));
  const outIdx = spatial.map((iv) => iv.v);
  let body: Stmt;
  let init: Stmt | undefined;
  let readExprs: PrimExpr[];
  if (op.body.kind === "Reduce") {
    const src = substituteVars(op.body.source, sub);
    const acc = bufferLoad(buf, outIdx);
    body = bufferStore(buf, combine(op.body.combiner, acc, src), outIdx);
    init = bufferStore(buf, substituteVars(op.body.init, sub), outIdx);
    readExprs = [acc, src];
  } else {
    const value = substituteVars(op.body, sub);
    body = bufferStore(buf, value, outIdx);
    readExprs = [value];
  }
  const blk: Block = block({
    name: op.name,
    iterVars: [...spatial, ...reduce],
    reads: accessRegions(readExprs),
    writes: [bufferRegion(buf, outIdx.map((v) => range(v, 1)))],
    init,
    body,
    annotations: { ...op.annotations },
  });
  // Loops: one per spatial axis, then one per reduce axis (named after the DSL's axes).
  const loopVars = [
    ...op.axes.map((a) => variable(a.name)),
    ...reduceAxes.map((r) => variable(r.name)),
  ];
  let stmt: Stmt = blockRealize(
    loopVars.map((
      lv,
      d,
    ) => (d < spatial.length ? lv : binaryAdd(lv, reduce[d - spatial.length].dom.min))),
    TRUE,
    blk,
  );
  const doms = [...spatial.map((iv) => iv.dom), ...reduce.map((iv) => iv.dom)];
  for (let d = loopVars.length - 1; d >= 0; d--) {
    stmt = forLoop(loopVars[d], 0, doms[d].extent, stmt);
  }
  return stmt;
}

function binaryAdd(a: PrimExpr, b: PrimExpr): PrimExpr {
  return binary("add", a, b);
}

/**
 * Build a `PrimFunc` from the DSL: `args` are the function's parameters (tensors in order, and
 * scalar variables); computed tensors not among them become intermediate buffers of the root
 * block.
 *
 * @example
 * ```ts
 * import { compute, createPrimFunc, placeholder } from "./te.ts";
 * import { mul } from "./expr.ts";
 * const A = placeholder([8], "float32", "A");
 * const B = compute([8], ([i]) => mul(A.at(i), 2), "B");
 * const f = createPrimFunc([A, B], "double");
 * console.assert(f.params.length === 2);
 * ```
 */
export function createPrimFunc(args: readonly (Tensor | Var)[], name = "main"): PrimFunc {
  const tensors = args.filter((a): a is Tensor => "buffer" in a);
  for (const t of tensors) track(t);
  const byBuffer = indexTensors(tensors);
  const paramBuffers = new Set(tensors.map((t) => t.buffer));
  const all = topoOrder(tensors.filter((t) => t.producer), byBuffer);
  for (const t of all) {
    if (!t.producer && !paramBuffers.has(t.buffer)) {
      throw new IRTypeError(
        "MISSING_PARAM",
        `Cannot build "${name}": placeholder "${t.name}" is read but is not a parameter`,
        { hint: `add ${t.name} to the arguments of createPrimFunc` },
      );
    }
  }
  const order = all.filter((t) => t.producer);
  const intermediates = order.filter((t) => !paramBuffers.has(t.buffer)).map((t) => t.buffer);
  const stmts = order.map(lowerCompute);
  if (stmts.length === 0) {
    throw new IRTypeError(
      "NOTHING_TO_COMPUTE",
      `Cannot build "${name}": no argument is a computed tensor`,
    );
  }
  const root = block({ name: "root", body: seq(stmts), allocBuffers: intermediates });
  const params = args.map((a) => ("buffer" in a ? a.buffer : a));
  const ranges = new Map<string, ValueRange>();
  for (const t of tensors) {
    const r = RANGES.get(t.buffer);
    if (r && !t.producer) ranges.set(t.name, r);
  }
  const attrs: Record<string, AnnotationValue> = {};
  if (ranges.size) attrs[VALUE_RANGE_ATTR] = formatValueRanges(ranges);
  return primFunc(name, params, blockRealize([], TRUE, root), attrs);
}
