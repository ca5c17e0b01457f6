/**
 * `IndexMap`: a function from index variables to index expressions (TVM's `IndexMap`), used by
 * `transformLayout` (buffer layouts) and `transformBlockLayout` (iteration spaces).
 *
 * Built from a TypeScript lambda (`indexMap((i, j) => [floordiv(j, 4), i, floormod(j, 4)])`) or
 * parsed from its printed form (`"(i, j) => [j // 4, i, j %% 4]"`, expressions in script syntax),
 * so traces carry it as text. Inverting goes through `ir/arith`'s `detectIterMap` /
 * `inverseIterMap`: a map is invertible on a shape when it is an injective affine map of
 * fused and split iterators. When it is injective but not onto a box — `i → [i // 4, i %% 4]` on
 * 14 elements reaches 14 of 16 — `nonSurjectiveInverse` gives the padded output shape and the
 * predicate of the points that have no preimage (the padding).
 *
 * @module
 */
import { type Analyzer, detectIterMap, formatExpr, inverseIterMap } from "../ir/arith/mod.ts";
import { isInt } from "../ir/dtype.ts";
import { ScheduleError } from "../ir/errors.ts";
import {
  add,
  bool,
  type ExprLike,
  floordiv,
  ge,
  int,
  lt,
  mul,
  ne,
  or,
  type PrimExpr,
  sub,
  toExpr,
  type Var,
  variable,
} from "../ir/expr.ts";
import { visit } from "../ir/node.ts";
import { type ExprEnv, parseExpr, print } from "../ir/script/mod.ts";
import { substitute } from "../ir/transform/mod.ts";
import { Analyzer as NewAnalyzer } from "../ir/arith/mod.ts";

/** The JSON form of an index map: variable names and indices in script syntax. */
export interface IndexMapJSON {
  /** Names of the input variables. */
  readonly vars: readonly string[];
  /** The output indices, in script syntax over `vars` (and the function's sizes). */
  readonly indices: readonly string[];
  /** Dtype of the variables when not int32. */
  readonly dtype?: string;
}

/** What `nonSurjectiveInverse` finds. */
export interface MapInverse {
  /** The inverse map (from output positions to input indices). */
  readonly inverse: IndexMap;
  /** The shape the map sends the input shape onto (padded where needed). */
  readonly shape: readonly PrimExpr[];
  /** Over the inverse's variables: true at output points no input reaches (`false` if none). */
  readonly padding: PrimExpr;
  /** True when every output point of `shape` is reached exactly once. */
  readonly bijective: boolean;
}

/**
 * A function from index variables to index expressions.
 *
 * @example
 * ```ts
 * import { indexMap } from "./index_map.ts";
 * import { floordiv, floormod, int } from "../ir/expr.ts";
 * const m = indexMap((i, j) => [floordiv(j, 4), i, floormod(j, 4)]);
 * console.assert(m.toString() === "(i, j) => [j // 4, i, j %% 4]");
 * const inv = m.inverse([int(3), int(8)]);
 * console.assert(inv.toString() === "(y0, y1, y2) => [y1, y0 * 4 + y2]");
 * ```
 */
export class IndexMap {
  /** The input variables. */
  readonly vars: readonly Var[];
  /** The output indices, over `vars`. */
  readonly indices: readonly PrimExpr[];

  /** A map from `vars` to `indices` (integer expressions). */
  constructor(vars: readonly Var[], indices: readonly ExprLike[]) {
    this.vars = vars;
    this.indices = indices.map((e) => toExpr(e, vars[0]?.dtype ?? "int32"));
    for (const e of this.indices) {
      if (!isInt(e.dtype)) {
        throw new ScheduleError(
          "SCHEDULE_INDEX_MAP",
          `Cannot make an index map with the ${e.dtype} index ${
            formatExpr(e)
          }: indices are integers`,
        );
      }
    }
  }

  /** Number of inputs. */
  get inputRank(): number {
    return this.vars.length;
  }

  /** Number of outputs. */
  get outputRank(): number {
    return this.indices.length;
  }

  /** The outputs for the given inputs (simplified by `ana` when given). */
  apply(inputs: readonly PrimExpr[], ana?: Analyzer): PrimExpr[] {
    const sub = new Map(this.vars.map((v, k) => [v, inputs[k]]));
    return this.indices.map((e) => {
      const out = substitute(e, sub);
      return ana ? ana.simplify(out) : out;
    });
  }

  /** Printed as a lambda in script syntax: `(i, j) => [j, i]`. */
  toString(): string {
    return `(${this.vars.map((v) => v.name).join(", ")}) => [${
      this.indices.map((e) => print(e)).join(", ")
    }]`;
  }

