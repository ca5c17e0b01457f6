/** Simplifier laws as tables of (input, expected) over i∈[0,4), j∈[0,16), k∈[0,8), free x, y. */
import { assertEquals } from "../test_util.ts";
import {
  add,
  and,
  cast,
  div,
  eq,
  float,
  floordiv,
  floormod,
  ge,
  gt,
  le,
  lt,
  max,
  min,
  mod,
  mul,
  ne,
  not,
  or,
  type PrimExpr,
  select,
  sub,
  variable,
} from "../expr.ts";
import { sizeVar } from "../te.ts";
import { Analyzer } from "./analyzer.ts";
import { formatExpr } from "./format.ts";
import { simplify } from "./simplify.ts";

const i = variable("i"), j = variable("j"), k = variable("k");
const x = variable("x"), y = variable("y");
const n = sizeVar("n"), r = variable("r");
const fx = variable("fx", "float32"), fy = variable("fy", "float32");

function analyzer(): Analyzer {
  const ana = new Analyzer();
  ana.bind(i, { min: 0, extent: 4 });
  ana.bind(j, { min: 0, extent: 16 });
  ana.bind(k, { min: 0, extent: 8 });
  ana.bind(r, { min: 0, extent: n });
  return ana;
}

function check(table: readonly [PrimExpr, string][]): void {
  const ana = analyzer();
  for (const [input, want] of table) {
    assertEquals(formatExpr(ana.simplify(input)), want, `simplify(${formatExpr(input)})`);
  }
}

Deno.test("affine: constants folded, like terms combined, deterministic order", () => {
  check([
    [add(add(x, 3), sub(y, 3)), "x + y"], // (x + 3) + (y - 3) → x + y
    [sub(add(mul(x, 2), y), x), "x + y"], // 2x + y - x → x + y
    [add(y, x), "x + y"], // commutative: one order
    [sub(x, x), "0"],
    [mul(add(x, 1), 3), "x*3 + 3"], // distributed
    [mul(add(x, 1), add(y, 2)), "x*2 + x*y + y + 2"], // sum of products
    [sub(mul(x, y), mul(y, x)), "0"],
    [sub(3, x), "3 - x"],
    [sub(0, x), "x*-1"],
    [add(mul(i, 16), j), "i*16 + j"],
    [add(j, mul(i, 16)), "i*16 + j"],
  ]);
});

Deno.test("floordiv/floormod by constants", () => {
  check([
    [floordiv(add(mul(i, 16), j), 16), "i"], // (16i + j)/16 → i, 0 ≤ j < 16
    [floormod(add(mul(i, 16), j), 16), "j"],
    [floordiv(add(mul(x, 8), y), 8), "x + floordiv(y, 8)"], // y unbounded
    [floormod(add(mul(x, 8), y), 8), "floormod(y, 8)"],
    [floordiv(floordiv(x, 4), 8), "floordiv(x, 32)"], // ⌊⌊x/4⌋/8⌋ → ⌊x/32⌋
    [sub(x, mul(floordiv(x, 8), 8)), "floormod(x, 8)"], // x - ⌊x/8⌋·8 → x mod 8
    [add(mul(floordiv(x, 8), 8), floormod(x, 8)), "x"],
    [floormod(mul(x, 8), 8), "0"],
    [floordiv(mul(x, 8), 4), "x*2"],
    [floordiv(mul(x, 4), 8), "floordiv(x, 2)"], // gcd
    [floormod(mul(x, 4), 8), "floormod(x, 2)*4"],
    [floordiv(add(mul(x, 4), k), 8), "floordiv(k + x*4, 8)"], // k up to 7: no a-split (terms in name order)
    [floordiv(add(mul(x, 4), floormod(k, 4)), 8), "floordiv(x, 2)"], // a-split with 0 ≤ Z < 4
    [floormod(add(mul(x, 4), floormod(k, 4)), 8), "floormod(k, 4) + floormod(x, 2)*4"],
    [floormod(floormod(x, 16), 4), "floormod(x, 4)"], // 4 | 16
    [floordiv(floormod(x, 16), 16), "0"],
    [floordiv(k, 8), "0"],
    [floormod(k, 8), "k"],
    [floordiv(add(k, 8), 8), "1"],
    [floormod(add(k, 8), 8), "k"],
    [floordiv(add(x, 9), 8), "floordiv(x + 1, 8) + 1"],
    [floormod(add(mul(x, 6), 3), 3), "0"], // modular: 6x + 3 ≡ 0 (mod 3)
    [floordiv(add(mul(floordiv(j, 4), 4), floormod(j, 4)), 2), "floordiv(j, 2)"],
  ]);
});

