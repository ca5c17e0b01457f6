/**
 * `mod.ts` must work when imported by URL: serve this repository on 127.0.0.1 and import it from a
 * fresh Deno process with an empty cache directory and no config file.
 */
import { assert, assertEquals } from "./ir/test_util.ts";
import { fromFileUrl, serveDirectory } from "./ir/test_serve.ts";
import { join } from "node:path";
import { type NDArray, randomNDArray } from "./ir/ndarray.ts";
import { GraphExecutor } from "./ir/graph/mod.ts";
import { importOnnx } from "./ir/graph/onnx/mod.ts";
import { MLP, mlpModel } from "./conformance/models/mlp.ts";

Deno.test("mod.ts imports by URL in a fresh Deno process", async () => {
  const root = fromFileUrl(new URL("./", import.meta.url));
  await using server = serveDirectory(root);
  const denoDir = await Deno.makeTempDir({ prefix: "tessera-url-" });
  try {
    const script = `
      import * as t from "${server.url}mod.ts";
      const n = t.sizeVar("n");
      const A = t.placeholder([n, 4], "float32", "A");
      const B = t.compute([n, 4], ([i, j]) => t.mul(A.at(i, j), 2), "B");
      const f = t.createPrimFunc([A, B], "double");
      t.verify(f);
      console.log(JSON.stringify({ name: f.name, params: f.params.length, exports: Object.keys(t).length }));
    `;
    const result = await evalChild(script, denoDir, { DENO_DIR: denoDir });
    assertEquals(result.name, "double");
    assertEquals(result.params, 2);
    assert(result.exports > 20);
    assert(server.requests.some((p) => p.endsWith("/mod.ts")));
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
});

Deno.test("by URL, a kernel from the op library builds for cpu, runs and prints", async () => {
  const root = fromFileUrl(new URL("./", import.meta.url));
  await using server = serveDirectory(root);
  const dir = await Deno.makeTempDir({ prefix: "tessera-url-" });
  try {
    const script = `
      import * as t from "${server.url}mod.ts";
      const n = t.sizeVar("n");
      const A = t.placeholder([n, 3], "float32", "A");
      const B = t.placeholder([3, 2], "float32", "B");
      const f = t.ops.toPrimFunc("mm", [A, B], [t.ops.matmul(A, B)]);
      const sch = new t.Schedule(t.parseFunc(t.printFunc(f)));
      const [i] = sch.getLoops(sch.getBlock("T_matmul"));
      sch.split(i, [undefined, 2]);
      const again = sch.func;
      const k = await t.build(again, t.cpu);
      const [c] = await k.run([t.ndarray("float32", [2, 3], [1, 2, 3, 4, 5, 6]),
                               t.ndarray("float32", [3, 2], [1, 0, 0, 1, 1, 1])]);
      const decisions = t.defaults.applyDefaultRules(f).decisions;
      console.log(JSON.stringify({ equal: t.structuralEqual(t.parseFunc(t.printFunc(again)), again), c: Array.from(c.data), gemm: decisions.some((d) => d.block === "T_matmul" && d.kind === "gemm") }));
      k.device.dispose?.();
    `;
    const result = await evalChild(script, dir);
    assertEquals(result, { equal: true, c: [4, 5, 10, 11], gemm: true });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("by URL, an ONNX model imports, builds for cpu and runs in three lines", async () => {
  const root = fromFileUrl(new URL("./", import.meta.url));
  await using server = serveDirectory(root);
  const dir = await Deno.makeTempDir({ prefix: "tessera-url-" });
  try {
    const model = join(dir, "mlp.onnx");
    await Deno.writeFile(model, mlpModel());
    const inputs = [randomNDArray("float32", [3, MLP.inputs], 5)];
    const want = await runFunc0(model, inputs);
    const script = `
      import * as t from "${server.url}mod.ts";
      const x = t.ndarray("float32", [3, ${MLP.inputs}], ${
      JSON.stringify(Array.from(inputs[0].data as Float32Array))
    });
      const mod = t.importOnnx(await Deno.readFile(${JSON.stringify(model)}));
      const ex = new t.graph.GraphExecutor(mod, { backend: await t.targetBackend(t.cpu) });
      const [y] = await ex.run([x]);
      console.log(JSON.stringify({ shape: y.shape, data: Array.from(y.data) }));
      ex.dispose();
    `;
    const result = await evalChild(script, dir);
    assertEquals(result.shape, [3, MLP.classes]);
    const worst = result.data.reduce(
      (m: number, v: number, i: number) => Math.max(m, Math.abs(v - Number(want.data[i]))),
      0,
    );
    assert(worst < 1e-5, `differs from the interpreter by ${worst}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The model's output on the reference interpreter (the graph executor's default backend). */
/**
 * Run `script` with `deno eval` outside the project (no config, no lock) in `cwd`; its last stdout
 * line as JSON.
 */
async function evalChild(
  script: string,
  cwd: string,
  env: Record<string, string> = {},
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", "--no-lock", "-A", script],
    env: { ...env, NO_COLOR: "1" },
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, `child failed:\n${stderr}`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
}

async function runFunc0(file: string, inputs: NDArray[]): Promise<NDArray> {
  const ex = new GraphExecutor(importOnnx(await Deno.readFile(file)));
  const [y] = await ex.run(inputs);
  return y;
}
