/**
 * Compiled operators, conversions and math calls agree bit for bit with the reference
 * interpreter, for every dtype, as scalar code and as vector code (one v128 of lanes). All
 * kernels of this file compile as one C module (one toolchain call, cached on disk).
 */
import { assertEquals } from "../../ir/test_util.ts";
import { byteSize, type DType, isBool, isFloat } from "../../ir/dtype.ts";
import {
  add,
  binary,
  type BinaryOp,
  bufferLoad,
  call,
  cast,
  mul,
  not,
  type PrimExpr,
  ramp,
  type Var,
} from "../../ir/expr.ts";
import { type PrimFunc, primFunc } from "../../ir/func.ts";
import { ndarray } from "../../ir/ndarray.ts";
import { type Buffer, bufferStore, decl, forLoop, loopVar, seq, type Stmt } from "../../ir/stmt.ts";
import {
  compareWithInterpreter,
  compileBatch,
  type KernelArg,
  nonZero,
  testValues,
} from "./test_harness.ts";

const N = 1024;
const DTYPES: readonly DType[] = [
  "bool",
  "int8",
  "uint8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "float32",
  "float16",
  "bfloat16",
  "float64",
];
const ARITH: readonly BinaryOp[] = [
  "add",
  "sub",
  "mul",
  "div",
  "mod",
  "floordiv",
  "floormod",
  "min",
  "max",
];
const DIVISIONS = new Set<BinaryOp>(["div", "mod", "floordiv", "floormod"]);
const UNARY_CALLS = [
  "exp",
  "exp2",
  "log",
  "log2",
  "sqrt",
  "rsqrt",
  "tanh",
  "sigmoid",
  "erf",
  "sin",
  "cos",
  "abs",
  "floor",
  "ceil",
  "round",
  "trunc",
];

/** Lanes of one v128 for dtype `d` (by its storage size). */
function v128Lanes(d: DType): number {
  return 16 / byteSize(d);
}

/** A loop over `N / lanes` steps; `at(offset)` is the element (or lanes) offset + i·lanes. */
function kernel(
  name: string,
  params: (Buffer | Var)[],
  lanes: number,
  body: (at: (offset: number) => PrimExpr) => Stmt[],
): PrimFunc {
  const i = loopVar("i");
  const at = (offset: number) =>
    lanes === 1 ? add(i, offset) : ramp(add(mul(i, lanes), offset), 1, lanes);
  return primFunc(name, params, forLoop(i, 0, N / lanes, seq(body(at))));
}

function load(b: Buffer, index: PrimExpr): PrimExpr {
  return bufferLoad(b, [index]);
}

interface Case {
  readonly f: PrimFunc;
  readonly args: () => KernelArg[];
}

function binaryCase(d: DType, lanes: number): Case {
  const A = decl("A", [N], d);
  const B = decl("B", [N], d);
  const Z = decl("Bz", [N], d); // divisors: no integer zeros
  const arith = isBool(d) ? [] : ARITH;
  const cmp: BinaryOp[] = isBool(d)
    ? ["eq", "ne", "and", "or"]
    : ["eq", "ne", "lt", "le", "gt", "ge"];
  const oSize = Math.max(1, arith.length) * N;
  const cSize = (cmp.length + 1) * N;
  const O = decl("O", [oSize], d);
  const C = decl("C", [cSize], "bool");
  const f = kernel(`bin_${d}_x${lanes}`, [A, B, Z, O, C], lanes, (at) => [
    ...arith.map((op, k) =>
      bufferStore(O, binary(op, load(A, at(0)), load(DIVISIONS.has(op) ? Z : B, at(0))), [
        at(k * N),
      ])
    ),
    ...cmp.map((op, k) => bufferStore(C, binary(op, load(A, at(0)), load(B, at(0))), [at(k * N)])),
    bufferStore(
      C,
      isBool(d) ? not(load(A, at(0))) : not(binary("lt", load(A, at(0)), load(B, at(0)))),
      [at(cmp.length * N)],
    ),
  ]);
  return {
    f,
    args: () => {
      const a = testValues(d, N, 1);
      const b = testValues(d, N, 2, true);
      const z = isFloat(d) ? b : nonZero(b);
      // a's edge values meet b's: a cycles through them, b holds each one for a run
      return [a, b, z, ndarray(d, [oSize]), ndarray("bool", [cSize])];
    },
  };
}

