/**
 * Tensor-level statements and their parts: buffers, ranges, iteration variables, buffer regions,
 * loops, blocks. Immutable plain objects built only through the constructors below.
 *
 * A block is TensorIR's unit of computation: iteration variables (spatial or reduction) bound by a
 * `BlockRealize` to expressions of the enclosing loops, declared read/write regions, an optional
 * `init` for reductions and a body. Loops carry a kind (`serial`, `parallel`, `vectorized`,
 * `unrolled`, `thread`).
 *
 * @module
 */
import { byteSize, type DType, isBool, isInt, parseDType } from "./dtype.ts";
import { IRTypeError } from "./errors.ts";
import { bool, type ExprLike, int, type PrimExpr, toExpr, type Var, variable } from "./expr.ts";

/** A tensor in memory: dtype, symbolic shape, strides (empty = compact row-major), scope. */
export interface Buffer {
  readonly kind: "Buffer";
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly PrimExpr[];
  /** Element strides per dimension; empty means compact row-major. */
  readonly strides: readonly PrimExpr[];
  /** Offset of element 0 in elements from the start of the allocation. */
  readonly elemOffset: PrimExpr;
  /** Memory scope: `global`, `local`, `shared`, or any name a target defines. */
  readonly scope: string;
  /** Alignment of the data pointer in bytes. */
  readonly alignment: number;
}

/** Options for `decl`. */
export interface BufferOptions {
  /** Element strides (default: compact row-major). */
  strides?: readonly ExprLike[];
  /** Element offset (default 0). */
  elemOffset?: ExprLike;
  /** Memory scope (default `global`). */
  scope?: string;
  /** Alignment in bytes (default 64). */
  alignment?: number;
}

/** Default alignment of buffers, in bytes (a cache line). */
export const DEFAULT_ALIGNMENT = 64;

/**
 * Declare a buffer. Shapes may hold symbolic `Var`s.
 *
 * @example
 * ```ts
 * import { decl } from "./stmt.ts";
 * import { variable } from "./expr.ts";
 * const n = variable("n");
 * const A = decl("A", [n, 16], "float32");
 * console.assert(A.shape.length === 2 && A.scope === "global");
 * ```
 */
export function decl(
  name: string,
  shape: readonly ExprLike[],
  dtype: DType = "float32",
  options: BufferOptions = {},
): Buffer {
  parseDType(dtype);
  const s = shape.map((d) => toExpr(d));
  for (const d of s) {
    if (!isInt(d.dtype)) {
      throw new IRTypeError(
        "DTYPE_MISMATCH",
        `Cannot declare buffer "${name}": a shape dimension has dtype ${d.dtype}, need an integer`,
      );
    }
    if (d.kind === "IntImm" && d.value < 0) {
      throw new IRTypeError(
        "BAD_SHAPE",
        `Cannot declare buffer "${name}" with negative dimension ${d.value}`,
      );
    }
  }
  const strides = (options.strides ?? []).map((d) => toExpr(d));
  if (strides.length !== 0 && strides.length !== s.length) {
    throw new IRTypeError(
      "BAD_SHAPE",
      `Cannot declare buffer "${name}": ${strides.length} strides for rank ${s.length}`,
    );
  }
  const alignment = options.alignment ?? DEFAULT_ALIGNMENT;
  if (!(alignment > 0 && (alignment & (alignment - 1)) === 0)) {
    throw new IRTypeError(
      "BAD_ALIGNMENT",
      `Cannot align buffer "${name}" to ${alignment} bytes: need a power of two`,
    );
  }
  return {
    kind: "Buffer",
    name,
    dtype,
    shape: s,
    strides,
    elemOffset: toExpr(options.elemOffset ?? 0),
    scope: options.scope ?? "global",
    alignment,
  };
}

/** Bytes a buffer occupies if all its dims are constants, else undefined. */
export function bufferBytes(b: Buffer): number | undefined {
  let n = byteSize(b.dtype);
  for (const d of b.shape) {
    if (d.kind !== "IntImm") return undefined;
    n *= d.value;
  }
  return n;
}

/** A half-open range `[min, min + extent)`. */
export interface Range {
  readonly kind: "Range";
  readonly min: PrimExpr;
  readonly extent: PrimExpr;
}

/**
 * A range from its min and extent.
 *
 * @example
 * ```ts
 * import { range } from "./stmt.ts";
 * console.assert(range(0, 8).extent.kind === "IntImm");
 * ```
 */
export function range(min: ExprLike, extent: ExprLike): Range {
  return { kind: "Range", min: toExpr(min), extent: toExpr(extent) };
}

