/**
 * A cpu device's worker threads: `threads − 1` persistent workers (worker.ts) sharing the
 * device's memory, each with its own 1 MiB stack allocated from the device heap. `run` executes
 * one parallel loop — chunks of `[0, extent)` taken by the workers and the calling thread alike
 * — and returns when every chunk is done (protocol: thread_protocol.ts).
 *
 * The calling thread blocks in `Atomics.wait` while workers finish (where it may not block, as
 * on a browser's main thread, it spins), and meanwhile serves workers' requests for arena
 * memory, since only it may use the device's allocator. Workers are unreferenced while idle, so
 * a pool never keeps the process alive; `dispose` terminates them.
 *
 * @module
 */
import { TargetError } from "../../ir/errors.ts";
import { STACK_BYTES } from "./layout.ts";
import type { CpuMemory } from "./memory.ts";
import {
  CTL,
  FAULT,
  faultMessage,
  type FromWorker,
  makeControl,
  OPEN,
  recordFault,
  SLOT,
  slot,
  SPIN_MS,
  type ToWorker,
} from "./thread_protocol.ts";
import { spawnWorker, type WorkerHandle } from "./worker_spawn.ts";

/** A task: iterations `[begin, end)` of a parallel loop whose captures are at `args`. */
export type Task = (args: number, begin: number, end: number) => void;

/** A failure inside a worker's chunk, rethrown on the calling thread (`kind`: `FAULT`). */
export class ParallelFault {
  /** Record a failure. */
  constructor(
    /** A `FAULT` kind. */
    readonly kind: number,
    /** The assert id for `FAULT.assert`. */
    readonly arg: number,
    /** The worker's message (the trap's text). */
    readonly message: string,
  ) {}
}

interface Waiter {
  resolve(m: FromWorker): void;
  reject(e: unknown): void;
}

/** What `ThreadPool.waitFor` waits for. */
const WAIT = { claimed: 0, left: 1 } as const;

/**
 * Fewest element operations (`extent × work`, c_parallel.ts) a loop must do to be handed to the
 * workers: waking one costs a few microseconds, about what a single thread does in this many.
 */
export const PARALLEL_MIN_WORK = 16384;

/** Chunks per thread: a few, so a thread that wakes late still finds work. */
const CHUNKS_PER_THREAD = 4;

