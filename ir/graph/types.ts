/**
 * Types of graph values: a tensor type carries a dtype and a symbolic shape whose dimensions are
 * `PrimExpr`s over size variables (`ir/expr.ts`), the same variables the tensor level binds from
 * its parameters' shapes — so `[n, 768]` means the same `n` at both levels. A tuple type groups
 * the values a call returns together.
 *
 * @module
 */
import { isInt, parseDType } from "../dtype.ts";
import type { DType } from "../dtype.ts";
import { type ExprLike, type PrimExpr, toExpr, type Var } from "../expr.ts";
import { sizeVar } from "../te.ts";
import { GraphError } from "./errors.ts";

/** The type of a tensor value: dtype and symbolic shape. */
export interface TensorType {
  /** Node kind. */
  readonly kind: "TensorType";
  /** One int32 expression per dimension (constants or expressions of size variables). */
  readonly shape: readonly PrimExpr[];
  /** Element dtype. */
  readonly dtype: DType;
}

/** The type of a tuple value. */
export interface TupleType {
  /** Node kind. */
  readonly kind: "TupleType";
  /** Field types, in order. */
  readonly fields: readonly GraphType[];
}

/** Any graph value's type. */
export type GraphType = TensorType | TupleType;

/**
 * A dimension as written by users: a number, an expression, or the name of a size variable
 * (resolved through a `SizeScope`, so one name is one variable).
 */
export type DimLike = ExprLike | string;

/** Size variables by name: how strings in shapes become one shared `Var` each. */
export class SizeScope {
  private readonly vars = new Map<string, Var>();

  /** The size variable named `name`, made (with `ir/te`'s `sizeVar`) on first use. */
  get(name: string): Var {
    let v = this.vars.get(name);
    if (!v) this.vars.set(name, v = sizeVar(name));
    return v;
  }

  /** Make an existing variable known by its name (a variable the caller made). */
  adopt(v: Var): Var {
    const prev = this.vars.get(v.name);
    if (prev && prev !== v) {
      throw new GraphError(
        "GRAPH_DUPLICATE_NAME",
        `Cannot use size variable "${v.name}": another variable of that name is in use`,
        { hint: "give distinct size variables distinct names" },
      );
    }
    this.vars.set(v.name, v);
    return v;
  }

  /** The variable named `name` if it exists. */
  find(name: string): Var | undefined {
    return this.vars.get(name);
  }

  /** A dimension as an int32 expression (strings become size variables). */
  dim(d: DimLike): PrimExpr {
    if (typeof d === "string") return this.get(d);
    const e = toExpr(d);
    if (e.kind === "Var") this.adopt(e);
    return e;
  }
}

/**
 * A tensor type. Dimensions must be non-negative integer expressions.
 *
 * @example
 * ```ts
 * import { tensorType } from "./types.ts";
 * import { sizeVar } from "../te.ts";
 * const n = sizeVar("n");
 * const t = tensorType([n, 768], "float32");
 * console.assert(t.shape.length === 2 && t.dtype === "float32");
 * ```
 */
export function tensorType(shape: readonly ExprLike[], dtype: DType = "float32"): TensorType {
  try {
    parseDType(dtype);
  } catch {
    throw new GraphError("GRAPH_BAD_TYPE", `Cannot make a tensor type of dtype "${dtype}"`);
  }
  const dims = shape.map((d) => {
    const e = toExpr(d);
    if (!isInt(e.dtype) || (e.kind === "IntImm" && e.value < 0)) {
      throw new GraphError(
        "GRAPH_BAD_TYPE",
        `Cannot make a tensor type with dimension ${showDim(e)}: need a non-negative integer`,
      );
    }
    return e;
  });
  return { kind: "TensorType", shape: dims, dtype };
}

/**
 * A tuple type.
 *
 * @example
 * ```ts
 * import { tensorType, tupleType } from "./types.ts";
 * const t = tupleType([tensorType([2]), tensorType([3], "int32")]);
 * console.assert(t.fields.length === 2);
 * ```
 */
export function tupleType(fields: readonly GraphType[]): TupleType {
  return { kind: "TupleType", fields };
}

/** A dimension for messages: `4`, `n`, `(n * 2)`. */
export function showDim(e: PrimExpr): string {
  switch (e.kind) {
    case "IntImm":
      return String(e.value);
    case "Var":
      return e.name;
    case "Binary":
      return `(${showDim(e.a)} ${BIN[e.op] ?? e.op} ${showDim(e.b)})`;
    case "Cast":
      return showDim(e.value);
    default:
      return e.kind;
  }
}

const BIN: Readonly<Record<string, string>> = {
  add: "+",
  sub: "-",
  mul: "*",
  floordiv: "//",
  floormod: "%%",
  div: "/",
  mod: "%",
};

/**
 * A type for messages: `tensor<float32>[n, 768]`, `(tensor<…>, …)`.
 *
 * @example
 * ```ts
 * import { showType, tensorType } from "./types.ts";
 * console.assert(showType(tensorType([2, 3])) === "tensor<float32>[2, 3]");
 * ```
 */
export function showType(t: GraphType): string {
  if (t.kind === "TupleType") return `(${t.fields.map(showType).join(", ")})`;
  return `tensor<${t.dtype}>[${t.shape.map(showDim).join(", ")}]`;
}

/** The tensor type of `t`, or a `GraphError` naming `what` if it is a tuple. */
export function asTensor(t: GraphType, what: string, path?: string): TensorType {
  if (t.kind === "TensorType") return t;
  throw new GraphError(
    "GRAPH_BAD_ARG",
    `Cannot use ${what}: it is a tuple ${showType(t)}, need a tensor`,
    { path, hint: "take a field with getItem" },
  );
}
