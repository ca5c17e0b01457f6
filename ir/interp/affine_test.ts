import { assertEquals } from "../test_util.ts";
import { add, bufferLoad, int, mul, type PrimExpr, sub, variable } from "../expr.ts";
import { primFunc } from "../func.ts";
import { ndarray, toNumbers } from "../ndarray.ts";
import { bufferStore, decl, forLoop, letStmt, loopVar } from "../stmt.ts";
import { interpret } from "./interpret.ts";

/** Run `B[i] = e(x, y)` with x = A[i], y = A[i] + 1 bound by lets (so both sit in var slots). */
function evalInt32(e: (x: PrimExpr, y: PrimExpr) => PrimExpr, xs: number[]): number[] {
  const A = decl("A", [xs.length], "int32");
  const B = decl("B", [xs.length], "int32");
  const i = loopVar("i");
  const x = variable("x");
  const y = variable("y");
  const body = letStmt(
    x,
    bufferLoad(A, [i]),
    letStmt(y, add(bufferLoad(A, [i]), 1), bufferStore(B, e(x, y), [i])),
  );
  const b = ndarray("int32", [xs.length]);
  interpret(primFunc("aff", [A, B], forLoop(i, 0, xs.length, body)), [
    ndarray("int32", [xs.length], xs),
    b,
  ]);
  return toNumbers(b);
}

const wrap = (v: bigint) => Number(BigInt.asIntN(32, v));
const XS = [2147483647, -2147483648, 123456789, -99999, 0, 46341];

Deno.test("affine int32 index arithmetic wraps exactly like node-by-node evaluation", () => {
  // (x·65537 − x·3)·40000 + (y + 2147483647): every step overflows for large x.
  const got = evalInt32(
    (x, y) => add(mul(sub(mul(x, 65537), mul(x, 3)), 40000), add(y, 2147483647)),
    XS,
  );
  const want = XS.map((v) => {
    const x = BigInt(v);
    const y = BigInt.asIntN(32, x + 1n); // y = A[i] + 1, itself wrapped
    const t1 = BigInt.asIntN(32, BigInt.asIntN(32, x * 65537n) - BigInt.asIntN(32, x * 3n));
    return wrap(BigInt.asIntN(32, t1 * 40000n) + BigInt.asIntN(32, y + 2147483647n));
  });
  assertEquals(got, want);
});

Deno.test("affine forms with cancelling terms, constants only, and a non-affine part", () => {
  assertEquals(evalInt32((x, y) => sub(add(x, y), y), XS), XS); // y − y cancels
  assertEquals(evalInt32(() => add(int(7), int(8)), [1]), [15]);
  assertEquals(
    evalInt32((x, y) => add(add(mul(x, 3), mul(y, -5)), add(mul(x, x), y)), XS),
    XS.map((v) => {
      const x = BigInt(v);
      const y = BigInt.asIntN(32, x + 1n);
      return wrap(x * 3n + y * -5n + BigInt.asIntN(32, x * x) + y); // x·x is not affine
    }),
  );
});
