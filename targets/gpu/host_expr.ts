/**
 * Evaluate integer expressions over a kernel's scalar parameters on the host: dispatch sizes,
 * workspace sizes and host-side asserts depend on symbolic sizes known only at run time.
 *
 * @module
 */
import type { PrimExpr, Var } from "../../ir/expr.ts";
import { InternalError } from "../../ir/errors.ts";

/** Values of variables (the scalar parameters of a call). */
export type HostEnv = ReadonlyMap<Var, number>;

const BINARY: Readonly<Record<string, (a: number, b: number) => number>> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => Math.trunc(a / b),
  mod: (a, b) => a % b,
  floordiv: (a, b) => Math.floor(a / b),
  floormod: (a, b) => a - Math.floor(a / b) * b, // remainder with the divisor's sign
  min: Math.min,
  max: Math.max,
  eq: (a, b) => +(a === b),
  ne: (a, b) => +(a !== b),
  lt: (a, b) => +(a < b),
  le: (a, b) => +(a <= b),
  gt: (a, b) => +(a > b),
  ge: (a, b) => +(a >= b),
  and: (a, b) => +(!!a && !!b),
  or: (a, b) => +(!!a || !!b),
};

/**
 * The value of `e` given the variables in `env` (numbers; integer ops exact below 2^53).
 *
 * @example
 * ```ts
 * import { evalHost } from "./host_expr.ts";
 * import { add, mul, variable } from "../../ir/expr.ts";
 * const n = variable("n");
 * console.assert(evalHost(add(mul(n, 4), 1), new Map([[n, 3]])) === 13);
 * ```
 */
export function evalHost(e: PrimExpr, env: HostEnv): number {
  switch (e.kind) {
    case "IntImm":
    case "FloatImm":
      return e.value;
    case "Var": {
      const v = env.get(e);
      if (v === undefined) throw new InternalError(`host expression uses unbound "${e.name}"`);
      return v;
    }
    case "Binary":
      return BINARY[e.op](evalHost(e.a, env), evalHost(e.b, env));
    case "Not":
      return +!evalHost(e.a, env);
    case "Select":
      return evalHost(e.cond, env) ? evalHost(e.t, env) : evalHost(e.f, env);
    case "Cast":
      return e.dtype.startsWith("float")
        ? evalHost(e.value, env)
        : Math.trunc(evalHost(e.value, env));
    case "Let":
      return evalHost(e.body, new Map([...env, [e.v, evalHost(e.value, env)]]));
  }
  throw new InternalError(`cannot evaluate a ${e.kind} on the host`);
}
