/**
 * Graph patterns: what a target declares it accepts at the graph level (`TargetSpec.graphPatterns`
 * in the SDK), as data. A pattern is a chain of graph op names — the producer first, then the
 * elementwise ops fused into it — where a trailing `?` marks an op that may be absent:
 * `["conv2d", "add?", "relu?"]` accepts `conv2d`, `conv2d+add`, `conv2d+relu` and
 * `conv2d+add+relu`. A kernel's chain is its callee's `legalized_from` attribute (set by
 * `legalize` and `fuse`), so patterns match after fusion.
 *
 * @module
 */
import { type DType, parseDType } from "../dtype.ts";
import type { PrimFunc } from "../func.ts";
import { graphOpNames } from "./graph_ops.ts";
import { LEGALIZED_FROM } from "./legalize.ts";

/** A chain of graph ops a target accepts (see the module doc). */
export interface GraphPattern {
  /** A name for reports, e.g. `"conv2d_bias_relu"`. */
  readonly name: string;
  /** Op names in chain order; `"relu?"` is optional. The first op may not be optional. */
  readonly ops: readonly string[];
  /** Element types the kernel's tensors may have (default: any). */
  readonly dtypes?: readonly DType[];
}

/**
 * Why a pattern is malformed, as `[field, reason]` (the field relative to the pattern), or
 * undefined when it is well-formed. `defineTarget` turns this into a `TargetError`.
 *
 * @example
 * ```ts
 * import { patternProblem } from "./pattern.ts";
 * console.assert(patternProblem({ name: "mm", ops: ["matmul", "add?"] }) === undefined);
 * console.assert(patternProblem({ name: "x", ops: ["frob"] })![0] === "ops[0]");
 * ```
 */
export function patternProblem(p: GraphPattern): readonly [string, string] | undefined {
  if (typeof p !== "object" || p === null) return ["", "must be an object { name, ops, dtypes? }"];
  if (typeof p.name !== "string" || p.name === "") return ["name", "must be a non-empty string"];
  if (!Array.isArray(p.ops) || p.ops.length === 0) return ["ops", "must list at least one op"];
  const known = new Set(graphOpNames());
  for (const [k, op] of p.ops.entries()) {
    if (typeof op !== "string") return [`ops[${k}]`, "must be a graph op name"];
    const bare = op.endsWith("?") ? op.slice(0, -1) : op;
    if (!known.has(bare)) return [`ops[${k}]`, `"${bare}" is not a graph op`];
    if (k === 0 && bare !== op) return ["ops[0]", "the first op may not be optional"];
  }
  if (p.dtypes !== undefined) {
    if (!Array.isArray(p.dtypes)) return ["dtypes", "must be an array of dtypes"];
    for (const [k, d] of p.dtypes.entries()) {
      try {
        parseDType(d);
      } catch {
        return [`dtypes[${k}]`, `"${String(d)}" is not a dtype`];
      }
    }
  }
  return undefined;
}

/** Whether a chain of ops fits `ops` (optional entries may be skipped). */
export function chainMatches(ops: readonly string[], chain: readonly string[]): boolean {
  const go = (i: number, j: number): boolean => {
    if (i === ops.length) return j === chain.length;
    const opt = ops[i].endsWith("?");
    const op = opt ? ops[i].slice(0, -1) : ops[i];
    if (j < chain.length && chain[j] === op && go(i + 1, j + 1)) return true;
    return opt && go(i + 1, j);
  };
  return go(0, 0);
}

/** The op chain a tensor-level function was made from (`legalized_from`), or undefined. */
export function opChainOf(f: PrimFunc): readonly string[] | undefined {
  const from = f.attrs[LEGALIZED_FROM];
  return typeof from === "string" && from !== "" ? from.split("+") : undefined;
}

/**
 * The first pattern a function matches, or undefined: its op chain fits the pattern's ops and
 * every parameter's dtype is one the pattern allows.
 *
 * @example
 * ```ts
 * import { matchPattern } from "./pattern.ts";
 * import { toPrimFunc } from "../ops/func.ts";
 * import { placeholder } from "../te.ts";
 * import { relu } from "../ops/mod.ts";
 * const x = placeholder([4], "float32", "x");
 * const f = { ...toPrimFunc("r", [x], [relu(x)]), attrs: { legalized_from: "relu" } };
 * console.assert(matchPattern([{ name: "act", ops: ["relu"] }], f)?.name === "act");
 * ```
 */
export function matchPattern(
  patterns: readonly GraphPattern[],
  f: PrimFunc,
): GraphPattern | undefined {
  const chain = opChainOf(f);
  if (!chain) return undefined;
  const dtypes = new Set(f.params.flatMap((p) => (p.kind === "Buffer" ? [p.dtype] : [])));
  return patterns.find((p) =>
    chainMatches(p.ops, chain) &&
    (p.dtypes === undefined || [...dtypes].every((d) => p.dtypes!.includes(d as DType)))
  );
}