/** Whether this thread may block in `Atomics.wait` (not on a browser's main thread). */
function canBlock(ctl: Int32Array): boolean {
  try {
    Atomics.wait(ctl, CTL.PROBE, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pool (see the module comment). */
export class ThreadPool {
  private readonly ctl: Int32Array;
  private readonly waiting: Waiter[][];
  private readonly arenas: number[][];
  private readonly blocking: boolean;
  private awaited = 0;
  private nextKernel = 1;
  private busy = false;
  private disposed = false;
  /** False: only workers take chunks (tests use it to be sure workers run them). */
  callerRunsChunks = true;

  private constructor(
    private readonly mem: CpuMemory,
    private readonly workers: readonly WorkerHandle[],
    private readonly stacks: readonly number[],
    control: SharedArrayBuffer,
  ) {
    this.ctl = new Int32Array(control);
    this.waiting = workers.map(() => []);
    this.arenas = workers.map(() => []);
    this.blocking = canBlock(this.ctl);
  }

  /**
   * Start `threads − 1` workers on `mem` (threads ≥ 2) running the worker script at `url`
   * (default worker.ts; tests pass others).
   *
   * @example
   * ```ts ignore
   * const pool = await ThreadPool.start(new CpuMemory(), 2);
   * pool.dispose();
   * ```
   */
  static async start(
    mem: CpuMemory,
    threads: number,
    url: URL = new URL("./worker.ts", import.meta.url),
  ): Promise<ThreadPool> {
    const n = threads - 1;
    const control = makeControl(n);
    const stacks = Array.from({ length: n }, () => mem.alloc(STACK_BYTES, 16));
    const handles = await Promise.all(stacks.map(() => spawnWorker(url)));
    const pool = new ThreadPool(mem, handles, stacks, control);
    const hellos = handles.map((h, w) => {
      const hello = pool.expect(w);
      h.listen((m) => pool.reply(w, m as FromWorker), (e) => pool.fail(w, e));
      return hello;
    });
    try {
      await Promise.all(hellos);
      const replies = await Promise.all(handles.map((_, w) =>
        pool.send(w, {
          type: "init",
          index: w,
          workers: n,
          memory: mem.memory,
          control,
          stackTop: stacks[w] + STACK_BYTES,
        })
      ));
      const bad = replies.find((r) => r.type !== "ready");
      if (bad) throw new Error(bad.type === "failed" ? bad.message : bad.type);
    } catch (e) {
      pool.dispose();
      throw new TargetError(
        "CPU_THREADS_FAILED",
        `Cannot start ${n} worker thread(s) for the cpu device: ${
          e instanceof Error ? e.message : String(e)
        }`,
        { hint: "create the device with { threads: 1 } to run parallel loops on one thread" },
      );
    }
    return pool;
  }

  /** Threads a parallel loop runs on (workers + the calling thread). */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * The next message of worker `w` (its reply to what was sent last). Workers are referenced
   * (keep the process alive) only while some reply is awaited.
   */
  private expect(w: number): Promise<FromWorker> {
    return new Promise<FromWorker>((resolve, reject) => {
      if (this.disposed) return reject(new Error("the thread pool was disposed"));
      this.waiting[w].push({ resolve, reject });
      if (this.awaited++ === 0) { for (const h of this.workers) h.ref(); }
    }).finally(() => {
      if (--this.awaited === 0 && !this.disposed) { for (const h of this.workers) h.unref(); }
    });
  }

  /** Post `msg` to worker `w` and wake it to receive it; resolves with its reply. */
  private send(w: number, msg: ToWorker): Promise<FromWorker> {
    const reply = this.expect(w);
    if (!this.disposed) {
      Atomics.add(this.ctl, slot(w, SLOT.MSGS), 1);
      this.workers[w].post(msg);
      Atomics.add(this.ctl, CTL.WAKE, 1);
      Atomics.notify(this.ctl, CTL.WAKE);
    }
    return reply;
  }

  /** A message of worker `w`: the reply the oldest waiter expects. */
  private reply(w: number, m: FromWorker): void {
    this.waiting[w].shift()?.resolve(m);
  }

  /** Worker `w` failed (its script threw, or the pool is disposed): reject what waits on it. */
  private fail(w: number, e: unknown): void {
    const error = e instanceof Error ? e : new Error(String((e as { message?: string }).message));
    for (const waiter of this.waiting[w].splice(0)) waiter.reject(error);
  }

  /**
   * Instantiate `module` in every worker; returns the kernel id to `run` it with, or undefined
   * if some worker cannot (its loops then run on the calling thread).
   */
  async load(module: WebAssembly.Module, tasks: readonly string[]): Promise<number | undefined> {
    const kernel = this.nextKernel++;
    const replies = await Promise.all(
      this.workers.map((_, w) => this.send(w, { type: "load", kernel, module, tasks })),
    );
    return replies.every((r) => r.type === "loaded") ? kernel : undefined;
  }

  /**
   * Run iterations `[0, extent)` of task `task` of kernel `kernel` in chunks on every thread;
   * `caller` is the task as instantiated on the calling thread. A loop of less than
   * `PARALLEL_MIN_WORK` (`work` element operations per iteration; negative: unknown) runs on the
   * calling thread alone, unless only workers may run chunks. Throws the first failure: the
   * caller's own exception, or a `ParallelFault` from a worker.
   */
  run(kernel: number, task: number, args: number, extent: number, caller: Task, work = -1): void {
    const threads = this.workers.length + 1;
    const chunk = Math.ceil(extent / Math.min(extent, CHUNKS_PER_THREAD * threads));
    const small = work >= 0 && extent * work < PARALLEL_MIN_WORK;
    const alone = (chunk >= extent || small) && this.callerRunsChunks;
    if (this.disposed || this.busy || alone) return caller(args, 0, extent);
    const c = this.ctl;
    c[CTL.KERNEL] = kernel;
    c[CTL.TASK] = task;
    c[CTL.ARGS] = args;
    c[CTL.EXTENT] = extent;
    c[CTL.CHUNK] = chunk;
    Atomics.store(c, CTL.ERROR, 0);
    Atomics.store(c, CTL.NEXT, 0);
    Atomics.store(c, CTL.STATE, OPEN); // publishes the fields written above to joining workers
    Atomics.add(c, CTL.DISPATCH, 1);
    Atomics.add(c, CTL.WAKE, 1);
    Atomics.notify(c, CTL.WAKE);
    this.busy = true;
    this.dispatches++;
    let failure: { error: unknown } | undefined;
    try {
      while (this.callerRunsChunks && Atomics.load(c, CTL.ERROR) === 0) {
        const begin = Atomics.add(c, CTL.NEXT, 1) * chunk;
        if (begin >= extent) break;
        caller(args, begin, Math.min(extent, begin + chunk));
        this.callerChunks++;
        this.serveRequests();
      }
    } catch (error) {
      failure = { error };
      recordFault(c, this.workers.length, FAULT.caller, 0, "");
    } finally {
      // workers read `args` on the caller's stack: never unwind before those that joined leave
      if (!this.callerRunsChunks) this.waitFor(WAIT.claimed, Math.ceil(extent / chunk));
      Atomics.and(c, CTL.STATE, ~OPEN);
      this.waitFor(WAIT.left, 0);
      this.busy = false;
    }
    if (failure) throw failure.error;
    const kind = Atomics.load(c, CTL.ERROR);
    if (kind !== 0) {
      throw new ParallelFault(kind, c[CTL.ERROR_ARG], faultMessage(c, this.workers.length));
    }
  }

  /**
   * Wait — spinning `SPIN_MS`, then blocking — until every chunk of `chunks` is taken or one
   * failed (`WAIT.claimed`), or until no worker is in the dispatch (`WAIT.left`), serving the
   * workers' memory requests meanwhile.
   */
  private waitFor(what: number, chunks: number): void {
    const c = this.ctl;
    let spinUntil = -1;
    for (let i = 0;; i++) {
      const seq = Atomics.load(c, CTL.MAIN_SEQ);
      this.serveRequests();
      if (
        what === WAIT.left
          ? (Atomics.load(c, CTL.STATE) & ~OPEN) === 0
          : Atomics.load(c, CTL.NEXT) >= chunks || Atomics.load(c, CTL.ERROR) !== 0
      ) return;
      if ((i & 15) !== 0) continue;
      const now = performance.now();
      if (spinUntil < 0) spinUntil = now + SPIN_MS;
      if (now < spinUntil) continue;
      if (this.blocking) Atomics.wait(c, CTL.MAIN_SEQ, seq);
    }
  }

  /** Answer workers' requests for arena memory (kept until `dispose`). */
  private serveRequests(): void {
    const c = this.ctl;
    for (let w = 0; w < this.workers.length; w++) {
      const state = slot(w, SLOT.REQ_STATE);
      if (Atomics.load(c, state) !== 1) continue;
      let p = 0;
      try {
        p = this.mem.alloc(c[slot(w, SLOT.REQ_BYTES)], c[slot(w, SLOT.REQ_ALIGN)]);
        this.arenas[w].push(p);
      } catch {
        p = 0; // out of memory: the worker's chunk fails with KERNEL_OUT_OF_MEMORY
      }
      Atomics.store(c, slot(w, SLOT.REQ_RESULT), p);
      Atomics.store(c, state, 2);
      Atomics.notify(c, state);
    }
  }

  /** Parallel loops dispatched to the workers so far. */
  dispatches = 0;
  /** Chunks the calling thread ran in those dispatches. */
  callerChunks = 0;

  /** Chunks each worker ran. */
  workerChunks(): number[] {
    return this.workers.map((_, w) => Atomics.load(this.ctl, slot(w, SLOT.CHUNKS)));
  }

  /** Heap blocks the workers hold as allocation arenas (kept for reuse until `dispose`). */
  arenaBlocks(): number {
    return this.arenas.reduce((n, a) => n + a.length, 0);
  }

  /** Terminate the workers and free their stacks and arenas. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.ctl, CTL.EXIT, 1); // out of Atomics.wait first: terminate cannot stop it
    Atomics.add(this.ctl, CTL.WAKE, 1);
    Atomics.notify(this.ctl, CTL.WAKE);
    for (const h of this.workers) h.terminate();
    this.workers.forEach((_, w) => this.fail(w, new Error("the thread pool was disposed")));
    for (const p of [...this.stacks, ...this.arenas.flat()]) {
      if (this.mem.isLive(p)) this.mem.free(p);
    }
  }

  /** True once disposed. */
  get isDisposed(): boolean {
    return this.disposed;
  }
}
