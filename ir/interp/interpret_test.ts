import { assert, assertEquals } from "../test_util.ts";
import { add, and, bufferLoad, ge, lt, mul, select, sub, variable } from "../expr.ts";
import { primFunc } from "../func.ts";
import { ndarray, randomNDArray, toNumbers } from "../ndarray.ts";
import {
  block,
  blockRealize,
  bufferRegion,
  bufferStore,
  decl,
  forLoop,
  iterVar,
  loopVar,
  range,
} from "../stmt.ts";
import {
  compute,
  createPrimFunc,
  maxReduce,
  placeholder,
  reduceAxis,
  sizeVar,
  sum,
} from "../te.ts";
import { interpret, runFunc } from "./interpret.ts";

function matmulFunc() {
  const n = sizeVar("n");
  const A = placeholder([n, 16], "float32", "A");
  const B = placeholder([16, 8], "float32", "B");
  const k = reduceAxis(16, "k");
  const C = compute([n, 8], ([i, j]) => sum(mul(A.at(i, k), B.at(k, j)), [k]), "C");
  return createPrimFunc([A, B, C], "matmul");
}

function matmulReference(a: number[], b: number[], n: number): number[] {
  const c: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 8; j++) {
      let acc = 0;
      for (let k = 0; k < 16; k++) {
        acc = Math.fround(acc + Math.fround(a[i * 16 + k] * b[k * 8 + j]));
      }
      c.push(acc);
    }
  }
  return c;
}

Deno.test("elementwise DSL function with a symbolic size", () => {
  const n = sizeVar("n");
  const A = placeholder([n], "float32", "A");
  const B = compute([n], ([i]) => add(mul(A.at(i), 3), 1), "B");
  const f = createPrimFunc([A, B], "axpb");
  for (const len of [0, 1, 7]) {
    const a = randomNDArray("float32", [len], len + 1);
    const [b] = runFunc(f, [a]);
    assertEquals(b.shape, [len]);
    assertEquals(toNumbers(b), toNumbers(a).map((x) => Math.fround(Math.fround(x * 3) + 1)));
  }
});

Deno.test("matmul from the DSL matches a float32 reference for several n", () => {
  const f = matmulFunc();
  for (const n of [1, 5, 12]) {
    const a = randomNDArray("float32", [n, 16], n);
    const b = randomNDArray("float32", [16, 8], 100 + n);
    const c = ndarray("float32", [n, 8]);
    (c.data as Float32Array).fill(123); // init must overwrite whatever is there
    interpret(f, [a, b, c]);
    assertEquals(toNumbers(c), matmulReference(toNumbers(a), toNumbers(b), n));
  }
});

Deno.test("a reduction's init runs for the instance at the domain minimum", () => {
  // C[0] = init 100; for k in 0..4 the block's reduce var takes vk = 3 − k, so vk reaches its
  // minimum 0 only at the LAST iteration: init runs there, wiping the earlier sums.
  const A = decl("A", [4], "int32");
  const C = decl("C", [1], "int32");
  const k = loopVar("k");
  const vk = variable("vk");
  const blk = block({
    name: "R",
    iterVars: [iterVar(vk, range(0, 4), "reduce")],
    reads: [bufferRegion(A, [range(vk, 1)])],
    writes: [bufferRegion(C, [range(0, 1)])],
    init: bufferStore(C, 100, [0]),
    body: bufferStore(C, add(bufferLoad(C, [0]), bufferLoad(A, [vk])), [0]),
  });
  const f = primFunc("rev", [A, C], forLoop(k, 0, 4, blockRealize([sub(3, k)], true, blk)));
  const c = ndarray("int32", [1], [5]);
  interpret(f, [ndarray("int32", [4], [1, 2, 3, 4]), c]);
  assertEquals(c.data[0], 100 + 1);
  // A domain that does not start at 0: init at vk = 2.
  const blk2 = block({ ...blk, iterVars: [iterVar(vk, range(2, 2), "reduce")] });
  const g = primFunc("off", [A, C], forLoop(k, 0, 2, blockRealize([add(k, 2)], true, blk2)));
  interpret(g, [ndarray("int32", [4], [1, 2, 3, 4]), c]);
  assertEquals(c.data[0], 100 + 3 + 4);
});

