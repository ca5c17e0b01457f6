/**
 * Compile-time scope legality: every buffer a function places in a memory scope — parameters,
 * `Allocate`s, blocks' `allocBuffers` — must name a scope the target declares (`SCOPE_UNKNOWN`),
 * be aligned as the scope allows (`SCOPE_MISALIGNED`) and, in a scope with a capacity that is not
 * dynamic, fit: the buffers live at one point of the program (an allocation lives for its body),
 * each rounded up to the scope's alignment, may not need more bytes than the scope holds
 * (`SCOPE_OVERFLOW`). A symbolic size counts with its largest value, from the ranges of the loops
 * around it; a size without an upper bound cannot be proved to fit (`SCOPE_UNBOUNDED`).
 *
 * `build` runs it on the lowered function before codegen (lowering shrinks cache buffers to their
 * tiles, so the sizes are the ones the code allocates), for every target, from its declared
 * scopes alone.
 *
 * @module
 */
import { constIntBound, type IntBound } from "../ir/arith/mod.ts";
import { byteSize, elementOf } from "../ir/dtype.ts";
import { TargetError } from "../ir/errors.ts";
import { add, int, mul, type PrimExpr, sub, type Var } from "../ir/expr.ts";
import type { PrimFunc } from "../ir/func.ts";
import { printNode } from "../ir/script/printer.ts";
import type { Buffer, Stmt } from "../ir/stmt.ts";
import type { MemoryScope } from "./scope.ts";
import type { Target } from "./target.ts";

/** Peak use of one scope by a function. */
export interface ScopeUsage {
  /** The scope. */
  readonly scope: string;
  /** Most bytes live at one point (each buffer rounded up to the scope's alignment). */
  readonly peakBytes: number;
  /** The scope's capacity, if it has one. */
  readonly capacityBytes?: number;
  /** The buffers live at that point. */
  readonly buffers: readonly string[];
}

/** What `checkScopeUsage` found. */
export interface ScopeReport {
  /** Every problem, as the `TargetError` `checkScopes` would throw. */
  readonly problems: readonly TargetError[];
  /** Peak use per scope that holds buffers of known size. */
  readonly usage: ReadonlyMap<string, ScopeUsage>;
}

/** True if `build` leaves the scope's capacity to the runtime (see `MemoryScopeSpec.dynamic`). */
export function isDynamicScope(s: MemoryScope): boolean {
  return s.dynamic ?? s.parent === undefined;
}

interface Live {
  readonly name: string;
  readonly bytes: number; // rounded up to the scope's alignment
}

/** Bytes of a buffer's storage, as an expression (strided: up to its last element). */
function storageBytes(b: Buffer): PrimExpr {
  let elems: PrimExpr;
  if (b.strides.length) {
    elems = int(1);
    b.shape.forEach((d, k) => (elems = add(elems, mul(sub(d, 1), b.strides[k]))));
  } else elems = b.shape.reduce((n: PrimExpr, d) => mul(n, d), int(1));
  return mul(elems, byteSize(b.dtype));
}

class Checker {
  readonly problems: TargetError[] = [];
  readonly usage = new Map<string, ScopeUsage>();
  private readonly bounds = new Map<Var, IntBound>();
  private readonly live = new Map<string, Live[]>();
  private readonly reported = new Set<string>();

  constructor(readonly f: PrimFunc, readonly target: Target) {}

