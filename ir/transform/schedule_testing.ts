/**
 * Hand scheduling for this folder's tests, until real schedule primitives exist (`tensorize/`):
 * change a loop's kind, split a loop (guarding blocks with a predicate when the factor does not
 * divide), reorder a perfect loop nest. Loops are found by their variable's name.
 *
 * @module
 */
import {
  add,
  and,
  floordiv,
  floormod,
  int,
  lt,
  mul,
  type PrimExpr,
  type Var,
  variable,
} from "../expr.ts";
import type { PrimFunc } from "../func.ts";
import { rewrite, visit } from "../node.ts";
import { type For, type ForKind, forLoop, type Stmt } from "../stmt.ts";
import { substitute } from "./substitute.ts";

function mapLoop(f: PrimFunc, name: string, fn: (loop: For) => Stmt): PrimFunc {
  let found = false;
  const body = rewrite(f.body, {
    pre: (n) => {
      if (n.kind !== "For" || n.loopVar.name !== name || found) return undefined;
      found = true;
      return fn(n);
    },
  });
  if (!found) throw new Error(`no loop "${name}"`);
  return { ...f, body };
}

/** Give the loop named `name` the kind `kind`. */
export function setKind(f: PrimFunc, name: string, kind: ForKind): PrimFunc {
  return mapLoop(f, name, (l) => ({ ...l, forKind: kind }));
}

/** Split loop `name` into `name_o` (outer) and `name_i` (inner, extent `factor`). */
export function split(f: PrimFunc, name: string, factor: number): PrimFunc {
  return mapLoop(f, name, (l) => {
    const o = variable(`${name}_o`);
    const i = variable(`${name}_i`);
    const e = l.extent;
    const divides = e.kind === "IntImm" && e.value % factor === 0;
    const outer = floordiv(add(e, factor - 1), factor);
    const value: PrimExpr = add(l.min, add(mul(o, factor), i));
    const guard = lt(add(mul(o, factor), i), e);
    let body = substitute(l.body, new Map([[l.loopVar, value]]));
    if (!divides) {
      body = rewrite(body, {
        post: (n) => n.kind === "BlockRealize" ? { ...n, predicate: and(n.predicate, guard) } : n,
      });
    }
    return forLoop(o, 0, outer, forLoop(i, 0, int(factor), body));
  });
}

/** Give every innermost loop of constant extent (a loop with no loop inside) the kind `kind`. */
export function markInnermost(f: PrimFunc, kind: ForKind): PrimFunc {
  const hasLoop = (s: Stmt): boolean => {
    let found = false;
    visit(s, (n) => {
      if (n.kind === "For") found = true;
      return !found;
    });
    return found;
  };
  const body = rewrite(f.body, {
    post: (n) =>
      n.kind === "For" && n.extent.kind === "IntImm" && !hasLoop(n.body)
        ? { ...n, forKind: kind }
        : n,
  });
  return { ...f, body };
}

/** Fuse loop `outer` with the loop directly inside it into one loop named `fused`. */
export function fuse(f: PrimFunc, outer: string, fused: string): PrimFunc {
  return mapLoop(f, outer, (l) => {
    const inner = l.body;
    if (inner.kind !== "For") throw new Error("not a perfect nest");
    const v = variable(fused);
    const e2 = inner.extent;
    const map = new Map<Var, PrimExpr>([
      [l.loopVar, add(l.min, floordiv(v, e2))],
      [inner.loopVar, add(inner.min, floormod(v, e2))],
    ]);
    return forLoop(v, 0, mul(l.extent, e2), substitute(inner.body, map));
  });
}

/** Reorder the perfect nest starting at the loop named `order`'s first-outermost loop. */
export function reorder(f: PrimFunc, order: readonly string[]): PrimFunc {
  const names = new Set(order);
  let outerName = "";
  rewrite(f.body, {
    pre: (n) => {
      if (!outerName && n.kind === "For" && names.has(n.loopVar.name)) outerName = n.loopVar.name;
      return undefined;
    },
  });
  return mapLoop(f, outerName, (l) => {
    const chain: For[] = [l];
    while (chain.length < order.length) {
      const b = chain[chain.length - 1].body;
      if (b.kind !== "For") throw new Error("not a perfect nest");
      chain.push(b);
    }
    let body = chain[chain.length - 1].body;
    for (let k = order.length - 1; k >= 0; k--) {
      const loop = chain.find((c) => c.loopVar.name === order[k])!;
      body = { ...loop, body };
    }
    return body;
  });
}
