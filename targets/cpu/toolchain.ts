/**
 * The cpu toolchain adapter: C source → wasm bytes with clang and wasm-ld compiled to wasm
 * (`@yowasp/clang`). This is the only file that imports the package, and it does so lazily, so
 * importing the library does not load 100 MB of LLVM.
 *
 * - One toolchain per process, kept warm; compiles run one at a time.
 * - The clang driver's job list (`clang -###`) is computed once per flag set; later compiles run
 *   only `clang -cc1` and `wasm-ld`.
 * - Results are cached by SHA-256 of (toolchain version, flags, source): in memory, and on disk
 *   under `$TESSERA_CACHE_DIR` or `.cache/tessera/` in the working directory when `Deno` is
 *   available (read-only or missing directories are tolerated).
 * - A failed compile is a `TargetError` with code `CPU_COMPILE_FAILED` carrying clang's output.
 *
 * @module
 */
import { InternalError, TargetError } from "../../ir/errors.ts";

const PACKAGE = "npm:@yowasp/clang@22.0.0-git20542-10";

/** Identifies the toolchain in cache keys. */
export const TOOLCHAIN_VERSION = "@yowasp/clang@22.0.0-git20542-10";

/** Options for `cpuFlags`. */
export interface FlagOptions {
  /** Allow relaxed-SIMD instructions. */
  readonly relaxedSimd?: boolean;
  /**
   * Import the memory as *shared* (atomics, 4 GiB maximum), as the cpu runtime's kernels do so
   * that worker threads can run them; off by default for stand-alone modules (bench peers).
   */
  readonly sharedMemory?: boolean;
  /** Symbols to export besides those marked `export_name` in the source. */
  readonly exports?: readonly string[];
}

/**
 * The flags of the cpu ABI (notes/cpu_abi.md): wasm32, -O3, SIMD128, no contraction of float
 * operations, no libc, an imported memory (with `sharedMemory`, shared with a 4 GiB maximum, so
 * worker threads can run the same module against it), a 1 MiB stack at the bottom of memory and
 * the stack pointer exported (each worker instance moves it to its own stack).
 *
 * @example
 * ```ts
 * import { cpuFlags } from "./toolchain.ts";
 * console.assert(cpuFlags({ relaxedSimd: true }).includes("-mrelaxed-simd"));
 * console.assert(cpuFlags({ sharedMemory: true }).includes("-Wl,--shared-memory"));
 * ```
 */
export function cpuFlags(options: FlagOptions = {}): string[] {
  return [
    "--target=wasm32",
    "-O3",
    "-msimd128",
    ...(options.relaxedSimd ? ["-mrelaxed-simd"] : []),
    "-mbulk-memory",
    "-mnontrapping-fptoint",
    ...(options.sharedMemory ? ["-matomics"] : []),
    "-ffp-contract=off",
    "-fwrapv",
    "-ffreestanding",
    "-nostdlib",
    "-Wl,--no-entry",
    "-Wl,--import-memory",
    ...(options.sharedMemory ? ["-Wl,--shared-memory", "-Wl,--max-memory=4294967296"] : []),
    ...(options.exports ?? []).map((e) => `-Wl,--export=${e}`),
    "-Wl,--export=__heap_base",
    "-Wl,--export=__stack_pointer",
    "-Wl,--stack-first",
    "-Wl,-z,stack-size=1048576",
  ];
}

/** Counters of the toolchain's work in this process. */
export interface ToolchainStats {
  /** Compiles answered from the in-memory cache. */
  readonly memoryHits: number;
  /** Compiles answered from the disk cache. */
  readonly diskHits: number;
  /** Compiles that ran clang. */
  readonly misses: number;
  /** Milliseconds spent in clang and wasm-ld (including the first load). */
  readonly compileMs: number;
}

const stats = { memoryHits: 0, diskHits: 0, misses: 0, compileMs: 0 };

