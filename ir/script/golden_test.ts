/** Golden texts: the exact printed form of a few functions, and hand-written scripts read back. */
import { assert, assertEquals } from "../test_util.ts";
import { add, broadcast, bufferLoad, float, gt, mul, ramp, variable } from "../expr.ts";
import { type PrimFunc, primFunc } from "../func.ts";
import { visit } from "../node.ts";
import {
  allocate,
  assertStmt,
  type BufferStore,
  bufferStore,
  decl,
  type For,
  forLoop,
  loopVar,
  seq,
} from "../stmt.ts";
import { structuralEqual } from "../structural.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sizeVar, sum } from "../te.ts";
import { verify } from "../verify.ts";
import { parseFunc, spanOf } from "./parse.ts";
import { printFunc } from "./printer.ts";

function matmul(): PrimFunc {
  const n = sizeVar("n");
  const m = sizeVar("m");
  const k = sizeVar("k");
  const A = placeholder([n, k], "float32", "A");
  const B = placeholder([k, m], "float32", "B");
  const r = reduceAxis(k, "kk");
  const C = compute([n, m], ([i, j]) => sum(mul(A.at(i, r), B.at(r, j)), [r]), "C");
  return createPrimFunc([A, B, C], "matmul");
}

const MATMUL =
  `func matmul(A: buffer<float32>[n, k], B: buffer<float32>[k, m], C: buffer<float32>[n, m]) {
  block root() {
    for i in 0..n {
      for j in 0..m {
        for kk in 0..k {
          block C(vi: spatial(0..n) = i, vj: spatial(0..m) = j, vkk: reduce(0..k) = kk) {
            reads(C[vi, vj], A[vi, vkk], B[vkk, vj])
            writes(C[vi, vj])
            init {
              C[vi, vj] = 0.0
            }
            C[vi, vj] = C[vi, vj] + A[vi, vkk] * B[vkk, vj]
          }
        }
      }
    }
  }
}`;

Deno.test("golden: the DSL's matmul prints as TensorIR script", () => {
  assertEquals(printFunc(matmul()), MATMUL);
  assert(structuralEqual(parseFunc(MATMUL), matmul()));
});

/** A lowered-style kernel built by hand (as in the interpreter's tests), so the golden text
 * depends on the printer only. */
function lowered(): PrimFunc {
  const n = variable("n");
  const A = decl("A", [mul(n, 4)], "float32");
  const B = decl("B", [n], "float32");
  const T = decl("T", [4], "float32", { scope: "local" });
  const tx = loopVar("tx");
  const j = loopVar("j");
  const acc = bufferStore(
    T,
    add(bufferLoad(T, [ramp(0, 1, 4)]), bufferLoad(A, [ramp(mul(tx, 4), 1, 4)])),
    [
      ramp(0, 1, 4),
    ],
  );
  const body = allocate(
    T,
    seq([
      bufferStore(T, broadcast(float(0), 4), [ramp(0, 1, 4)]),
      acc,
      forLoop(j, 0, 4, bufferStore(B, add(bufferLoad(B, [tx]), bufferLoad(T, [j])), [tx]), {
        kind: "unrolled",
      }),
    ]),
  );
  const guarded = assertStmt(
    gt(n, 0),
    "n > 0",
    forLoop(tx, 0, n, body, {
      kind: "thread",
      threadTag: "threadIdx.x",
    }),
  );
  return primFunc("rowsum4", [A, B, n], guarded);
}

const LOWERED = `func rowsum4(A: buffer<float32>[n * 4], B: buffer<float32>[n], n: int32) {
  assert n > 0, "n > 0"
  for tx in 0..n thread("threadIdx.x") {
    allocate T: buffer<float32>[4](scope="local")
    T[ramp(0, 1, 4)] = broadcast(0.0, 4)
    T[ramp(0, 1, 4)] = T[ramp(0, 1, 4)] + A[ramp(tx * 4, 1, 4)]
    for j in 0..4 unrolled {
      B[tx] = B[tx] + T[j]
    }
  }
}`;

Deno.test("golden: a lowered kernel prints with flat buffers, vectors, flat allocate and assert", () => {
  const f = lowered();
  assertEquals(printFunc(f), LOWERED);
  assert(structuralEqual(parseFunc(LOWERED), f));
});

Deno.test("hand-written script: comments, shorthand literals, shadowing, else-if", () => {
  const f = parseFunc(`
# a hand-written kernel
func clamp_rows(A: buffer<float16>[n, 4], B: buffer<float16>[n, 4]) @{note: "hand"} {
  for i in 0..n parallel {
    for j in 0..4 {        # j is the column
      let x = A[i, j]
      if x < 0 {           # 0 reads as float16 here
        B[i, j] = 0
      } else if x > 6 {
        B[i, j] = 6.0
      } else {
        for j in 0..1 {    # shadows the outer j
          B[i, j] = x
        }
      }
    }
  }
}`);
  verify(f);
  const loops: For[] = [];
  const stores: BufferStore[] = [];
  visit(f, (n) => {
    if (n.kind === "For") loops.push(n);
    if (n.kind === "BufferStore") stores.push(n);
  });
  assertEquals(loops.map((l) => l.loopVar.name), ["i", "j", "j"]);
  assert(loops[1].loopVar !== loops[2].loopVar, "the inner j is a new variable");
  assertEquals(stores[2].indices[1], loops[2].loopVar);
  assertEquals(stores[0].value.dtype, "float16");
  assertEquals(loops[0].forKind, "parallel");
  assertEquals(f.attrs, { note: "hand" });
  const span = spanOf(stores[1]);
  assertEquals([span?.line, span?.column], [10, 9]);
});

Deno.test("the brief's example reads as the DSL's matmul", () => {
  const text =
    `func matmul(A: buffer<float32>[n, k], B: buffer<float32>[k, m], C: buffer<float32>[n, m]) {
    block root() {
      for i in 0..n { for j in 0..m { for kk in 0..k {
        block C(vi: spatial(0..n) = i, vj: spatial(0..m) = j, vk: reduce(0..k) = kk) {
          reads(C[vi, vj], A[vi, vk], B[vk, vj]) writes(C[vi, vj])
          init { C[vi, vj] = 0f32 }
          C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
        }
      }}}
    }
  }`;
  assert(structuralEqual(parseFunc(text), matmul()));
});
