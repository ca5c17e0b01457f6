/**
 * The `models` suite: whole models checked end to end on a target. A model case builds the model
 * for the target (compiled?), runs it on inputs (correct against oracle outputs?), and is timed
 * (fast?). The built-in models are the modules of `BUILTIN_MODEL_MODULES` (each exporting
 * `modelCases`: the ONNX models of `conformance/models/`), imported only when a run asks for the
 * models suite; code may also `registerModelCase`, and a user's case file may export `modelCases`.
 * With none at all, `--suite models` says so and exits 2.
 *
 * @module
 */
import type { DType } from "../ir/dtype.ts";
import type { NDArray } from "../ir/ndarray.ts";
import type { Target } from "../sdk/mod.ts";
import type { ModelMemory, ModelPlacement } from "./result.ts";

/** A built model: run it on inputs, get its outputs. */
export type ModelRunner = (inputs: readonly NDArray[]) => Promise<NDArray[]>;

/** A built model that can say what ran where (after its first run). */
export interface BuiltModel {
  /** Run the model. */
  readonly run: ModelRunner;
  /** Which kernels ran on which target in the first run (undefined before it). */
  readonly placement?: () => ModelPlacement | undefined;
  /** The memory plan's figures at the sizes of the first run (undefined before it). */
  readonly memory?: () => ModelMemory | undefined;
}

/** One model to check on a target. */
export interface ModelCase {
  /** Stable id, e.g. `mlp/float32/batch=4`; used by `--filter` and in reports. */
  readonly id: string;
  /** The model's name, e.g. `mlp` (the report's `op` column). */
  readonly model: string;
  /** The dtype the case is about. */
  readonly dtype: DType;
  /** Build (compile) the model for a target; a thrown error is the compile verdict. */
  readonly build: (target: Target) => Promise<ModelRunner | BuiltModel>;
  /** Inputs, deterministic for a seed. */
  readonly inputs: (seed: number) => NDArray[];
  /** The outputs the model must produce on those inputs (the reference interpreter, a file …). */
  readonly oracle: (inputs: readonly NDArray[]) => NDArray[] | Promise<NDArray[]>;
  /** Operations of one run, for GFLOP/s (optional). */
  readonly flops?: number;
  /** What is special about the case. */
  readonly note?: string;
}

/** Modules whose `modelCases` export is part of the built-in catalogue. */
export const BUILTIN_MODEL_MODULES: readonly string[] = [
  new URL("./models/cases.ts", import.meta.url).href,
];

/** Model cases registered so far (by the graph layer, or `registerModelCase`). */
const REGISTERED: ModelCase[] = [];

/**
 * Register a model case (the graph layer calls this for each model it can build).
 *
 * @example
 * ```ts ignore
 * registerModelCase({ id: "mlp/float32/4", model: "mlp", dtype: "float32", build, inputs, oracle });
 * ```
 */
export function registerModelCase(c: ModelCase): void {
  REGISTERED.push(c);
}

/**
 * The model cases available: none until the graph layer registers some.
 *
 * @example
 * ```ts
 * import { modelCases } from "./model_cases.ts";
 * console.assert(Array.isArray(modelCases()));
 * ```
 */
export function modelCases(): ModelCase[] {
  return [...REGISTERED];
}

/**
 * The built-in model cases: those of `BUILTIN_MODEL_MODULES`, then the registered ones.
 *
 * @example
 * ```ts ignore
 * const cases = await builtinModelCases();
 * ```
 */
export async function builtinModelCases(): Promise<ModelCase[]> {
  const out: ModelCase[] = [];
  for (const url of BUILTIN_MODEL_MODULES) {
    const mod = await import(url) as { modelCases?: unknown };
    if (Array.isArray(mod.modelCases)) out.push(...mod.modelCases as ModelCase[]);
  }
  return [...out, ...modelCases()];
}