/** The kind of a block iteration variable. */
export type IterKind = "spatial" | "reduce";

/** A block iteration variable with its domain. */
export interface IterVar {
  readonly kind: "IterVar";
  readonly v: Var;
  readonly dom: Range;
  readonly iterKind: IterKind;
}

/**
 * A block iteration variable.
 *
 * @example
 * ```ts
 * import { iterVar, range } from "./stmt.ts";
 * import { variable } from "./expr.ts";
 * const k = iterVar(variable("k"), range(0, 16), "reduce");
 * console.assert(k.iterKind === "reduce");
 * ```
 */
export function iterVar(v: Var, dom: Range, iterKind: IterKind): IterVar {
  return { kind: "IterVar", v, dom, iterKind };
}

/** A rectangular region of a buffer. */
export interface BufferRegion {
  readonly kind: "BufferRegion";
  readonly buffer: Buffer;
  readonly region: readonly Range[];
}

/**
 * A buffer region.
 *
 * @example
 * ```ts
 * import { bufferRegion, decl, range } from "./stmt.ts";
 * const A = decl("A", [4, 4]);
 * console.assert(bufferRegion(A, [range(0, 4), range(0, 4)]).region.length === 2);
 * ```
 */
export function bufferRegion(buffer: Buffer, region: readonly Range[]): BufferRegion {
  if (region.length !== buffer.shape.length) {
    throw new IRTypeError(
      "INDEX_RANK",
      `Cannot take a ${region.length}-d region of buffer "${buffer.name}" of rank ${buffer.shape.length}`,
    );
  }
  return { kind: "BufferRegion", buffer, region };
}

/** The whole of a buffer as a region. */
export function fullRegion(buffer: Buffer): BufferRegion {
  return bufferRegion(buffer, buffer.shape.map((d) => range(0, d)));
}

// ---------------------------------------------------------------------------------------------
// Statements

/** `buffer[indices] = value`. */
export interface BufferStore {
  readonly kind: "BufferStore";
  readonly buffer: Buffer;
  readonly value: PrimExpr;
  readonly indices: readonly PrimExpr[];
}

/** Loop kinds. `thread` loops are bound to a hardware thread axis named by `threadTag`. */
export type ForKind = "serial" | "parallel" | "vectorized" | "unrolled" | "thread";

/** Annotation values. */
export type AnnotationValue = string | number | boolean;

/** `for loopVar in [min, min + extent)`. */
export interface For {
  readonly kind: "For";
  readonly loopVar: Var;
  readonly min: PrimExpr;
  readonly extent: PrimExpr;
  readonly forKind: ForKind;
  /** Thread axis for `thread` loops, e.g. `blockIdx.x`; empty otherwise. */
  readonly threadTag: string;
  readonly body: Stmt;
  readonly annotations: Readonly<Record<string, AnnotationValue>>;
}

/** Statements in order. */
export interface SeqStmt {
  readonly kind: "SeqStmt";
  readonly seq: readonly Stmt[];
}

/** `if (cond) then else`. */
export interface IfThenElse {
  readonly kind: "IfThenElse";
  readonly cond: PrimExpr;
  readonly then: Stmt;
  readonly otherwise?: Stmt;
}

/** `let v = value; body`. */
export interface LetStmt {
  readonly kind: "LetStmt";
  readonly v: Var;
  readonly value: PrimExpr;
  readonly body: Stmt;
}

/** Storage for `buffer` (in its scope) that lives for `body`. */
export interface Allocate {
  readonly kind: "Allocate";
  readonly buffer: Buffer;
  readonly body: Stmt;
}

/** A run-time check: fail with `message` unless `cond` holds, then run `body`. */
export interface AssertStmt {
  readonly kind: "AssertStmt";
  readonly cond: PrimExpr;
  readonly message: string;
  readonly body: Stmt;
}

/** Evaluate an expression for its effect (an intrinsic call). */
export interface Evaluate {
  readonly kind: "Evaluate";
  readonly value: PrimExpr;
}

/** A block: iteration variables, declared regions, optional reduction init, and a body. */
export interface Block {
  readonly kind: "Block";
  readonly name: string;
  readonly iterVars: readonly IterVar[];
  readonly reads: readonly BufferRegion[];
  readonly writes: readonly BufferRegion[];
  readonly init?: Stmt;
  readonly body: Stmt;
  readonly allocBuffers: readonly Buffer[];
  readonly annotations: Readonly<Record<string, AnnotationValue>>;
}

/** A block's instance: values for its iteration variables and a predicate. */
export interface BlockRealize {
  readonly kind: "BlockRealize";
  readonly iterValues: readonly PrimExpr[];
  readonly predicate: PrimExpr;
  readonly block: Block;
}