Deno.test("truncating div/mod stay distinct from floordiv/floormod", () => {
  check([
    [div(add(mul(i, 16), j), 16), "i"], // non-negative: same as floordiv
    [mod(add(mul(i, 16), j), 16), "j"],
    [div(x, 4), "x/4"], // x may be negative
    [mod(x, 4), "x%4"],
    [div(sub(k, 8), 2), "(k - 8)/2"], // negative dividend: trunc ≠ floor
  ]);
});

Deno.test("symbolic sizes", () => {
  check([
    [lt(r, n), "true"], // r in [0, n)
    [ge(r, 0), "true"],
    [floormod(r, n), "r"],
    [floordiv(r, n), "0"],
    [floordiv(add(mul(x, n), r), n), "x"],
    [floormod(add(mul(x, n), r), n), "r"],
    [min(r, n), "r"],
    [max(r, sub(n, 1)), "n - 1"],
    [lt(add(r, 1), n), "r < n - 1"], // not decidable: normal form
    [add(mul(floordiv(x, n), n), floormod(x, n)), "x"], // symbolic merge
  ]);
});

Deno.test("min/max, select", () => {
  check([
    [min(i, 10), "i"],
    [max(i, 10), "10"],
    [min(x, x), "x"],
    [min(add(x, 1), x), "x"],
    [max(add(x, 1), x), "x + 1"],
    [min(y, x), "min(x, y)"], // sorted operands
    [min(min(x, 3), 5), "min(x, 3)"],
    [select(lt(i, 4), x, y), "x"],
    [select(lt(x, 4), y, y), "y"],
    [select(lt(x, 4), min(x, 8), x), "x"], // min(x, 8) = x when x < 4: both arms x
  ]);
});

Deno.test("comparisons: decided from bounds, else normal form", () => {
  check([
    [lt(add(mul(i, 16), j), 64), "true"],
    [ge(add(mul(i, 16), j), 64), "false"],
    [lt(k, 0), "false"],
    [eq(add(mul(x, 4), 1), mul(y, 4)), "false"], // modular: 4(x - y) + 1 ≠ 0
    [ne(mul(x, 2), 1), "true"],
    [lt(add(x, 1), add(y, 1)), "x < y"],
    [gt(x, y), "y < x"],
    [ge(add(mul(x, 4), 2), 7), "2 <= x"], // 4x ≥ 5 ⇔ x ≥ 2
    [lt(mul(x, 4), 10), "x < 3"], // 4x < 10 ⇔ x < 3
    [le(mul(x, 4), 10), "x <= 2"],
    [eq(mul(x, 4), 8), "x == 2"],
    [eq(mul(x, 4), 6), "false"],
    [eq(y, x), "x == y"],
    [eq(x, y), "x == y"],
    [lt(sub(x, y), 0), "x < y"],
  ]);
});

Deno.test("boolean simplification", () => {
  check([
    [and(lt(x, 4), lt(x, 8)), "x < 4"],
    [or(lt(x, 4), lt(x, 8)), "x < 8"],
    [and(lt(x, 4), ge(x, 4)), "false"],
    [or(lt(x, 4), ge(x, 4)), "true"],
    [and(lt(x, 4), lt(y, 4)), "x < 4 && y < 4"],
    [not(lt(x, 4)), "4 <= x"],
    [not(not(lt(x, 4))), "x < 4"],
    [and(lt(i, 8), lt(x, 4)), "x < 4"],
    [not(lt(fx, fy)), "!(fx < fy)"], // NaN: !(a < b) is not b <= a
  ]);
});

Deno.test("floats pass through structurally (never reassociated)", () => {
  const e = add(add(fx, float(1)), float(2)); // (fx + 1) + 2 stays: floats do not reassociate
  assertEquals(formatExpr(simplify(e)), "fx + 1.0 + 2.0");
  assertEquals(formatExpr(simplify(mul(fx, float(0)))), "fx*0.0"); // NaN*0 is NaN
  assertEquals(formatExpr(simplify(sub(fx, fx))), "fx - fx");
  // integer sub-expressions inside floats are simplified
  assertEquals(formatExpr(simplify(cast("float32", sub(add(x, 1), 1)))), "float32(x)");
});

Deno.test("casts are kept (never simplified away)", () => {
  const b = variable("b", "int8");
  check([
    [cast("int32", cast("int8", x)), "int32(int8(x))"],
    [sub(cast("int32", add(b, 1)), cast("int32", add(b, 1))), "0"],
  ]);
});
