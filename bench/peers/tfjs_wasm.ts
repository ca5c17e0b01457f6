/**
 * `tfjs-wasm`: TensorFlow.js with its WebAssembly backend (XNNPACK kernels, SIMD build), the
 * one adapter file for `@tensorflow/tfjs-core` and `@tensorflow/tfjs-backend-wasm` 4.22.0.
 *
 * Under Deno the backend cannot find its `.wasm` file by itself: we point `setWasmPaths` at the
 * package's `dist/` folder as a `file://` URL (Deno's `fetch` reads those). Its threads start
 * through a `blob:` worker that only browsers provide, so it runs on one thread here.
 *
 * tfjs computes NHWC with HWIO filters: inputs are transposed from the canonical NCHW/OIHW
 * before timing, and the output transposed back for the correctness check; the FLOPs are the
 * same. The wasm backend runs each op synchronously when called, so a timed run is the op call
 * itself (plus freeing the previous output), with no read-back.
 *
 * @module
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { type BenchCase, outputShape } from "../cases.ts";
import { nchwToNhwc, oihwToHwio } from "../layout.ts";
import { type Impl, PeerUnavailable, type Prepared, reasonOf } from "./peer.ts";

type Tf = typeof import("npm:@tensorflow/tfjs-core@4.22.0");
type TfWasm = typeof import("npm:@tensorflow/tfjs-backend-wasm@4.22.0");
type Tensor = ReturnType<Tf["tensor"]>;

const WASM_FILE = "tfjs-backend-wasm-simd.wasm";

/** Candidate `dist/` folders of the wasm package: Node resolution, then `node_modules/`. */
function wasmDirs(): string[] {
  const dirs: string[] = [];
  try {
    const require = createRequire(import.meta.url);
    dirs.push(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist"));
  } catch { /* not resolvable this way; try the folders below */ }
  dirs.push(join(Deno.cwd(), "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist"));
  return dirs;
}

let tf: Tf | undefined;
let threadCount = 1;

async function load(): Promise<void> {
  if (tf) return;
  let core: Tf, wasm: TfWasm;
  try {
    core = await import("npm:@tensorflow/tfjs-core@4.22.0");
    wasm = await import("npm:@tensorflow/tfjs-backend-wasm@4.22.0");
  } catch (e) {
    throw new PeerUnavailable("tfjs-wasm", `cannot import the npm packages: ${reasonOf(e)}`);
  }
  const dir = wasmDirs().find((d) => existsSync(join(d, WASM_FILE)));
  if (!dir) throw new PeerUnavailable("tfjs-wasm", `${WASM_FILE} not found in the npm cache`);
  wasm.setWasmPaths(pathToFileURL(dir + "/").href);
  if (!(await core.setBackend("wasm"))) {
    throw new PeerUnavailable("tfjs-wasm", "the wasm backend failed to initialise");
  }
  await core.ready();
  threadCount = wasm.getThreadsCount();
  tf = core;
}

function build(t: Tf, c: BenchCase, inputs: Float32Array[]): { run: () => Tensor; ins: Tensor[] } {
  if (c.kind === "matmul") {
    const a = t.tensor2d(inputs[0], [c.m, c.k]), b = t.tensor2d(inputs[1], [c.k, c.n]);
    return { run: () => t.matMul(a, b), ins: [a, b] };
  }
  if (c.kind !== "conv2d") throw new PeerUnavailable("tfjs-wasm", `no kernel for ${c.id}`);
  const x = t.tensor4d(nchwToNhwc(inputs[0], [c.batch, c.inC, c.h, c.w]), [
    c.batch,
    c.h,
    c.w,
    c.inC,
  ]);
  const k = c.kernel;
  const w = t.tensor4d(oihwToHwio(inputs[1], [c.outC, c.inC, k, k]), [k, k, c.inC, c.outC]);
  const p = c.pad;
  const pads: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ];
  return { run: () => t.conv2d(x, w, c.stride, pads, "NHWC"), ins: [x, w] };
}

/** The TensorFlow.js wasm backend (XNNPACK), one thread outside a browser. */
export const tfjsWasm: Impl = {
  name: "tfjs-wasm",
  role: "peer",
  init: load,
  threads: () => threadCount,
  supports: (c: BenchCase) => c.kind === "matmul" || c.kind === "conv2d",
  prepare(c: BenchCase, inputs: Float32Array[]): Promise<Prepared> {
    if (!tf) throw new PeerUnavailable("tfjs-wasm", "not initialised");
    const { run, ins } = build(tf, c, inputs);
    let last: Tensor | undefined;
    const shape = outputShape(c);
    return Promise.resolve({
      run() {
        const out = run();
        last?.dispose();
        last = out;
      },
      result() {
        if (!last) throw new PeerUnavailable("tfjs-wasm", "result() before run()");
        const data = last.dataSync() as Float32Array;
        return c.kind === "conv2d" ? nchwToNhwc(data, shape, true) : data.slice();
      },
      dispose() {
        last?.dispose();
        for (const t of ins) t.dispose();
      },
    });
  },
};
