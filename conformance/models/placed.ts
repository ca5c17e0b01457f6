/**
 * A model built for a conformance target, with what ran where. A target declaring graph
 * patterns (the npu: dense/matmul/conv2d + `add?` + `relu?`) gets the kernels its patterns
 * accept (`offloadPasses`, `partition` of `ir/graph`), the rest runs on the fallback target
 * (cpu); any other target runs every kernel itself, with the same fused pipeline. One counting
 * run (on the first inputs the model gets) tallies the multiply-accumulates each kernel does at
 * the run's sizes, for the share of the model's MACs offloaded.
 *
 * @module
 */
import type { PrimFunc } from "../../ir/func.ts";
import type { NDArray } from "../../ir/ndarray.ts";
import type { Backend } from "../../ir/graph/backend.ts";
import type { GraphModule } from "../../ir/graph/ir.ts";
import { runPasses } from "../../ir/graph/pass.ts";
import { offloadPasses, partition, type PartitionOptions } from "../../ir/graph/partition.ts";
import type { MemoryPlan } from "../../ir/graph/memory_plan.ts";
import { memoryFigures } from "../../ir/graph/memory_plan_print.ts";
import { bindShape, type SizeEnv } from "../../ir/graph/shape_eval.ts";
import { PlacedExecutor } from "../../ir/graph/placed_executor.ts";
import { targetBackend } from "../../sdk/graph_backend.ts";
import type { Target } from "../../sdk/mod.ts";
import type { BuiltModel } from "../model_cases.ts";
import type { ModelMemory, ModelPlacement, PlacedKernel } from "../result.ts";
import { countWork } from "../work.ts";

/** A model built by `buildPlaced`: also its executor's memory plan (and `memory()` figures). */
export interface PlacedModel extends BuiltModel {
  /** The memory plan of the model's graph function (one pool per target). */
  readonly memoryPlan: () => MemoryPlan;
  /** Storages allocated so far (a run at unchanged sizes adds none). */
  readonly storageAllocations: () => number;
}

/** Options of `buildPlaced`. */
export interface BuildPlacedOptions {
  /** Where kernels no pattern of the target accepts run (default: `cpu` of `targets/cpu`). */
  readonly fallback?: Target;
}

/** MACs per function name and all operations, filled while `on` is true. */
interface Tally {
  on: boolean;
  flops: number;
  readonly macs: Map<string, number>;
}

/** A backend that adds each call's MACs to `tally` while counting is on. */
function counting(inner: Backend, tally: Tally): Backend {
  return {
    ...inner,
    prepare: async (f: PrimFunc) => {
      const run = await inner.prepare(f);
      return (args) => {
        if (tally.on) {
          const w = countWork(f, args as unknown as NDArray[]);
          tally.macs.set(f.name, (tally.macs.get(f.name) ?? 0) + w.macs);
          tally.flops += w.flops;
        }
        return run(args);
      };
    },
  };
}

async function defaultFallback(): Promise<Target> {
  return (await import("../../targets/cpu/mod.ts")).default as Target;
}

/** The placement of one counted run: kernels with their MACs, totals per target, the share. */
function placementOf(
  report: ReturnType<typeof partition>["report"],
  tally: Tally,
  offload: string | undefined,
  fallback: string,
): ModelPlacement {
  const byFunc = new Map<string, PlacedKernel>();
  let copies = 0;
  for (const e of report) {
    if (e.kind === "copy") {
      copies++;
      continue;
    }
    const k = byFunc.get(e.func);
    byFunc.set(e.func, {
      func: e.func,
      target: e.target,
      calls: (k?.calls ?? 0) + 1,
      macs: tally.macs.get(e.func) ?? 0,
      reason: e.reason,
    });
  }
  const kernels = [...byFunc.values()];
  const macsByTarget: Record<string, number> = {};
  for (const k of kernels) macsByTarget[k.target] = (macsByTarget[k.target] ?? 0) + k.macs;
  const total = kernels.reduce((n, k) => n + k.macs, 0);
  const off = offload === undefined ? 0 : macsByTarget[offload] ?? 0;
  return {
    fallback,
    offloadTarget: offload,
    kernels,
    copies,
    flops: tally.flops,
    macsByTarget,
    offloadedMacShare: total > 0 ? off / total : 0,
  };
}

/** The plan's figures at the sizes the inputs bind (undefined if they do not fit its parameters). */
function memoryAt(plan: MemoryPlan, inputs: readonly NDArray[]): ModelMemory | undefined {
  const env: SizeEnv = new Map();
  const params = plan.func.params;
  const bad = params.length !== inputs.length ||
    params.some((p, k) =>
      p.type.kind !== "TensorType" || bindShape(p.type.shape, inputs[k].shape, env) !== undefined
    );
  if (bad) return undefined;
  const { storages, plannedBytes, unplannedBytes } = memoryFigures(plan, env);
  return { storages, plannedBytes, unplannedBytes };
}

/**
 * Build `model` for `target`: partitioned onto it and the fallback when it declares graph
 * patterns, else entirely on it. The first run also counts MACs per kernel (`placement()`).
 *
 * @example
 * ```ts ignore
 * import npu from "../../targets/npu/mod.ts";
 * const built = await buildPlaced(importOnnx(mlpModel()), npu);
 * await built.run([x]);
 * console.log(built.placement?.()?.offloadedMacShare);
 * ```
 */
export async function buildPlaced(
  model: GraphModule,
  target: Target,
  options: BuildPlacedOptions = {},
): Promise<PlacedModel> {
  const offloads = (target.graphPatterns ?? []).length > 0;
  const fallback = offloads ? options.fallback ?? await defaultFallback() : target;
  const opts: PartitionOptions = {
    offload: offloads ? [target] : [],
    fallback: fallback.name,
  };
  const fused = runPasses(model, offloadPasses(opts).slice(0, -1));
  const { module, report } = partition(fused, opts);
  const tally: Tally = { on: false, flops: 0, macs: new Map() };
  const backends: Record<string, Backend> = {
    [fallback.name]: counting(await targetBackend(fallback), tally),
  };
  if (offloads) backends[target.name] = counting(await targetBackend(target), tally);
  const ex = new PlacedExecutor(module, { backends, home: fallback.name });
  let placement: ModelPlacement | undefined;
  let memory: ModelMemory | undefined;
  return {
    run: async (inputs) => {
      if (placement) return await ex.run(inputs);
      memory = memoryAt(ex.memoryPlan(), inputs);
      tally.on = true;
      try {
        const out = await ex.run(inputs);
        placement = placementOf(report, tally, offloads ? target.name : undefined, fallback.name);
        return out;
      } finally {
        tally.on = false;
      }
    },
    placement: () => placement,
    memory: () => memory,
    memoryPlan: () => ex.memoryPlan(),
    storageAllocations: () => ex.storageAllocations(),
  };
}