/** A snapshot of the toolchain counters. @example `toolchainStats().misses` */
export function toolchainStats(): ToolchainStats {
  return { ...stats };
}

/** Options of one compile. */
export interface CompileOptions {
  /** Disk cache directory; `null` disables the disk cache; default `$TESSERA_CACHE_DIR` or `.cache/tessera`. */
  readonly cacheDir?: string | null;
}

type Tree = { [name: string]: Tree | string | Uint8Array };
type Output = (bytes: Uint8Array | null) => void;
interface Clang {
  runLLVM(
    args: string[] | null,
    files?: Tree,
    options?: { stdout?: Output | null; stderr?: Output | null; fetchProgress?: () => void },
  ): Promise<Tree> | Tree | undefined;
}

let toolchain: Promise<Clang> | undefined;
const jobLists = new Map<string, Promise<string[][]>>();
const memoryCache = new Map<string, Uint8Array>();
const pending = new Map<string, Promise<Uint8Array>>();
let queue: Promise<unknown> = Promise.resolve();

function loadToolchain(): Promise<Clang> {
  toolchain ??= (async () => {
    const m = (await import(PACKAGE)) as unknown as Clang;
    await m.runLLVM(null, {}, { fetchProgress: () => {} }); // fetch and compile LLVM once
    return m;
  })();
  return toolchain;
}

/** Load LLVM now (about 3 s the first time in a process) so the first compile is not slow. */
export async function warmToolchain(): Promise<void> {
  await loadToolchain();
}

function collector(): [Output, () => string] {
  const chunks: Uint8Array[] = [];
  const out: Output = (b) => {
    if (b) chunks.push(new Uint8Array(b));
  };
  const text = () => {
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    return new TextDecoder().decode(all);
  };
  return [out, text];
}

function compileFailed(detail: string, diagnostics: string): TargetError {
  return new TargetError(
    "CPU_COMPILE_FAILED",
    `Cannot compile the C kernel: ${detail}\n${diagnostics.trim()}`,
    {
      hint:
        "generated C that does not compile is a bug of the cpu code generator; please report it",
    },
  );
}

/** Run a tool; returns its output files, or throws CPU_COMPILE_FAILED with its diagnostics. */
async function run(m: Clang, args: string[], files: Tree): Promise<Tree> {
  const [out, text] = collector();
  try {
    return (await m.runLLVM(args, files, { stdout: out, stderr: out })) as Tree;
  } catch (e) {
    const code = (e as { code?: number }).code;
    throw compileFailed(`${args[0]} ${args[1] ?? ""} exited with code ${code ?? "?"}`, text());
  }
}

/** The jobs `clang` would run for these flags (cc1, wasm-ld), from `clang -###`. */
function jobsFor(m: Clang, flags: readonly string[]): Promise<string[][]> {
  const key = flags.join("\u0000");
  let jobs = jobLists.get(key);
  if (!jobs) {
    jobs = (async () => {
      const [out, text] = collector();
      const args = ["clang", "-###", ...flags, "kernel.c", "-o", "kernel.wasm"];
      try {
        await m.runLLVM(args, { "kernel.c": "" }, { stdout: out, stderr: out });
      } catch {
        throw compileFailed("the clang driver rejected the flags", text());
      }
      const list = text().split("\n").filter((l) => l.startsWith(' "')).map(unquote);
      if (list.length === 0) throw compileFailed("the clang driver planned no jobs", text());
      return list;
    })();
    jobLists.set(key, jobs);
    jobs.catch(() => jobLists.delete(key));
  }
  return jobs;
}

