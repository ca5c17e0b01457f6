/**
 * The tensorization plan for a leaf block, all through schedule primitives (so it is traced and
 * replays): given the pattern correspondence of the block's whole domain with the intrinsic's
 * description (`correspond` without `exact`),
 *
 * 1. `padEinsum` the mapped iterators whose extents the intrinsic's do not divide;
 * 2. `split` each mapped loop by the intrinsic's extent;
 * 3. `reorder`: the other loops outside (spatial, then reduction), the tile loops innermost in
 *    the description's order;
 * 4. stage operands into the intrinsic's `operandScopes`: `cacheWrite` + `reverseComputeAt`
 *    under the last outer spatial loop for the output, `cacheRead` + `computeAt` under the last
 *    outer loop for inputs;
 * 5. `decomposeReduction` when the block initialises its output and the intrinsic accumulates;
 * 6. pack the operands the intrinsic names a tile layout for (`operandLayouts`, `auto/pack.ts`):
 *    `cacheRead` + `transformLayout` at the root, tile-major;
 * 7. `blockize` the tile loops and `tensorize`.
 *
 * Of several correspondences, the plan takes — among those whose operands meet the intrinsic's
 * preconditions (`operandRanges`, `auto/ranges.ts`; none: `TENSORIZE_PRECONDITION`) — the one
 * needing the least padding, then the one whose laid-out operands can all be packed.
 *
 * The same plan run on a copy of the schedule is how suggestions are checked: a diagnostic only
 * suggests steps that were applied and ended in a successful match.
 *
 * @module
 */
import { TesseraError } from "../../ir/errors.ts";
import type { Var } from "../../ir/expr.ts";
import type { Buffer } from "../../ir/stmt.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import { childBlocks, findBlock } from "../analysis/find.ts";
import type { BlockRV, LoopRV } from "../rv.ts";
import type { Schedule } from "../schedule.ts";
import { Trace } from "../trace.ts";
import "../primitives/get.ts";
import "../primitives/split.ts";
import "../primitives/reorder.ts";
import "../primitives/block_primitives.ts";
import { setTensorizeSuggester } from "../primitives/tensorize.ts";
import { correspond, type Correspondence } from "./correspond.ts";
import { domainEinsum, type Einsum, isProblem } from "./einsum.ts";
import {
  bestCorrespondence,
  descriptionForm,
  type Diagnostic,
  diagnosticError,
  match,
  operandParams,
  type Suggestion,
} from "./match.ts";
import { resolveIntrinsic } from "./registry.ts";
import { applyPack, packPlan, unpackable } from "./pack.ts";
import { meetingPreconditions, preconditionMessage } from "./ranges.ts";

/** Options of the plan. */
export interface PlanOptions {
  /** Stage operands into the intrinsic's operand scopes (default true). */
  readonly stage?: boolean;
}

/** A plan that could not be applied: the reason, as a diagnostic. */
function planFailure(
  block: string,
  intrinsic: Intrinsic,
  code: string,
  what: string,
): Diagnostic {
  return {
    ok: false,
    code,
    intrinsic: intrinsic.name,
    block,
    message: `Cannot tensorize block "${block}" with intrinsic "${intrinsic.name}": ${what}`,
    dimensions: [],
    suggestions: [],
  };
}

function writtenParams(intrinsic: Intrinsic): Set<Buffer> {
  const form = descriptionForm(intrinsic);
  return new Set([form.store.buffer]);
}

/**
 * Apply the plan to `sch` (mutating it); returns undefined on success (the block is then
 * tensorized) or a diagnostic. Run it on `sch.copy()` to try without changing anything.
 */
export function applyPlan(
  sch: Schedule,
  blockRV: BlockRV,
  intrinsic: Intrinsic,
  options: PlanOptions = {},
): Diagnostic | undefined {
  const name = sch.get(blockRV).name;
  const fail = (code: string, what: string) => planFailure(name, intrinsic, code, what);
  const desc = descriptionForm(intrinsic);
  const loc0 = findBlock(sch.func, name)!;
  if (childBlocks(loc0.block.body).length) {
    return fail("TENSORIZE_UNSUPPORTED_BLOCK", "planning needs a leaf block");
  }
  const form = domainEinsum(sch.func, name);
  if (isProblem(form)) return fail(form.code, form.message);
  const pattern = correspond(form, desc, { limit: 32, ignoreInit: true });
  if (!pattern.ok) {
    const m = match(sch.func, name, intrinsic);
    return m.ok ? fail("TENSORIZE_MISMATCH", "no pattern") : m;
  }
  // only correspondences whose operands meet the intrinsic's preconditions (`auto/ranges.ts`)
  const met = meetingPreconditions(sch.func, intrinsic, pattern.found);
  if (!met.ok.length) return fail("TENSORIZE_PRECONDITION", preconditionMessage(met.unmet!));
  const best = bestCorrespondence(met.ok, form, desc, (c) => unpackable(intrinsic, desc, c));
  try {
    return planSteps(sch, blockRV, intrinsic, form, desc, best, options, fail);
  } catch (e) {
    if (e instanceof TesseraError) return fail(e.code, `a planned step failed: ${e.message}`);
    throw e;
  }
}

