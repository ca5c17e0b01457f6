import { assert, assertEquals } from "../../ir/test_util.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../../ir/te.ts";
import { add, and, ge, lt, mul, type PrimExpr, select, sub } from "../../ir/expr.ts";
import { ndarray } from "../../ir/ndarray.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { caseInputs, type Conv2dCase, matmulCase, outputShape } from "../cases.ts";
import { relativeError } from "../harness.ts";
import { conv2dLoop, matmulLoop, tsLoop } from "./ts_loop.ts";

type ConvSpec = Omit<Conv2dCase, "id" | "kind">;

/** The interpreter's result for a DSL matmul: the oracle ts-loop is checked against. */
function oracleMatmul(a: Float32Array, b: Float32Array, m: number, n: number, k: number) {
  const A = placeholder([m, k], "float32", "A"), B = placeholder([k, n], "float32", "B");
  const r = reduceAxis(k, "r");
  const C = compute([m, n], ([i, j]) => sum(mul(A.at(i, r), B.at(r, j)), [r]), "C");
  const f = createPrimFunc([A, B, C], "matmul");
  return runFunc(f, [ndarray("float32", [m, k], a), ndarray("float32", [k, n], b)])[0].data;
}

/** The interpreter's result for a DSL convolution with zero padding as a lazy select. */
function oracleConv(x: Float32Array, w: Float32Array, c: ConvSpec) {
  const { batch, inC, h, w: wd, outC, kernel: ks, pad, stride } = c;
  const X = placeholder([batch, inC, h, wd], "float32", "X");
  const W = placeholder([outC, inC, ks, ks], "float32", "W");
  const ci = reduceAxis(inC, "c"), r = reduceAxis(ks, "r"), s = reduceAxis(ks, "s");
  const inRange = (v: PrimExpr, n: number) => and(ge(v, 0), lt(v, n));
  const Y = compute(outputShape({ id: "x", kind: "conv2d", ...c }), ([b, o, oy, ox]) => {
    const iy = add(sub(mul(oy, stride), pad), r), ix = add(sub(mul(ox, stride), pad), s);
    const xv = select(and(inRange(iy, h), inRange(ix, wd)), X.at(b, ci, iy, ix), 0);
    return sum(mul(xv, W.at(o, ci, r, s)), [ci, r, s]);
  }, "Y");
  const f = createPrimFunc([X, W, Y], "conv");
  return runFunc(f, [
    ndarray("float32", [batch, inC, h, wd], x),
    ndarray("float32", [outC, inC, ks, ks], w),
  ])[0].data as Float32Array;
}

function rand(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(seed * 1000 + i * 12.9898) % 1;
  return a;
}

Deno.test("matmulLoop agrees with the interpreter (non-square, overwrites C)", () => {
  const [m, n, k] = [5, 7, 3];
  const a = rand(m * k, 1), b = rand(k * n, 2);
  const c = new Float32Array(m * n).fill(99);
  matmulLoop(a, b, c, m, n, k);
  assert(relativeError(c, oracleMatmul(a, b, m, n, k) as Float32Array) < 1e-6);
});

Deno.test("conv2dLoop agrees with the interpreter: padding, stride, odd sizes", () => {
  const specs: ConvSpec[] = [
    { batch: 1, inC: 3, h: 6, w: 5, outC: 4, kernel: 3, pad: 1, stride: 1 },
    { batch: 2, inC: 2, h: 7, w: 8, outC: 3, kernel: 3, pad: 2, stride: 2 },
    { batch: 1, inC: 2, h: 5, w: 5, outC: 2, kernel: 2, pad: 0, stride: 3 },
  ];
  for (const c of specs) {
    const x = rand(c.batch * c.inC * c.h * c.w, 3), w = rand(c.outC * c.inC * c.kernel ** 2, 4);
    const shape = outputShape({ id: "x", kind: "conv2d", ...c });
    const y = new Float32Array(shape.reduce((p, q) => p * q, 1)).fill(7);
    conv2dLoop(x, w, y, c);
    const err = relativeError(y, oracleConv(x, w, c));
    assert(err < 1e-6, `${JSON.stringify(c)}: relative error ${err}`);
  }
});

Deno.test("tsLoop impl: prepare/run/result on a case, result is a copy", async () => {
  const c = matmulCase(8);
  const ins = caseInputs(c, 5);
  assert(tsLoop.supports(c));
  const p = await tsLoop.prepare(c, ins);
  await p.run();
  const out = await p.result();
  assertEquals(out.length, 64);
  assert(relativeError(out, oracleMatmul(ins[0], ins[1], 8, 8, 8) as Float32Array) < 1e-6);
  out[0] = 1234;
  assert((await p.result())[0] !== 1234);
  p.dispose();
});
