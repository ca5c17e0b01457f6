/** plan-buffer-allocation: script in, script out, and the same results in the interpreter. */
import { assert, assertEquals } from "../test_util.ts";
import { parseFunc, printFunc } from "../script/mod.ts";
import { runFunc } from "../interp/mod.ts";
import { randomNDArray, toNumbers } from "../ndarray.ts";
import { structuralEqual } from "../structural.ts";
import type { PrimFunc } from "../func.ts";
import { planBufferAllocation } from "./plan_buffer_allocation.ts";

const ctx = { options: {} };

function sameResults(f: PrimFunc, g: PrimFunc, inputs: number): void {
  for (const seed of [1, 2]) {
    const args = f.params.slice(0, inputs).map((p, k) => {
      if (p.kind !== "Buffer") throw new Error("buffers only");
      return randomNDArray(
        p.dtype,
        p.shape.map((d) => (d.kind === "IntImm" ? d.value : 0)),
        seed + k,
      );
    });
    assertEquals(runFunc(g, args).map(toNumbers), runFunc(f, args).map(toNumbers));
  }
}

/** B computed per tile of C (as compute_at leaves it). */
const TILED = `func f(A: buffer<float32>[8], C: buffer<float32>[8]) {
  block root() {
    alloc B: buffer<float32>[8]
    for io in 0..2 {
      for ax0 in 0..4 {
        block B(vi: spatial(0..8) = io * 4 + ax0) {
          reads(A[vi])
          writes(B[vi])
          B[vi] = A[vi] * 2.0
        }
      }
      for ii in 0..4 {
        block C(wi: spatial(0..8) = io * 4 + ii) {
          reads(B[wi])
          writes(C[wi])
          C[wi] = B[wi] + 1.0
        }
      }
    }
  }
}`;

Deno.test("plan-buffer-allocation: a buffer used under one tile loop is allocated there", () => {
  const f = parseFunc(TILED);
  const g = planBufferAllocation.run(f, ctx);
  const want = parseFunc(`func f(A: buffer<float32>[8], C: buffer<float32>[8]) {
  block root() {
    for io in 0..2 {
      allocate B: buffer<float32>[8] {
        for ax0 in 0..4 {
          block B(vi: spatial(0..8) = io * 4 + ax0) {
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi] * 2.0
          }
        }
        for ii in 0..4 {
          block C(wi: spatial(0..8) = io * 4 + ii) {
            reads(B[wi])
            writes(C[wi])
            C[wi] = B[wi] + 1.0
          }
        }
      }
    }
  }
}`);
  assert(structuralEqual(g, want), printFunc(g));
  sameResults(f, g, 1);
});

Deno.test("plan-buffer-allocation: a value carried across iterations keeps the allocation out", () => {
  // B[vi] accumulates over io (the reduction loop is io itself): moving B under io would reset it
  const f = parseFunc(`func f(A: buffer<float32>[2, 4], C: buffer<float32>[4]) {
  block root() {
    alloc B: buffer<float32>[4]
    for io in 0..2 {
      for ii in 0..4 {
        block B(vi: spatial(0..4) = ii, vk: reduce(0..2) = io) {
          reads(B[vi], A[vk, vi])
          writes(B[vi])
          init {
            B[vi] = 0.0
          }
          B[vi] = B[vi] + A[vk, vi]
        }
      }
      for ij in 0..4 {
        block C(wi: spatial(0..4) = ij) {
          reads(B[wi])
          writes(C[wi])
          C[wi] = B[wi]
        }
      }
    }
  }
}`);
  assertEquals(planBufferAllocation.run(f, ctx), f);
  // a read not covered by an earlier write in the same iteration keeps it out too
  const g = parseFunc(
    TILED.replace("reads(B[wi])", "reads(B[7 - wi])").replace(
      "C[wi] = B[wi] + 1.0",
      "C[wi] = B[7 - wi] + 1.0",
    ),
  );
  assertEquals(planBufferAllocation.run(g, ctx), g);
});