function planSteps(
  sch: Schedule,
  blockRV: BlockRV,
  intrinsic: Intrinsic,
  form: Einsum,
  desc: Einsum,
  pattern: Correspondence,
  options: PlanOptions,
  fail: (code: string, what: string) => Diagnostic,
): Diagnostic | undefined {
  const name = form.leaf.name;
  let best = pattern;
  // desc iterator → (block iteration variable, intrinsic extent)
  const wanted = desc.iters.map((d) => {
    const it = best.iters.get(d.v)!;
    return { source: it.source, extent: (d.extent as { value: number }).value, kind: d.kind };
  });
  for (const w of wanted) {
    const iv = form.leaf.iterVars.find((x) => x.v === w.source)!;
    if (iv.dom.extent.kind !== "IntImm") {
      return fail(
        "TENSORIZE_NOT_DIVISIBLE",
        `iterator "${w.source.name}" has a symbolic extent; padding it to a multiple of ${w.extent} needs a constant`,
      );
    }
  }
  if (desc.init && wanted.some((w) => w.kind === "reduce" && extentOf(form, w.source) > w.extent)) {
    return fail(
      "TENSORIZE_EXTENT_MISMATCH",
      "the intrinsic initialises its output, so its reduction must cover the block's whole reduction",
    );
  }
  // 1. pad
  const padding = form.leaf.iterVars.map((iv) => {
    const w = wanted.find((x) => x.source === iv.v);
    const e = (iv.dom.extent as { value: number }).value;
    return w && e % w.extent !== 0 ? w.extent : 1;
  });
  if (padding.some((p) => p > 1)) {
    sch.padEinsum(blockRV, padding);
    // the block now reads and writes padded copies: match again for their operand maps
    const padded = domainEinsum(sch.func, name);
    const again = isProblem(padded) ? undefined : correspond(padded, desc, {
      limit: 32,
      ignoreInit: true,
    });
    if (!again?.ok) return fail("TENSORIZE_MISMATCH", "the padded block no longer matches");
    const metPadded = meetingPreconditions(sch.func, intrinsic, again.found);
    if (!metPadded.ok.length) {
      return fail("TENSORIZE_PRECONDITION", preconditionMessage(metPadded.unmet!));
    }
    best = bestCorrespondence(
      metPadded.ok,
      padded as Einsum,
      desc,
      (c) => unpackable(intrinsic, desc, c),
    );
  }
  // loops binding the mapped variables
  const loops = sch.getLoops(blockRV);
  const loopOfVar = new Map<Var, LoopRV>(loops.map((l) => [sch.get(l).loopVar, l]));
  const loc = findBlock(sch.func, name)!;
  const tile: LoopRV[] = [];
  const replaced = new Map<LoopRV, LoopRV[]>();
  for (const w of wanted) {
    const k = loc.block.iterVars.findIndex((iv) => iv.v === w.source);
    const value = loc.realize.iterValues[k];
    const loop = value.kind === "Var" ? loopOfVar.get(value) : undefined;
    if (!loop) {
      return fail(
        "TENSORIZE_UNSUPPORTED_BLOCK",
        `iterator "${w.source.name}" is not bound to one loop of its own (already scheduled?)`,
      );
    }
    const extent = sch.get(loop).extent;
    if (extent.kind === "IntImm" && extent.value > w.extent) {
      const [outer, inner] = sch.split(loop, [undefined, w.extent]);
      replaced.set(loop, [outer]);
      tile.push(inner);
    } else {
      replaced.set(loop, []);
      tile.push(loop);
    }
  }
  // 3. reorder: outer spatial, outer reduction, then the tile
  const outer = loops.flatMap((l) => replaced.get(l) ?? [l]);
  const kindOf = (l: LoopRV) => loopKind(sch, name, sch.get(l).loopVar);
  const outerSpatial = outer.filter((l) => kindOf(l) !== "reduce");
  const outerReduce = outer.filter((l) => kindOf(l) === "reduce");
  const order = [...outerSpatial, ...outerReduce, ...tile];
  if (order.length > 1) sch.reorder(...order);
  // 4. stage, 5. decompose
  const stage = options.stage ?? true;
  const params = operandParams(intrinsic);
  const written = writtenParams(intrinsic);
  const scopeOf = (p: Buffer) => intrinsic.operandScopes[p.name] ?? "global";
  const lastSpatial = outerSpatial[outerSpatial.length - 1];
  const lastOuter = [...outerSpatial, ...outerReduce].pop();
  if (stage) {
    for (const p of params.filter((p) => written.has(p))) {
      const op = best.operands.get(p)!;
      if (scopeOf(p) === op.buffer.scope) continue;
      const k = sch.get(blockRV).writes.findIndex((w) => w.buffer === op.buffer);
      const back = sch.cacheWrite(blockRV, k, scopeOf(p));
      if (lastSpatial) sch.reverseComputeAt(back, lastSpatial);
    }
  }
  if (form.init && !desc.init) {
    sch.decomposeReduction(blockRV, [...outerReduce, ...tile][0]);
  }
  // buffers already copied (staged or packed): a second copy would find no read of them left
  const done = new Set<Buffer>();
  if (stage) {
    for (const p of params.filter((p) => !written.has(p))) {
      const op = best.operands.get(p)!;
      if (scopeOf(p) === op.buffer.scope || done.has(op.buffer)) continue;
      done.add(op.buffer);
      const k = sch.get(blockRV).reads.findIndex((r) => r.buffer === op.buffer);
      const cache = sch.cacheRead(blockRV, k, scopeOf(p));
      if (lastOuter) sch.computeAt(cache, lastOuter);
    }
  }
  // 6. pack (operands staged into another scope are left as staged)
  for (const p of params.filter((p) => !written.has(p))) {
    const plan = packPlan(intrinsic, desc, best, p);
    if (!plan || done.has(plan.buffer)) continue;
    done.add(plan.buffer);
    applyPack(sch, blockRV, plan, scopeOf(p));
  }
  // 7. blockize and tensorize
  const outerBlock = sch.blockize(tile[0]);
  sch.tensorize(outerBlock, intrinsic);
  return undefined;
}

