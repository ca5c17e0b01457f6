/**
 * Compiled control flow, vector code, storage and parameters agree with the reference
 * interpreter. All kernels of this file compile as one C module.
 */
import { assert, assertEquals, assertRejects, assertThrows } from "../../ir/test_util.ts";
import { InterpError, interpret } from "../../ir/interp/mod.ts";
import {
  add,
  and,
  broadcast,
  bufferLoad,
  call,
  cast,
  div,
  eq,
  float,
  floormod,
  ge,
  gt,
  int,
  letExpr,
  lt,
  max,
  mul,
  ne,
  ramp,
  select,
  sub,
  variable,
} from "../../ir/expr.ts";
import { TargetError } from "../../ir/errors.ts";
import { type PrimFunc, primFunc } from "../../ir/func.ts";
import { ndarray, randomNDArray } from "../../ir/ndarray.ts";
import {
  allocate,
  assertStmt,
  block,
  blockRealize,
  bufferStore,
  decl,
  evaluate,
  type ForKind,
  forLoop,
  ifThenElse,
  letStmt,
  loopVar,
  seq,
} from "../../ir/stmt.ts";
import { emitC } from "./codegen_c.ts";
import { disassemble } from "./toolchain.ts";
import { compareWithInterpreter, compileBatch, type KernelArg } from "./test_harness.ts";

interface Case {
  readonly f: PrimFunc;
  readonly args: () => KernelArg[];
}
const cases = new Map<string, Case[]>();
function addCase(group: string, f: PrimFunc, args: () => KernelArg[]): void {
  cases.set(group, [...(cases.get(group) ?? []), { f, args }]);
}

// ---- loops ------------------------------------------------------------------------------------

// Not "parallel": its iterations have no order (c_parallel.ts; tested in c_parallel_test.ts).
const KINDS: [ForKind, string][] = [
  ["serial", ""],
  ["vectorized", ""],
  ["unrolled", ""],
  ["thread", "threadIdx.x"],
];
for (const [kind, threadTag] of KINDS) {
  // Prefix sum: correct only if iterations run in order.
  const n = variable("n");
  const A = decl("A", [n], "int32");
  const B = decl("B", [n], "int32");
  const i = loopVar("i");
  const body = bufferStore(B, add(bufferLoad(B, [sub(i, 1)]), bufferLoad(A, [i])), [i]);
  const f = primFunc(
    `prefix_${kind}`,
    [A, B, n],
    seq([
      bufferStore(B, bufferLoad(A, [0]), [0]),
      forLoop(i, 1, sub(n, 1), body, { kind, threadTag }),
    ]),
  );
  addCase("loops", f, () => [randomNDArray("int32", [37], 1), ndarray("int32", [37]), 37]);
}
{
  // Nested loops with non-zero mins and extents read from memory (evaluated once, on entry).
  const A = decl("A", [80], "float32");
  const E = decl("E", [2], "int32");
  const B = decl("B", [8 * 10], "float32");
  const i = loopVar("i");
  const j = loopVar("j");
  const at = add(mul(i, 10), j);
  const inner = forLoop(
    j,
    bufferLoad(E, [0]),
    bufferLoad(E, [1]),
    seq([
      bufferStore(B, add(bufferLoad(B, [at]), mul(bufferLoad(A, [at]), 3)), [at]),
      bufferStore(E, add(bufferLoad(E, [1]), 0), [1]), // rewriting the extent changes nothing
    ]),
  );
  const f = primFunc("nested", [A, E, B], forLoop(i, 2, 5, inner));
  addCase("loops", f, () => [
    randomNDArray("float32", [80], 2),
    ndarray("int32", [2], [3, 6]),
    randomNDArray("float32", [80], 3),
  ]);
}
{
  // int64 parameters, loop variables and arithmetic beyond 2^53.
  const A = decl("A", [5], "int64");
  const scale = variable("scale", "int64");
  const i = variable("i", "int64");
  const f = primFunc(
    "big",
    [A, scale],
    forLoop(
      i,
      cast("int64", int(0)),
      cast("int64", int(5)),
      bufferStore(A, add(mul(add(i, scale), scale), bufferLoad(A, [i])), [i]),
    ),
  );
  addCase("loops", f, () => [ndarray("int64", [5], [1, 2, 3, 4, 5]), 2n ** 31n + 7n]);
  addCase("loops", f, () => [ndarray("int64", [5], [1, 2, 3, 4, 5]), -3n]);
}

// ---- control flow, lets, selects ----------------------------------------------------------------