function castCase(d: DType, lanes: number): Case {
  const A = decl("A", [N], d);
  const outs = DTYPES.map((t) => decl(`O_${t}`, [N], t));
  const f = kernel(
    `cast_${d}_x${lanes}`,
    [A, ...outs],
    lanes,
    (at) =>
      outs.map((o) =>
        bufferStore(o, cast(lanes === 1 ? o.dtype : `${o.dtype}x${lanes}`, load(A, at(0))), [at(0)])
      ),
  );
  return { f, args: () => [testValues(d, N, 3), ...DTYPES.map((t) => ndarray(t, [N]))] };
}

function callCase(d: DType, lanes: number): Case {
  const A = decl("A", [N], d);
  const B = decl("B", [N], d);
  const C = decl("C", [N], d);
  const O = decl("O", [(UNARY_CALLS.length + 2) * N], d);
  const P = decl("P", [2 * N], "bool");
  const f = kernel(`call_${d}_x${lanes}`, [A, B, C, O, P], lanes, (at) => [
    ...UNARY_CALLS.map((op, k) => bufferStore(O, call(op, [load(A, at(0))]), [at(k * N)])),
    bufferStore(O, call("pow", [load(A, at(0)), load(B, at(0))]), [at(UNARY_CALLS.length * N)]),
    bufferStore(
      O,
      call("fma", [load(A, at(0)), load(B, at(0)), load(C, at(0))]),
      [at((UNARY_CALLS.length + 1) * N)],
    ),
    bufferStore(P, call("isnan", [load(A, at(0))]), [at(0)]),
    bufferStore(P, call("isinf", [load(A, at(0))]), [at(N)]),
  ]);
  return {
    f,
    args: () => [
      testValues(d, N, 4),
      testValues(d, N, 5, true),
      testValues(d, N, 6),
      ndarray(d, [(UNARY_CALLS.length + 2) * N]),
      ndarray("bool", [2 * N]),
    ],
  };
}

const CALL_DTYPES: readonly DType[] = [
  "float32",
  "float16",
  "bfloat16",
  "float64",
  "int8",
  "uint8",
  "int32",
  "int64",
];

const cases: Record<string, Case[]> = { binary: [], cast: [], call: [] };
for (const d of DTYPES) {
  for (const lanes of [1, v128Lanes(d)]) {
    cases.binary.push(binaryCase(d, lanes));
    cases.cast.push(castCase(d, lanes));
  }
}
for (const d of CALL_DTYPES) {
  for (const lanes of [1, v128Lanes(d)]) cases.call.push(callCase(d, lanes));
}
const all = Object.values(cases).flat();
let batch: ReturnType<typeof compileBatch> | undefined;

async function check(group: string): Promise<void> {
  // exactMath: float32 exp/erf/tanh/sigmoid through the host in double, as the interpreter
  // (the default inline approximations are checked against their stated error in c_math_test.ts)
  batch ??= compileBatch(all.map((c) => c.f), { exactMath: true });
  const { mod, kernels } = await batch;
  const diffs: string[] = [];
  for (const c of cases[group]) {
    const k = kernels[all.indexOf(c)];
    diffs.push(...compareWithInterpreter(c.f, mod, k, c.args()));
  }
  assertEquals(diffs, []);
}

Deno.test("every binary operator on every dtype, scalar and vector, is exact", async () => {
  await check("binary");
});

Deno.test("casts between all dtypes (saturating, NaN, rounding once), scalar and vector", async () => {
  await check("cast");
});

Deno.test("math calls computed in double and rounded once, scalar and vector", async () => {
  await check("call");
});