Deno.test("max reduction with -inf init and an intermediate buffer", () => {
  const A = placeholder([3, 5], "float32", "A");
  const k = reduceAxis(5, "k");
  const M = compute([3], ([i]) => maxReduce(A.at(i, k), [k]), "M");
  const S = compute([3, 5], ([i, j]) => sub(A.at(i, j), M.at(i)), "S");
  const f = createPrimFunc([A, S], "shift");
  const a = randomNDArray("float32", [3, 5], 4);
  const [s] = runFunc(f, [a]);
  const av = toNumbers(a);
  const want = av.map((x, idx) => {
    const row = Math.floor(idx / 5);
    return Math.fround(x - Math.max(...av.slice(row * 5, row * 5 + 5)));
  });
  assertEquals(toNumbers(s), want);
});

Deno.test("padding with a lazy select never evaluates the out-of-bounds arm", () => {
  const n = sizeVar("n");
  const A = placeholder([n], "int8", "A");
  const P = compute(
    [add(n, 2)],
    ([i]) => select(and(ge(i, 1), lt(i, add(n, 1))), A.at(sub(i, 1)), 0),
    "P",
  );
  const f = createPrimFunc([A, P], "pad");
  const [p] = runFunc(f, [ndarray("int8", [3], [5, -6, 7])]);
  assertEquals(toNumbers(p), [0, 5, -6, 7, 0]);
});

Deno.test("a padded 3×3 convolution from the DSL matches a direct reference", () => {
  const n = sizeVar("n");
  const I = placeholder([n, n], "float32", "I");
  const W = placeholder([3, 3], "float32", "W");
  const P = compute([add(n, 2), add(n, 2)], ([i, j]) =>
    select(
      and(and(ge(i, 1), lt(i, add(n, 1))), and(ge(j, 1), lt(j, add(n, 1)))),
      I.at(sub(i, 1), sub(j, 1)),
      0,
    ), "P");
  const r = reduceAxis(3, "r");
  const s = reduceAxis(3, "s");
  const O = compute(
    [n, n],
    ([i, j]) => sum(mul(P.at(add(i, r), add(j, s)), W.at(r, s)), [r, s]),
    "O",
  );
  const f = createPrimFunc([I, W, O], "conv");
  const N = 6;
  const img = randomNDArray("float32", [N, N], 1);
  const w = randomNDArray("float32", [3, 3], 2);
  const [o] = runFunc(f, [img, w]);
  const iv = toNumbers(img);
  const wv = toNumbers(w);
  const want: number[] = [];
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) {
          const y = i + a - 1;
          const x = j + b - 1;
          const v = y >= 0 && y < N && x >= 0 && x < N ? iv[y * N + x] : 0;
          acc = Math.fround(acc + Math.fround(v * wv[a * 3 + b]));
        }
      }
      want.push(acc);
    }
  }
  assertEquals(toNumbers(o), want);
});

Deno.test("compiled closures are cached per function and reusable across sizes", () => {
  const f = matmulFunc();
  const a = randomNDArray("float32", [2, 16], 1);
  const b = randomNDArray("float32", [16, 8], 2);
  const [c1] = runFunc(f, [a, b]);
  const [c2] = runFunc(f, [a, b]);
  assertEquals(toNumbers(c1), toNumbers(c2));
  const [c3] = runFunc(f, [randomNDArray("float32", [9, 16], 1), b]);
  assertEquals(c3.shape, [9, 8]);
  assert(toNumbers(c3).some((x) => x !== 0));
});