{
  const n = variable("n");
  const A = decl("A", [n], "float32");
  const B = decl("B", [n], "float32");
  const i = loopVar("i");
  const x = variable("x", "float32");
  const y = variable("y", "float32");
  const body = ifThenElse(
    eq(floormod(i, 3), 0),
    letStmt(
      x,
      mul(bufferLoad(A, [i]), 2),
      bufferStore(B, add(x, letExpr(y, add(x, 1), mul(y, y))), [i]),
    ),
    ifThenElse(gt(bufferLoad(A, [i]), 0), bufferStore(B, sub(0, bufferLoad(A, [i])), [i])),
  );
  const f = primFunc(
    "branches",
    [A, B, n],
    assertStmt(gt(n, 0), "n must be positive", forLoop(i, 0, n, body)),
  );
  addCase("control", f, () => [randomNDArray("float32", [50], 4), ndarray("float32", [50]), 50]);
  // Shadowing: an inner let of the same variable hides the outer one only inside.
  const v = variable("v");
  const C = decl("C", [1], "int32");
  const shadow = letExpr(v, int(1), add(letExpr(v, int(2), v), mul(v, 10)));
  addCase(
    "control",
    primFunc("shadow", [C], bufferStore(C, shadow, [0])),
    () => [ndarray("int32", [1])],
  );
}
{
  // A lazy select: the unchosen arm reads far outside memory (it would trap if evaluated).
  const A = decl("A", [16], "float32");
  const B = decl("B", [16], "float32");
  const i = loopVar("i");
  const far = bufferLoad(A, [add(i, 400000000)]);
  const scalar = select(lt(i, 16), bufferLoad(A, [i]), far);
  const j = loopVar("j");
  const r = ramp(mul(j, 4), 1, 4);
  const lanesIdx = ramp(mul(j, 4), 1, 4);
  // vector select: all lanes chosen the same way in some steps, mixed in others
  const vsel = select(
    lt(lanesIdx, broadcast(6, 4)),
    bufferLoad(A, [r]),
    select(
      lt(lanesIdx, broadcast(40, 4)),
      mul(bufferLoad(A, [r]), broadcast(float(2), 4)),
      bufferLoad(A, [add(r, broadcast(400000000, 4))]),
    ),
  );
  const f = primFunc(
    "lazy",
    [A, B],
    seq([
      forLoop(i, 0, 16, bufferStore(B, scalar, [i])),
      forLoop(j, 0, 4, bufferStore(B, add(bufferLoad(B, [r]), vsel), [r])),
    ]),
  );
  addCase("control", f, () => [randomNDArray("float32", [16], 5), ndarray("float32", [16])]);
  // Integer division in an unchosen lane must not trap either.
  const I = decl("I", [8], "int32");
  const O = decl("O", [8], "int32");
  const k = loopVar("k");
  const rk = ramp(mul(k, 8), 1, 8);
  const safe = select(
    ne(bufferLoad(I, [rk]), broadcast(0, 8)),
    div(broadcast(100, 8), bufferLoad(I, [rk])),
    broadcast(-1, 8),
  );
  addCase(
    "control",
    primFunc("lazydiv", [I, O], forLoop(k, 0, 1, bufferStore(O, safe, [rk]))),
    () => [
      ndarray("int32", [8], [1, 0, -3, 0, 7, 100, 0, -100]),
      ndarray("int32", [8]),
    ],
  );
}

// ---- vectors ------------------------------------------------------------------------------------

