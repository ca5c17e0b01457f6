/**
 * Outlined parallel loops (c_parallel.ts) against the interpreter, through the test harness,
 * whose `env.tsr_parallel_for` runs each range in three chunks, last chunk first: captures of
 * every kind (scalar and int64 parameters, lets, vector lets, outer loop variables, buffers
 * allocated outside), allocations inside the body, non-zero mins, several parallel loops in one
 * kernel, parallel loops nested in parallel loops (serial, in order) and in serial loops.
 */
import {
  add,
  broadcast,
  bufferLoad,
  cast,
  int,
  mul,
  type PrimExpr,
  ramp,
  sub,
  variable,
} from "../../ir/expr.ts";
import { type PrimFunc, primFunc } from "../../ir/func.ts";
import { ndarray, randomNDArray } from "../../ir/ndarray.ts";
import { allocate, bufferStore, decl, forLoop, letStmt, loopVar, seq } from "../../ir/stmt.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { emitC } from "./codegen_c.ts";
import { compareWithInterpreter, compileBatch, type KernelArg } from "./test_harness.ts";

interface Case {
  readonly f: PrimFunc;
  readonly args: () => KernelArg[];
  /** Tasks the kernel must have. */
  readonly tasks: number;
}
const cases: Case[] = [];

{
  // Captures: a scalar parameter, an int64 parameter, a let, a vector let, an outer serial loop
  // variable; a parallel loop with a non-zero min inside a serial loop (one task, many calls).
  const n = variable("n");
  const big = variable("big", "int64");
  const A = decl("A", [64], "float32");
  const B = decl("B", [4 * 64], "float32");
  const [r, i] = [loopVar("r"), loopVar("i")];
  const s = variable("s", "float32");
  const v = variable("v", "float32x4");
  const at = add(mul(r, 64), i);
  const value = add(
    mul(bufferLoad(A, [i]), s),
    add(cast("float32", add(big, cast("int64", r))), bufferLoad(B, [at])),
  );
  const q = loopVar("q");
  const C = decl("C", [32], "float32");
  const quad = ramp(mul(q, 4), 1, 4);
  const lanes = forLoop(q, 0, 8, bufferStore(C, add(bufferLoad(C, [quad]), v), [quad]), {
    kind: "parallel",
  });
  const rows = forLoop(
    r,
    0,
    4,
    forLoop(i, 5, sub(n, 5), bufferStore(B, value, [at]), { kind: "parallel" }),
  );
  const body = letStmt(s, cast("float32", n), letStmt(v, broadcast(2.5, 4), seq([rows, lanes])));
  cases.push({
    f: primFunc("captures", [A, B, C, n, big], body),
    args: () => [
      randomNDArray("float32", [64], 1),
      randomNDArray("float32", [256], 2),
      randomNDArray("float32", [32], 3),
      50,
      7n,
    ],
    tasks: 2,
  });
}
{
  // Buffers allocated outside the loop (stack and heap) written inside, read after; scratch
  // allocated inside (stack and symbolic heap); two parallel loops → two tasks.
  const n = variable("n");
  const A = decl("A", [n], "float32");
  const O = decl("O", [n], "float32");
  const T = decl("T", [n], "float32");
  const K = decl("K", [8], "int32");
  const S = decl("S", [add(n, 5000)], "float32");
  const [i, j] = [loopVar("i"), loopVar("j")];
  const fillT = forLoop(
    i,
    0,
    n,
    allocate(
      S,
      seq([
        bufferStore(S, mul(bufferLoad(A, [i]), 3), [add(i, 4999)]),
        bufferStore(T, bufferLoad(S, [add(i, 4999)]), [i]),
      ]),
    ),
    { kind: "parallel" },
  );
  const fillK = forLoop(j, 0, 8, bufferStore(K, mul(j, j), [j]), { kind: "parallel" });
  const out = forLoop(
    i,
    0,
    n,
    bufferStore(O, add(bufferLoad(T, [i]), cast("float32", bufferLoad(K, [int(3)]))), [i]),
  );
  cases.push({
    f: primFunc("allocs", [A, O, n], allocate(T, allocate(K, seq([fillT, fillK, out])))),
    args: () => [randomNDArray("float32", [37], 3), ndarray("float32", [37]), 37],
    tasks: 2,
  });
}
{
  // A parallel loop nested in a parallel loop runs serially in order: a prefix sum per row.
  const A = decl("A", [6 * 20], "int32");
  const B = decl("B", [6 * 20], "int32");
  const [i, j] = [loopVar("i"), loopVar("j")];
  const at = add(mul(i, 20), j);
  const inner = forLoop(
    j,
    1,
    19,
    bufferStore(B, add(bufferLoad(B, [sub(at, 1)]), bufferLoad(A, [at])), [at]),
    { kind: "parallel" },
  );
  const row = seq([bufferStore(B, bufferLoad(A, [mul(i, 20)]), [mul(i, 20)]), inner]);
  cases.push({
    f: primFunc("nested", [A, B], forLoop(i, 0, 6, row, { kind: "parallel" })),
    args: () => [randomNDArray("int32", [120], 4), ndarray("int32", [120])],
    tasks: 1,
  });
}
{
  // An int64 parallel loop stays serial (no task).
  const A = decl("A", [10], "int64");
  const i = variable("i", "int64");
  cases.push({
    f: primFunc(
      "wide",
      [A],
      forLoop(i, 0, 10, bufferStore(A, mul(i, i), [cast("int32", i)]), { kind: "parallel" }),
    ),
    args: () => [ndarray("int64", [10])],
    tasks: 0,
  });
}