/** Every statement node. */
export type Stmt =
  | BufferStore
  | For
  | SeqStmt
  | IfThenElse
  | LetStmt
  | Allocate
  | AssertStmt
  | Evaluate
  | Block
  | BlockRealize;

/**
 * `buffer[indices] = value`; checks rank and dtype.
 *
 * @example
 * ```ts
 * import { bufferStore, decl } from "./stmt.ts";
 * import { float, variable } from "./expr.ts";
 * const A = decl("A", [4]);
 * console.assert(bufferStore(A, float(0), [variable("i")]).kind === "BufferStore");
 * ```
 */
export function bufferStore(
  buffer: Buffer,
  value: ExprLike,
  indices: readonly ExprLike[],
): BufferStore {
  if (indices.length !== buffer.shape.length) {
    throw new IRTypeError(
      "INDEX_RANK",
      `Cannot store to buffer "${buffer.name}" with ${indices.length} indices: it has rank ${buffer.shape.length}`,
      { path: `buffer "${buffer.name}"` },
    );
  }
  const idx = indices.map((i) => toExpr(i));
  const v = toExpr(value, buffer.dtype);
  const want = buffer.dtype;
  const vElem = v.dtype.replace(/x\d+$/, "");
  if (vElem !== want) {
    throw new IRTypeError(
      "DTYPE_MISMATCH",
      `Cannot store a ${v.dtype} value into buffer "${buffer.name}" of ${buffer.dtype}`,
      { hint: "cast the value to the buffer's dtype" },
    );
  }
  return { kind: "BufferStore", buffer, value: v, indices: idx };
}

/** Options for `forLoop`. */
export interface ForOptions {
  /** Loop kind (default `serial`). */
  kind?: ForKind;
  /** Thread axis for `thread` loops. */
  threadTag?: string;
  /** Annotations. */
  annotations?: Record<string, AnnotationValue>;
}

/**
 * A loop.
 *
 * @example
 * ```ts
 * import { bufferStore, decl, forLoop } from "./stmt.ts";
 * import { float, variable } from "./expr.ts";
 * const A = decl("A", [4]);
 * const i = variable("i");
 * const s = forLoop(i, 0, 4, bufferStore(A, float(0), [i]), { kind: "vectorized" });
 * console.assert(s.forKind === "vectorized");
 * ```
 */
export function forLoop(
  loopVar: Var,
  min: ExprLike,
  extent: ExprLike,
  body: Stmt,
  options: ForOptions = {},
): For {
  const kind = options.kind ?? "serial";
  const tag = options.threadTag ?? "";
  if ((kind === "thread") !== (tag !== "")) {
    throw new IRTypeError(
      "BAD_LOOP",
      `Cannot make loop "${loopVar.name}": a thread tag goes with kind "thread" and only with it`,
    );
  }
  return {
    kind: "For",
    loopVar,
    min: toExpr(min, loopVar.dtype),
    extent: toExpr(extent, loopVar.dtype),
    forKind: kind,
    threadTag: tag,
    body,
    annotations: options.annotations ?? {},
  };
}

/**
 * Statements in order; nested sequences are flattened and a single statement is returned as is.
 *
 * @example
 * ```ts
 * import { evaluate, seq } from "./stmt.ts";
 * import { int } from "./expr.ts";
 * console.assert(seq([evaluate(int(0))]).kind === "Evaluate");
 * ```
 */
export function seq(stmts: readonly Stmt[]): Stmt {
  const flat: Stmt[] = [];
  for (const s of stmts) {
    if (s.kind === "SeqStmt") flat.push(...s.seq);
    else flat.push(s);
  }
  if (flat.length === 1) return flat[0];
  return { kind: "SeqStmt", seq: flat };
}

/**
 * `if (cond) then else otherwise`.
 *
 * @example
 * ```ts
 * import { evaluate, ifThenElse } from "./stmt.ts";
 * import { int, lt, variable } from "./expr.ts";
 * const s = ifThenElse(lt(variable("i"), 4), evaluate(int(0)));
 * console.assert(s.kind === "IfThenElse");
 * ```
 */
export function ifThenElse(cond: ExprLike, then: Stmt, otherwise?: Stmt): IfThenElse {
  const c = toExpr(cond);
  if (!isBool(c.dtype)) {
    throw new IRTypeError("DTYPE_MISMATCH", `Cannot branch on a ${c.dtype} condition: need bool`);
  }
  return otherwise
    ? { kind: "IfThenElse", cond: c, then, otherwise }
    : { kind: "IfThenElse", cond: c, then };
}