function extentOf(form: Einsum, v: Var): number {
  const iv = form.leaf.iterVars.find((x) => x.v === v)!;
  return iv.dom.extent.kind === "IntImm" ? iv.dom.extent.value : Infinity;
}

/** "reduce" when the loop drives only reduction variables of the block, else "spatial". */
function loopKind(sch: Schedule, block: string, v: Var): "spatial" | "reduce" {
  const loc = findBlock(sch.func, block)!;
  let spatial = false, reduce = false;
  loc.block.iterVars.forEach((iv, k) => {
    let uses = false;
    const value = loc.realize.iterValues[k];
    const stack = [value];
    while (stack.length) {
      const e = stack.pop()!;
      if (e === v) uses = true;
      if (e.kind === "Binary") stack.push(e.a, e.b);
    }
    if (uses) iv.iterKind === "reduce" ? (reduce = true) : (spatial = true);
  });
  return reduce && !spatial ? "reduce" : "spatial";
}

/**
 * Checked suggestions for tensorizing leaf block `block` with `intrinsic`: the plan applied to a
 * copy of the schedule, which ended in a successful tensorize. Empty when the plan fails.
 */
export function suggest(
  sch: Schedule,
  block: BlockRV,
  intrinsic: Intrinsic,
  options: PlanOptions = {},
): Suggestion[] {
  const copy = sch.copy();
  const start = copy.trace.length;
  if (applyPlan(copy, block, intrinsic, options)) return [];
  const steps = new Trace(copy.trace.instructions.slice(start)).toScript().split("\n");
  const names = [...new Set(steps.map((s) => /sch\.(\w+)\(/.exec(s)?.[1]).filter(Boolean))];
  return [{ why: `${names.join(", ")} (applied to a copy of the schedule, then matched)`, steps }];
}

/**
 * `match` for a block of a schedule, with checked suggestions when it fails.
 *
 * @example
 * ```ts ignore
 * const d = diagnose(sch, sch.getBlock("C"), gemm4);
 * if (!d.ok) console.log(d.message, d.suggestions);
 * ```
 */
export function diagnose(
  sch: Schedule,
  block: BlockRV,
  intrinsic: string | Intrinsic,
  options: PlanOptions = {},
): ReturnType<typeof match> {
  const intrin = resolveIntrinsic(intrinsic);
  const name = sch.get(block).name;
  const m = match(sch.func, name, intrin);
  if (m.ok || m.code === "TENSORIZE_MISMATCH") return m;
  return { ...m, suggestions: suggest(sch, block, intrin, options) };
}

setTensorizeSuggester((sch, block, intrinsic) => {
  const d = diagnose(sch, block, intrinsic);
  return d.ok ? undefined : diagnosticError(d, `func "${sch.funcName}" / block "${d.block}"`);
});
