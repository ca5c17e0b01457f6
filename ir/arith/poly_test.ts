/** Polynomials: exact coefficient arithmetic, canonical printing, merge rules, keys. */
import { assert, assertEquals } from "../test_util.ts";
import { floordiv, floormod, variable } from "../expr.ts";
import { formatExpr } from "./format.ts";
import { compareExprs, exprKey } from "./key.ts";
import { mergeDivMod } from "./merge_rules.ts";
import { pAdd, pAtom, pConst, pMul, polyOf, pScale, toExpr, wrap } from "./poly.ts";

const x = variable("x"), y = variable("y");

Deno.test("poly: coefficients wrap like the dtype (ring-exact)", () => {
  assertEquals(wrap("int8", 130), -126);
  assertEquals(wrap("uint8", 255), -1); // signed representative
  assertEquals(wrap("int32", 2 ** 31), -(2 ** 31));
  assertEquals(wrap("int64", 2 ** 40), 2 ** 40);
  const b = variable("b", "uint8");
  // b·16·16 = b·256 ≡ 0 (mod 256)
  assertEquals(toExpr(pScale(pScale(pAtom(b), 16), 16)).kind, "IntImm");
});

Deno.test("poly: printing is canonical", () => {
  const p = pAdd(pScale(pAtom(y), -2), pAdd(pAtom(x), pConst("int32", -5)));
  assertEquals(formatExpr(toExpr(p)), "x - y*2 - 5");
  assertEquals(formatExpr(toExpr(pScale(pAtom(x), -1))), "x*-1");
  assertEquals(formatExpr(toExpr(pAdd(pScale(pAtom(x), -1), pConst("int32", 3)))), "3 - x");
  assertEquals(formatExpr(toExpr(pMul(pAtom(y), pAtom(x)))), "x*y");
  assertEquals(formatExpr(toExpr(polyOf(toExpr(p)))), "x - y*2 - 5"); // polyOf reads it back
});

Deno.test("merge rules: div/mod pairs recombine", () => {
  const fd = pAtom(floordiv(x, 8)), fm = pAtom(floormod(x, 8));
  assertEquals(toExpr(mergeDivMod(pAdd(pScale(fd, 8), fm))), x); // 8⌊x/8⌋ + x mod 8 → x
  assertEquals(formatExpr(toExpr(mergeDivMod(pAdd(pScale(fd, 24), pScale(fm, 3))))), "x*3");
  assertEquals(formatExpr(toExpr(mergeDivMod(pAdd(pAtom(x), pScale(fd, -8))))), "floormod(x, 8)");
  // not a pair: coefficients do not match
  assertEquals(
    formatExpr(toExpr(mergeDivMod(pAdd(pScale(fd, 4), fm)))),
    "floordiv(x, 8)*4 + floormod(x, 8)",
  );
});

Deno.test("keys: identity, not names; a total order", () => {
  const x2 = variable("x");
  assert(exprKey(x) !== exprKey(x2));
  assertEquals(exprKey(floordiv(x, 8)), exprKey(floordiv(x, 8)));
  assert(compareExprs(x, y) < 0 && compareExprs(y, x) > 0 && compareExprs(x, x) === 0);
  assert(compareExprs(x, floordiv(x, 8)) < 0); // variables sort first
});
