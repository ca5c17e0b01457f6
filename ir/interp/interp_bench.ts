/**
 * Interpreter throughput: `deno bench -A ir/interp/interp_bench.ts`, or
 * `deno run -A ir/interp/interp_bench.ts` for a table of MAC/s and scalar ops/s.
 *
 * "Scalar ops" counts the IR operations evaluated per inner iteration: for a matmul MAC, three
 * loads, a multiply, an add and a store plus the index arithmetic of the accesses (`i*K + k`
 * etc.) and, for TensorIR, the block instance (binding three iteration variables with domain
 * checks).
 *
 * @module
 */
import { add, and, bufferLoad, float, ge, lt, mul, select, sub } from "../expr.ts";
import { type PrimFunc, primFunc } from "../func.ts";
import { type NDArray, ndarray, randomNDArray } from "../ndarray.ts";
import { bufferStore, decl, forLoop, loopVar, seq } from "../stmt.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sizeVar, sum } from "../te.ts";
import { interpret } from "./interpret.ts";

/** C[n, 64] = A[n, 64] · B[64, 64] in TensorIR (blocks, init) from the DSL. */
export function matmulBlocks(): PrimFunc {
  const n = sizeVar("n");
  const A = placeholder([n, 64], "float32", "A");
  const B = placeholder([64, 64], "float32", "B");
  const k = reduceAxis(64, "k");
  const C = compute([n, 64], ([i, j]) => sum(mul(A.at(i, k), B.at(k, j)), [k]), "C");
  return createPrimFunc([A, B, C], "matmul");
}

/** The same matmul lowered by hand: loops only, flat 1-D buffers, init hoisted. */
export function matmulLowered(): PrimFunc {
  const A = decl("A", [64 * 64], "float32");
  const B = decl("B", [64 * 64], "float32");
  const C = decl("C", [64 * 64], "float32");
  const [i, j, k] = [loopVar("i"), loopVar("j"), loopVar("k")];
  const c = add(mul(i, 64), j);
  const mac = bufferStore(
    C,
    add(
      bufferLoad(C, [c]),
      mul(bufferLoad(A, [add(mul(i, 64), k)]), bufferLoad(B, [add(mul(k, 64), j)])),
    ),
    [c],
  );
  const body = seq([bufferStore(C, float(0), [c]), forLoop(k, 0, 64, mac)]);
  return primFunc("matmul_flat", [A, B, C], forLoop(i, 0, 64, forLoop(j, 0, 64, body)));
}

/** conv2d NCHW, 1×8×32×32 input, 16×8×3×3 weights, padding 1 via a lazy select. */
export function conv(): PrimFunc {
  const [C, H, W, K] = [8, 32, 32, 16];
  const I = placeholder([C, H, W], "float32", "I");
  const Wt = placeholder([K, C, 3, 3], "float32", "W");
  const P = compute([C, H + 2, W + 2], ([c, y, x]) =>
    select(
      and(and(ge(y, 1), lt(y, H + 1)), and(ge(x, 1), lt(x, W + 1))),
      I.at(c, sub(y, 1), sub(x, 1)),
      0,
    ), "P");
  const rc = reduceAxis(C, "rc");
  const ry = reduceAxis(3, "ry");
  const rx = reduceAxis(3, "rx");
  const O = compute(
    [K, H, W],
    ([k, y, x]) => sum(mul(P.at(rc, add(y, ry), add(x, rx)), Wt.at(k, rc, ry, rx)), [rc, ry, rx]),
    "O",
  );
  return createPrimFunc([I, Wt, O], "conv");
}

interface Case {
  name: string;
  f: PrimFunc;
  args: NDArray[];
  macs: number;
  opsPerMac: number;
}

function cases(): Case[] {
  const a = randomNDArray("float32", [64, 64], 1);
  const b = randomNDArray("float32", [64, 64], 2);
  const flat = (x: NDArray) => ({ ...x, shape: [64 * 64] });
  return [
    {
      name: "matmul 64³ TensorIR blocks",
      f: matmulBlocks(),
      args: [a, b, ndarray("float32", [64, 64])],
      macs: 64 ** 3,
      opsPerMac: 14, // 3 loads, mul, add, store, 6 index ops, block binding (~2)
    },
    {
      name: "matmul 64³ lowered loops",
      f: matmulLowered(),
      args: [flat(a), flat(b), ndarray("float32", [64 * 64])],
      macs: 64 ** 3,
      opsPerMac: 12, // 3 loads, mul, add, store, 6 index ops
    },
    {
      name: "conv 8→16ch 32×32 3×3 pad 1",
      f: conv(),
      args: [
        randomNDArray("float32", [8, 32, 32], 3),
        randomNDArray("float32", [16, 8, 3, 3], 4),
        ndarray("float32", [16, 32, 32]),
      ],
      macs: 16 * 32 * 32 * 8 * 9,
      opsPerMac: 16,
    },
  ];
}

if (import.meta.main) {
  for (const c of cases()) {
    interpret(c.f, c.args); // compile and warm up
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      const t = performance.now();
      interpret(c.f, c.args);
      best = Math.min(best, performance.now() - t);
    }
    const macs = c.macs / best / 1e3;
    console.log(
      `${c.name.padEnd(32)} ${best.toFixed(1).padStart(7)} ms  ${
        macs.toFixed(1).padStart(5)
      } M MAC/s  ~${(macs * c.opsPerMac).toFixed(0)} M scalar ops/s`,
    );
  }
} else {
  for (const c of cases()) Deno.bench(c.name, () => interpret(c.f, c.args));
}
