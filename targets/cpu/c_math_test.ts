/**
 * The inline float32 math (c_math.ts) against the reference interpreter: dense sweeps plus
 * special values, compiled with the default schedule (vector lanes and a scalar tail), each op
 * within its stated error; `exactMath` gives the interpreter's results bit for bit.
 */
import { ulpDistance } from "../../conformance/tolerance.ts";
import { call } from "../../ir/expr.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { ndarray } from "../../ir/ndarray.ts";
import { compute, createPrimFunc, placeholder } from "../../ir/te.ts";
import { assert } from "../../ir/test_util.ts";
import { build } from "../../sdk/build.ts";
import cpu from "./mod.ts";

/** Each op: sweep range, max ulps, absolute floor (see the table in c_math.ts). */
const OPS: readonly { op: string; lo: number; hi: number; ulps: number; atol: number }[] = [
  { op: "exp", lo: -110, hi: 95, ulps: 2, atol: 0 },
  { op: "erf", lo: -6, hi: 6, ulps: 8, atol: 1e-7 },
  { op: "tanh", lo: -12, hi: 12, ulps: 4, atol: 1e-7 },
  { op: "sigmoid", lo: -110, hi: 110, ulps: 4, atol: 1e-37 },
];
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 1e-6, -1e-6, 0.5, -0.625, 0.625];
const N = 20003; // not a multiple of the vector width: the tail runs too

function sweep(lo: number, hi: number): Float32Array {
  const x = new Float32Array(N + SPECIAL.length);
  for (let i = 0; i < N; i++) x[i] = lo + (hi - lo) * i / (N - 1);
  x.set(SPECIAL, N);
  return x;
}

async function worst(op: string, x: Float32Array, exactMath: boolean, atol: number) {
  const A = placeholder([x.length], "float32", "A");
  const B = compute([x.length], ([i]) => call(op, [A.at(i)]), "B");
  const f = createPrimFunc([A, B], `m_${op}`);
  const k = await build(f, cpu, { codegen: { exactMath } });
  const [got] = await k.run([ndarray("float32", [x.length], x)]);
  const [want] = runFunc(f, [ndarray("float32", [x.length], x)]);
  let max = 0, at = 0;
  for (let i = 0; i < x.length; i++) {
    const g = got.data[i] as number, w = want.data[i] as number;
    const u = Math.abs(g - w) <= atol ? 0 : ulpDistance("float32", g, w);
    if (u > max) [max, at] = [u, x[i]];
  }
  return { max, at, source: k.source };
}

for (const { op, lo, hi, ulps, atol } of OPS) {
  Deno.test(`inline float32 ${op} is within ${ulps} ulp of the interpreter`, async () => {
    const r = await worst(op, sweep(lo, hi), false, atol);
    assert(r.source.includes(`__tsr_${op}_f32x`), `${op}: not vectorised inline`);
    assert(r.max <= ulps, `${op}: ${r.max} ulp at x = ${r.at}`);
  });
}

Deno.test("exactMath computes exp and erf through the host, bit for bit", async () => {
  for (const op of ["exp", "erf"]) {
    const r = await worst(op, sweep(-20, 20), true, 0);
    assert(!r.source.includes(`__tsr_${op}_f32`), `${op}: inline despite exactMath`);
    assert(r.max === 0, `${op}: ${r.max} ulp at x = ${r.at}`);
  }
});
