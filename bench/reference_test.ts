import { assert, assertEquals } from "../ir/test_util.ts";
import { caseInputs, type Conv2dCase, CONV_RESNET, GEMV_4096, matmulCase } from "./cases.ts";
import { exactAt, loopReference, spotError } from "./reference.ts";
import { conv2dLoop, matmulLoop } from "./peers/ts_loop.ts";
import { relativeError } from "./harness.ts";

Deno.test("loopReference: small cases use ts-loop, matmul 1024 and the GEMV do not", () => {
  assert(loopReference(matmulCase(256)) && loopReference(matmulCase(512)));
  assert(loopReference(CONV_RESNET));
  assert(!loopReference(matmulCase(1024)) && !loopReference(GEMV_4096));
});

Deno.test("exactAt: every element of a small matmul and a padded, strided conv agrees with ts-loop", () => {
  const mm = matmulCase(3, 5, 4);
  const [a, b] = caseInputs(mm, 2);
  const c = new Float32Array(12);
  matmulLoop(a, b, c, 3, 4, 5);
  const exact = new Float32Array(12).map((_, i) => exactAt(mm, [a, b], i));
  assert(relativeError(c, exact) < 1e-6);
  const cv: Conv2dCase = {
    id: "cv",
    kind: "conv2d",
    batch: 2,
    inC: 3,
    h: 7,
    w: 6,
    outC: 2,
    kernel: 3,
    pad: 2,
    stride: 2,
  };
  const [x, w] = caseInputs(cv, 3);
  const y = new Float32Array(2 * 2 * 5 * 4);
  conv2dLoop(x, w, y, cv);
  const ey = new Float32Array(y.length).map((_, i) => exactAt(cv, [x, w], i));
  assert(relativeError(y, ey) < 1e-6);
});

Deno.test("spotError: tiny for the exact output, large for one wrong element or a bad length", () => {
  const mm = matmulCase(16);
  const ins = caseInputs(mm, 4);
  const exact = new Float32Array(256).map((_, i) => exactAt(mm, ins, i));
  assert(spotError(mm, ins, exact) < 1e-7, "only the rounding to fp32");
  const bad = exact.slice();
  bad[255] += 1; // the last element is always sampled
  assert(spotError(mm, ins, bad) > 1e-2);
  assertEquals(spotError(mm, ins, exact.subarray(1)), Infinity);
});
