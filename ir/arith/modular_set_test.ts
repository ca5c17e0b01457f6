/** Modular sets: the rule for each operator, and wrap-around reduction for narrow dtypes. */
import { assertEquals } from "../test_util.ts";
import {
  add,
  cast,
  floordiv,
  floormod,
  lt,
  max,
  mul,
  type PrimExpr,
  select,
  sub,
  type Var,
  variable,
} from "../expr.ts";
import { ANY, gcd, modSet, modularSet } from "./modular_set.ts";

const i = variable("i"), j = variable("j"), b = variable("b", "uint8");
const env = { varModular: (v: Var) => (v === j ? modSet(4, 1) : undefined) }; // j ≡ 1 (mod 4)
const M = (e: PrimExpr) => modularSet(e, env);

Deno.test("modularSet: one rule per operator", () => {
  const table: [PrimExpr, number, number][] = [
    [add(mul(i, 8), 3), 8, 3], // 8k + 3
    [sub(mul(i, 8), 3), 8, 5], // -3 ≡ 5 (mod 8)
    [mul(add(mul(i, 4), 2), 3), 12, 6], // (4k + 2)·3 = 12k + 6
    [mul(mul(i, 4), mul(j, 6)), 24, 0],
    [floordiv(add(mul(i, 8), 4), 4), 2, 1], // (8k + 4)/4 = 2k + 1
    [floormod(add(mul(i, 6), 1), 4), 2, 1], // gcd(6, 4) = 2
    [add(j, 3), 4, 0], // j ≡ 1 → j + 3 ≡ 0 (mod 4)
    [select(lt(i, 0), mul(i, 6), add(mul(i, 4), 2)), 2, 0], // gcd(6, 4, 0 - 2)
    [max(mul(i, 6), add(mul(i, 9), 3)), 3, 0],
    [cast("int64", mul(i, 4)), 4, 0],
    [i, 1, 0],
  ];
  for (const [e, coeff, base] of table) assertEquals(M(e), { coeff, base });
});

Deno.test("modularSet: constants are exact, narrow dtypes wrap", () => {
  assertEquals(M(add(mul(i, 0), 7)), { coeff: 0, base: 7 });
  // uint8: b·6 wraps modulo 256, so only ≡ 0 (mod gcd(6, 256) = 2) survives
  assertEquals(M(mul(b, 6)), { coeff: 2, base: 0 });
  assertEquals(M(mul(b, 64)), { coeff: 64, base: 0 });
  assertEquals(M(cast("int8", mul(i, 4))), ANY); // narrowing may change the value
  assertEquals(gcd(12, -18), 6);
  assertEquals(gcd(0, 5), 5);
});
