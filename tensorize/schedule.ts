/**
 * The `Schedule`: a module being scheduled, the function being worked on, the random variables
 * handed out, a seeded generator and the trace of applied instructions.
 *
 * IR stays immutable: a primitive computes a new function and `apply` swaps it in only when the
 * primitive succeeded — on a `ScheduleError` the whole state (module, variables, generator, trace)
 * is restored, so a failed primitive changes nothing. Primitives attach their methods to this
 * class from their own files (see `tensorize/README.md`).
 *
 * @module
 */
import { InternalError } from "../ir/errors.ts";
import type { PrimExpr, Var } from "../ir/expr.ts";
import {
  type IRModule,
  irModule,
  markScheduled,
  type PrimFunc,
  sizeVars,
  withFunction,
} from "../ir/func.ts";
import { parseExpr, printFunc } from "../ir/script/mod.ts";
import type { Block, For } from "../ir/stmt.ts";
import { type ErrorPlace, scheduleError } from "./errors.ts";
import type { ScheduleError } from "../ir/errors.ts";
import {
  type BlockLocation,
  blockNamesOf,
  findBlock,
  findLoop,
  type LoopLocation,
  loopVarsOf,
} from "./analysis/find.ts";
import {
  type InstrInput,
  type InstructionKind,
  isExprText,
  type Json,
  literal,
  registerInstruction,
  scriptCall,
} from "./instruction.ts";
import { Rng } from "./rng.ts";
import { type BlockRV, type ExprRV, type LoopRV, type RV, rvName } from "./rv.ts";
import { Trace } from "./trace.ts";
import type { ContractFmaMethods } from "./default/contract_fma.ts";
import type { AnnotateMethods } from "./primitives/annotate.ts";
import type { BlockizeMethods } from "./primitives/blockize.ts";
import type { CacheReadWriteMethods } from "./primitives/cache_read_write.ts";
import type { ComputeAtMethods } from "./primitives/compute_at.ts";
import type { ComputeInlineMethods } from "./primitives/compute_inline.ts";
import type { DecomposeReductionMethods } from "./primitives/decompose_reduction.ts";
import type { ForKindMethods } from "./primitives/for_kind.ts";
import type { FuseMethods } from "./primitives/fuse.ts";
import type { GetMethods } from "./primitives/get.ts";
import type { PadEinsumMethods } from "./primitives/pad_einsum.ts";
import type { ReorderMethods } from "./primitives/reorder.ts";
import type { RfactorMethods } from "./primitives/rfactor.ts";
import type { SamplingMethods } from "./primitives/sampling.ts";
import type { SetScopeMethods } from "./primitives/set_scope.ts";
import type { SplitMethods } from "./primitives/split.ts";
import type { StorageAlignMethods } from "./primitives/storage_align.ts";
import type { TensorizeMethods } from "./primitives/tensorize.ts";
import type { TransformBlockLayoutMethods } from "./primitives/transform_block_layout.ts";
import type { TransformLayoutMethods } from "./primitives/transform_layout.ts";

/** Options of a schedule. */
export interface ScheduleOptions {
  /** Seed of the generator that sampling instructions draw from (default 1). */
  readonly seed?: number;
  /** The function to work on (default: the only one of the module). */
  readonly func?: string;
}

type Target = string | Var | number | PrimExpr;

interface Entry {
  readonly rv: RV;
  readonly func: string;
  readonly target: Target;
}

interface State {
  mod: IRModule;
  funcName: string;
  entries: Map<number, Entry>;
  stale: Map<number, string>;
  nextId: number;
  rng: number;
  traceLength: number;
}

/**
 * The schedule primitives' methods: each primitive's module declares its own (`SplitMethods`,
 * …) and installs them on `Schedule.prototype`; this merge gives the class their types.
 */