  private fail(code: string, b: Buffer, message: string, hint?: string): void {
    const key = `${code}:${b.name}:${b.scope}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.problems.push(
      new TargetError(code, message, { path: `func "${this.f.name}" / buffer "${b.name}"`, hint }),
    );
  }

  private bound(e: PrimExpr): IntBound {
    return constIntBound(e, { varBound: (v) => this.bounds.get(v) });
  }

  /** Check `b`'s scope and alignment; returns its live entry when its scope is size-checked. */
  private place(b: Buffer): Live | undefined {
    const t = this.target, s = t.scopeMap.get(b.scope);
    if (!s) {
      this.fail(
        "SCOPE_UNKNOWN",
        b,
        `Cannot place buffer "${b.name}" in scope "${b.scope}": target "${t.name}" declares no such scope`,
        `its scopes: ${[...t.scopeMap.keys()].join(", ")}`,
      );
      return undefined;
    }
    // Allocations start at multiples of the scope's alignment: a scalar element wider than that
    // may straddle it, and a constant element offset moves the data off the buffer's alignment.
    const elem = byteSize(elementOf(b.dtype));
    const off = b.elemOffset.kind === "IntImm" ? b.elemOffset.value * byteSize(b.dtype) : 0;
    const want = Math.min(b.alignment, s.alignmentBytes);
    if (elem > s.alignmentBytes || off % want !== 0) {
      const why = off % want !== 0
        ? `its data starts ${off} bytes into its allocation, not a multiple of ${want}`
        : `its ${elem}-byte elements are wider than the scope's ${s.alignmentBytes}-byte alignment`;
      this.fail(
        "SCOPE_MISALIGNED",
        b,
        `Cannot place buffer "${b.name}" in scope "${s.name}" of target "${t.name}": ${why}`,
      );
    }
    const cap = s.capacityBytes;
    if (cap === undefined || isDynamicScope(s)) return undefined;
    const size = this.bound(storageBytes(b)).max;
    if (!Number.isFinite(size)) {
      this.fail(
        "SCOPE_UNBOUNDED",
        b,
        `Cannot prove that buffer "${b.name}" fits scope "${s.name}" of target "${t.name}": its size has no upper bound (shape [${
          b.shape.map((d) => printNode(d)).join(", ")
        }]), the scope holds ${cap} bytes`,
        "make its size constant (tile it: split, compute_at) or bound the variables it depends on",
      );
      return undefined;
    }
    return { name: b.name, bytes: Math.ceil(size / s.alignmentBytes) * s.alignmentBytes };
  }

  /** Make `b` live for `body`, check the scope's total, then walk the body. */
  private within(buffers: readonly Buffer[], body: () => void): void {
    const pushed: [string, Live][] = [];
    for (const b of buffers) {
      const entry = this.place(b);
      if (!entry) continue;
      const list = this.live.get(b.scope) ?? [];
      list.push(entry);
      this.live.set(b.scope, list);
      pushed.push([b.scope, entry]);
      this.account(b, list);
    }
    body();
    for (const [scope] of pushed.reverse()) this.live.get(scope)!.pop();
  }

  private account(b: Buffer, list: readonly Live[]): void {
    const s = this.target.scopeMap.get(b.scope)!;
    const total = list.reduce((n, l) => n + l.bytes, 0);
    const old = this.usage.get(s.name);
    if (!old || total > old.peakBytes) {
      this.usage.set(s.name, {
        scope: s.name,
        peakBytes: total,
        capacityBytes: s.capacityBytes,
        buffers: list.map((l) => l.name),
      });
    }
    if (total <= s.capacityBytes!) return;
    const self = list[list.length - 1];
    const others = list.slice(0, -1);
    const with_ = others.length
      ? ` with ${others.map((l) => `"${l.name}" (${l.bytes} bytes)`).join(", ")} live,`
      : "";
    this.fail(
      "SCOPE_OVERFLOW",
      b,
      `Cannot place buffer "${b.name}" (${self.bytes} bytes) in scope "${s.name}" of target "${this.target.name}":${with_} it needs ${total} bytes, the scope holds ${s.capacityBytes}`,
      "tile the computation so that fewer or smaller buffers are live in this scope",
    );
  }

  private withVar(v: Var, b: IntBound, body: () => void): void {
    const old = this.bounds.get(v);
    this.bounds.set(v, b);
    body();
    if (old) this.bounds.set(v, old);
    else this.bounds.delete(v);
  }

  private range(min: PrimExpr, extent: PrimExpr): IntBound {
    const lo = this.bound(min), ext = this.bound(extent);
    return { min: lo.min, max: lo.max + ext.max - 1 };
  }

  stmt(s: Stmt): void {
    switch (s.kind) {
      case "BufferStore":
      case "Evaluate":
        return;
      case "SeqStmt":
        return s.seq.forEach((x) => this.stmt(x));
      case "For":
        return this.withVar(s.loopVar, this.range(s.min, s.extent), () => this.stmt(s.body));
      case "IfThenElse":
        this.stmt(s.then);
        if (s.otherwise) this.stmt(s.otherwise);
        return;
      case "LetStmt":
        return this.withVar(s.v, this.bound(s.value), () => this.stmt(s.body));
      case "AssertStmt":
        return this.stmt(s.body);
      case "Allocate":
        return this.within([s.buffer], () => this.stmt(s.body));
      case "BlockRealize":
        return this.stmt(s.block);
      case "Block": {
        const inner = (k: number): void => {
          if (k === s.iterVars.length) {
            return this.within(s.allocBuffers, () => {
              if (s.init) this.stmt(s.init);
              this.stmt(s.body);
            });
          }
          const iv = s.iterVars[k];
          this.withVar(iv.v, this.range(iv.dom.min, iv.dom.extent), () => inner(k + 1));
        };
        return inner(0);
      }
    }
  }

  run(): void {
    const params = this.f.params.filter((p): p is Buffer => p.kind === "Buffer");
    this.within(params, () => this.stmt(this.f.body));
  }
}

/**
 * Check where a function places its buffers against a target's declared scopes; never throws
 * for a bad placement (see `checkScopes`).
 *
 * @example
 * ```ts ignore
 * const { problems, usage } = checkScopeUsage(lowered, myChip);
 * console.log(usage.get("acc")?.peakBytes);
 * ```
 */
export function checkScopeUsage(f: PrimFunc, target: Target): ScopeReport {
  const c = new Checker(f, target);
  c.run();
  return { problems: c.problems, usage: c.usage };
}

/**
 * Throw the first scope problem of `f` on `target` (`SCOPE_UNKNOWN`, `SCOPE_MISALIGNED`,
 * `SCOPE_OVERFLOW`, `SCOPE_UNBOUNDED`), naming buffer, scope, bytes needed and available.
 *
 * @example
 * ```ts ignore
 * checkScopes(lower(f), myChip); // TargetError SCOPE_OVERFLOW: Cannot place buffer "A_acc" …
 * ```
 */
export function checkScopes(f: PrimFunc, target: Target): void {
  const { problems } = checkScopeUsage(f, target);
  if (problems.length) throw problems[0];
}
