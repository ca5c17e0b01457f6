/**
 * Compile-time context: frame slots for variables and buffers, what is in scope, and the IR path
 * (`func "f" / block "C"`) that run-time errors name.
 *
 * Every binding site (parameter, loop, let, block iteration variable, allocation) gets a slot;
 * a use outside every binding of its variable or buffer is an error at compile time, so a
 * compiled closure never reads an empty slot.
 *
 * @module
 */
import type { Var } from "../expr.ts";
import type { Buffer } from "../stmt.ts";
import { InterpError } from "./errors.ts";
import { inNumberSlot } from "./values.ts";

/** Where a variable lives in a frame. */
export interface VarSlot {
  /** In `Frame.n` (number scalars) or `Frame.o` (bigint and vector values). */
  readonly num: boolean;
  readonly index: number;
}

/** Compile-time state of one function's compilation. */
export class Ctx {
  /** Number of number slots, object slots and buffer slots used. */
  nNum = 0;
  nObj = 0;
  nBuf = 0;
  private readonly vars = new Map<Var, VarSlot>();
  private readonly bufs = new Map<Buffer, number>();
  private readonly liveVars = new Map<Var, number>();
  private readonly liveBufs = new Map<Buffer, number>();
  private readonly path: string[];

  constructor(readonly funcName: string) {
    this.path = [`func "${funcName}"`];
  }

  /** The IR path of what is being compiled, e.g. `func "f" / block "C"`. */
  where(extra?: string): string {
    return extra ? [...this.path, extra].join(" / ") : this.path.join(" / ");
  }

  /** Compile `fn` inside a named scope (a block). */
  within<T>(segment: string, fn: () => T): T {
    this.path.push(segment);
    try {
      return fn();
    } finally {
      this.path.pop();
    }
  }

  private varSlot(v: Var): VarSlot {
    let s = this.vars.get(v);
    if (!s) {
      const num = inNumberSlot(v.dtype);
      s = { num, index: num ? this.nNum++ : this.nObj++ };
      this.vars.set(v, s);
    }
    return s;
  }

  /** Compile `fn` with `vs` bound; returns their slots to `fn`. */
  binding<T>(vs: readonly Var[], fn: (slots: VarSlot[]) => T): T {
    const slots = vs.map((v) => this.varSlot(v));
    for (const v of vs) this.liveVars.set(v, (this.liveVars.get(v) ?? 0) + 1);
    try {
      return fn(slots);
    } finally {
      for (const v of vs) this.liveVars.set(v, this.liveVars.get(v)! - 1);
    }
  }

  /** True if `v` is bound here (a new binding of it would shadow the live one). */
  isLive(v: Var): boolean {
    return (this.liveVars.get(v) ?? 0) > 0;
  }

  /** The slot of a variable in scope; INTERP_UNBOUND_VAR otherwise. */
  use(v: Var): VarSlot {
    if (!this.liveVars.get(v)) {
      throw new InterpError(
        "INTERP_UNBOUND_VAR",
        `Cannot interpret function "${this.funcName}": variable "${v.name}" is used where it is not bound`,
        {
          path: this.where(),
          hint: "bind it by a loop, let, block iteration variable, parameter or buffer shape",
        },
      );
    }
    return this.vars.get(v)!;
  }

  /** Compile `fn` with buffers `bs` declared; returns their slots to `fn`. */
  declaring<T>(bs: readonly Buffer[], fn: (slots: number[]) => T): T {
    const slots = bs.map((b) => {
      let s = this.bufs.get(b);
      if (s === undefined) {
        s = this.nBuf++;
        this.bufs.set(b, s);
      }
      return s;
    });
    for (const b of bs) this.liveBufs.set(b, (this.liveBufs.get(b) ?? 0) + 1);
    try {
      return fn(slots);
    } finally {
      for (const b of bs) this.liveBufs.set(b, this.liveBufs.get(b)! - 1);
    }
  }

  /** The slot of a buffer in scope; INTERP_UNBOUND_BUFFER otherwise. */
  buffer(b: Buffer): number {
    if (!this.liveBufs.get(b)) {
      throw new InterpError(
        "INTERP_UNBOUND_BUFFER",
        `Cannot interpret function "${this.funcName}": buffer "${b.name}" is used where it is not declared`,
        {
          path: this.where(`buffer "${b.name}"`),
          hint: "declare it as a parameter, in a block's allocBuffers or with an Allocate",
        },
      );
    }
    return this.bufs.get(b)!;
  }
}
