/**
 * Emitting tensorized blocks on the cpu: each intrinsic marker (`tsr.intrin.<name>`,
 * `tensorize/auto/marker.ts`) of a C intrinsic becomes a call `tsr.c.<symbol>(X[o], s₀, …)` —
 * per operand, a load of the tile's origin (its address) and the element strides — which the
 * `calls` emitters print as `symbol(&X[o], s₀, …)`; the intrinsics' sources are pasted once
 * before the kernel.
 *
 * @module
 */
import { bufferLoad, call, cast, type PrimExpr } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { rewrite } from "../../ir/node.ts";
import { evaluate } from "../../ir/stmt.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import type { CIntrinsicImplementation } from "../../sdk/intrinsic_run.ts";
import { decodeIntrinsicCall, INTRINSIC_CALL_PREFIX } from "../../tensorize/auto/marker.ts";
import type { CallEmitter } from "./c_context.ts";

/** The C intrinsics of a list, by marker name. */
function cIntrinsics(intrinsics: readonly Intrinsic[]): Map<string, Intrinsic> {
  const out = new Map<string, Intrinsic>();
  for (const x of intrinsics) {
    const impl = x.implementation as CIntrinsicImplementation | undefined;
    if (impl?.kind === "c") out.set(INTRINSIC_CALL_PREFIX + x.name, x);
  }
  return out;
}

/** What the C emission of a function with markers needs. */
export interface CIntrinsicLowering {
  /** The function with its markers turned into `tsr.c.<symbol>` calls. */
  readonly func: PrimFunc;
  /** Emitters of those calls (`EmitOptions.calls`). */
  readonly calls: Record<string, CallEmitter>;
  /** C sources of the intrinsics used, to paste before the kernel. */
  readonly sources: readonly string[];
}

/**
 * Turn the C intrinsics' markers of a lowered function into emit-ready calls.
 *
 * @example
 * ```ts ignore
 * const { func, calls, sources } = lowerCIntrinsics(lowered, cpu.intrinsics);
 * const k = emitC(func, { calls });
 * ```
 */
export function lowerCIntrinsics(
  f: PrimFunc,
  intrinsics: readonly Intrinsic[],
): CIntrinsicLowering {
  const known = cIntrinsics(intrinsics);
  const calls: Record<string, CallEmitter> = {};
  const sources: string[] = [];
  const body = rewrite(f.body, {
    pre: (node) => {
      if (node.kind !== "Evaluate" || node.value.kind !== "Call") return undefined;
      const intrinsic = known.get(node.value.op);
      if (!intrinsic) return undefined;
      const impl = intrinsic.implementation as CIntrinsicImplementation;
      const ops = decodeIntrinsicCall(node.value, intrinsic);
      const op = `tsr.c.${impl.symbol}`;
      if (!calls[op]) {
        sources.push(impl.source);
        const pointers = new Set<number>();
        let k = 0;
        for (const o of ops) {
          pointers.add(k);
          k += 1 + o.strides.length;
        }
        calls[op] = (args) =>
          `${impl.symbol}(${args.map((a, q) => (pointers.has(q) ? `&${a}` : a)).join(", ")})`;
      }
      const args: PrimExpr[] = ops.flatMap((o) => [
        bufferLoad(o.buffer, [o.offset]),
        ...o.strides.map((s) => (s.dtype === "int32" ? s : cast("int32", s))),
      ]);
      return evaluate(call(op, args, "int32"));
    },
  });
  return { func: body === f.body ? f : { ...f, body }, calls, sources };
}
