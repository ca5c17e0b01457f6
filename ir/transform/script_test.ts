/**
 * Passes as script text in, script text out (compared structurally; a failure prints both sides
 * and the first mismatch).
 */
import { parseFunc, printFunc } from "../script/mod.ts";
import { firstMismatch } from "../structural.ts";
import type { PrimFunc } from "../func.ts";
import { convertBlocksToLoops } from "./convert_blocks_to_loops.ts";
import { flattenBuffers } from "./flatten_buffers.ts";
import type { Pass } from "./pass.ts";
import { removeNoOp } from "./remove_no_op.ts";
import { simplify } from "./simplify.ts";
import { unroll } from "./unroll.ts";
import { vectorize } from "./vectorize.ts";

function expectPass(passes: readonly Pass[], before: string, after: string): void {
  let f: PrimFunc = parseFunc(before);
  for (const p of passes) f = p.run(f, { options: {} });
  const want = parseFunc(after);
  const m = firstMismatch(f, want);
  if (m) {
    throw new Error(
      `after ${passes.map((p) => p.name).join(", ")}: mismatch at ${m.pathA}: ${m.reason}\n` +
        `--- got:\n${printFunc(f)}\n--- want:\n${printFunc(want)}`,
    );
  }
}

Deno.test("convert-blocks-to-loops: iter vars substituted, init guarded before the body", () => {
  expectPass(
    [convertBlocksToLoops],
    `func rowsum(A: buffer<float32>[4, 8], B: buffer<float32>[4]) {
  for i in 0..4 {
    for k in 0..8 {
      block B(vi: spatial(0..4) = i, vk: reduce(0..8) = k) {
        reads(B[vi], A[vi, vk])
        writes(B[vi])
        init {
          B[vi] = 0.0
        }
        B[vi] = B[vi] + A[vi, vk]
      }
    }
  }
}`,
    `func rowsum(A: buffer<float32>[4, 8], B: buffer<float32>[4]) {
  for i in 0..4 {
    for k in 0..8 {
      if k == 0 {
        B[i] = 0.0
      }
      B[i] = B[i] + A[i, k]
    }
  }
}`,
  );
});

Deno.test("flatten-buffers + simplify: linear indices, size variable appended", () => {
  expectPass(
    [flattenBuffers, simplify],
    `func copy(A: buffer<float32>[n, 8], B: buffer<float32>[n, 8]) {
  for i in 0..n {
    for j in 0..8 {
      B[i, j] = A[i, j]
    }
  }
}`,
    `func copy(A: buffer<float32>[n * 8], B: buffer<float32>[n * 8], n: int32) {
  for i in 0..n {
    for j in 0..8 {
      B[i * 8 + j] = A[i * 8 + j]
    }
  }
}`,
  );
});

Deno.test("vectorize: ramps for unit-stride accesses, broadcasts for invariants", () => {
  expectPass(
    [vectorize],
    `func axpy(X: buffer<float32>[16], Y: buffer<float32>[16], a: float32) {
  for i in 0..4 {
    for j in 0..4 vectorized {
      Y[i * 4 + j] = Y[i * 4 + j] + X[i * 4 + j] * a
    }
  }
}`,
    `func axpy(X: buffer<float32>[16], Y: buffer<float32>[16], a: float32) {
  for i in 0..4 {
    Y[ramp(i * 4, 1, 4)] = Y[ramp(i * 4, 1, 4)] + X[ramp(i * 4, 1, 4)] * broadcast(a, 4)
  }
}`,
  );
});

Deno.test("unroll + simplify + remove-no-op: copies with constant indices", () => {
  expectPass(
    [unroll, simplify, removeNoOp],
    `func u(A: buffer<int32>[3]) {
  for k in 0..3 unrolled {
    if k < 2 {
      A[k] = k * 2
    }
  }
}`,
    `func u(A: buffer<int32>[3]) {
  A[0] = 0
  A[1] = 2
}`,
  );
});
