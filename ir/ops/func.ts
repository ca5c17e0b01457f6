/**
 * Wrapping ops into a `PrimFunc`: `toPrimFunc` builds the function with the DSL and makes block
 * and buffer names unique (an op used twice makes two `T_add` stages; the later ones become
 * `T_add_1`, `T_add_2`, … in program order), so the result passes the verifier.
 *
 * @module
 */
import type { Var } from "../expr.ts";
import type { PrimFunc } from "../func.ts";
import { rewrite } from "../node.ts";
import type { Block, Buffer } from "../stmt.ts";
import { createPrimFunc, type Tensor } from "../te.ts";

/**
 * Build a function whose parameters are `inputs` then `outputs` (then any scalar `extra`
 * variables), with unique block and buffer names.
 *
 * @example
 * ```ts
 * import { toPrimFunc } from "./func.ts";
 * import { add } from "./elementwise.ts";
 * import { placeholder } from "../te.ts";
 * const A = placeholder([4], "float32", "A");
 * const f = toPrimFunc("twice", [A], [add(add(A, 1), 2)]);
 * console.assert(f.params.length === 2);
 * ```
 */
export function toPrimFunc(
  name: string,
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  extra: readonly Var[] = [],
): PrimFunc {
  return uniqueNames(createPrimFunc([...inputs, ...outputs, ...extra], name));
}

/** Rename repeated block and buffer names (`x`, `x_1`, …), first come first kept. */
export function uniqueNames(f: PrimFunc): PrimFunc {
  const used = new Set<string>();
  const fresh = (n: string): string => {
    if (!used.has(n)) {
      used.add(n);
      return n;
    }
    let k = 1;
    while (used.has(`${n}_${k}`)) k++;
    used.add(`${n}_${k}`);
    return `${n}_${k}`;
  };
  // Parameters keep their names first; then allocations and blocks in program order.
  const bufNames = new Map<Buffer, string>();
  for (const p of f.params) if (p.kind === "Buffer") bufNames.set(p, fresh(p.name));
  const blockNames = new Set<string>();
  const original = new Map<Buffer, string>(); // renamed buffer -> its old name
  const out = rewrite(f, {
    pre: (n) => {
      if (n.kind === "Buffer" && !bufNames.has(n)) {
        const nn = fresh(n.name);
        bufNames.set(n, nn);
      }
      return undefined;
    },
    post: (n) => {
      if (n.kind === "Buffer") {
        const nn = bufNames.get(n)!;
        if (nn === n.name) return n;
        const b: Buffer = { ...n, name: nn };
        original.set(b, n.name);
        return b;
      }
      if (n.kind === "Block") {
        // A block named after the buffer it writes follows that buffer's new name.
        const w = n.writes.length === 1 ? n.writes[0].buffer : undefined;
        let bn = w && original.get(w) === n.name ? w.name : n.name;
        for (let k = 1; blockNames.has(bn); k++) bn = `${n.name}_${k}`;
        blockNames.add(bn);
        return bn === n.name ? n : ({ ...n, name: bn } as Block);
      }
      return n;
    },
  });
  return out; // the same object when no name changed
}
