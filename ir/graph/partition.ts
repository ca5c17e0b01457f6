/**
 * `partition`: mixing backends. Targets declare the graph patterns they accept
 * (`TargetSpec.graphPatterns`, e.g. the NPU's `conv2d` + `add?` + `relu?`); every `callTIR`
 * whose callee's op chain (`legalized_from`, after `fuse` and `legalize`) matches a pattern of
 * an offload target is placed there, the first such target winning; the rest runs on the
 * fallback target. The placed module (`place`: explicit copies where tensors cross) comes with
 * a placement report saying, per binding, what runs where and why.
 *
 * Fusion is greedy, so it can fuse past what a target accepts (`conv2d+add+relu+exp`):
 * `offloadPasses` fuses with the patterns in view — a chain a pattern accepts stops growing when
 * the next op would leave every pattern — then legalizes and partitions.
 *
 * @module
 */
import { foldConstants } from "./fold_constants.ts";
import { fuseWith } from "./fuse.ts";
import { argsOf, type Atom, bindingsOf, type GraphModule } from "./ir.ts";
import type { GraphPass } from "./pass.ts";
import { chainMatches, type GraphPattern, matchPattern, opChainOf } from "./pattern.ts";
import { DEFAULT_PASSES } from "./pipelines.ts";
import { homeOf, isCopy, place, targetOf } from "./placement.ts";

/** A target as `partition` sees it (an SDK `Target` fits). */
export interface OffloadTarget {
  /** Target name. */
  readonly name: string;
  /** The graph patterns it accepts (none: it takes nothing). */
  readonly graphPatterns?: readonly GraphPattern[];
}

/** Options of `partition`. */
export interface PartitionOptions {
  /** Targets to offload to, in order of preference. */
  readonly offload: readonly OffloadTarget[];
  /** Where everything else runs, and where parameters and results live. */
  readonly fallback: string;
}

/** One line of a placement report. */
export interface PlacementEntry {
  /** The graph function. */
  readonly graph: string;
  /** The binding. */
  readonly binding: string;
  /** `"kernel"` or `"copy"`. */
  readonly kind: "kernel" | "copy";
  /** The callee (kernels) or the copy extern. */
  readonly func: string;
  /** Where it runs (`from->to` for a copy). */
  readonly target: string;
  /** Why. */
  readonly reason: string;
}

/** A partitioned module and its placement report. */
export interface PartitionResult {
  /** The placed module. */
  readonly module: GraphModule;
  /** What runs where, in binding order. */
  readonly report: readonly PlacementEntry[];
}

/**
 * Place each kernel on the first offload target with a matching pattern, else on the fallback
 * (see the module doc). Run it on a legalized module.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { FUSED_PASSES } from "./pipelines.ts";
 * import { runPasses } from "./pass.ts";
 * import { partition } from "./partition.ts";
 * import { randomNDArray } from "../ndarray.ts";
 * const b = new GraphBuilder("main");
 * const x = b.input("x", ["n", 8]);
 * const w = b.constant(randomNDArray("float32", [4, 8]), "w");
 * b.output(b.softmax(b.relu(b.dense(x, w))));
 * const mod = runPasses(b.finish(), FUSED_PASSES);
 * const npu = { name: "npu", graphPatterns: [{ name: "dense", ops: ["dense", "add?", "relu?"] }] };
 * const { report } = partition(mod, { offload: [npu], fallback: "cpu" });
 * console.assert(report.find((e) => e.kind === "kernel")!.target === "npu");
 * ```
 */
