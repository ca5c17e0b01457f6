/** compact-buffer-allocation: script in, script out, same results; and in the whole pipeline. */
import { assert, assertEquals } from "../test_util.ts";
import { parseFunc, printFunc } from "../script/mod.ts";
import { runFunc } from "../interp/mod.ts";
import { randomNDArray, toNumbers } from "../ndarray.ts";
import { structuralEqual } from "../structural.ts";
import { type Node, visit } from "../node.ts";
import type { PrimFunc } from "../func.ts";
import { compactBufferAllocation } from "./compact_buffer_allocation.ts";
import { lower } from "./lower.ts";
import { randomInputs, runBoth } from "./testing.ts";

const ctx = { options: {} };

function sameResults(f: PrimFunc, g: PrimFunc): void {
  const p = f.params[0];
  if (p.kind !== "Buffer") throw new Error("buffer first");
  const a = randomNDArray(p.dtype, p.shape.map((d) => (d.kind === "IntImm" ? d.value : 0)), 3);
  assertEquals(runFunc(g, [a]).map(toNumbers), runFunc(f, [a]).map(toNumbers));
}

function allocations(n: Node): string[] {
  const out: string[] = [];
  visit(n, (x) => {
    if (x.kind === "Allocate") {
      out.push(
        `${x.buffer.name}[${
          x.buffer.shape.map((d) => d.kind === "IntImm" ? d.value : "?").join(", ")
        }]`,
      );
    }
  });
  return out;
}

Deno.test("compact-buffer-allocation: a per-tile buffer shrinks to the tile", () => {
  const f = parseFunc(`func f(A: buffer<float32>[8, 6], C: buffer<float32>[8, 6]) {
  for io in 0..2 {
    allocate B: buffer<float32>[8, 6](scope = "local") {
      for ax0 in 0..4 {
        for ax1 in 0..6 {
          B[io * 4 + ax0, ax1] = A[io * 4 + ax0, ax1] * 2.0
        }
      }
      for ii in 0..4 {
        for j in 1..5 {
          C[io * 4 + ii, j] = B[io * 4 + ii, j] + B[io * 4 + ii, j - 1]
        }
      }
    }
  }
}`);
  const g = compactBufferAllocation.run(f, ctx);
  const want = parseFunc(`func f(A: buffer<float32>[8, 6], C: buffer<float32>[8, 6]) {
  for io in 0..2 {
    allocate B: buffer<float32>[4, 6](scope = "local") {
      for ax0 in 0..4 {
        for ax1 in 0..6 {
          B[io * 4 + ax0 - io * 4, ax1] = A[io * 4 + ax0, ax1] * 2.0
        }
      }
      for ii in 0..4 {
        for j in 1..5 {
          C[io * 4 + ii, j] = B[io * 4 + ii - io * 4, j] + B[io * 4 + ii - io * 4, j - 1]
        }
      }
    }
  }
}`);
  assert(structuralEqual(g, want), printFunc(g));
  assertEquals(allocations(g.body), ["B[4, 6]"]);
  sameResults(f, g);
});

Deno.test("compact-buffer-allocation: unchanged when nothing shrinks or an index is unknown", () => {
  const f = parseFunc(`func f(A: buffer<int32>[4], C: buffer<int32>[4]) {
  allocate B: buffer<int32>[4] {
    for i in 0..4 {
      B[i] = A[i]
    }
    for j in 0..4 {
      C[j] = B[A[j] % 4]
    }
  }
}`);
  assertEquals(compactBufferAllocation.run(f, ctx), f);
});

Deno.test("lower: compute_at-style tiles allocate a compact buffer per tile", () => {
  const f = parseFunc(`func f(A: buffer<float32>[16, 16], C: buffer<float32>[16, 16]) {
  block root() {
    alloc B: buffer<float32>[16, 16](scope = "local")
    for io in 0..4 {
      for ax0 in 0..4 {
        for ax1 in 0..16 {
          block B(vi: spatial(0..16) = io * 4 + ax0, vj: spatial(0..16) = ax1) {
            reads(A[vi, vj])
            writes(B[vi, vj])
            B[vi, vj] = A[vi, vj] * 2.0
          }
        }
      }
      for ii in 0..4 {
        for j in 0..16 {
          block C(wi: spatial(0..16) = io * 4 + ii, wj: spatial(0..16) = j) {
            reads(B[wi, wj])
            writes(C[wi, wj])
            C[wi, wj] = B[wi, wj] + 1.0
          }
        }
      }
    }
  }
}`);
  const g = lower(f, { verify: true });
  assertEquals(allocations(g.body), ["B[64]"]);
  const [want, got] = runBoth(f, g, randomInputs(f, 1, new Map(), 1));
  assertEquals(got, want);
});

Deno.test("compact-buffer-allocation: under size variables a row shrinks and a symbolic row is hoisted", () => {
  const f = parseFunc(`func f(A: buffer<float32>[n, m], C: buffer<float32>[n, m]) {
  for i in 0..n {
    allocate E: buffer<float32>[n, m] {
      allocate S: buffer<float32>[n, 8] {
        for l0 in 0..(m + 7) // 8 {
          for l1 in 0..8 {
            if l0 * 8 + l1 < m {
              E[i, l0 * 8 + l1] = A[i, l0 * 8 + l1] * 2.0
              S[i, l1] = E[i, l0 * 8 + l1]
            }
          }
        }
        for l in 0..m {
          C[i, l] = E[i, l] + S[i, l % 8]
        }
      }
    }
  }
}`);
  const g = compactBufferAllocation.run(f, ctx);
  const text = printFunc(g);
  // E: one row, exact despite the guarded tail (m, not ⌈m/8⌉·8), allocated once outside `i`;
  // S: one row of 8 (1 ≤ n inside the loop over n), per row.
  assert(/^ {2}allocate E: buffer<float32>\[1, m\]/m.test(text), text);
  assert(/^ {4}allocate S: buffer<float32>\[1, 8\]/m.test(text), text);
  assert(text.indexOf("allocate E") < text.indexOf("for i"), text);
  for (const [n, m] of [[1, 1], [1, 8], [2, 5], [3, 13]]) {
    const a = randomNDArray("float32", [n, m], n * 100 + m);
    assertEquals(runFunc(g, [a]).map(toNumbers), runFunc(f, [a]).map(toNumbers), `${n}×${m}`);
  }
});

Deno.test("compact-buffer-allocation: a symbolic allocation stays inside a parallel loop", () => {
  const f = parseFunc(`func f(A: buffer<float32>[n, m], C: buffer<float32>[n, m]) {
  for i in 0..n parallel {
    allocate E: buffer<float32>[n, m] {
      for l in 0..m {
        E[i, l] = A[i, l] * 2.0
      }
      for l in 0..m {
        C[i, l] = E[i, l] + 1.0
      }
    }
  }
}`);
  const text = printFunc(compactBufferAllocation.run(f, ctx));
  assert(/^ {4}allocate E: buffer<float32>\[1, m\]/m.test(text), text);
});