/**
 * `let v = value; body`.
 *
 * @example
 * ```ts
 * import { evaluate, letStmt } from "./stmt.ts";
 * import { variable } from "./expr.ts";
 * const v = variable("v");
 * console.assert(letStmt(v, 1, evaluate(v)).kind === "LetStmt");
 * ```
 */
export function letStmt(v: Var, value: ExprLike, body: Stmt): LetStmt {
  const val = toExpr(value, v.dtype);
  if (val.dtype !== v.dtype) {
    throw new IRTypeError(
      "DTYPE_MISMATCH",
      `Cannot bind ${val.dtype} to variable "${v.name}" of ${v.dtype}`,
    );
  }
  return { kind: "LetStmt", v, value: val, body };
}

/**
 * Storage for a buffer during `body`.
 *
 * @example
 * ```ts
 * import { allocate, decl, evaluate } from "./stmt.ts";
 * import { int } from "./expr.ts";
 * console.assert(allocate(decl("T", [4]), evaluate(int(0))).kind === "Allocate");
 * ```
 */
export function allocate(buffer: Buffer, body: Stmt): Allocate {
  return { kind: "Allocate", buffer, body };
}

/**
 * A run-time check.
 *
 * @example
 * ```ts
 * import { assertStmt, evaluate } from "./stmt.ts";
 * import { gt, int, variable } from "./expr.ts";
 * const s = assertStmt(gt(variable("n"), 0), "n must be positive", evaluate(int(0)));
 * console.assert(s.message === "n must be positive");
 * ```
 */
export function assertStmt(cond: ExprLike, message: string, body: Stmt): AssertStmt {
  const c = toExpr(cond);
  if (!isBool(c.dtype)) {
    throw new IRTypeError("DTYPE_MISMATCH", `Cannot assert a ${c.dtype} condition: need bool`);
  }
  return { kind: "AssertStmt", cond: c, message, body };
}

/**
 * Evaluate an expression for its effect.
 *
 * @example
 * ```ts
 * import { evaluate } from "./stmt.ts";
 * import { int } from "./expr.ts";
 * console.assert(evaluate(int(0)).kind === "Evaluate");
 * ```
 */
export function evaluate(value: ExprLike): Evaluate {
  return { kind: "Evaluate", value: toExpr(value) };
}

/** Fields of a block; all but `name` and `body` are optional. */
export interface BlockFields {
  name: string;
  iterVars?: readonly IterVar[];
  reads?: readonly BufferRegion[];
  writes?: readonly BufferRegion[];
  init?: Stmt;
  body: Stmt;
  allocBuffers?: readonly Buffer[];
  annotations?: Record<string, AnnotationValue>;
}

/**
 * A block.
 *
 * @example
 * ```ts
 * import { block, evaluate } from "./stmt.ts";
 * import { int } from "./expr.ts";
 * console.assert(block({ name: "root", body: evaluate(int(0)) }).name === "root");
 * ```
 */
export function block(f: BlockFields): Block {
  const b: Block = {
    kind: "Block",
    name: f.name,
    iterVars: f.iterVars ?? [],
    reads: f.reads ?? [],
    writes: f.writes ?? [],
    body: f.body,
    allocBuffers: f.allocBuffers ?? [],
    annotations: f.annotations ?? {},
  };
  return f.init ? { ...b, init: f.init } : b;
}

/**
 * A block instance; `iterValues` must match the block's iteration variables in number.
 *
 * @example
 * ```ts
 * import { block, blockRealize, evaluate } from "./stmt.ts";
 * import { int } from "./expr.ts";
 * const r = blockRealize([], true, block({ name: "root", body: evaluate(int(0)) }));
 * console.assert(r.kind === "BlockRealize");
 * ```
 */
export function blockRealize(
  iterValues: readonly ExprLike[],
  predicate: ExprLike,
  blk: Block,
): BlockRealize {
  if (iterValues.length !== blk.iterVars.length) {
    throw new IRTypeError(
      "BAD_BLOCK",
      `Cannot realize block "${blk.name}" with ${iterValues.length} values for ${blk.iterVars.length} iteration variables`,
      { path: `block "${blk.name}"` },
    );
  }
  const values = iterValues.map((v, i) => toExpr(v, blk.iterVars[i].v.dtype));
  return { kind: "BlockRealize", iterValues: values, predicate: toExpr(predicate), block: blk };
}

/** A fresh loop variable named `name` (int32). @example `loopVar("i")` */
export function loopVar(name: string): Var {
  return variable(name, "int32");
}

/** The constant `true`, as a block predicate. */
export const TRUE: PrimExpr = bool(true);
/** The constant `0` (int32). */
export const ZERO: PrimExpr = int(0);
