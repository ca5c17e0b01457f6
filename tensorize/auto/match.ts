/**
 * `match(func, block, intrinsic)`: does one execution of the block compute exactly what the
 * intrinsic's description computes, on sub-regions of the block's buffers? The answer is a
 * `Mapping` (iterators and operand regions, with strides) or a `Diagnostic` saying why not: the
 * first differing sub-expression (printed as script), or the dimension whose extent is not the
 * intrinsic's (and whether it divides), or the operand precondition (`operandRanges`) the
 * block's buffers are not known to meet (`TENSORIZE_PRECONDITION`, `auto/ranges.ts`). Suggestions of schedule steps are added by
 * `auto/plan.ts`, which checks each on a copy of the schedule.
 *
 * @module
 */
import { TensorizeError } from "../../ir/errors.ts";
import type { PrimExpr, Var } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { print } from "../../ir/script/mod.ts";
import type { Buffer } from "../../ir/stmt.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import { blocksUnder, childBlocks, findBlock } from "../analysis/find.ts";
import { correspond, type Correspondence, type Difference, type OperandMap } from "./correspond.ts";
import { domainEinsum, type Einsum, instanceEinsum, isProblem } from "./einsum.ts";
import { meetingPreconditions, preconditionMessage } from "./ranges.ts";

/** A successful match. */
export interface Mapping {
  /** Always true. */
  readonly ok: true;
  /** The intrinsic matched. */
  readonly intrinsic: Intrinsic;
  /** The block matched. */
  readonly block: string;
  /** Description iteration variable → the block iteration variable it maps to. */
  readonly iters: ReadonlyMap<Var, Var>;
  /** One operand map per buffer parameter of the description, in parameter order. */
  readonly operands: readonly OperandMap[];
}

/** A schedule-step sequence that makes the block match, checked on a copy of the schedule. */
export interface Suggestion {
  /** What the steps achieve. */
  readonly why: string;
  /** The steps as TypeScript statements (trace script form). */
  readonly steps: readonly string[];
}

/** A dimension whose extent is not the intrinsic's. */
export interface DimensionProblem {
  /** The block's iteration variable. */
  readonly iterator: string;
  /** Its extent (printed). */
  readonly extent: string;
  /** The intrinsic's iteration variable it maps to. */
  readonly intrinsicIterator: string;
  /** The intrinsic's extent. */
  readonly intrinsicExtent: string;
  /** Whether the intrinsic's extent divides the block's. */
  readonly divides: boolean;
}

/** Why a block does not match an intrinsic. */
export interface Diagnostic {
  /** Always false. */
  readonly ok: false;
  /** A `TENSORIZE_*` code. */
  readonly code: string;
  /** The intrinsic's name. */
  readonly intrinsic: string;
  /** The block's name. */
  readonly block: string;
  /** The full message: the failed action, what is, what was needed. */
  readonly message: string;
  /** The first differing sub-expression of the block, printed. */
  readonly blockExpr?: string;
  /** The corresponding sub-expression of the description, printed. */
  readonly descriptionExpr?: string;
  /** Dimensions whose extents differ from the intrinsic's. */
  readonly dimensions: readonly DimensionProblem[];
  /** Checked schedule steps that make the block match. */
  readonly suggestions: readonly Suggestion[];
}

/** The description's form, cached per intrinsic. */
const DESC = new WeakMap<Intrinsic, Einsum>();

/**
 * The canonical form of an intrinsic's description: its one leaf block over its iteration
 * domain. A description that is not one such block with every parameter accessed is the
 * vendor's mistake: `TENSORIZE_BAD_DESCRIPTION`.
 */
export function descriptionForm(intrinsic: Intrinsic): Einsum {
  const have = DESC.get(intrinsic);
  if (have) return have;
  const f = intrinsic.description;
  const bad = (why: string) =>
    new TensorizeError(
      "TENSORIZE_BAD_DESCRIPTION",
      `Cannot use intrinsic "${intrinsic.name}": its description ${why}`,
      { path: `intrinsic "${intrinsic.name}" / description` },
    );
  const leaves = blocksUnder(f.body).filter((r) => childBlocks(r.block.body).length === 0);
  if (leaves.length !== 1) throw bad(`has ${leaves.length} leaf blocks, need exactly one`);
  const form = domainEinsum(f, leaves[0].block.name);
  if (isProblem(form)) throw bad(`cannot be matched: ${form.message}`);
  for (const it of form.iters) {
    if (it.extent.kind !== "IntImm") throw bad(`iterates over a symbolic extent`);
  }
  DESC.set(intrinsic, form);
  return form;
}