export interface Schedule
  extends
    ContractFmaMethods,
    AnnotateMethods,
    BlockizeMethods,
    CacheReadWriteMethods,
    ComputeAtMethods,
    ComputeInlineMethods,
    DecomposeReductionMethods,
    ForKindMethods,
    FuseMethods,
    GetMethods,
    PadEinsumMethods,
    ReorderMethods,
    RfactorMethods,
    SamplingMethods,
    SetScopeMethods,
    SplitMethods,
    StorageAlignMethods,
    TensorizeMethods,
    TransformBlockLayoutMethods,
    TransformLayoutMethods {}

/**
 * A schedule over a module (or one function).
 *
 * @example
 * ```ts
 * import { Schedule } from "./mod.ts";
 * import { parseFunc } from "../ir/script/mod.ts";
 * const f = parseFunc(`func f(A: buffer<float32>[64], B: buffer<float32>[64]) {
 *   block root() {
 *     for i in 0..64 {
 *       block B(vi: spatial(0..64) = i) {
 *         reads(A[vi])
 *         writes(B[vi])
 *         B[vi] = A[vi] * 2.0
 *       }
 *     }
 *   }
 * }`);
 * const sch = new Schedule(f);
 * const [i] = sch.getLoops(sch.getBlock("B"));
 * const [, inner] = sch.split(i, [undefined, 16]);
 * console.assert(sch.get(inner).extent.kind === "IntImm");
 * console.assert(sch.trace.toScript().includes("sch.split(l1, [undefined, 16]);"));
 * ```
 */
export class Schedule {
  #state: State;
  #depth = 0;
  /** The generator sampling instructions draw from. */
  readonly rng: Rng;
  /** The instructions applied so far. */
  readonly trace: Trace;