Deno.test("outlined parallel loops equal the interpreter with chunks in any order", async () => {
  const { mod, kernels } = await compileBatch(cases.map((c) => c.f));
  const diffs: string[] = [];
  cases.forEach((c, k) => {
    assertEquals(kernels[k].parallelTasks.length, c.tasks, c.f.name);
    diffs.push(...compareWithInterpreter(c.f, mod, kernels[k], c.args()));
  });
  assertEquals(diffs, []);
});

Deno.test("a task packs its captures, unpacks them as restrict locals; parallel: false outlines nothing", () => {
  const k = emitC(cases[1].f);
  assertEquals(k.parallelTasks, ["__tsr_par_allocs_0", "__tsr_par_allocs_1"]);
  assert(k.hostImports.includes("tsr_parallel_for"));
  assert(k.source.includes('__attribute__((export_name("__tsr_par_allocs_0")))'), k.source);
  assert(/__tsr_parallel_for\(1, &j_args, j_n, [^;]+\);/.test(k.source), k.source);
  assert(
    /float \*restrict A_\d+ = \(float \*\)__builtin_assume_aligned\(args->A, 64\);/.test(k.source),
  );
  const serial = emitC(cases[1].f, { parallel: false });
  assertEquals(serial.parallelTasks, []);
  assert(!serial.hostImports.includes("tsr_parallel_for"));
});

Deno.test("the call passes the work of one iteration: stored elements under the loops' extents", () => {
  const n = variable("n");
  const A = decl("A", [mul(n, 8)], "float32");
  const [i, j, k] = [loopVar("i"), loopVar("j"), loopVar("k")];
  const store = (idx: PrimExpr) => bufferStore(A, 1.5, [add(mul(i, 8), idx)]);
  // rows of n: 8 scalar stores plus two float32x4 stores, per iteration of i
  const vector = bufferStore(A, broadcast(2.5, 4), [ramp(add(mul(i, 8), mul(k, 4)), 1, 4)]);
  const rows = forLoop(i, 0, n, seq([forLoop(j, 0, 8, store(j)), forLoop(k, 0, 2, vector)]), {
    kind: "parallel",
  });
  const f = emitC(primFunc("work", [A, n], rows));
  const want =
    /__tsr_parallel_for\(0, &i_args, i_n, \(\(double\)\(8\) \* 1 \+ \(double\)\(2\) \* 4\)\);/;
  assert(want.test(f.source), f.source);
  // an inner extent bound inside the loop (a triangle): unknown, -1
  const tri = forLoop(i, 0, n, forLoop(j, 0, i, store(j)), { kind: "parallel" });
  const g = emitC(primFunc("tri", [A, n], tri));
  assert(/__tsr_parallel_for\(0, &i_args, i_n, -1\.0\);/.test(g.source), g.source);
});
