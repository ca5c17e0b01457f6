/**
 * Parallel loops on the cpu device's threads: outlined tasks (c_parallel.ts) run by the worker
 * pool (thread_pool.ts, worker.ts) give results bit-identical to the interpreter at 1, 2 and 3
 * threads; failures in a worker's chunk are the same typed errors as on the calling thread and
 * leave the pool usable; allocations inside a parallel body are per thread; devices tear their
 * workers down. Devices made with `callerRunsChunks: false` leave every chunk to the workers, so
 * these tests see workers compute whatever the timing.
 */
import { CallError, TargetError } from "../../ir/errors.ts";
import { add, bufferLoad, div, gt, int, mul, sub } from "../../ir/expr.ts";
import { type PrimFunc, primFunc } from "../../ir/func.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { type NDArray, ndarray, randomNDArray, toNumbers } from "../../ir/ndarray.ts";
import { allocate, assertStmt, bufferStore, decl, forLoop, loopVar, seq } from "../../ir/stmt.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sizeVar, sum } from "../../ir/te.ts";
import { setKind, split } from "../../ir/transform/schedule_testing.ts";
import { assert, assertEquals, assertRejects } from "../../ir/test_util.ts";
import { build, type Kernel } from "../../sdk/mod.ts";
import cpu, { type CpuDevice, type CpuDeviceOptions } from "./mod.ts";
import { CpuMemory } from "./memory.ts";
import { PARALLEL_MIN_WORK, ThreadPool } from "./thread_pool.ts";

