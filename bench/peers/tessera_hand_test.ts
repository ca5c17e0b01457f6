import { assert, assertEquals, assertThrows } from "../../ir/test_util.ts";
import { add, and, ge, lt, mul, type PrimExpr, select, sub } from "../../ir/expr.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../../ir/te.ts";
import { caseInputs, type Conv2dCase, convOut, matmulCase } from "../cases.ts";
import { PeerUnavailable } from "../errors.ts";
import { relativeError } from "../harness.ts";
import { handImpls, type HandKernel, handKernelsOf } from "./tessera_hand.ts";
import { caseFunc } from "./tessera.ts";
import { tsLoop } from "./ts_loop.ts";

const CONV: Conv2dCase = {
  id: "cv",
  kind: "conv2d",
  batch: 1,
  inC: 3,
  h: 6,
  w: 5,
  outC: 4,
  kernel: 3,
  pad: 1,
  stride: 1,
};

/** The case's convolution written channels-last: X[n,h,w,c], W[r,s,c,o] → Y[n,oh,ow,o]. */
function convNhwc(c: Conv2dCase) {
  const { batch, inC, h, w, outC, kernel: k, pad } = c;
  const X = placeholder([batch, h, w, inC], "float32", "X");
  const W = placeholder([k, k, inC, outC], "float32", "W");
  const ci = reduceAxis(inC, "c"), r = reduceAxis(k, "r"), s = reduceAxis(k, "s");
  const inRange = (v: PrimExpr, n: number) => and(ge(v, 0), lt(v, n));
  const oh = convOut(h, k, pad, 1), ow = convOut(w, k, pad, 1);
  const Y = compute([batch, oh, ow, outC], ([b, y, x, o]) => {
    const iy = add(sub(y, pad), r), ix = add(sub(x, pad), s);
    const xv = select(and(inRange(iy, h), inRange(ix, w)), X.at(b, iy, ix, ci), 0);
    return sum(mul(xv, W.at(r, s, ci, o)), [r, s, ci]);
  }, "Y");
  return createPrimFunc([X, W, Y], "conv_nhwc");
}

Deno.test("handKernelsOf: takes a HAND_KERNELS list, refuses anything else with the reason", () => {
  const f = () => caseFunc(matmulCase(4));
  assertEquals(handKernelsOf({ HAND_KERNELS: [{ case: "a", threads: 2, func: f }] }).length, 1);
  for (
    const mod of [
      {},
      { HAND_KERNELS: [] },
      { HAND_KERNELS: [{ case: "a", threads: 0, func: f }] },
      { HAND_KERNELS: [{ case: "a", threads: 1 }] },
      { HAND_KERNELS: [{ case: "a", threads: 1, func: f, layout: "CHWN" }] },
    ]
  ) {
    const e = assertThrows(() => handKernelsOf(mod), PeerUnavailable);
    assertEquals(e.code, "BENCH_PEER_UNAVAILABLE");
  }
});

Deno.test("handImpls: one impl per (threads, label), each supporting its own cases", () => {
  const f = () => caseFunc(matmulCase(4));
  const ks: HandKernel[] = [
    { case: "matmul_f32_4", threads: 1, func: f },
    { case: "cv", threads: 1, func: f, label: "NHWC", layout: "NHWC" },
    { case: "cv", threads: 1, func: f },
    { case: "matmul_f32_4", threads: 2, func: f },
  ];
  const impls = handImpls(ks);
  assertEquals(impls.map((i) => [i.name, i.threads(), i.variant]), [
    ["tessera", 1, undefined],
    ["tessera", 1, "NHWC"],
    ["tessera", 2, undefined],
  ]);
  assert(impls[0].supports(matmulCase(4)) && impls[0].supports(CONV));
  assert(!impls[1].supports(matmulCase(4)) && impls[1].supports(CONV));
  assert(impls.every((i) => i.role === "ours"));
});

Deno.test("hand impl: builds for cpu, converts NHWC operands and output, matches ts-loop", async () => {
  const mm = matmulCase(6, 10, 7);
  const [canon, nhwc] = handImpls([
    { case: mm.id, threads: 1, func: () => caseFunc(mm) },
    { case: CONV.id, threads: 1, func: () => convNhwc(CONV), layout: "NHWC", label: "NHWC" },
  ]);
  for (const [impl, c] of [[canon, mm], [nhwc, CONV]] as const) {
    await impl.init();
    const ins = caseInputs(c, 11);
    const p = await impl.prepare(c, ins);
    await p.run();
    const ref = await tsLoop.prepare(c, ins);
    await ref.run();
    const err = relativeError(await p.result(), await ref.result());
    assert(err < 1e-5, `${c.id}: relative error ${err}`);
    await p.dispose();
  }
  const e = await canon.prepare(CONV, caseInputs(CONV)).catch((x) => x);
  assert(e instanceof PeerUnavailable, "no kernel for the case: unavailable");
});