/** The description's buffer parameters. */
export function operandParams(intrinsic: Intrinsic): Buffer[] {
  return intrinsic.description.params.filter((p): p is Buffer => p.kind === "Buffer");
}

/** A mapping from a correspondence, operands in parameter order. */
export function toMapping(
  intrinsic: Intrinsic,
  block: string,
  c: Correspondence,
): Mapping {
  const operands = operandParams(intrinsic).map((p) => {
    const op = c.operands.get(p);
    if (!op) {
      throw new TensorizeError(
        "TENSORIZE_BAD_DESCRIPTION",
        `Cannot use intrinsic "${intrinsic.name}": its parameter "${p.name}" is never accessed`,
        { path: `intrinsic "${intrinsic.name}" / description` },
      );
    }
    return op;
  });
  const iters = new Map([...c.iters].map(([v, it]) => [v, it.source]));
  return { ok: true, intrinsic, block, iters, operands };
}

/**
 * Match one execution of block `block` of `func` against the intrinsic's description.
 *
 * @example
 * ```ts
 * import { match } from "./match.ts";
 * import { accumulating } from "./describe.ts";
 * import { defineIntrinsic } from "../../sdk/intrinsic.ts";
 * import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../../ir/te.ts";
 * import { mul } from "../../ir/expr.ts";
 * const mm = (n: number) => {
 *   const A = placeholder([n, n], "float32", "A"), B = placeholder([n, n], "float32", "B");
 *   const k = reduceAxis(n, "k");
 *   const C = compute([n, n], ([i, j]) => sum(mul(A.at(i, k), B.at(k, j)), [k]), "C");
 *   return createPrimFunc([A, B, C], "mm");
 * };
 * const gemm4 = defineIntrinsic({
 *   name: "doc_gemm4", description: accumulating(mm(4)), implementation: null,
 *   operandScopes: {}, cost: { cycles: 1 },
 * });
 * // the leaf block of an 8×8×8 matmul is one point: split, reorder and blockize it first
 * const d = match(mm(8), "C", gemm4);
 * console.assert(!d.ok && d.code === "TENSORIZE_NOT_TILED");
 * ```
 */
export function match(func: PrimFunc, block: string, intrinsic: Intrinsic): Mapping | Diagnostic {
  const desc = descriptionForm(intrinsic);
  const loc = findBlock(func, block);
  const fail = (code: string, what: string, extra: Partial<Diagnostic> = {}): Diagnostic => ({
    ok: false,
    code,
    intrinsic: intrinsic.name,
    block,
    message: `Cannot tensorize block "${block}" with intrinsic "${intrinsic.name}": ${what}`,
    dimensions: [],
    suggestions: [],
    ...extra,
  });
  if (!loc) return fail("TENSORIZE_UNSUPPORTED_BLOCK", `there is no block "${block}"`);
  const inst = instanceEinsum(func, block);
  if (isProblem(inst)) return fail(inst.code, inst.message);
  // with preconditions, every exact correspondence (e.g. the transposed product) is a candidate
  const limit = intrinsic.operandRanges ? 32 : 1;
  const exact = correspond(inst, desc, { exact: true, limit });
  if (exact.ok) {
    const met = meetingPreconditions(func, intrinsic, exact.found);
    if (met.ok.length) return toMapping(intrinsic, block, met.ok[0]);
    return fail("TENSORIZE_PRECONDITION", preconditionMessage(met.unmet!));
  }
  if (inst.init && !desc.init && correspond(inst, desc, { exact: true, ignoreInit: true }).ok) {
    return fail(
      "TENSORIZE_INIT_MISMATCH",
      "its inner block initialises its output, while the intrinsic accumulates onto it; decomposeReduction the block before blockizing its tile",
    );
  }
  const leaf = childBlocks(loc.block.body).length === 0;
  const form = leaf ? domainEinsum(func, block) : inst;
  if (isProblem(form)) return fail(form.code, form.message);
  const pattern = correspond(form, desc, { limit: 32, ignoreInit: true });
  if (!pattern.ok) return differs(fail, pattern.difference);
  const best = bestCorrespondence(pattern.found, form, desc);
  const dims = dimensionProblems(best, form, desc);
  if (dims.some((d) => !d.divides)) {
    const d = dims.find((x) => !x.divides)!;
    return fail(
      "TENSORIZE_NOT_DIVISIBLE",
      `its iterator "${d.iterator}" has extent ${d.extent}, which the intrinsic's extent ${d.intrinsicExtent} (of "${d.intrinsicIterator}") does not divide`,
      { dimensions: dims },
    );
  }
  if (leaf) {
    return fail(
      "TENSORIZE_NOT_TILED",
      `it computes one point per execution; the intrinsic computes a tile of ${
        desc.iters.map((it) => print(it.extent)).join("×")
      } (${dims.map((d) => `"${d.iterator}" ${d.extent} → ${d.intrinsicExtent}`).join(", ")})`,
      { dimensions: dims },
    );
  }
  const spare = exactDifference(inst, desc);
  return fail(
    "TENSORIZE_EXTENT_MISMATCH",
    dims.length
      ? `its tile is not the intrinsic's: ${
        dims.map((d) =>
          `"${d.iterator}" has extent ${d.extent}, the intrinsic's "${d.intrinsicIterator}" ${d.intrinsicExtent}`
        )
          .join("; ")
      }`
      : spare,
    { dimensions: dims },
  );
}

function differs(
  fail: (code: string, what: string, extra?: Partial<Diagnostic>) => Diagnostic,
  d: Difference,
): Diagnostic {
  const blockExpr = d.block && print(d.block);
  const descriptionExpr = d.description && print(d.description);
  const where = blockExpr !== undefined
    ? `the computations differ at \`${blockExpr}\` (the intrinsic has \`${descriptionExpr}\`): ${d.reason}`
    : d.reason;
  return fail("TENSORIZE_MISMATCH", where, { blockExpr, descriptionExpr });
}