/** Threads of this process (Linux), or undefined. */
function osThreads(): number | undefined {
  try {
    return Number(/Threads:\s+(\d+)/.exec(Deno.readTextFileSync("/proc/self/status"))![1]);
  } catch {
    return undefined;
  }
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function device(options: CpuDeviceOptions): Promise<CpuDevice> {
  return (await cpu.runtime.createDevice(options)) as CpuDevice;
}

/** C = A·B with the row loop parallel (and the column loop split, so tasks hold inner loops). */
function matmul(): PrimFunc {
  const [m, n, k] = [sizeVar("m"), sizeVar("n"), sizeVar("k")];
  const A = placeholder([m, k], "float32", "A");
  const B = placeholder([k, n], "float32", "B");
  const r = reduceAxis(k, "r");
  const C = compute([m, n], ([i, j]) => sum(mul(A.at(i, r), B.at(r, j)), [r]), "C");
  return setKind(split(createPrimFunc([A, B, C], "pmatmul"), "j", 4), "i", "parallel");
}

/** out = a·3 − b over a symbolic 1-D size, the only loop parallel. */
function elementwise(): PrimFunc {
  const n = sizeVar("n");
  const A = placeholder([n], "float32", "A");
  const B = placeholder([n], "float32", "B");
  const C = compute([n], ([i]) => sub(mul(A.at(i), 3), B.at(i)), "C");
  return setKind(createPrimFunc([A, B, C], "pelem"), "i", "parallel");
}

async function same(k: Kernel, f: PrimFunc, inputs: NDArray[], what: string): Promise<void> {
  const got = await k.run(inputs);
  const want = runFunc(f, inputs);
  got.forEach((g, i) => assertEquals(toNumbers(g), toNumbers(want[i]), what));
}

const THREADS: [number, boolean][] = [[1, true], [2, true], [2, false], [3, true], [3, false]];

Deno.test("parallel elementwise and matmul equal the interpreter at 1, 2 and 3 threads", async () => {
  const mm = matmul();
  const ew = elementwise();
  for (const [threads, callerRunsChunks] of THREADS) {
    const d = await device({ threads, callerRunsChunks });
    try {
      const what = `threads ${threads}${callerRunsChunks ? "" : ", workers only"}`;
      const km = await build(mm, cpu, { device: d });
      const ke = await build(ew, cpu, { device: d });
      assertEquals(d.workerCount, threads - 1, what);
      const dispatches = d.threadStats().dispatches;
      // extents below, at and above the thread count; symbolic sizes
      for (const [m, n, k] of [[1, 5, 3], [2, 8, 1], [3, 7, 13], [40, 33, 17]]) {
        const a = randomNDArray("float32", [m, k], m);
        const b = randomNDArray("float32", [k, n], n);
        await same(km, mm, [a, b], `${what}: matmul ${m}×${k}·${k}×${n}`);
      }
      for (const n of [1, 2, 3, 1000, 100_003]) {
        const a = randomNDArray("float32", [n], n);
        const b = randomNDArray("float32", [n], n + 1);
        await same(ke, ew, [a, b], `${what}: elementwise n = ${n}`);
      }
      assertEquals(d.threadStats().dispatches > dispatches, threads > 1, what);
    } finally {
      d.dispose();
    }
  }
});

Deno.test("a parallel loop with little work runs on the calling thread alone", async () => {
  const ew = elementwise(); // one element per iteration
  for (const callerRunsChunks of [true, false]) {
    const d = await device({ threads: 2, callerRunsChunks });
    try {
      const k = await build(ew, cpu, { device: d });
      for (const n of [1000, PARALLEL_MIN_WORK - 1, PARALLEL_MIN_WORK, 100_000]) {
        const before = d.threadStats().dispatches;
        const a = randomNDArray("float32", [n], n);
        await same(k, ew, [a, randomNDArray("float32", [n], n + 1)], `n = ${n}`);
        const dispatched = d.threadStats().dispatches > before;
        // workers-only devices (for tests) hand every loop to the workers
        assertEquals(dispatched, n >= PARALLEL_MIN_WORK || !callerRunsChunks, `n = ${n}`);
      }
    } finally {
      d.dispose();
    }
  }
});

/** O[i] = 100 / I[i] in a parallel loop, after asserting I[i] > -1000. */
function divide(): PrimFunc {
  const n = sizeVar("n");
  const I = decl("I", [n], "int32");
  const O = decl("O", [n], "int32");
  const i = loopVar("i");
  const x = bufferLoad(I, [i]);
  const body = assertStmt(gt(x, -1000), "I[i] > -1000", bufferStore(O, div(int(100), x), [i]));
  return primFunc("pdivide", [I, O], forLoop(i, 0, n, body, { kind: "parallel" }));
}

Deno.test("a trap or failed assert in a worker's chunk is the typed KERNEL_* error; the pool still works", async () => {
  const f = divide();
  for (const [threads, callerRunsChunks] of THREADS) {
    const d = await device({ threads, callerRunsChunks });
    try {
      const k = await build(f, cpu, { device: d });
      const good = ndarray("int32", [64], Array.from({ length: 64 }, (_, i) => i + 1));
      const zero = ndarray("int32", [64], Array.from({ length: 64 }, (_, i) => i === 50 ? 0 : 1));
      const low = ndarray("int32", [64], Array.from({ length: 64 }, (_, i) => i === 9 ? -5000 : 1));
      for (let round = 0; round < 2; round++) {
        const e1 = await assertRejects(() => k.run([zero]), TargetError);
        assertEquals(e1.code, "KERNEL_DIVIDE_BY_ZERO", `threads ${threads}`);
        const e2 = await assertRejects(() => k.run([low]), TargetError);
        assertEquals(e2.code, "KERNEL_ASSERT");
        assert(e2.message.includes("I[i] > -1000"), e2.message);
        await same(k, f, [good], `threads ${threads}: after failures`);
      }
    } finally {
      d.dispose();
    }
  }
});

/**
 * Per-iteration scratch inside the parallel loop: T (on the C stack) and a symbolic-size S (heap:
 * a worker's arena, or the device heap on the calling thread); row i of O is Σ_j (A[i,j]·2 + 1).
 */
function scratch(): PrimFunc {
  const [m, n] = [sizeVar("m"), sizeVar("n")];
  const A = decl("A", [m, n]);
  const O = decl("O", [m]);
  const T = decl("T", [4]);
  const S = decl("S", [mul(n, 8)]);
  const [i, j] = [loopVar("i"), loopVar("j")];
  const fill = forLoop(j, 0, n, bufferStore(S, add(mul(bufferLoad(A, [i, j]), 2), 1), [j]));
  const total = forLoop(
    j,
    0,
    n,
    bufferStore(T, add(bufferLoad(T, [0]), bufferLoad(S, [j])), [0]),
  );
  const body = allocate(
    S,
    allocate(T, seq([fill, total, bufferStore(O, bufferLoad(T, [0]), [i])])),
  );
  return primFunc("pscratch", [A, O], forLoop(i, 0, m, body, { kind: "parallel" }));
}

Deno.test("allocations inside a parallel body are per thread and released", async () => {
  const f = scratch();
  for (const [threads, callerRunsChunks] of THREADS) {
    const d = await device({ threads, callerRunsChunks });
    try {
      const k = await build(f, cpu, { device: d });
      // n = 3000: S is 96 KB, beyond the C stack limit, so it comes from the heap
      for (const [m, n] of [[5, 7], [16, 3000], [3, 5000]]) {
        const a = randomNDArray("float32", [m, n], m + n);
        const before = [d.mem.stats().blocks, d.threadStats().arenaBlocks];
        await same(k, f, [a], `threads ${threads}: ${m}×${n}`);
        // workers' arenas stay for reuse; nothing else is left behind (inputs/outputs freed)
        const grown = d.threadStats().arenaBlocks - before[1];
        assertEquals(d.mem.stats().blocks, before[0] + grown, `threads ${threads}: ${m}×${n}`);
      }
      if (!callerRunsChunks) {
        assert(d.threadStats().arenaBlocks > 0, "workers allocated S from their arenas");
      }
    } finally {
      d.dispose();
    }
  }
});

Deno.test("dispose terminates the workers; a disposed device refuses work", async () => {
  const d = await device({ threads: 3 });
  const k = await build(elementwise(), cpu, { device: d });
  assertEquals(d.workerCount, 2);
  const blocks = d.mem.stats().blocks;
  const during = osThreads();
  d.dispose();
  assertEquals(d.workerCount, 0);
  assert(d.mem.stats().blocks < blocks, "worker stacks are freed");
  if (during !== undefined) {
    // the two worker threads end (a worker blocked in Atomics.wait would survive terminate())
    for (let t = 0; t < 50 && osThreads()! > during - 2; t++) await delay(100);
    assert(osThreads()! <= during - 2, `threads: ${during} before dispose, ${osThreads()} after`);
  }
  const a = randomNDArray("float32", [8], 1);
  const e = await assertRejects(() => k.run([a, a]), CallError);
  assertEquals(e.code, "CALL_DEVICE_DISPOSED");
  d.dispose(); // idempotent
});

Deno.test("threads: 1 starts no workers; bad thread counts are refused", async () => {
  const d = await device({ threads: 1 });
  await build(elementwise(), cpu, { device: d });
  assertEquals(d.workerCount, 0);
  for (const threads of [0, 1.5, -2, "2", 1000]) {
    const e = await assertRejects(() => device({ threads: threads as number }), TargetError);
    assertEquals(e.code, "CPU_BAD_DEVICE_OPTION");
  }
});

Deno.test("workers that fail to start are CPU_THREADS_FAILED, and their memory is released", async () => {
  const mem = new CpuMemory();
  const script = `
    import { parentPort } from "node:worker_threads";
    const reply = { type: "failed", message: "no worker today" };
    parentPort.on("message", () => parentPort.postMessage(reply));
    parentPort.postMessage({ type: "hello" });`;
  const broken = new URL(`data:text/javascript,${encodeURIComponent(script)}`);
  const e = await assertRejects(() => ThreadPool.start(mem, 3, broken), TargetError);
  assertEquals(e.code, "CPU_THREADS_FAILED");
  assert(e.message.includes("no worker today"), e.message);
  assertEquals(mem.stats().blocks, 0, "the workers' stacks are freed");
});

Deno.test("the caller does not wait for a worker that never joined a dispatch", async () => {
  // A worker that starts and loads but never serves dispatches (as if it got no CPU): every
  // loop is run by the calling thread alone, and `run` returns instead of waiting for it.
  const mem = new CpuMemory();
  const script = `
    import { parentPort } from "node:worker_threads";
    parentPort.on("message", (m) => parentPort.postMessage(
      m.type === "init" ? { type: "ready" } : { type: "loaded", kernel: m.kernel }));
    parentPort.postMessage({ type: "hello" });`;
  const asleep = new URL(`data:text/javascript,${encodeURIComponent(script)}`);
  const pool = await ThreadPool.start(mem, 2, asleep);
  try {
    const seen: number[] = [];
    for (let d = 0; d < 3; d++) {
      pool.run(1, 0, 0, 100, (_args, begin, end) => {
        for (let i = begin; i < end; i++) seen.push(i);
      });
    }
    assertEquals(seen.length, 300);
    assertEquals(
      [...new Set(seen)].sort((a, b) => a - b),
      Array.from({ length: 100 }, (_, i) => i),
    );
    assertEquals(pool.workerChunks(), [0]);
    assertEquals(pool.dispatches, 3);
  } finally {
    pool.dispose();
  }
});

Deno.test("an idle pool does not keep the process alive", async () => {
  // A script that runs a parallel kernel on 2 threads and never disposes its device must exit.
  const script = `
    import { build } from "${new URL("../../sdk/mod.ts", import.meta.url).href}";
    import cpu from "${new URL("./mod.ts", import.meta.url).href}";
    import { setKind } from "${
    new URL("../../ir/transform/schedule_testing.ts", import.meta.url).href
  }";
    import { compute, createPrimFunc, placeholder, sizeVar } from "${
    new URL("../../ir/te.ts", import.meta.url).href
  }";
    import { randomNDArray } from "${new URL("../../ir/ndarray.ts", import.meta.url).href}";
    const n = sizeVar("n");
    const A = placeholder([n], "float32", "A");
    const B = compute([n], ([i]) => A.at(i), "B");
    const f = setKind(createPrimFunc([A, B], "pcopy"), "i", "parallel");
    const device = await cpu.runtime.createDevice({ threads: 2 });
    const k = await build(f, cpu, { device });
    await k.run([randomNDArray("float32", [1000], 1)]);
    console.log("workers", device.workerCount);
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", script],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, text);
  assert(text.includes("workers 1"), text);
});
