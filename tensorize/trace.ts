/**
 * Traces: the instructions a schedule applied, with their decisions. A trace serialises to plain
 * versioned JSON, replays on a fresh copy of the module (to a structurally equal result), and
 * prints as TypeScript a person can paste and edit.
 *
 * JSON form: `{ format: "tessera-trace", version: 1, insts: [{ kind, inputs, attrs, outputs,
 * decision? }] }`, where inputs are random-variable names (`"l1"`), numbers, `null`,
 * `{ expr: "n" }` for expressions over the function's sizes, or lists of these.
 *
 * @module
 */
import type { IRModule, PrimFunc } from "../ir/func.ts";
import { ScheduleError } from "../ir/errors.ts";
import { print } from "../ir/script/mod.ts";
import {
  type InstrInput,
  type Instruction,
  isExprInput,
  isExprText,
  type Json,
  lookupInstruction,
  printInput,
} from "./instruction.ts";
import { isRV, parseRVName, type RV, rvName } from "./rv.ts";
import { Schedule, type ScheduleOptions } from "./schedule.ts";

/** The JSON form of one instruction. */
export interface InstructionJSON {
  /** Kind name, e.g. `"Split"`. */
  readonly kind: string;
  /** Inputs (see the module doc). */
  readonly inputs: readonly Json[];
  /** Attributes. */
  readonly attrs: Json;
  /** Names of the outputs. */
  readonly outputs: readonly string[];
  /** Decision of a sampling instruction. */
  readonly decision?: Json;
}

/** The JSON form of a trace. */
export interface TraceJSON {
  /** Always `"tessera-trace"`. */
  readonly format: "tessera-trace";
  /** Format version (1). */
  readonly version: number;
  /** The instructions in order. */
  readonly insts: readonly InstructionJSON[];
}

/** Options of `Trace.replay`. */
export interface ReplayOptions extends ScheduleOptions {
  /** Decisions to use instead of the recorded ones, by instruction index (for the tuner). */
  readonly decisions?: ReadonlyMap<number, Json>;
}

/** The current trace format version. */
export const TRACE_VERSION = 1;

/**
 * A sequence of applied instructions.
 *
 * @example
 * ```ts
 * import { Schedule, Trace } from "./mod.ts";
 * import { structuralEqual } from "../ir/structural.ts";
 * import { parseFunc } from "../ir/script/mod.ts";
 * const f = parseFunc(`func f(A: buffer<float32>[64]) {
 *   block root() {
 *     for i in 0..64 {
 *       block B(vi: spatial(0..64) = i) {
 *         reads()
 *         writes(A[vi])
 *         A[vi] = 0.0
 *       }
 *     }
 *   }
 * }`);
 * const sch = new Schedule(f);
 * sch.split(sch.getLoops(sch.getBlock("B"))[0], [4, 16]);
 * const again = Trace.fromJSON(JSON.parse(JSON.stringify(sch.trace.toJSON()))).replay(f);
 * console.assert(structuralEqual(again.func, sch.func));
 * ```
 */
export class Trace {
  #insts: Instruction[] = [];

  /** A trace of the given instructions. */
  constructor(insts: readonly Instruction[] = []) {
    this.#insts = [...insts];
  }

  /** The instructions in order. */
  get instructions(): readonly Instruction[] {
    return this.#insts;
  }

  /** Number of instructions. */
  get length(): number {
    return this.#insts.length;
  }

  /** Append an instruction (the schedule does this). */
  push(inst: Instruction): void {
    this.#insts.push(inst);
  }

  /** Drop instructions past `length` (the schedule does this when a primitive fails). */
  truncate(length: number): void {
    this.#insts.length = Math.min(length, this.#insts.length);
  }

