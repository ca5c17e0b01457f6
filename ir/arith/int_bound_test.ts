/** Constant bounds: interval rules, dtype ranges and wrap-around widening. */
import { assertEquals } from "../test_util.ts";
import {
  add,
  cast,
  div,
  floordiv,
  floormod,
  int,
  lt,
  max,
  min,
  mod,
  mul,
  type PrimExpr,
  select,
  sub,
  type Var,
  variable,
} from "../expr.ts";
import { binaryBound, constIntBound, dtypeBound, EVERYTHING } from "./int_bound.ts";

const x = variable("x"), y = variable("y"), u = variable("u", "uint8");
const env = (m: Map<Var, [number, number]>) => ({
  varBound: (v: Var) => {
    const b = m.get(v);
    return b && { min: b[0], max: b[1] };
  },
});
const E = env(new Map<Var, [number, number]>([[x, [-3, 5]], [y, [2, 4]], [u, [0, 200]]]));
const B = (e: PrimExpr) => constIntBound(e, E);

Deno.test("constIntBound: interval arithmetic", () => {
  const table: [PrimExpr, number, number][] = [
    [add(x, y), -1, 9],
    [sub(x, y), -7, 3],
    [mul(x, y), -12, 20],
    [mul(x, -2), -10, 6],
    [floordiv(x, 2), -2, 2],
    [floormod(x, 4), 0, 3],
    [floormod(y, 8), 2, 4], // one period: the value itself
    [floordiv(x, y), -2, 2],
    [div(x, 2), -1, 2], // truncating
    [mod(x, 4), -3, 3],
    [mod(y, 3), 0, 2],
    [min(x, y), -3, 4],
    [max(x, y), 2, 5],
    [select(lt(x, 0), y, int(9)), 2, 9],
  ];
  for (const [e, lo, hi] of table) assertEquals(B(e), { min: lo, max: hi });
});

Deno.test("constIntBound: unknown variables, dtype ranges, wrap-around", () => {
  const z = variable("z");
  assertEquals(B(z), EVERYTHING); // unbounded int32
  assertEquals(B(add(z, 1)), EVERYTHING);
  assertEquals(B(floormod(z, 8)), { min: 0, max: 7 });
  assertEquals(B(floordiv(z, y)), EVERYTHING);
  assertEquals(dtypeBound("uint8"), { min: 0, max: 255 });
  assertEquals(dtypeBound("bool"), { min: 0, max: 1 });
  assertEquals(B(variable("w", "int8")), { min: -128, max: 127 });
  // uint8 u + 100 may wrap (u up to 200): the whole range
  assertEquals(B(add(u, 100)), { min: 0, max: 255 });
  assertEquals(B(add(u, 50)), { min: 50, max: 250 });
  assertEquals(B(cast("int8", u)), { min: -128, max: 127 }); // 200 does not fit int8
  assertEquals(B(cast("int32", u)), { min: 0, max: 200 });
});

Deno.test("binaryBound: division by an interval that touches zero skips zero", () => {
  // x / y with y ∈ [0, 4]: y = 0 has no value, so y ∈ [1, 4]
  assertEquals(binaryBound("floordiv", { min: 0, max: 8 }, { min: 0, max: 4 }), { min: 0, max: 8 });
  assertEquals(binaryBound("floordiv", { min: 0, max: 8 }, { min: -1, max: 4 }), EVERYTHING);
  // x/∞ → 0 from below for negative x: floor gives -1
  assertEquals(
    binaryBound("floordiv", { min: -5, max: 5 }, { min: 1, max: Infinity }),
    { min: -5, max: 5 },
  );
});
