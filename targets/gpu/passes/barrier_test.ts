import { parseFunc } from "../../../ir/script/mod.ts";
import { assertEquals } from "../../../ir/test_util.ts";
import type { Stmt } from "../../../ir/stmt.ts";
import { visit } from "../../../ir/node.ts";
import { isBarrier, sync } from "./barrier.ts";

function barriers(s: Stmt): number {
  let n = 0;
  visit(s, (x) => {
    if (x.kind === "Evaluate" && isBarrier(x)) n++;
  });
  return n;
}

const body = (src: string): Stmt => parseFunc(src).body;

Deno.test("barrier: between thread loops that exchange data through shared memory", () => {
  const s = body(`func f(A: buffer<float32>[64], B: buffer<float32>[64]) {
  for bx in 0..1 thread("blockIdx.x") {
    allocate S: buffer<float32>[64](scope="shared")
    for tx in 0..64 thread("threadIdx.x") { S[tx] = A[tx] }
    for tx2 in 0..64 thread("threadIdx.x") { B[tx2] = S[63 - tx2] }
  }
}`);
  const out = sync(s);
  assertEquals(barriers(out), 1);
  assertEquals(sync(out), out); // idempotent: nothing more to insert
});

Deno.test("barrier: none between independent thread loops, none inside a thread", () => {
  const s = body(`func f(A: buffer<float32>[64], B: buffer<float32>[64], C: buffer<float32>[64]) {
  for bx in 0..1 thread("blockIdx.x") {
    for tx in 0..64 thread("threadIdx.x") { B[tx] = A[tx]
      C[tx] = B[tx] }
    for tx2 in 0..64 thread("threadIdx.x") { C[tx2] = A[tx2] + 1.0 }
  }
}`);
  // the second loop writes C, which the first wrote: a write-after-write between threads
  assertEquals(barriers(sync(s)), 1);
  const t = body(`func f(A: buffer<float32>[64], B: buffer<float32>[64], C: buffer<float32>[64]) {
  for bx in 0..1 thread("blockIdx.x") {
    for tx in 0..64 thread("threadIdx.x") { B[tx] = A[tx]
      C[tx] = B[tx] }
    for tx2 in 0..64 thread("threadIdx.x") { A[tx2] = 1.0 }
  }
}`);
  // the second loop writes A, which the first read: write-after-read
  assertEquals(barriers(sync(t)), 1);
  const u = body(`func f(A: buffer<float32>[64], B: buffer<float32>[64], C: buffer<float32>[64]) {
  for bx in 0..1 thread("blockIdx.x") {
    for tx in 0..64 thread("threadIdx.x") { B[tx] = A[tx] }
    for tx2 in 0..64 thread("threadIdx.x") { C[tx2] = A[tx2] }
  }
}`);
  assertEquals(sync(u), u);
});

Deno.test("barrier: a serial loop staging tiles gets one at the end of its body", () => {
  const s = body(`func f(A: buffer<float32>[256], B: buffer<float32>[64]) {
  for bx in 0..1 thread("blockIdx.x") {
    for k in 0..4 {
      allocate S: buffer<float32>[64](scope="shared")
      for tx in 0..64 thread("threadIdx.x") { S[tx] = A[k * 64 + tx] }
      for tx2 in 0..64 thread("threadIdx.x") { B[tx2] = B[tx2] + S[63 - tx2] }
    }
  }
}`);
  assertEquals(barriers(sync(s)), 2);
});
