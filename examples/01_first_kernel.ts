/**
 * # 01 — A first kernel
 *
 * A kernel is a function of tensors written with the tensor-expression DSL. Sizes may be symbolic
 * (`sizeVar`): they are bound when the kernel is called, so one compiled kernel serves every size.
 *
 * This example writes `B[i, j] = relu(A[i, j] · w[j] + 1)` for an `n × 4` matrix, prints its script
 * form (which parses back to the same function), checks it in the reference interpreter, builds it
 * for the `cpu` target (WebAssembly SIMD through LLVM) and runs it at two sizes with one compile.
 *
 * Run it: `deno run -A examples/01_first_kernel.ts`.
 *
 * @module
 */
import {
  add,
  build,
  compute,
  cpu,
  createPrimFunc,
  max,
  mul,
  type NDArray,
  ndarray,
  parseFunc,
  placeholder,
  printFunc,
  runFunc,
  sizeVar,
  structuralEqual,
  toNumbers,
} from "../mod.ts";

/** What the example shows, for its test. */
export interface FirstKernelResult {
  /** The script form of the kernel. */
  readonly script: string;
  /** `parseFunc(printFunc(f))` is structurally equal to `f`. */
  readonly roundTrips: boolean;
  /** Outputs on cpu for n = 2 and n = 3, and the interpreter's for the same inputs. */
  readonly cpu: NDArray[];
  readonly interpreter: NDArray[];
}

/** Build and run the kernel. */
export async function firstKernel(): Promise<FirstKernelResult> {
  // 1. The algorithm: placeholders are inputs, `compute` defines each output element.
  const n = sizeVar("n");
  const A = placeholder([n, 4], "float32", "A");
  const w = placeholder([4], "float32", "w");
  const B = compute([n, 4], ([i, j]) => max(add(mul(A.at(i, j), w.at(j)), 1), 0), "B");
  const f = createPrimFunc([A, w, B], "scale_relu");

  // 2. The script form prints and parses back.
  const script = printFunc(f);
  const roundTrips = structuralEqual(parseFunc(script), f);

  // 3. Build once for cpu; run at two sizes; compare with the reference interpreter.
  const kernel = await build(f, cpu);
  const weights = ndarray("float32", [4], [1, -1, 0.5, 2]);
  const cpuOut: NDArray[] = [];
  const interpOut: NDArray[] = [];
  for (const rows of [2, 3]) {
    const a = ndarray("float32", [rows, 4], Array.from({ length: rows * 4 }, (_, k) => k - 5));
    cpuOut.push(...await kernel.run([a, weights]));
    interpOut.push(...runFunc(f, [a, weights]));
  }
  return { script, roundTrips, cpu: cpuOut, interpreter: interpOut };
}

if (import.meta.main) {
  const r = await firstKernel();
  console.log(r.script);
  console.log("round-trips:", r.roundTrips);
  for (const out of r.cpu) console.log(out.shape, toNumbers(out));
}
