/**
 * The protocol between a cpu device's thread pool (thread_pool.ts, on the calling thread) and
 * its workers (worker.ts): a control block of 32-bit words in a `SharedArrayBuffer`, driven with
 * `Atomics`, plus a few messages for what cannot cross shared memory (modules).
 *
 * A parallel loop (`env.tsr_parallel_for`) is a *dispatch*: the caller writes the kernel, task,
 * argument pointer, extent and chunk size, sets `NEXT = 0` and `STATE = OPEN`, bumps `DISPATCH`
 * and `WAKE` and notifies. A worker that sees the new dispatch *joins* it — adds one to `STATE`
 * with a compare-exchange, only while `OPEN` is set — and then reads its fields. Every thread —
 * the caller too — takes chunk indices with `Atomics.add(NEXT, 1)` until they run out or `ERROR`
 * is set; a worker then leaves (subtracts one from `STATE`), bumps `MAIN_SEQ` and notifies. The
 * caller, once every chunk is taken, *closes* the dispatch (clears `OPEN`) and waits on
 * `MAIN_SEQ` only for the workers that joined: a worker that wakes late finds the dispatch
 * closed and leaves it alone, so a loop the caller finished by itself costs no worker round
 * trip.
 *
 * A worker allocating inside a task (`env.tsr_alloc`) bumps within its arena; when that is full
 * it posts a request in its slot (`REQ_STATE = 1`, bytes), bumps `MAIN_SEQ`, and waits until the
 * caller — the only thread that may touch the device's allocator — answers (`REQ_STATE = 2`).
 *
 * Messages (`load` a module, `init`) are delivered by the worker's event loop, which a worker
 * blocked in `Atomics.wait` does not run: the caller bumps the worker's `MSGS` count and `WAKE`,
 * and the worker returns to its event loop until it has handled that many messages.
 *
 * @module
 */

/** Word indices of the control block. */
export const CTL = {
  /** Bumped to wake workers (dispatches and messages). */
  WAKE: 0,
  /** Dispatch sequence number. */
  DISPATCH: 1,
  /** Kernel id (as loaded in the pool), task id, argument pointer, extent, chunk size. */
  KERNEL: 2,
  TASK: 3,
  ARGS: 4,
  EXTENT: 5,
  CHUNK: 6,
  /** Next chunk index to take. */
  NEXT: 7,
  /** `OPEN` while workers may join the dispatch, plus the number of workers in it. */
  STATE: 8,
  /** First failure of the dispatch (`FAULT`), its argument and its message length. */
  ERROR: 9,
  ERROR_ARG: 10,
  ERROR_LEN: 11,
  /** Bumped by a worker when it finished or posted a request; the caller waits on it. */
  MAIN_SEQ: 12,
  /** Scratch word (probing whether this thread may block). */
  PROBE: 13,
  /** Set when the pool is disposed: workers leave their wait loop (a worker blocked in
   * `Atomics.wait` is not stopped by `terminate()` in Deno, and would keep its thread). */
  EXIT: 14,
} as const;

/** The bit of `CTL.STATE` set while a dispatch is open to workers. */
export const OPEN = 1 << 30;

/**
 * Milliseconds the caller spins (polling the control block) before it blocks in `Atomics.wait`
 * for the workers in a dispatch, which are usually finishing their last chunk. Workers do not
 * spin between dispatches: where the machine is busier than its cores, a spinning worker takes
 * the time of the calling thread (measured: 2 threads slower than 1), and waking it costs less.
 */
export const SPIN_MS = 0.01;

/** First word of the per-worker slots, and words per slot. */
export const SLOT_BASE = 16;
/** Words per worker slot. */
export const SLOT_WORDS = 8;
/** Offsets within a worker slot. */
export const SLOT = {
  /** 0 idle, 1 request posted, 2 answered. */
  REQ_STATE: 0,
  REQ_BYTES: 1,
  REQ_ALIGN: 2,
  /** The allocated address (0: out of memory). */
  REQ_RESULT: 3,
  /** Messages posted to the worker so far. */
  MSGS: 4,
  /** Chunks the worker has run (statistics). */
  CHUNKS: 5,
} as const;

/** Longest failure message kept, in UTF-16 code units. */
export const ERROR_TEXT_UNITS = 512;

/** Kinds of failure a dispatch reports in `ERROR`. */
export const FAULT = {
  divideByZero: 1,
  outOfBounds: 2,
  trap: 3,
  /** `ERROR_ARG` is the assert id. */
  assert: 4,
  outOfMemory: 5,
  /** A JavaScript error that is not a trap (a bug). */
  internal: 6,
  /** The calling thread failed; its own exception is rethrown. */
  caller: 7,
} as const;

/** Control block layout for `workers` workers. */
export function controlLayout(workers: number): { words: number; textOffset: number } {
  const words = SLOT_BASE + SLOT_WORDS * workers;
  return { words, textOffset: words * 4 };
}

/** A control block for `workers` workers. */
export function makeControl(workers: number): SharedArrayBuffer {
  const { textOffset } = controlLayout(workers);
  return new SharedArrayBuffer(textOffset + ERROR_TEXT_UNITS * 2);
}

/** Index of word `field` of worker `w`'s slot. */
export function slot(w: number, field: number): number {
  return SLOT_BASE + SLOT_WORDS * w + field;
}

/** The failure kind of a wasm trap message (V8's wording). */
export function faultOfTrap(message: string): number {
  if (/divide by zero|remainder by zero/.test(message)) return FAULT.divideByZero;
  if (/out of bounds/.test(message)) return FAULT.outOfBounds;
  return FAULT.trap;
}

/**
 * Record a failure if it is the dispatch's first (later ones are dropped); returns true if it
 * was recorded.
 */
export function recordFault(
  ctl: Int32Array,
  workers: number,
  kind: number,
  arg: number,
  message: string,
): boolean {
  if (Atomics.compareExchange(ctl, CTL.ERROR, 0, -1) !== 0) return false;
  const text = new Uint16Array(ctl.buffer, controlLayout(workers).textOffset, ERROR_TEXT_UNITS);
  const n = Math.min(message.length, ERROR_TEXT_UNITS);
  for (let i = 0; i < n; i++) text[i] = message.charCodeAt(i);
  ctl[CTL.ERROR_ARG] = arg;
  ctl[CTL.ERROR_LEN] = n;
  Atomics.store(ctl, CTL.ERROR, kind); // publishes the fields written above
  return true;
}

/** The failure message of the dispatch. */
export function faultMessage(ctl: Int32Array, workers: number): string {
  const n = Atomics.load(ctl, CTL.ERROR_LEN);
  const text = new Uint16Array(ctl.buffer, controlLayout(workers).textOffset, n);
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(text[i]);
  return s;
}

/** Messages from the pool to a worker. */
export type ToWorker =
  | {
    readonly type: "init";
    readonly index: number;
    readonly workers: number;
    readonly memory: WebAssembly.Memory;
    readonly control: SharedArrayBuffer;
    /** Address just past the worker's stack (its initial stack pointer). */
    readonly stackTop: number;
  }
  | {
    readonly type: "load";
    readonly kernel: number;
    readonly module: WebAssembly.Module;
    /** Export names of the tasks, by task id. */
    readonly tasks: readonly string[];
  };

/** Messages of a worker: `hello` once when it starts, then one reply per message. */
export type FromWorker =
  /** Sent once, unasked, when the worker listens (messages sent earlier could be lost). */
  | { readonly type: "hello" }
  | { readonly type: "ready" }
  | { readonly type: "loaded"; readonly kernel: number }
  | { readonly type: "failed"; readonly message: string };
