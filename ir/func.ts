/**
 * `PrimFunc` (a kernel at any stage of lowering) and `IRModule` (named functions).
 *
 * A `PrimFunc`'s parameters are buffers and scalar variables. Symbolic sizes are the variables
 * that appear in parameter buffers' shapes: they are bound at call time from the shapes of the
 * tensors passed, so one compiled function serves every size.
 *
 * @module
 */
import { IRTypeError } from "./errors.ts";
import type { PrimExpr, Var } from "./expr.ts";
import type { AnnotationValue, Buffer, Stmt } from "./stmt.ts";

/** A tensor-level function. */
export interface PrimFunc {
  readonly kind: "PrimFunc";
  readonly name: string;
  readonly params: readonly (Buffer | Var)[];
  readonly body: Stmt;
  readonly attrs: Readonly<Record<string, AnnotationValue>>;
}

/**
 * A tensor-level function.
 *
 * @example
 * ```ts
 * import { primFunc } from "./func.ts";
 * import { decl, evaluate } from "./stmt.ts";
 * import { int } from "./expr.ts";
 * const f = primFunc("noop", [decl("A", [4])], evaluate(int(0)));
 * console.assert(f.params.length === 1);
 * ```
 */
export function primFunc(
  name: string,
  params: readonly (Buffer | Var)[],
  body: Stmt,
  attrs: Record<string, AnnotationValue> = {},
): PrimFunc {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new IRTypeError(
      "BAD_NAME",
      `Cannot name a function "${name}": use letters, digits and _`,
    );
  }
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p.name)) {
      throw new IRTypeError(
        "DUPLICATE_PARAM",
        `Cannot define function "${name}": parameter "${p.name}" appears twice`,
      );
    }
    seen.add(p.name);
  }
  return { kind: "PrimFunc", name, params, body, attrs };
}

/** Buffer parameters of a function, in order. */
export function bufferParams(f: PrimFunc): Buffer[] {
  return f.params.filter((p): p is Buffer => p.kind === "Buffer");
}

/**
 * The symbolic size variables of a function: variables appearing in its parameter buffers'
 * shapes, in order of first appearance. They are bound at call time from the tensors' shapes.
 *
 * @example
 * ```ts
 * import { primFunc, sizeVars } from "./func.ts";
 * import { decl, evaluate } from "./stmt.ts";
 * import { int, variable } from "./expr.ts";
 * const n = variable("n");
 * const f = primFunc("f", [decl("A", [n, 4])], evaluate(int(0)));
 * console.assert(sizeVars(f)[0] === n);
 * ```
 */
export function sizeVars(f: PrimFunc): Var[] {
  const out: Var[] = [];
  const seen = new Set<Var>();
  const visit = (e: PrimExpr) => {
    if (e.kind === "Var") {
      if (!seen.has(e)) {
        seen.add(e);
        out.push(e);
      }
      return;
    }
    for (const c of exprChildren(e)) visit(c);
  };
  for (const b of bufferParams(f)) for (const d of b.shape) visit(d);
  return out;
}

function exprChildren(e: PrimExpr): PrimExpr[] {
  switch (e.kind) {
    case "Binary":
      return [e.a, e.b];
    case "Not":
      return [e.a];
    case "Cast":
      return [e.value];
    case "Select":
      return [e.cond, e.t, e.f];
    case "Call":
      return [...e.args];
    default:
      return [];
  }
}

/** A module: functions by name. */
export interface IRModule {
  readonly kind: "IRModule";
  readonly functions: ReadonlyMap<string, PrimFunc>;
}

/**
 * A module from functions (keyed by their names).
 *
 * @example
 * ```ts
 * import { irModule, primFunc } from "./func.ts";
 * import { evaluate } from "./stmt.ts";
 * import { int } from "./expr.ts";
 * const m = irModule([primFunc("f", [], evaluate(int(0)))]);
 * console.assert(m.functions.has("f"));
 * ```
 */
export function irModule(functions: readonly PrimFunc[]): IRModule {
  const map = new Map<string, PrimFunc>();
  for (const f of functions) {
    if (map.has(f.name)) {
      throw new IRTypeError(
        "DUPLICATE_FUNCTION",
        `Cannot add function "${f.name}" to a module twice`,
      );
    }
    map.set(f.name, f);
  }
  return { kind: "IRModule", functions: map };
}

/** Replace (or add) one function of a module. */
export function withFunction(mod: IRModule, f: PrimFunc): IRModule {
  const map = new Map(mod.functions);
  map.set(f.name, f);
  return { kind: "IRModule", functions: map };
}

/** The function attribute that says a function is scheduled (`build` leaves it as it is). */
export const SCHEDULED_ATTR = "scheduled";

const scheduledFuncs = new WeakSet<PrimFunc>();

/**
 * Remember that `f` was produced by a schedule, so `build` applies no default schedule to it.
 * Schedules mark every function they produce (by identity, leaving the function unchanged, so
 * structural comparisons do not see the mark); `attrs.scheduled === true` says the same.
 */
export function markScheduled(f: PrimFunc): PrimFunc {
  scheduledFuncs.add(f);
  return f;
}

/**
 * Whether `f` was produced by a schedule (`markScheduled`) or says so (`attrs.scheduled`).
 *
 * @example
 * ```ts
 * import { isScheduled, markScheduled, primFunc } from "./func.ts";
 * import { decl, evaluate } from "./stmt.ts";
 * import { int } from "./expr.ts";
 * const f = primFunc("f", [decl("A", [4])], evaluate(int(0)));
 * console.assert(!isScheduled(f) && isScheduled(markScheduled(f)));
 * console.assert(isScheduled({ ...f, attrs: { scheduled: true } }));
 * ```
 */
export function isScheduled(f: PrimFunc): boolean {
  return scheduledFuncs.has(f) || f.attrs[SCHEDULED_ATTR] === true;
}