  /** A schedule of `modOrFunc` (a function becomes a module with that one function). */
  constructor(modOrFunc: IRModule | PrimFunc, options: ScheduleOptions = {}) {
    const mod = modOrFunc.kind === "IRModule" ? modOrFunc : irModule([modOrFunc]);
    const names = [...mod.functions.keys()];
    const funcName = options.func ?? (names.length === 1 ? names[0] : "");
    this.rng = new Rng(options.seed ?? 1);
    this.trace = new Trace();
    this.#state = {
      mod,
      funcName,
      entries: new Map(),
      stale: new Map(),
      nextId: 0,
      rng: this.rng.state,
      traceLength: 0,
    };
    if (!mod.functions.has(funcName)) {
      throw scheduleError(
        mod.functions.values().next().value ?? emptyFunc(),
        "SCHEDULE_NO_FUNCTION",
        funcName === ""
          ? `Cannot pick the function to schedule: the module has ${names.length} (${
            names.join(", ")
          })`
          : `Cannot schedule function "${funcName}": the module has ${names.join(", ")}`,
        { hint: "pass { func: name } or call sch.workOn(name)" },
      );
    }
  }

  /** The module with every change applied so far. */
  get mod(): IRModule {
    return this.#state.mod;
  }

  /** The name of the function being scheduled. */
  get funcName(): string {
    return this.#state.funcName;
  }

  /** The function being scheduled, with every change applied so far. */
  get func(): PrimFunc {
    return this.#state.mod.functions.get(this.#state.funcName)!;
  }

  /** The function being scheduled, printed as script. */
  show(): string {
    return printFunc(this.func);
  }

  /** Work on the function `name` of the module from now on (recorded in the trace). */
  workOn(name: string): void {
    this.apply(WORK_ON, [], { name });
  }

  /**
   * What a random variable stands for now: a block, a loop, or a value.
   *
   * @example
   * ```ts ignore
   * const loop = sch.get(l1); // a For node
   * ```
   */
  get(rv: BlockRV): Block;
  /** The loop a `LoopRV` stands for. */
  get(rv: LoopRV): For;
  /** The value an `ExprRV` stands for. */
  get(rv: ExprRV): number | PrimExpr;
  /** What any random variable stands for. */
  get(rv: RV): Block | For | number | PrimExpr;
  get(rv: RV): Block | For | number | PrimExpr {
    if (rv.kind === "BlockRV") return this.blockOf(rv).block;
    if (rv.kind === "LoopRV") return this.loopOf(rv).loop;
    return this.valueOf(rv);
  }

  /**
   * An expression over the function's sizes and scalar parameters, parsed from script text
   * (for symbolic split factors: `sch.split(l0, [undefined, sch.expr("n")])`).
   */
  expr(text: string): PrimExpr {
    const f = this.func;
    const vars = [...sizeVars(f), ...f.params.filter((p): p is Var => p.kind === "Var")];
    return parseExpr(text, { vars });
  }

  /** An independent copy (same module, variables, generator state and trace). */
  copy(): Schedule {
    const c = new Schedule(this.#state.mod, { func: this.#state.funcName });
    const s = this.#snapshot();
    c.#state = { ...s, entries: new Map(s.entries), stale: new Map(s.stale) };
    c.rng.state = this.rng.state;
    for (const inst of this.trace.instructions) c.trace.push(inst);
    return c;
  }

  // -------------------------------------------------------------------------------------------
  // For primitive implementations.

  /**
   * Apply an instruction: draw its decision if it samples and none is given, run it, and record
   * it in the trace. On any error the schedule's state is restored and the error rethrown.
   * Instructions applied while another is being applied are not recorded (the outer one is).
   */
  apply<A>(
    kind: InstructionKind<A>,
    inputs: readonly InstrInput[],
    attrs: A,
    decision?: Json,
  ): RV[] {
    const saved = this.#snapshot();
    this.#depth++;
    try {
      const ins = inputs.map((x) => this.#resolveText(x));
      const d = decision ?? kind.sample?.(this, ins, attrs);
      const before = this.func;
      const outputs = kind.apply(this, ins, attrs, d);
      if (this.func !== before) this.#markStale(kind.name);
      if (this.#depth === 1) {
        this.trace.push({
          kind,
          inputs: ins,
          attrs,
          outputs,
          ...(d === undefined ? {} : { decision: d }),
        });
      }
      return outputs;
    } catch (e) {
      this.#restore(saved);
      throw e;
    } finally {
      this.#depth--;
    }
  }

  /** The block a `BlockRV` stands for, with its realize and path; errors if stale or unknown. */
  blockOf(rv: BlockRV): BlockLocation {
    const name = this.#target(rv) as string;
    const loc = findBlock(this.func, name);
    if (!loc) throw new InternalError(`block "${name}" of ${rvName(rv)} vanished`);
    return loc;
  }

  /** The loop a `LoopRV` stands for, with its path; errors if stale or unknown. */
  loopOf(rv: LoopRV): LoopLocation {
    const v = this.#target(rv) as Var;
    const loc = findLoop(this.func, v);
    if (!loc) throw new InternalError(`loop "${v.name}" of ${rvName(rv)} vanished`);
    return loc;
  }

  /** The value an `ExprRV` stands for. */
  valueOf(rv: ExprRV): number | PrimExpr {
    return this.#target(rv) as number | PrimExpr;
  }

  /** Replace the function being scheduled (inside `apply` only). */
  setFunc(f: PrimFunc): void {
    if (this.#depth === 0) throw new InternalError("setFunc outside of an instruction");
    if (f.name !== this.#state.funcName) {
      throw new InternalError(`setFunc renamed "${this.#state.funcName}" to "${f.name}"`);
    }
    this.#state.mod = withFunction(this.#state.mod, markScheduled(f));
  }

  /** A new `BlockRV` for the block named `name` of the current function. */
  newBlockRV(name: string): BlockRV {
    return this.#newRV("BlockRV", name) as BlockRV;
  }

  /** A new `LoopRV` for the loop with variable `v` of the current function. */
  newLoopRV(v: Var): LoopRV {
    return this.#newRV("LoopRV", v) as LoopRV;
  }

  /** A new `ExprRV` for a value. */
  newExprRV(value: number | PrimExpr): ExprRV {
    return this.#newRV("ExprRV", value) as ExprRV;
  }

  /** A `ScheduleError` about the current function (path, rendered script line). */
  error(code: string, message: string, place: ErrorPlace = {}): ScheduleError {
    return scheduleError(this.func, code, message, place);
  }

  // -------------------------------------------------------------------------------------------

  #newRV(kind: RV["kind"], target: Target): RV {
    const rv = { kind, id: this.#state.nextId++ } as RV;
    this.#state.entries.set(rv.id, { rv, func: this.#state.funcName, target });
    return rv;
  }

  #target(rv: RV): Target {
    const e = this.#state.entries.get(rv.id);
    if (e && e.rv.kind === rv.kind) {
      if (e.func !== this.#state.funcName) {
        throw this.error(
          "SCHEDULE_UNKNOWN_RV",
          `Cannot use ${rvName(rv)}: it belongs to function "${e.func}"`,
          { hint: `call sch.workOn("${e.func}") first` },
        );
      }
      return e.target;
    }
    const by = this.#state.stale.get(rv.id);
    if (by !== undefined) {
      throw this.error(
        "SCHEDULE_STALE_RV",
        `Cannot use ${rvName(rv)}: the ${by} that ran since removed what it stood for`,
        { hint: "use the random variables the later primitive returned" },
      );
    }
    throw this.error(
      "SCHEDULE_UNKNOWN_RV",
      `Cannot use ${rvName(rv)}: this schedule never made it`,
      { hint: "random variables belong to the schedule that returned them" },
    );
  }

  #markStale(by: string): void {
    const f = this.func;
    let vars: Set<Var> | undefined, names: Set<string> | undefined;
    for (const [id, e] of this.#state.entries) {
      if (e.func !== f.name || e.rv.kind === "ExprRV") continue;
      const alive = e.rv.kind === "LoopRV"
        ? (vars ??= loopVarsOf(f)).has(e.target as Var)
        : (names ??= blockNamesOf(f)).has(e.target as string);
      if (!alive) {
        this.#state.entries.delete(id);
        this.#state.stale.set(id, by);
      }
    }
  }

  #resolveText(x: InstrInput): InstrInput {
    if (isExprText(x)) return this.expr(x.text);
    if (Array.isArray(x)) return x.map((y) => this.#resolveText(y));
    return x;
  }

  #snapshot(): State {
    const s = this.#state;
    return {
      ...s,
      entries: new Map(s.entries),
      stale: new Map(s.stale),
      rng: this.rng.state,
      traceLength: this.trace.length,
    };
  }

  #restore(s: State): void {
    this.#state = s;
    this.rng.state = s.rng;
    this.trace.truncate(s.traceLength);
  }

  /** Switch the function worked on (the `WorkOn` instruction). */
  static switchFunction(sch: Schedule, name: string): void {
    if (!sch.#state.mod.functions.has(name)) {
      throw sch.error(
        "SCHEDULE_NO_FUNCTION",
        `Cannot work on function "${name}": the module has ${
          [...sch.#state.mod.functions.keys()].join(", ")
        }`,
      );
    }
    sch.#state.funcName = name;
  }
}

function emptyFunc(): PrimFunc {
  return {
    kind: "PrimFunc",
    name: "empty",
    params: [],
    body: { kind: "Evaluate", value: { kind: "IntImm", dtype: "int32", value: 0 } },
    attrs: {},
  };
}

/** `sch.workOn(name)`. */
export const WORK_ON: InstructionKind<{ name: string }> = registerInstruction<{ name: string }>({
  name: "WorkOn",
  apply(sch, _inputs, attrs) {
    Schedule.switchFunction(sch, attrs.name);
    return [];
  },
  toScript: (p) => scriptCall("workOn", [literal(p.attrs.name)], []),
});
