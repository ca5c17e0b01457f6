/**
 * When must a vector select be lazy? Its arms are evaluated whole (and blended by a mask) unless
 * evaluating an unchosen lane could fault. Faults come from loads (a padding arm may index out of
 * bounds), integer division (by zero) and target intrinsics (unknown effects). A load is safe
 * when the same load (same buffer, same index expression) is evaluated anyway: in the condition,
 * or in both arms.
 *
 * @module
 */
import type { PrimExpr } from "../../ir/expr.ts";
import { CALL_OPS } from "../../ir/expr.ts";
import { isFloat } from "../../ir/dtype.ts";
import { visit } from "../../ir/node.ts";

const ids = new WeakMap<object, number>();
let nextId = 0;
function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) {
    id = ++nextId;
    ids.set(o, id);
  }
  return id;
}

/** A key equal for expressions that compute the same thing (variables and buffers by identity). */
export function exprKey(e: PrimExpr): string {
  switch (e.kind) {
    case "IntImm":
    case "FloatImm":
      return `${e.dtype}:${Object.is(e.value, -0) ? "-0" : e.value}`;
    case "Var":
      return `v${idOf(e)}`;
    case "Binary":
      return `(${e.op} ${exprKey(e.a)} ${exprKey(e.b)})`;
    case "Not":
      return `(! ${exprKey(e.a)})`;
    case "Select":
      return `(? ${exprKey(e.cond)} ${exprKey(e.t)} ${exprKey(e.f)})`;
    case "Cast":
      return `(${e.dtype} ${exprKey(e.value)})`;
    case "BufferLoad":
      return `(ld b${idOf(e.buffer)} ${e.indices.map(exprKey).join(" ")})`;
    case "Call":
      return `(${e.op}:${e.dtype} ${e.args.map(exprKey).join(" ")})`;
    case "Ramp":
      return `(ramp ${exprKey(e.base)} ${exprKey(e.stride)} ${e.lanes})`;
    case "Broadcast":
      return `(bc ${exprKey(e.value)} ${e.lanes})`;
    case "Let":
      return `(let v${idOf(e.v)} ${exprKey(e.value)} ${exprKey(e.body)})`;
  }
}

function loads(e: PrimExpr): Set<string> {
  const out = new Set<string>();
  visit(e, (n) => {
    if (n.kind === "BufferLoad") out.add(exprKey(n));
  });
  return out;
}

function faults(e: PrimExpr, safe: ReadonlySet<string>): boolean {
  let found = false;
  visit(e, (n) => {
    if (found) return false;
    if (n.kind === "BufferLoad" && !safe.has(exprKey(n))) found = true;
    if (n.kind === "Call" && !(n.op in CALL_OPS)) found = true;
    if (
      n.kind === "Binary" && !isFloat(n.a.dtype) &&
      (n.op === "div" || n.op === "mod" || n.op === "floordiv" || n.op === "floormod")
    ) found = true;
    return !found;
  });
  return found;
}

/**
 * True if `select(cond, t, f)` with a vector condition must evaluate its arms lane by lane.
 *
 * @example
 * ```ts
 * import { armsMayFault } from "./c_hazard.ts";
 * import { broadcast, bufferLoad, float, gt, mul, ramp, variable } from "../../ir/expr.ts";
 * import { decl } from "../../ir/stmt.ts";
 * const A = decl("A", [64]);
 * const a = bufferLoad(A, [ramp(variable("i"), 1, 4)]);
 * // relu-like: the arms load what the condition loads anyway
 * console.assert(!armsMayFault(gt(a, broadcast(float(0), 4)), a, mul(a, broadcast(float(0.1), 4))));
 * ```
 */
export function armsMayFault(cond: PrimExpr, t: PrimExpr, f: PrimExpr): boolean {
  const safe = loads(cond);
  const inF = loads(f);
  for (const k of loads(t)) if (inF.has(k)) safe.add(k);
  return faults(t, safe) || faults(f, safe);
}