{
  // float32x4 arithmetic with broadcasts, a mask select (no faulting arms), max, a vector let.
  const A = decl("A", [64], "float32");
  const B = decl("B", [64], "float32");
  const C = decl("C", [64], "float32");
  const i = loopVar("i");
  const r = ramp(mul(i, 4), 1, 4);
  const t = variable("t", "float32x4");
  const a = bufferLoad(A, [r]);
  const b = bufferLoad(B, [r]);
  const value = letExpr(
    t,
    add(mul(a, broadcast(float(0.5), 4)), b),
    select(gt(t, broadcast(float(0), 4)), t, mul(t, broadcast(float(0.1), 4))),
  );
  addCase(
    "vector",
    primFunc("f32x4", [A, B, C], forLoop(i, 0, 16, bufferStore(C, max(value, b), [r]))),
    () => [
      randomNDArray("float32", [64], 6),
      randomNDArray("float32", [64], 7),
      ndarray("float32", [64]),
    ],
  );
  // int8x16 wrapping arithmetic and a compare feeding and/or masks.
  const X = decl("X", [64], "int8");
  const Y = decl("Y", [64], "int8");
  const Z = decl("Z", [64], "int8");
  const r16 = ramp(mul(i, 16), 1, 16);
  const x = bufferLoad(X, [r16]);
  const y = bufferLoad(Y, [r16]);
  const cond = and(gt(x, y), ge(x, broadcast(int(-50, "int8"), 16)));
  addCase(
    "vector",
    primFunc(
      "i8x16",
      [X, Y, Z],
      forLoop(i, 0, 4, bufferStore(Z, select(cond, mul(x, y), sub(x, y)), [r16])),
    ),
    () => [
      randomNDArray("int8", [64], 8, -128, 127),
      randomNDArray("int8", [64], 9, -128, 127),
      ndarray("int8", [64]),
    ],
  );
  // Strided ramps: a transpose (gather with stride 8, contiguous store) and a scatter.
  const M = decl("M", [64], "float32");
  const T = decl("T", [64], "float32");
  const S = decl("S", [64], "float32");
  const gather = bufferLoad(M, [ramp(i, 8, 8)]);
  addCase(
    "vector",
    primFunc(
      "strided",
      [M, T, S],
      forLoop(
        i,
        0,
        8,
        seq([
          bufferStore(T, gather, [ramp(mul(i, 8), 1, 8)]),
          bufferStore(S, bufferLoad(M, [ramp(mul(i, 8), 1, 8)]), [ramp(i, 8, 8)]),
          bufferStore(S, call("exp", [bufferLoad(S, [ramp(i, 8, 8)])]), [ramp(i, 8, 8)]),
        ]),
      ),
    ),
    () => [randomNDArray("float32", [64], 10), ndarray("float32", [64]), ndarray("float32", [64])],
  );
  // A scalar stored through a vector index fills every lane; wider vectors (float32x8) split.
  const W = decl("W", [32], "float32");
  addCase(
    "vector",
    primFunc(
      "wide",
      [W, A],
      forLoop(
        i,
        0,
        4,
        seq([
          bufferStore(
            W,
            add(bufferLoad(A, [ramp(mul(i, 8), 1, 8)]), broadcast(bufferLoad(A, [i]), 8)),
            [ramp(mul(i, 8), 1, 8)],
          ),
          bufferStore(W, bufferLoad(A, [add(i, 60)]), [ramp(add(mul(i, 8), 4), 1, 4)]),
        ]),
      ),
    ),
    () => [ndarray("float32", [32]), randomNDArray("float32", [64], 11)],
  );
  // Ramps as values (int32x4 → float32x4), vector int division and float16 vectors.
  const H = decl("H", [16], "float16");
  const K = decl("K", [16], "float32");
  const rr = ramp(mul(i, 4), 1, 4);
  addCase(
    "vector",
    primFunc(
      "ramps",
      [H, K],
      forLoop(
        i,
        0,
        4,
        seq([
          bufferStore(K, cast("float32x4", div(ramp(mul(i, 7), 3, 4), broadcast(int(5), 4))), [rr]),
          bufferStore(H, add(bufferLoad(H, [rr]), cast("float16x4", bufferLoad(K, [rr]))), [rr]),
        ]),
      ),
    ),
    () => [randomNDArray("float16", [16], 12), ndarray("float32", [16])],
  );
}

{
  // Names that are C keywords or typedefs; bool-valued vector selects; a vector let inside a
  // lazily evaluated arm (lane by lane); a scalar condition choosing between vectors; math calls
  // whose result dtype differs from the argument's.
  const A = decl("int", [16], "float32");
  const B = decl("int32_t", [16], "bool");
  const C = decl("float", [16], "float32");
  const D = decl("D", [16], "int32");
  const flag = variable("uint8_t", "int32");
  const i = loopVar("for");
  const r = ramp(mul(i, 4), 1, 4);
  const a = bufferLoad(A, [r]);
  const t = variable("t", "float32x4");
  // lanes 8, 9 take the let arm, 10, 11 the other: per lane; A[r − 8] is out of bounds below 8
  const lazyLet = select(
    lt(r, broadcast(10, 4)),
    letExpr(t, mul(a, a), add(t, broadcast(float(1), 4))),
    bufferLoad(A, [sub(r, broadcast(8, 4))]),
  );
  const f = primFunc(
    "names",
    [A, B, C, D, flag],
    forLoop(
      i,
      0,
      4,
      seq([
        bufferStore(
          B,
          select(
            gt(a, broadcast(float(0), 4)),
            lt(a, broadcast(float(0.5), 4)),
            bufferLoad(B, [r]),
          ),
          [r],
        ),
        bufferStore(C, lazyLet, [r]),
        bufferStore(C, select(gt(flag, 0), bufferLoad(C, [r]), mul(a, broadcast(float(3), 4))), [
          r,
        ]),
        bufferStore(D, call("sqrt", [bufferLoad(A, [r])], "int32x4"), [r]),
        bufferStore(C, add(bufferLoad(C, [r]), call("exp", [bufferLoad(D, [r])], "float32x4")), [
          r,
        ]),
      ]),
    ),
  );
  for (const on of [0, 1]) {
    addCase("extra", f, () => [
      randomNDArray("float32", [16], 16, -2, 30),
      randomNDArray("bool", [16], 17),
      ndarray("float32", [16]),
      ndarray("int32", [16]),
      on,
    ]);
  }
}

