/**
 * How much of a cpu kernel's multiply-accumulate work runs on intrinsics (`KernelStats`
 * `intrinsicShare`, as the NPU reports it): counted statically when compiling and evaluated at
 * the sizes of the last call.
 *
 * - **intrinsic MACs**: per intrinsic marker of the lowered function, the product of the extents
 *   of the loops around it × the MACs of one execution (the description's iteration box) —
 *   padding included;
 * - **kernel MACs**: per multiply-accumulate leaf block of the function as written
 *   (`C = C + x·y`), the product of its iteration extents, plus the markers already in it (a
 *   function tensorized by hand).
 *
 * `intrinsicShare = min(1, intrinsic / kernel)`: padded tiles may do more than the problem's own
 * MACs, never less, so a fully tensorized kernel reports 1. A kernel without multiply-accumulates
 * reports no share (a consumer such as conformance then counts work its own way).
 *
 * @module
 */
import { simplify } from "../../ir/arith/mod.ts";
import { int, type PrimExpr, type Var } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { children, type Node, visit } from "../../ir/node.ts";
import type { Block } from "../../ir/stmt.ts";
import { substitute } from "../../ir/transform/mod.ts";
import type { DeviceArg, KernelStats } from "../../sdk/device.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import { INTRINSIC_CALL_PREFIX } from "../../tensorize/auto/marker.ts";

/** A product of extents times a constant number of MACs. */
export interface MacTerm {
  /** MACs per point. */
  readonly macs: number;
  /** Extents whose product is the number of points. */
  readonly extents: readonly PrimExpr[];
}

/** The static MAC count of a cpu kernel. */
export interface MacCount {
  /** Terms of the work on intrinsics (lowered markers). */
  readonly intrinsic: readonly MacTerm[];
  /** Terms of all the kernel's multiply-accumulates (as written). */
  readonly kernel: readonly MacTerm[];
}

/** Figures a cpu device reports for a kernel's last run (`Device.stats`). */
export interface CpuKernelStats extends KernelStats {
  /**
   * MACs that ran on intrinsics (padding included) over the kernel's own, at most 1; absent when
   * the kernel has no multiply-accumulates (nothing to share).
   */
  readonly intrinsicShare?: number;
  /** MACs on intrinsics, padding included. */
  readonly intrinsicMacs: number;
  /** The kernel's own multiply-accumulates. */
  readonly macs: number;
}

function stripCasts(e: PrimExpr): PrimExpr {
  return e.kind === "Cast" ? stripCasts(e.value) : e;
}

/** True if a block's update is `C = C + x·y` (a multiply-accumulate reduction). */
function isMacBlock(b: Block): boolean {
  if (b.body.kind !== "BufferStore") return false;
  const st = b.body, v = st.value;
  if (v.kind !== "Binary" || v.op !== "add") return false;
  const self = (e: PrimExpr) => e.kind === "BufferLoad" && e.buffer === st.buffer;
  const prod = (e: PrimExpr) => {
    const x = stripCasts(e);
    return x.kind === "Binary" && x.op === "mul";
  };
  return (self(v.a) && prod(v.b)) || (self(v.b) && prod(v.a));
}

/** MACs of one execution of each intrinsic (its description's iteration box), by marker name. */
function markerMacs(intrinsics: readonly Intrinsic[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const x of intrinsics) {
    let macs = 0;
    visit(x.description.body, (n) => {
      if (n.kind !== "Block" || !isMacBlock(n)) return;
      macs += n.iterVars.reduce(
        (p, iv) => p * (iv.dom.extent.kind === "IntImm" ? iv.dom.extent.value : 0),
        1,
      );
    });
    out.set(INTRINSIC_CALL_PREFIX + x.name, macs);
  }
  return out;
}

/** Marker terms of a tree: loop extents on the way down × MACs per marker. */
function markerTerms(root: Node, macs: Map<string, number>): MacTerm[] {
  const out: MacTerm[] = [];
  const go = (n: Node, extents: PrimExpr[]) => {
    if (n.kind === "Evaluate" && n.value.kind === "Call" && macs.has(n.value.op)) {
      out.push({ macs: macs.get(n.value.op)!, extents });
    } else if (n.kind === "For") go(n.body, [...extents, n.extent]);
    else if (n.kind !== "Buffer") { for (const c of children(n)) go(c, extents); }
  };
  go(root, []);
  return out;
}

/**
 * The static MAC count of a kernel: markers of `lowered`, MAC blocks and markers of `original`.
 *
 * @example
 * ```ts ignore
 * const count = countMacs(lowered, original, cpu.intrinsics);
 * ```
 */
export function countMacs(
  lowered: PrimFunc,
  original: PrimFunc,
  intrinsics: readonly Intrinsic[],
): MacCount {
  const macs = markerMacs(intrinsics);
  const kernel: MacTerm[] = markerTerms(original.body, macs);
  visit(original.body, (n) => {
    if (n.kind === "Block" && isMacBlock(n)) {
      kernel.push({ macs: 1, extents: n.iterVars.map((iv) => iv.dom.extent) });
    }
  });
  return { intrinsic: markerTerms(lowered.body, macs), kernel };
}

/** The value of `sum(terms)` with `sizes` bound (an extent that stays symbolic counts 0). */
function total(terms: readonly MacTerm[], sizes: ReadonlyMap<Var, PrimExpr>): number {
  let n = 0;
  for (const t of terms) {
    let p = t.macs;
    for (const e of t.extents) {
      const v = simplify(substitute(e, sizes));
      p *= v.kind === "IntImm" ? v.value : 0;
    }
    n += p;
  }
  return n;
}

/**
 * The stats of a run of a kernel with MAC count `count`, called with lowered-form `args` of
 * `lowered` (size variables bound from its scalar parameters).
 *
 * @example
 * ```ts ignore
 * const s = macStats(artifact.macs, artifact.lowered, args); // s.intrinsicShare
 * ```
 */
export function macStats(
  count: MacCount,
  lowered: PrimFunc,
  args: readonly DeviceArg[],
): CpuKernelStats {
  const sizes = new Map<Var, PrimExpr>();
  lowered.params.forEach((p, k) => {
    const a = args[k];
    if (p.kind === "Var" && (typeof a === "number" || typeof a === "bigint")) {
      sizes.set(p, int(Number(a), p.dtype));
    }
  });
  const intrinsicMacs = total(count.intrinsic, sizes);
  const macs = total(count.kernel, sizes);
  const share = macs > 0 ? { intrinsicShare: Math.min(1, intrinsicMacs / macs) } : {};
  return { ...share, intrinsicMacs, macs };
}
