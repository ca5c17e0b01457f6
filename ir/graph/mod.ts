/**
 * The graph level (in the spirit of TVM Relax): functions over tensors whose types carry
 * symbolic shapes, dataflow blocks of SSA bindings, high-level op calls, `callTIR` into the
 * module's tensor-level functions, extern calls by name, tuples and constants. See
 * `docs/graph.md`.
 *
 * ```ts
 * import { GraphBuilder } from "./mod.ts";
 * const b = new GraphBuilder("main");
 * const x = b.input("x", ["n", 4]);
 * b.output(b.softmax(b.relu(x)));
 * const mod = b.finish();
 * console.assert(mod.graphs.has("main"));
 * ```
 *
 * @module
 */
export { GraphError, nodePath, ShapeError } from "./errors.ts";
export {
  asTensor,
  type DimLike,
  type GraphType,
  showDim,
  showType,
  SizeScope,
  type TensorType,
  tensorType,
  type TupleType,
  tupleType,
} from "./types.ts";
export {
  argsOf,
  type Atom,
  type Attrs,
  type AttrValue,
  type Binding,
  binding,
  type BindingBlock,
  bindingBlock,
  bindingsOf,
  type CallExtern,
  type CallTIR,
  type Constant,
  constant,
  type GraphFunc,
  graphFunc,
  type GraphModule,
  graphModule,
  type GraphValue,
  type GraphVar,
  graphVar,
  isPure,
  type MatchShape,
  type OpCall,
  type ShapeCheck,
  type TupleGetItem,
  type TupleValue,
  withGraph,
  withPrimFunc,
} from "./ir.ts";
export { graphOp, graphOpNames, inferOp, type Inferred } from "./graph_ops.ts";
export {
  type ExternOptions,
  GraphBuilder,
  type GraphBuilderOptions,
  type ShapeLike,
  tensorTypeOf,
  type TypeSpec,
} from "./builder.ts";
export { type GraphPrintOptions, printGraphFunc, printGraphModule } from "./print.ts";
export { graphSpanOf, parseGraphFunc, parseGraphModule } from "./parse.ts";
export { graphFirstMismatch, graphStructuralEqual } from "./structural.ts";
export { GRAPH_WORDS, VALUE_FORMS } from "./grammar.ts";
export { type GraphPass, type PassOptions, runPasses } from "./pass.ts";
export {
  FuncTable,
  type KernelShapes,
  kernelShapes,
  legalize,
  LEGALIZED_FROM,
} from "./legalize.ts";
export { foldConstants } from "./fold_constants.ts";
export { eliminateDeadCode } from "./dce.ts";
export { type Backend, type BackendTensor, interpreterBackend, type Runnable } from "./backend.ts";
export { DEFAULT_PASSES, FUSED_PASSES } from "./pipelines.ts";
export { fuse, type FuseStop, fuseWith } from "./fuse.ts";
export { type ExecutorOptions, type ExternFn, GraphExecutor, type KernelTime } from "./executor.ts";
export { bindShape, type DimMismatch, evalDim, type SizeEnv } from "./shape_eval.ts";
export { verifyGraph } from "./verify.ts";
// Placement across targets, partitioning for offload, and numerical bisection.
export {
  COPY_EXTERNS,
  DEVICE_COPY,
  homeOf,
  isCopy,
  type Location,
  locationOf,
  place,
  placementProblems,
  type PlaceOptions,
  TARGET_ATTR,
  targetOf,
} from "./placement.ts";
export { PlacedExecutor, type PlacedExecutorOptions, type PlacedStep } from "./placed_executor.ts";
export {
  type MemoryPlan,
  type MemoryPlanOptions,
  planMemory,
  type PlannedValue,
  type StorageToken,
} from "./memory_plan.ts";
export {
  type MemoryFigures,
  memoryFigures,
  planBytes,
  printMemoryPlan,
  type SizeBinding,
} from "./memory_plan_print.ts";
export { type DimRef, fullWriteCondition, writesEveryElement } from "./full_write.ts";
export {
  chainMatches,
  type GraphPattern,
  matchPattern,
  opChainOf,
  patternProblem,
} from "./pattern.ts";
export {
  formatPlacementReport,
  fuseForTargets,
  offloadPasses,
  type OffloadTarget,
  partition,
  type PartitionOptions,
  partitionPass,
  type PartitionResult,
  type PlacementEntry,
} from "./partition.ts";
export {
  type BisectComparison,
  bisectGraph,
  type BisectOptions,
  type BisectResult,
  type KernelRecord,
  type KernelVerdict,
} from "./bisect.ts";