export function partition(mod: GraphModule, options: PartitionOptions): PartitionResult {
  const reasons = new Map<string, string>(); // binding name → why
  const placed = place(mod, {
    home: options.fallback,
    assign: (b, f) => {
      const callee = mod.tir.functions.get((b.value as { func: string }).func);
      const chain = callee && opChainOf(callee);
      const key = `${f.name}/${b.v.name}`;
      if (!chain) {
        reasons.set(key, "not made from graph ops (no legalized_from): fallback");
        return undefined;
      }
      for (const t of options.offload) {
        const p = matchPattern(t.graphPatterns ?? [], callee);
        if (p) {
          reasons.set(key, `${chain.join("+")} matches pattern "${p.name}" of ${t.name}`);
          return t.name;
        }
      }
      const names = options.offload.map((t) => t.name).join(", ") || "no offload target";
      reasons.set(key, `${chain.join("+")} matches no pattern of ${names}: fallback`);
      return undefined;
    },
  });
  const report: PlacementEntry[] = [];
  for (const f of placed.graphs.values()) {
    const home = homeOf(f, options.fallback);
    const readers = new Map<Atom, string[]>();
    for (const b of bindingsOf(f)) {
      for (const a of argsOf(b.value)) {
        readers.set(a, [...readers.get(a) ?? [], `"${b.v.name}"`]);
      }
    }
    readers.set(f.output, [...readers.get(f.output) ?? [], "the result"]);
    for (const b of bindingsOf(f)) {
      const v = b.value;
      if (v.kind === "CallTIR") {
        report.push({
          graph: f.name,
          binding: b.v.name,
          kind: "kernel",
          func: v.func,
          target: targetOf(placed.tir.functions.get(v.func), home),
          reason: reasons.get(`${f.name}/${b.v.name}`) ?? "fallback",
        });
      } else if (isCopy(b) && v.kind === "CallExtern") {
        const from = String(v.attrs.from), to = String(v.attrs.to);
        report.push({
          graph: f.name,
          binding: b.v.name,
          kind: "copy",
          func: v.func,
          target: `${from}->${to}`,
          reason: `${(readers.get(b.v) ?? []).join(", ")} on ${to} read${
            (readers.get(b.v) ?? []).length === 1 ? "s" : ""
          } "${v.args[0].name}" from ${from}`,
        });
      }
    }
  }
  return { module: placed, report };
}

/**
 * The report as a table, one line per binding.
 *
 * @example
 * ```ts
 * import { formatPlacementReport } from "./partition.ts";
 * const text = formatPlacementReport([
 *   { graph: "main", binding: "y", kind: "kernel", func: "dense", target: "npu", reason: "r" },
 * ]);
 * console.assert(text.includes("y") && text.includes("npu"));
 * ```
 */
export function formatPlacementReport(report: readonly PlacementEntry[]): string {
  const rows = [
    ["binding", "kind", "func", "target", "reason"],
    ...report.map((e) => [
      e.binding,
      e.kind,
      e.func,
      e.target,
      e.reason,
    ]),
  ];
  const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => r[k].length)));
  return rows.map((r) => r.map((c, k) => c.padEnd(widths[k])).join("  ").trimEnd()).join("\n");
}

/**
 * `partition` as a pass of a pipeline (the report is dropped; call `partition` to keep it).
 *
 * @example
 * ```ts
 * import { partitionPass } from "./partition.ts";
 * console.assert(partitionPass({ offload: [], fallback: "cpu" }).name === "partition");
 * ```
 */
export function partitionPass(options: PartitionOptions): GraphPass {
  return {
    name: "partition",
    summary:
      "place kernels matching an offload target's graph patterns there, the rest on the fallback",
    run: (mod) => partition(mod, options).module,
  };
}

/**
 * `fuse` that keeps chains the targets' patterns accept: a chain some pattern accepts does not
 * grow by an op that no pattern accepts after it (so `conv2d+add+relu` stays offloadable and a
 * following `exp+tanh` fuses on its own).
 *
 * @example
 * ```ts
 * import { fuseForTargets } from "./partition.ts";
 * const npu = { name: "npu", graphPatterns: [{ name: "conv", ops: ["conv2d", "add?", "relu?"] }] };
 * console.assert(fuseForTargets([npu]).name === "fuse");
 * ```
 */
export function fuseForTargets(targets: readonly OffloadTarget[]): GraphPass {
  const patterns = targets.flatMap((t) => t.graphPatterns ?? []);
  const accepted = (ops: readonly string[]) => patterns.some((p) => chainMatches(p.ops, ops));
  return fuseWith((chain, next) => accepted(chain) && !accepted([...chain, next]));
}

/**
 * The whole offload pipeline: fold constants, `fuseForTargets`, legalize, fold constants,
 * remove dead code, `partitionPass`. Use `partition` on its result's input to get the report.
 *
 * @example
 * ```ts
 * import { offloadPasses } from "./partition.ts";
 * const names = offloadPasses({ offload: [], fallback: "cpu" }).map((p) => p.name);
 * console.assert(names.join() === "fold-constants,fuse,legalize,fold-constants,eliminate-dead-code,partition");
 * ```
 */
export function offloadPasses(options: PartitionOptions): GraphPass[] {
  return [
    foldConstants,
    fuseForTargets(options.offload),
    ...DEFAULT_PASSES,
    partitionPass(options),
  ];
}