// ---- storage ------------------------------------------------------------------------------------

{
  // Stack allocation, fresh and zero-filled on every entry (row sums).
  const A = decl("A", [12], "int32");
  const B = decl("B", [3], "int32");
  const T = decl("T", [1], "int32", { scope: "local" });
  const i = loopVar("i");
  const j = loopVar("j");
  const accumulate = bufferStore(T, add(bufferLoad(T, [0]), bufferLoad(A, [add(mul(i, 4), j)])), [
    0,
  ]);
  const body = allocate(
    T,
    seq([forLoop(j, 0, 4, accumulate), bufferStore(B, bufferLoad(T, [0]), [i])]),
  );
  addCase("storage", primFunc("rowsum", [A, B], forLoop(i, 0, 3, body)), () => [
    randomNDArray("int32", [12], 13),
    ndarray("int32", [3]),
  ]);
  // Heap allocations: above the stack limit, and of symbolic size; both zero-filled and freed.
  const n = variable("n");
  const X = decl("X", [n], "float32");
  const Y = decl("Y", [n], "float32");
  const Big = decl("Big", [8192], "float32");
  const Sym = decl("Sym", [add(n, 3)], "float64");
  const k = loopVar("k");
  const f2 = primFunc(
    "heap",
    [X, Y, n],
    allocate(
      Big,
      allocate(
        Sym,
        seq([
          forLoop(
            k,
            0,
            n,
            bufferStore(Big, add(bufferLoad(Big, [mul(k, 2)]), bufferLoad(X, [k])), [mul(k, 2)]),
          ),
          forLoop(
            k,
            0,
            n,
            bufferStore(
              Sym,
              add(bufferLoad(Sym, [add(k, 3)]), cast("float64", bufferLoad(Big, [mul(k, 2)]))),
              [add(k, 3)],
            ),
          ),
          forLoop(
            k,
            0,
            n,
            bufferStore(
              Y,
              add(
                cast("float32", bufferLoad(Sym, [add(k, 3)])),
                bufferLoad(Big, [add(mul(k, 2), 1)]),
              ),
              [k],
            ),
          ),
        ]),
      ),
    ),
  );
  addCase(
    "storage",
    f2,
    () => [randomNDArray("float32", [100], 14), ndarray("float32", [100]), 100],
  );
  // bfloat16 / bool buffers and an Evaluate of a pure call (no effect).
  const P = decl("P", [8], "bfloat16");
  const Q = decl("Q", [8], "bool");
  addCase(
    "storage",
    primFunc(
      "narrow",
      [P, Q],
      forLoop(
        k,
        0,
        8,
        seq([
          evaluate(call("exp", [bufferLoad(P, [k])])),
          bufferStore(Q, gt(bufferLoad(P, [k]), float(0, "bfloat16")), [k]),
          bufferStore(P, mul(bufferLoad(P, [k]), float(3, "bfloat16")), [k]),
        ]),
      ),
    ),
    () => [randomNDArray("bfloat16", [8], 15), ndarray("bool", [8])],
  );
}

{
  const I = decl("I", [4], "int32");
  const O = decl("O", [4], "int32");
  const k = loopVar("k");
  const f = primFunc(
    "divzero",
    [I, O],
    forLoop(k, 0, 4, bufferStore(O, div(100, bufferLoad(I, [k])), [k])),
  );
  addCase("traps", f, () => [ndarray("int32", [4], [1, 2, 3, 4]), ndarray("int32", [4])]);
}

// ---- running ------------------------------------------------------------------------------------

const all = [...cases.values()].flat();
let batch: ReturnType<typeof compileBatch> | undefined;
function compiled() {
  // exactMath: math calls through the host, bit for bit with the interpreter (c_math_test.ts
  // checks the default inline float32 math against its stated error)
  batch ??= compileBatch(all.map((c) => c.f), { exactMath: true });
  return batch;
}