  /** A copy with the decision of instruction `index` replaced. */
  withDecision(index: number, decision: Json): Trace {
    const insts = [...this.#insts];
    insts[index] = { ...insts[index], decision };
    return new Trace(insts);
  }

  /**
   * Replay on `modOrFunc`: a new schedule with every instruction applied again (with the recorded
   * decisions, or those given in `options.decisions`).
   */
  replay(modOrFunc: IRModule | PrimFunc, options: ReplayOptions = {}): Schedule {
    const sch = new Schedule(modOrFunc, options);
    const rvs = new Map<string, RV>();
    const map = (x: InstrInput): InstrInput => {
      if (Array.isArray(x)) return x.map(map);
      if (isRV(x)) {
        const y = rvs.get(rvName(x));
        if (!y) throw badTrace(`input ${rvName(x)} is used before any instruction made it`);
        return y;
      }
      // expressions are re-read over the new function's sizes
      if (isExprInput(x)) return { kind: "ExprText", text: print(x) };
      return x;
    };
    this.#insts.forEach((inst, k) => {
      const decision = options.decisions?.get(k) ?? inst.decision;
      const outs = sch.apply(inst.kind, inst.inputs.map(map), inst.attrs, decision);
      if (outs.length !== inst.outputs.length) {
        throw badTrace(
          `instruction ${k} (${inst.kind.name}) made ${outs.length} outputs on replay, the trace has ${inst.outputs.length}`,
        );
      }
      inst.outputs.forEach((o, j) => rvs.set(rvName(o), outs[j]));
    });
    return sch;
  }

  /** The trace as plain JSON. */
  toJSON(): TraceJSON {
    const enc = (x: InstrInput): Json => {
      if (x === null || typeof x === "number") return x;
      if (Array.isArray(x)) return x.map(enc);
      if (isRV(x)) return rvName(x);
      if (isExprText(x)) return { expr: x.text };
      if (isExprInput(x)) return { expr: print(x) };
      throw badTrace(`cannot encode input ${String(x)}`);
    };
    return {
      format: "tessera-trace",
      version: TRACE_VERSION,
      insts: this.#insts.map((inst) => {
        const out: InstructionJSON = {
          kind: inst.kind.name,
          inputs: inst.inputs.map(enc),
          attrs: inst.kind.attrsToJSON ? inst.kind.attrsToJSON(inst.attrs) : (inst.attrs as Json),
          outputs: inst.outputs.map(rvName),
        };
        return inst.decision === undefined ? out : { ...out, decision: inst.decision };
      }),
    };
  }

  /** A trace from its JSON form; unknown kinds or malformed entries are `SCHEDULE_BAD_TRACE`. */
  static fromJSON(json: unknown): Trace {
    const j = json as TraceJSON;
    if (typeof j !== "object" || j === null || j.format !== "tessera-trace") {
      throw badTrace(`not a trace (format is not "tessera-trace")`);
    }
    if (j.version !== TRACE_VERSION) {
      throw badTrace(`version ${j.version}, this reader knows ${TRACE_VERSION}`);
    }
    if (!Array.isArray(j.insts)) throw badTrace("no instruction list");
    const dec = (x: Json): InstrInput => {
      if (x === null || typeof x === "number") return x;
      if (Array.isArray(x)) return x.map(dec);
      if (typeof x === "string") {
        const rv = parseRVName(x);
        if (!rv) throw badTrace(`input "${x}" names no random variable`);
        return rv;
      }
      if (typeof x === "object" && typeof (x as { expr?: unknown }).expr === "string") {
        return { kind: "ExprText", text: (x as { expr: string }).expr };
      }
      throw badTrace(`cannot decode input ${JSON.stringify(x)}`);
    };
    const insts = j.insts.map((ij, k): Instruction => {
      const kind = lookupInstruction(ij?.kind);
      if (!kind) {
        throw new ScheduleError(
          "SCHEDULE_UNKNOWN_INSTRUCTION",
          `Cannot read instruction ${k} of the trace: no instruction kind "${ij?.kind}" is registered`,
          { hint: "import the module that defines it (tensorize/mod.ts imports all built-ins)" },
        );
      }
      if (!Array.isArray(ij.inputs) || !Array.isArray(ij.outputs)) {
        throw badTrace(`instruction ${k} (${ij.kind}) lacks inputs or outputs`);
      }
      const outputs = ij.outputs.map((o: unknown) => {
        const rv = typeof o === "string" ? parseRVName(o) : undefined;
        if (!rv) throw badTrace(`output ${JSON.stringify(o)} names no random variable`);
        return rv;
      });
      const attrs = kind.attrsFromJSON ? kind.attrsFromJSON(ij.attrs) : ij.attrs;
      const inst: Instruction = { kind, inputs: ij.inputs.map(dec), attrs, outputs };
      return ij.decision === undefined ? inst : { ...inst, decision: ij.decision };
    });
    return new Trace(insts);
  }

  /**
   * The trace as TypeScript statements over a schedule named `sch`, one per instruction:
   *
   * ```text
   * const b0 = sch.getBlock("C");
   * const [l1, l2, l3] = sch.getLoops(b0);
   * const [l4, l5] = sch.split(l1, [undefined, 16]);
   * sch.vectorize(l5);
   * ```
   */
  toScript(): string {
    return this.#insts.map((inst) =>
      inst.kind.toScript({
        inputs: inst.inputs.map((x) => printInput(x, print)),
        attrs: inst.attrs,
        outputs: inst.outputs.map(rvName),
        decision: inst.decision,
      })
    ).join("\n");
  }

  /**
   * `toScript` wrapped as a module exporting `schedule(sch)`; `importPath` is where `Schedule`
   * comes from (for the type annotation).
   */
  toModule(importPath: string): string {
    const body = this.toScript().split("\n").filter((l) => l).map((l) => `  ${l}`).join("\n");
    return `import type { Schedule } from ${JSON.stringify(importPath)};\n\n` +
      `export function schedule(sch: Schedule): void {\n${body}\n}\n`;
  }
}

function badTrace(what: string): ScheduleError {
  return new ScheduleError("SCHEDULE_BAD_TRACE", `Cannot read the trace: ${what}`);
}