  /** The JSON form. */
  toJSON(): IndexMapJSON {
    const dtype = this.vars[0]?.dtype;
    return {
      vars: this.vars.map((v) => v.name),
      indices: this.indices.map((e) => print(e)),
      ...(dtype && dtype !== "int32" ? { dtype } : {}),
    };
  }

  /** From the JSON form; `env` supplies other names the indices use (the function's sizes). */
  static fromJSON(json: IndexMapJSON, env: ExprEnv = {}): IndexMap {
    const vars = json.vars.map((n) => variable(n, (json.dtype ?? "int32") as Var["dtype"]));
    const scope = { vars: [...(env.vars ?? []), ...vars], buffers: env.buffers };
    return new IndexMap(vars, json.indices.map((t) => parseExpr(t, scope)));
  }

  /**
   * The map's inverse on `shape` (the ranges `[0, shape[k])` of the inputs); throws
   * `SCHEDULE_INDEX_MAP` unless the map is a bijection onto its output box.
   */
  inverse(shape: readonly PrimExpr[], ana?: Analyzer): IndexMap {
    const r = this.nonSurjectiveInverse(shape, ana);
    if (!r.bijective) {
      throw new ScheduleError(
        "SCHEDULE_INDEX_MAP",
        `Cannot invert index map ${this}: on shape [${
          shape.map(formatExpr).join(", ")
        }] it reaches only part of [${r.shape.map(formatExpr).join(", ")}]`,
        { hint: "use nonSurjectiveInverse, or pad the shape to a multiple of the split factors" },
      );
    }
    return r.inverse;
  }

  /**
   * The inverse of an injective affine map on `shape`, with the output shape and the padding
   * predicate. The output shape is the box of the outputs' ranges; when a split does not divide
   * the input extent, the input extent is first padded up to a multiple of the divisors used on
   * it (TVM's non-surjective inverse). Throws `SCHEDULE_INDEX_MAP` when the map is not an
   * injective affine map (a variable unused, two outputs overlapping, a non-affine use).
   */
  nonSurjectiveInverse(shape: readonly PrimExpr[], ana: Analyzer = new NewAnalyzer()): MapInverse {
    if (shape.length !== this.vars.length) {
      throw new ScheduleError(
        "SCHEDULE_INDEX_MAP",
        `Cannot apply index map ${this} to a shape of rank ${shape.length}: it takes ${this.vars.length} indices`,
      );
    }
    const detect = (extents: readonly PrimExpr[]) =>
      detectIterMap(
        this.indices,
        new Map(this.vars.map((v, k) => [v, { min: int(0, v.dtype), extent: extents[k] }])),
        ana,
      );
    let padded: readonly PrimExpr[] = shape;
    let r = detect(shape);
    if (!r.ok) {
      const reason = r.reason;
      padded = this.vars.map((v, k) => {
        const l = divisorLcm(this.indices, v);
        return l === 1 ? shape[k] : ana.simplify(mul(floordiv(add(shape[k], l - 1), l), l));
      });
      r = padded.every((p, k) => p === shape[k]) ? r : detect(padded);
      if (!r.ok) {
        throw new ScheduleError(
          "SCHEDULE_INDEX_MAP",
          `Cannot invert index map ${this}: it is not an injective affine map (${reason})`,
          { hint: "each output must be a fused or split use of the inputs, every input used once" },
        );
      }
    }
    const sums = r.indices;
    const outShape = sums.map((s) => {
      if (!ana.canProveGreaterEqual(s.base, 0)) {
        throw new ScheduleError(
          "SCHEDULE_INDEX_MAP",
          `Cannot invert index map ${this}: an output may be negative (offset ${
            formatExpr(s.base)
          })`,
        );
      }
      const a = s.args[0];
      return ana.simplify(a ? add(s.base, add(mul(sub(a.extent, 1), a.scale), 1)) : add(s.base, 1));
    });
    const ys = sums.map((_, k) => variable(`y${k}`, this.vars[0]?.dtype ?? "int32"));
    const inv = inverseIterMap(sums, ys, ana);
    const back = this.vars.map((v) => inv.get(v) ?? int(0, v.dtype));
    const inverse = new IndexMap(ys, back);
    const exact = padded.every((p, k) => p === shape[k]) &&
      sums.every((s) => isZero(s.base) && (s.args.length === 0 || isOne(s.args[0].scale)));
    if (exact) return { inverse, shape: outShape, padding: bool(false), bijective: true };
    // a point y has a preimage iff inverse(y) lies in the shape and maps back onto y
    let cond: PrimExpr = bool(false);
    back.forEach((e, k) => {
      cond = or(cond, or(lt(e, 0), ge(e, shape[k])));
    });
    this.apply(back).forEach((e, k) => {
      cond = or(cond, ne(e, ys[k]));
    });
    for (const [k, y] of ys.entries()) ana.bind(y, { min: 0, extent: outShape[k] });
    const padding = ana.simplify(cond);
    const bijective = padding.kind === "IntImm" && padding.value === 0;
    return { inverse, shape: outShape, padding, bijective };
  }