async function check(group: string): Promise<void> {
  const { mod, kernels } = await compiled();
  const diffs: string[] = [];
  for (const c of cases.get(group)!) {
    diffs.push(...compareWithInterpreter(c.f, mod, kernels[all.indexOf(c)], c.args()));
  }
  assertEquals(diffs, []);
}

Deno.test("loops of every serial kind run in order; mins and extents evaluated once; int64 params", async () => {
  await check("loops");
});

Deno.test("branches, lets with shadowing, lazy scalar and vector selects", async () => {
  await check("control");
});

Deno.test("vector code: float32x4, int8x16, strided ramps, broadcasts, wide and half vectors", async () => {
  await check("vector");
  // the vector kernels are SIMD code: v128 loads/stores and f32x4 / i8x16 arithmetic
  const text = await disassemble((await compiled()).wasm);
  const body = (entry: string) => text.split(`<${entry}>:`)[1].split(/\n[0-9a-f]+ <tsr_/)[0];
  const f32x4 = body("tsr_f32x4");
  for (const op of ["v128.load", "v128.store", "f32x4.mul", "f32x4.add", "f32x4.max", "f32x4.gt"]) {
    assert(f32x4.includes(op), `tsr_f32x4 lacks ${op}`);
  }
  assert(!/\bcall\b/.test(f32x4), "no calls in tsr_f32x4");
  const i8x16 = body("tsr_i8x16");
  // the arms load only what the condition loads: a mask blend, not lane by lane
  for (const op of ["v128.load", "v128.store", "i8x16.sub", "v128.bitselect"]) {
    assert(i8x16.includes(op), `tsr_i8x16 lacks ${op}`);
  }
  assert(!/\bcall\b|extract_lane/.test(i8x16), "tsr_i8x16 is not computed lane by lane");
});

Deno.test("C keywords as names, bool vector selects, lazy lets, calls with another result dtype", async () => {
  await check("extra");
});

Deno.test("allocations on the stack and the heap are zero-filled on entry and freed", async () => {
  await check("storage");
  const { kernels } = await compiled();
  const imports = (name: string) => kernels[all.findIndex((c) => c.f.name === name)].hostImports;
  assert(!imports("rowsum").includes("tsr_alloc"), "16 bytes live on the stack");
  assert(imports("heap").includes("tsr_alloc") && imports("heap").includes("tsr_free"));
});

Deno.test("a failing assert calls the host with its message; integer division by zero traps", async () => {
  const { mod, kernels } = await compiled();
  const at = all.findIndex((c) => c.f.name === "branches");
  const e = await assertRejects(
    () =>
      Promise.resolve(mod.call(kernels[at], [ndarray("float32", [0]), ndarray("float32", [0]), 0])),
    TargetError,
    "n must be positive",
  );
  assertEquals(e.code, "KERNEL_ASSERT");
  assertEquals(kernels[at].assertMessages, ["n must be positive"]);
  const div0 = all.findIndex((c) => c.f.name === "divzero");
  const args = [ndarray("int32", [4], [1, 2, 0, 4]), ndarray("int32", [4])];
  assertThrows(() => interpret(all[div0].f, args), InterpError, "zero");
  assertThrows(() => mod.call(kernels[div0], args), WebAssembly.RuntimeError, "divide by zero");
});

Deno.test("codegen refuses what is not lowered and calls it cannot emit", () => {
  const A = decl("A", [4, 4], "float32");
  const i = loopVar("i");
  const two = primFunc("two", [A], forLoop(i, 0, 4, bufferStore(A, float(1), [i, i])));
  assertEquals(assertThrows(() => emitC(two), TargetError).code, "CPU_NOT_LOWERED");
  const blk = primFunc(
    "blk",
    [A],
    blockRealize([], true, block({ name: "root", body: evaluate(int(0)) })),
  );
  assertEquals(assertThrows(() => emitC(blk), TargetError).code, "CPU_NOT_LOWERED");
  const F = decl("F", [4], "float32");
  const intrinsic = call("my_dot", [bufferLoad(F, [0])], "float32");
  const unknown = primFunc("unk", [F], bufferStore(F, intrinsic, [0]));
  assertEquals(assertThrows(() => emitC(unknown), TargetError).code, "CPU_UNKNOWN_CALL");
  const withEmitter = emitC(unknown, { calls: { my_dot: ([x]) => `((${x}) * 2.0f)` } });
  assert(withEmitter.source.includes("* 2.0f)"));
  const free = variable("free");
  const unbound = primFunc("unb", [F], bufferStore(F, cast("float32", free), [0]));
  assertEquals(assertThrows(() => emitC(unbound), TargetError).code, "CPU_UNBOUND_VAR");
});
