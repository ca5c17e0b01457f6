/**
 * Command-line arguments of `deno task bench`, parsed with `node:util`'s `parseArgs`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { BenchError } from "./errors.ts";

/** What the command line asked for. */
export interface BenchArgs {
  /** Write the JSON records to this file. */
  readonly json?: string;
  /** Only (case, impl) pairs whose `case/impl` matches. */
  readonly filter?: RegExp;
  /** Fewer, shorter repetitions. */
  readonly quick: boolean;
  /** Also run the WebGPU impls (matmul 512/1024 fp32 on the \`gpu\` target and tfjs-webgpu). */
  readonly gpu: boolean;
  /** Print usage and exit. */
  readonly help: boolean;
}

/** Usage text. */
export const USAGE: string = `Usage: deno task bench [options]

Times fp32 matmul 256/512/1024, GEMV 1x4096x4096, conv2d 1x64x56x56 (3x3, 64 out, pad 1) and
the wasm SIMD ceiling for tessera (hand schedules of examples/), tessera-default, ts-loop,
tfjs-wasm, onnxruntime-web (1 and 2 threads), onnxruntime-node (1 and 2 threads), wasm-peak and
wasm-peak-fma, all in one run; then the ratios of our best kernels to each peer and to the peak,
and the verdict on each issue-3 target (goal, measured ratio, met or not). Runs during which the
bench's thread waited for a core (another process ran) are set aside and repeated.

Options:
  --json FILE       also write every figure as JSON records { case, impl, threads, ms, gflops },
                    followed by one { target, case, goal, value, met, ours } per issue-3 target
  --filter REGEX    only run pairs whose "case/impl" matches, e.g. "matmul_f32_512" or "tfjs"
  --quick           fewer repetitions (a rough figure in well under a minute)
  --gpu             also time fp32 matmul 512/1024 on WebGPU: tessera-gpu (default schedule),
                    tessera-gpu-tuned, tessera-gpu-naive and tfjs-webgpu (slow on a software adapter)
  -h, --help        this text`;

/**
 * Parse the arguments; unknown options, a missing value or a bad regex throw `BenchError`.
 *
 * @example
 * ```ts
 * import { parseBenchArgs } from "./args.ts";
 * const a = parseBenchArgs(["--quick", "--filter", "matmul"]);
 * console.assert(a.quick && a.filter?.test("matmul_f32_256/ts-loop"));
 * ```
 */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        json: { type: "string" },
        filter: { type: "string" },
        quick: { type: "boolean", default: false },
        gpu: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new BenchError(
      "BENCH_BAD_ARGS",
      `Cannot parse the bench arguments: ${(e as Error).message}`,
      { hint: "run `deno task bench --help`" },
    );
  }
  let filter: RegExp | undefined;
  if (values.filter !== undefined) {
    try {
      filter = new RegExp(values.filter);
    } catch (e) {
      throw new BenchError(
        "BENCH_BAD_ARGS",
        `Cannot use --filter "${values.filter}": ${(e as Error).message}`,
      );
    }
  }
  if (values.json === "") {
    throw new BenchError("BENCH_BAD_ARGS", "Cannot write JSON: --json needs a file name");
  }
  return { json: values.json, filter, quick: values.quick, gpu: values.gpu, help: values.help };
}