  /** The shape the map sends `shape` onto (padded where a split does not divide). */
  mapShape(shape: readonly PrimExpr[], ana?: Analyzer): PrimExpr[] {
    return [...this.nonSurjectiveInverse(shape, ana).shape];
  }
}

function isZero(e: PrimExpr): boolean {
  return e.kind === "IntImm" && e.value === 0;
}
function isOne(e: PrimExpr): boolean {
  return e.kind === "IntImm" && e.value === 1;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The lcm of the constant divisors of floordiv/floormod whose dividend uses `v`. */
function divisorLcm(indices: readonly PrimExpr[], v: Var): number {
  let l = 1;
  for (const e of indices) {
    visit(e, (n) => {
      if (
        n.kind === "Binary" && (n.op === "floordiv" || n.op === "floormod") &&
        n.b.kind === "IntImm" && n.b.value > 0 && uses(n.a, v)
      ) {
        l = (l * n.b.value) / gcd(l, n.b.value);
      }
    });
  }
  return l;
}

function uses(e: PrimExpr, v: Var): boolean {
  let found = false;
  visit(e, (n) => {
    if (n === v) found = true;
    return !found;
  });
  return found;
}

/** Parameter names of a lambda, when its source shows them (`(i, j) => …`, `i => …`). */
function lambdaNames(fn: (...args: never[]) => unknown): string[] | undefined {
  const src = fn.toString();
  const m = /^\s*(?:function\s*[\w$]*\s*)?\(([^)]*)\)/.exec(src) ??
    /^\s*([A-Za-z_$][\w$]*)\s*=>/.exec(src);
  if (!m) return undefined;
  const names = m[1].split(",").map((s) => s.trim().replace(/[:=].*$/, "").trim()).filter((s) =>
    s !== ""
  );
  return names.every((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) ? names : undefined;
}

/** Options of `indexMap`. */
export interface IndexMapOptions {
  /** Names of the input variables (default: the lambda's parameter names, else `i0, i1, …`). */
  readonly names?: readonly string[];
  /** Number of inputs, for a lambda with a rest parameter. */
  readonly arity?: number;
}

/**
 * An index map from a TypeScript lambda over index variables.
 *
 * @example
 * ```ts
 * import { indexMap } from "./index_map.ts";
 * import { floordiv, floormod } from "../ir/expr.ts";
 * const m = indexMap((i) => [floordiv(i, 4), floormod(i, 4)]);
 * console.assert(m.inputRank === 1 && m.outputRank === 2);
 * ```
 */
export function indexMap(
  fn: (...vars: Var[]) => readonly ExprLike[],
  options: IndexMapOptions = {},
): IndexMap {
  const arity = options.arity ?? options.names?.length ?? fn.length;
  const names = options.names ?? lambdaNames(fn as (...args: never[]) => unknown) ??
    Array.from({ length: arity }, (_, k) => `i${k}`);
  const vars = names.slice(0, arity).map((n) => variable(n));
  return new IndexMap(vars, fn(...vars));
}

/**
 * An index map parsed from its printed form `(i, j) => [j // 4, i, j %% 4]`; `env` supplies
 * other variables the indices may use (symbolic sizes).
 *
 * @example
 * ```ts
 * import { parseIndexMap } from "./index_map.ts";
 * const m = parseIndexMap("(i, j) => [j, i]");
 * console.assert(m.toString() === "(i, j) => [j, i]");
 * ```
 */
export function parseIndexMap(text: string, env: ExprEnv = {}): IndexMap {
  const m = /^\s*\(([^)]*)\)\s*=>\s*\[([\s\S]*)\]\s*$/.exec(text);
  if (!m) {
    throw new ScheduleError(
      "SCHEDULE_INDEX_MAP",
      `Cannot parse index map "${text}": expected "(i, j) => [expr, …]"`,
    );
  }
  const names = m[1].split(",").map((s) => s.trim()).filter((s) => s !== "");
  return IndexMap.fromJSON({ vars: names, indices: splitTopLevel(m[2]) }, env);
}

/** Split a comma-separated list at the top level (not inside parentheses or brackets). */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (c === "," && depth === 0) {
      out.push(text.slice(start, k).trim());
      start = k + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last !== "") out.push(last);
  return out;
}

/** An index map given as an `IndexMap` or its printed text. */
export type IndexMapLike = IndexMap | string;

/** The printed text of an index map given either way. */
export function indexMapText(m: IndexMapLike): string {
  return typeof m === "string" ? m : m.toString();
}
