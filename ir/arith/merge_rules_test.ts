import { assertEquals } from "../test_util.ts";
import { add, floordiv, floormod, mul, variable } from "../expr.ts";
import { Analyzer } from "./analyzer.ts";
import { formatExpr } from "./format.ts";

Deno.test("three fused loops recombine: 65·⌊x/65⌋ + 5·(⌊x/5⌋ mod 13) + x mod 5 → x", () => {
  const x = variable("x");
  const e = add(
    add(mul(floordiv(x, 65), 65), floormod(x, 5)),
    mul(floormod(floordiv(x, 5), 13), 5),
  );
  assertEquals(new Analyzer().simplify(e), x);
});

Deno.test("a modulus of a quotient pairs with the quotient of the product, scaled", () => {
  const x = variable("x");
  // 3·(8·⌊x/24⌋ + ⌊x/3⌋ mod 8) = 3·⌊x/3⌋
  const e = mul(add(mul(floordiv(x, 24), 8), floormod(floordiv(x, 3), 8)), 3);
  assertEquals(formatExpr(new Analyzer().simplify(e)), formatExpr(mul(floordiv(x, 3), 3)));
});
