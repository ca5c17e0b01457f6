/**
 * Analysis helpers shared by schedule primitives: finding blocks and loops, the loop nest above
 * a block, blocks under a statement, binding simplification and predicates.
 *
 * @module
 */
export {
  type BlockLocation,
  blockNamesOf,
  blocksUnder,
  blocksUnderWithLoops,
  childBlocks,
  findBlock,
  findLoop,
  type LoopLocation,
  loopsAbove,
  loopVarsOf,
  replaceStmt,
  walkStmts,
} from "./find.ts";
export { addPredicate, analyzerFor, simplifyBindings } from "./bindings.ts";
export { bindingProblem, iterKindsOf, usesVar } from "./affine.ts";
export {
  accessRegions,
  consumersOf,
  producersOf,
  unionRegions,
  withAccessRegions,
} from "./regions.ts";
export { type Interval, relaxExpr, relaxRegion } from "../../ir/transform/relax.ts";
