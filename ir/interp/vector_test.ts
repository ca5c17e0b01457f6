import { assertEquals } from "../test_util.ts";
import {
  add,
  broadcast,
  bufferLoad,
  call,
  cast,
  float,
  int,
  letExpr,
  lt,
  mul,
  ramp,
  select,
  variable,
} from "../expr.ts";
import { primFunc } from "../func.ts";
import { ndarray, randomNDArray, toNumbers } from "../ndarray.ts";
import { bufferStore, decl, forLoop, loopVar } from "../stmt.ts";
import { runFunc } from "./interpret.ts";

Deno.test("ramp loads and stores move whole vectors", () => {
  const A = decl("A", [8], "float32");
  const B = decl("B", [8], "float32");
  const i = loopVar("i");
  const lanes = ramp(mul(i, 4), 1, 4);
  const v = add(mul(bufferLoad(A, [lanes]), broadcast(float(2), 4)), broadcast(float(0.5), 4));
  const f = primFunc("vec", [A, B], forLoop(i, 0, 2, bufferStore(B, v, [lanes])));
  const a = randomNDArray("float32", [8], 1);
  const [b] = runFunc(f, [a]);
  assertEquals(toNumbers(b), toNumbers(a).map((x) => Math.fround(Math.fround(x * 2) + 0.5)));
});

Deno.test("strided ramps, 2-D vector indices and broadcast stores", () => {
  const A = decl("A", [3, 8], "int32");
  const B = decl("B", [3, 4], "int32");
  const r = loopVar("r");
  // B[r, 0:4] = A[r, 0:8:2] (every other element of the row)
  const f = primFunc(
    "gather",
    [A, B],
    forLoop(r, 0, 3, bufferStore(B, bufferLoad(A, [r, ramp(0, 2, 4)]), [r, ramp(0, 1, 4)])),
  );
  const a = ndarray("int32", [3, 8], Array.from({ length: 24 }, (_, k) => k));
  const [b] = runFunc(f, [a]);
  assertEquals(toNumbers(b), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]);
  // A scalar value stored through a vector index fills every lane.
  const C = decl("C", [6], "int8");
  const g = primFunc("fill", [C], bufferStore(C, int(-3, "int8"), [ramp(1, 2, 3)]));
  const [c] = runFunc(g, [], [[6]]);
  assertEquals(toNumbers(c), [0, -3, 0, -3, 0, -3]);
});

Deno.test("vector arithmetic wraps per lane; casts and calls apply per lane", () => {
  const A = decl("A", [4], "int8");
  const B = decl("B", [4], "int8");
  const F = decl("F", [4], "float16");
  const idx = ramp(0, 1, 4);
  const wrapped = add(bufferLoad(A, [idx]), broadcast(int(100, "int8"), 4));
  const asHalf = call("sqrt", [cast("float16x4", bufferLoad(A, [idx]))]);
  const f = primFunc("lanes", [A, B], bufferStore(B, wrapped, [idx]));
  const [b] = runFunc(f, [ndarray("int8", [4], [27, 28, -100, 0])]);
  assertEquals(toNumbers(b), [127, -128, 0, 100]);
  const g = primFunc("half", [A, F], bufferStore(F, asHalf, [idx]));
  const [h] = runFunc(g, [ndarray("int8", [4], [4, 2, 0, -1])]);
  const got = toNumbers(h);
  assertEquals(got.slice(0, 3), [2, Math.f16round(Math.SQRT2), 0]);
  assertEquals(Number.isNaN(got[3]), true);
});

Deno.test("a vector select with a vector condition is lazy per lane", () => {
  // P[0:8] = lanes < n ? A[lanes] : 0, with A of length n = 6: lanes 6 and 7 of the second vector
  // would read out of bounds if the unchosen arm were evaluated for them.
  const n = variable("n");
  const A = decl("A", [n], "float32");
  const P = decl("P", [8], "float32");
  const i = loopVar("i");
  const lanes = ramp(mul(i, 4), 1, 4);
  const v = select(lt(lanes, broadcast(n, 4)), bufferLoad(A, [lanes]), broadcast(float(0), 4));
  const f = primFunc("vpad", [A, P], forLoop(i, 0, 2, bufferStore(P, v, [lanes])));
  const [p] = runFunc(f, [ndarray("float32", [6], [1, 2, 3, 4, 5, 6])], [[8]]);
  assertEquals(toNumbers(p), [1, 2, 3, 4, 5, 6, 0, 0]);
  // All lanes false: the load arm is not evaluated at all.
  const [q] = runFunc(f, [ndarray("float32", [0], [])], [[8]]);
  assertEquals(toNumbers(q), [0, 0, 0, 0, 0, 0, 0, 0]);
});

Deno.test("vector lets, int64 ramps and scalar-condition selects", () => {
  const A = decl("A", [4], "int64");
  const x = variable("x", "int64x4");
  const base = variable("base", "int64");
  const idx = ramp(0, 1, 4);
  const body = letExpr(x, ramp(base, cast("int64", int(3)), 4), mul(x, x));
  const big = 2n ** 31n;
  const g = primFunc("v64b", [base, A], bufferStore(A, body, [idx]));
  const [out] = runFunc(g, [big]);
  assertEquals(
    [...(out.data as BigInt64Array)],
    [0n, 3n, 6n, 9n].map((k) => BigInt.asIntN(64, (big + k) * (big + k))),
  );
  const c = variable("c", "bool");
  const B = decl("B", [4], "int32");
  const h = primFunc(
    "sel",
    [c, B],
    bufferStore(B, select(c, ramp(0, 1, 4), broadcast(int(9), 4)), [idx]),
  );
  assertEquals(toNumbers(runFunc(h, [1])[0]), [0, 1, 2, 3]);
  assertEquals(toNumbers(runFunc(h, [0])[0]), [9, 9, 9, 9]);
});