/** A `clang -###` job line as arguments (the quoting the driver prints). */
function unquote(line: string): string[] {
  const args = Array.from(
    line.matchAll(/ (?:([^ "]+)|"((?:[^"\\$]|\\["\\$])*)")/g),
    (m) => m[1] ?? m[2].replaceAll(/\\(["\\$])/g, "$1"),
  );
  return args[0] === "" ? args.slice(1) : args;
}

async function sha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function defaultCacheDir(): string | null {
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  if (!deno) return null;
  try {
    return deno.env.get("TESSERA_CACHE_DIR") ?? `${deno.cwd()}/.cache/tessera`;
  } catch {
    return null; // no permission to read the environment or cwd
  }
}

async function diskRead(dir: string, key: string): Promise<Uint8Array | undefined> {
  try {
    const bytes = await Deno.readFile(`${dir}/${key}.wasm`);
    return WebAssembly.validate(bytes) ? bytes : undefined;
  } catch {
    return undefined;
  }
}

async function diskWrite(dir: string, key: string, bytes: Uint8Array): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
    const tmp = `${dir}/${key}.${crypto.randomUUID()}.tmp`;
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, `${dir}/${key}.wasm`); // atomic: readers never see half a file
  } catch {
    // a read-only or missing cache directory only costs a recompile later
  }
}

async function compileUncached(source: string, flags: readonly string[]): Promise<Uint8Array> {
  const t0 = performance.now();
  try {
    const m = await loadToolchain();
    const jobs = await jobsFor(m, flags);
    let files: Tree = { "kernel.c": source };
    for (const job of jobs) files = await run(m, job, files);
    const wasm = files["kernel.wasm"];
    if (!(wasm instanceof Uint8Array)) throw compileFailed("no wasm module was produced", "");
    return wasm;
  } finally {
    stats.compileMs += performance.now() - t0;
  }
}

/**
 * Compile C source to a wasm module with the given flags (default `cpuFlags()`), through the
 * in-memory and disk caches.
 *
 * @example
 * ```ts ignore
 * import { compileC } from "./toolchain.ts";
 * const wasm = await compileC('__attribute__((export_name("f"))) int f(void) { return 1; }');
 * console.assert(WebAssembly.validate(wasm));
 * ```
 */
export async function compileC(
  source: string,
  flags: readonly string[] = cpuFlags(),
  options: CompileOptions = {},
): Promise<Uint8Array> {
  const key = await sha256(`${TOOLCHAIN_VERSION}\u0000${flags.join("\u0000")}\u0000${source}`);
  const hit = memoryCache.get(key);
  if (hit) {
    stats.memoryHits++;
    return hit;
  }
  const dir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  if (dir) {
    const bytes = await diskRead(dir, key);
    if (bytes) {
      stats.diskHits++;
      memoryCache.set(key, bytes);
      return bytes;
    }
  }
  const inflight = pending.get(key);
  if (inflight) {
    const wasm = await inflight;
    stats.memoryHits++;
    return wasm;
  }
  const job = queue.then(() => compileUncached(source, flags));
  queue = job.catch(() => {});
  pending.set(key, job);
  try {
    const wasm = await job;
    stats.misses++;
    memoryCache.set(key, wasm);
    if (dir) await diskWrite(dir, key, wasm);
    return wasm;
  } finally {
    pending.delete(key);
  }
}

/**
 * The disassembly of a wasm module (`llvm-objdump -d`), for inspecting generated kernels.
 *
 * @example
 * ```ts ignore
 * import { compileC, disassemble } from "./toolchain.ts";
 * const text = await disassemble(await compileC("int f(int x) { return x + 1; }"));
 * console.assert(text.includes("i32.add"));
 * ```
 */
export async function disassemble(wasm: Uint8Array): Promise<string> {
  const m = await loadToolchain();
  const [out, text] = collector();
  try {
    await m.runLLVM(["objdump", "-d", "module.wasm"], { "module.wasm": wasm }, {
      stdout: out,
      stderr: out,
    });
  } catch {
    throw new InternalError(`llvm-objdump failed: ${text()}`);
  }
  return text();
}

/** Forget the in-memory cache (tests use it to reach the disk cache). */
export function clearMemoryCache(): void {
  memoryCache.clear();
}