function exactDifference(inst: Einsum, desc: Einsum): string {
  const r = correspond(inst, desc, { exact: true });
  return r.ok ? "it matches" : r.difference.reason;
}

function extentOf(desc: Einsum, v: Var): PrimExpr {
  return desc.iters.find((it) => it.v === v)!.extent;
}

/** Extents of mapped iterators that differ from the intrinsic's. */
export function dimensionProblems(
  c: Correspondence,
  form: Einsum,
  desc: Einsum,
): DimensionProblem[] {
  const out: DimensionProblem[] = [];
  for (const [dv, it] of c.iters) {
    const want = extentOf(desc, dv);
    if (form.ana.canProveEqual(it.extent, want)) continue;
    const e = it.extent;
    out.push({
      iterator: it.source.name,
      extent: print(e),
      intrinsicIterator: dv.name,
      intrinsicExtent: print(want),
      divides: e.kind === "IntImm" && want.kind === "IntImm" && e.value % want.value === 0,
    });
  }
  return out;
}

/**
 * Of several correspondences, the one needing the least padding (constant extents), then the
 * least `penalty` (a count of worse traits, e.g. operands that cannot be packed), then the first
 * found.
 */
export function bestCorrespondence(
  found: readonly Correspondence[],
  form: Einsum,
  desc: Einsum,
  penalty: (c: Correspondence) => number = () => 0,
): Correspondence {
  let best = found[0], bestCost = Infinity;
  for (const c of found) {
    let cost = 0;
    for (const [dv, it] of c.iters) {
      const want = extentOf(desc, dv);
      if (it.extent.kind !== "IntImm" || want.kind !== "IntImm") {
        cost += form.ana.canProveEqual(it.extent, want) ? 0 : 1e9;
        continue;
      }
      const padded = Math.ceil(it.extent.value / want.value) * want.value;
      cost += (padded - it.extent.value) / padded;
    }
    cost += penalty(c) * 1e-6;
    if (cost < bestCost) {
      best = c;
      bestCost = cost;
    }
  }
  return best;
}

/** A `TensorizeError` carrying a diagnostic (its suggestions in the hint). */
export function diagnosticError(d: Diagnostic, path: string): TensorizeError {
  const hint = d.suggestions.length
    ? `these steps make it match (checked):\n${
      d.suggestions.map((s) => `  // ${s.why}\n${s.steps.map((x) => `  ${x}`).join("\n")}`)
        .join("\n")
    }`
    : undefined;
  const err = new TensorizeError(d.code, d.message, { path, hint });
  return Object.assign(err, { diagnostic: d });
}
