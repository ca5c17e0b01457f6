/**
 * Random graphs (elementwise chains, dense layers, softmax, values used once or several times):
 * the script form round-trips, and the fused pipeline computes what the default one does.
 */
import { assert, assertEquals } from "../test_util.ts";
import { type NDArray, randomNDArray, rng } from "../ndarray.ts";
import { GraphBuilder } from "./builder.ts";
import { GraphExecutor } from "./executor.ts";
import type { Atom, GraphModule } from "./ir.ts";
import { parseGraphModule } from "./parse.ts";
import { DEFAULT_PASSES, FUSED_PASSES } from "./pipelines.ts";
import { printGraphModule } from "./print.ts";
import { graphFirstMismatch } from "./structural.ts";

const UNARY = ["relu", "neg", "tanh", "sigmoid", "abs"];
const BINARY = ["add", "mul", "sub", "maximum"];

function randomGraph(seed: number): GraphModule {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const b = new GraphBuilder("main");
  const pool: Atom[] = [b.input("x", ["n", 8]), b.input("z", ["n", 8])];
  const steps = 3 + Math.floor(r() * 8);
  for (let k = 0; k < steps; k++) {
    const a = pick(pool);
    const c = r();
    if (c < 0.35) pool.push(b.op(pick(UNARY), [a]));
    else if (c < 0.6) {
      const other = r() < 0.5
        ? pick(pool)
        : b.constant(randomNDArray("float32", [8], seed * 31 + k), `c${k}`);
      pool.push(b.op(pick(BINARY), r() < 0.5 ? [a, other] : [other, a]));
    } else if (c < 0.8) {
      const w = b.constant(randomNDArray("float32", [8, 8], seed * 17 + k, -0.5, 0.5), `w${k}`);
      pool.push(b.dense(a, w));
    } else if (c < 0.9) pool.push(b.softmax(a));
    else pool.push(b.op("add", [a], { scalar: 1 }));
  }
  const outs = [pool[pool.length - 1]];
  if (r() < 0.5) outs.push(pick(pool.slice(2)));
  b.output(...outs);
  return b.finish();
}

function assertClose(got: NDArray, want: NDArray, what: string): void {
  assertEquals(got.shape, want.shape, what);
  for (let i = 0; i < got.data.length; i++) {
    const x = Number(got.data[i]);
    const y = Number(want.data[i]);
    assert(
      Math.abs(x - y) <= 1e-5 * Math.max(1, Math.abs(y)),
      `${what}: element ${i}: ${x} vs ${y}`,
    );
  }
}

Deno.test("property: random graphs round-trip, and fusion keeps their values", async () => {
  let plainCalls = 0;
  let fusedCalls = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const mod = randomGraph(seed);
    const text = printGraphModule(mod);
    assertEquals(graphFirstMismatch(parseGraphModule(text), mod), undefined, text);
    const plain = new GraphExecutor(mod, { passes: DEFAULT_PASSES, profile: true });
    const fused = new GraphExecutor(mod, {
      passes: FUSED_PASSES,
      passOptions: { verify: true },
      profile: true,
    });
    const fusedText = printGraphModule(fused.module);
    assertEquals(
      graphFirstMismatch(parseGraphModule(fusedText), fused.module),
      undefined,
      fusedText,
    );
    for (const n of [1, 3]) {
      const inputs = [
        randomNDArray("float32", [n, 8], seed),
        randomNDArray("float32", [n, 8], seed + 99),
      ];
      const want = await plain.run(inputs);
      const got = await fused.run(inputs);
      assertEquals(got.length, want.length);
      plainCalls += plain.lastProfile().length;
      fusedCalls += fused.lastProfile().length;
      got.forEach((g, k) => assertClose(g, want[k], `seed ${seed}, n ${n}, output ${k}\n${text}`));
    }
  }
  assert(fusedCalls < plainCalls * 0.8, `fused ${fusedCalls} kernel calls, unfused ${plainCalls}`);
});
