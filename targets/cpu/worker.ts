/**
 * A cpu device's worker thread (protocol: thread_protocol.ts). It instantiates each kernel
 * module that has parallel tasks against the device's shared memory, with its own stack (the
 * module's exported `__stack_pointer`, reset before every chunk) and its own allocation arena,
 * then runs chunks of dispatches until the pool terminates it.
 *
 * Runs as a `node:worker_threads` worker (Deno, Node) or a web `Worker`.
 *
 * @module
 */
import { HOST_MATH } from "./host_math.ts";
import {
  CTL,
  FAULT,
  faultOfTrap,
  type FromWorker,
  OPEN,
  recordFault,
  SLOT,
  slot,
  type ToWorker,
} from "./thread_protocol.ts";

type Task = (args: number, begin: number, end: number) => void;
interface Kernel {
  readonly tasks: readonly Task[];
  readonly stackPointer: WebAssembly.Global;
}

/** Thrown by the worker's `env.tsr_assert_fail`. */
class AssertFault {
  constructor(readonly id: number) {}
}
/** Thrown when the pool could not give the arena more memory. */
class OutOfMemoryFault {
  constructor(readonly bytes: number) {}
}

let post: (m: FromWorker) => void = () => {};
let ctl: Int32Array;
let index = 0;
let workers = 1;
let memory: WebAssembly.Memory;
let stackTop = 0;
let handled = 0;
let seenDispatch = 0;
const kernels = new Map<number, Kernel>();

const up = (x: number, a: number) => Math.ceil(x / a) * a;

/** Bump allocation in segments the pool hands out; frees are LIFO (the codegen nests them). */
const arena = {
  segments: [] as { start: number; end: number }[],
  current: 0,
  top: 0,
  reset(): void {
    this.current = 0;
    this.top = this.segments[0]?.start ?? 0;
  },
  alloc(bytes: number, align: number): number {
    const a = Math.max(align, 16);
    for (;;) {
      const seg = this.segments[this.current];
      if (seg) {
        const p = up(Math.max(this.top, seg.start), a);
        if (p + bytes <= seg.end) {
          this.top = p + bytes;
          return p;
        }
        if (this.current + 1 < this.segments.length) {
          this.current++;
          this.top = this.segments[this.current].start;
          continue;
        }
      }
      const last = this.segments[this.segments.length - 1];
      const size = Math.max(bytes + a, 2 * (last ? last.end - last.start : 0), 1 << 16);
      const start = request(size);
      this.segments.push({ start, end: start + size });
      this.current = this.segments.length - 1;
      this.top = start;
    }
  },
  free(p: number): void {
    for (let k = this.current; k >= 0; k--) {
      const seg = this.segments[k];
      if (p >= seg.start && p <= seg.end) {
        this.current = k;
        this.top = p;
        return;
      }
    }
  },
};

/** Ask the calling thread for `bytes` of device memory (it is blocked in the dispatch). */
function request(bytes: number): number {
  Atomics.store(ctl, slot(index, SLOT.REQ_BYTES), bytes);
  Atomics.store(ctl, slot(index, SLOT.REQ_ALIGN), 64);
  Atomics.store(ctl, slot(index, SLOT.REQ_STATE), 1);
  Atomics.add(ctl, CTL.MAIN_SEQ, 1);
  Atomics.notify(ctl, CTL.MAIN_SEQ);
  const state = slot(index, SLOT.REQ_STATE);
  while (Atomics.load(ctl, state) === 1) Atomics.wait(ctl, state, 1);
  const p = Atomics.load(ctl, slot(index, SLOT.REQ_RESULT));
  Atomics.store(ctl, state, 0);
  if (p === 0) throw new OutOfMemoryFault(bytes);
  return p;
}

function imports(module: WebAssembly.Module): WebAssembly.Imports {
  const known: Record<string, WebAssembly.ImportValue> = {
    memory,
    tsr_alloc: (bytes: number, align: number) => arena.alloc(bytes >>> 0, align >>> 0),
    tsr_free: (p: number) => arena.free(p >>> 0),
    tsr_assert_fail: (id: number) => {
      throw new AssertFault(id);
    },
    tsr_parallel_for: () => {
      throw new Error("a parallel task started a parallel loop"); // the codegen never does
    },
    ...HOST_MATH,
  };
  const env: Record<string, WebAssembly.ImportValue> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    const value = imp.module === "env" ? known[imp.name] : undefined;
    if (value === undefined) throw new Error(`no import ${imp.module}.${imp.name} in workers`);
    env[imp.name] = value;
  }
  return { env };
}

function load(kernel: number, module: WebAssembly.Module, names: readonly string[]): void {
  const instance = new WebAssembly.Instance(module, imports(module));
  const sp = instance.exports.__stack_pointer;
  if (!(sp instanceof WebAssembly.Global)) throw new Error("the module exports no __stack_pointer");
  const tasks = names.map((n) => {
    const fn = instance.exports[n];
    if (typeof fn !== "function") throw new Error(`the module exports no task "${n}"`);
    return fn as Task;
  });
  kernels.set(kernel, { tasks, stackPointer: sp });
}

function report(e: unknown): void {
  if (e instanceof AssertFault) recordFault(ctl, workers, FAULT.assert, e.id, "");
  else if (e instanceof OutOfMemoryFault) {
    recordFault(ctl, workers, FAULT.outOfMemory, 0, `${e.bytes} bytes for a worker's arena`);
  } else if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
    recordFault(ctl, workers, faultOfTrap(e.message), 0, e.message);
  } else recordFault(ctl, workers, FAULT.internal, 0, e instanceof Error ? e.message : String(e));
}

/** Join the current dispatch if it is still open to workers (thread_protocol.ts). */
function join(): boolean {
  for (;;) {
    const s = Atomics.load(ctl, CTL.STATE);
    if ((s & OPEN) === 0) return false;
    if (Atomics.compareExchange(ctl, CTL.STATE, s, s + 1) === s) return true;
  }
}

/** Join the current dispatch and take chunks until none are left or one failed. */
function runDispatch(): void {
  if (!join()) return; // the caller already took every chunk
  try {
    const k = kernels.get(Atomics.load(ctl, CTL.KERNEL));
    const task = k?.tasks[Atomics.load(ctl, CTL.TASK)];
    if (!k || !task) throw new Error("the dispatched kernel is not loaded in this worker");
    const args = Atomics.load(ctl, CTL.ARGS);
    const extent = Atomics.load(ctl, CTL.EXTENT);
    const chunk = Atomics.load(ctl, CTL.CHUNK);
    while (Atomics.load(ctl, CTL.ERROR) === 0) {
      const begin = Atomics.add(ctl, CTL.NEXT, 1) * chunk;
      if (begin >= extent) break;
      k.stackPointer.value = stackTop; // a trap may have left it mid-frame
      arena.reset();
      task(args, begin, Math.min(extent, begin + chunk));
      Atomics.add(ctl, slot(index, SLOT.CHUNKS), 1);
    }
  } catch (e) {
    report(e);
  }
  Atomics.sub(ctl, CTL.STATE, 1);
  Atomics.add(ctl, CTL.MAIN_SEQ, 1);
  Atomics.notify(ctl, CTL.MAIN_SEQ);
}

/**
 * Serve dispatches until a message is posted (then return to the event loop to receive it) or
 * the pool is disposed (then return so that `terminate()` can stop this thread).
 */
function serve(): void {
  const msgs = slot(index, SLOT.MSGS);
  for (;;) {
    const wake = Atomics.load(ctl, CTL.WAKE);
    if (Atomics.load(ctl, msgs) !== handled || Atomics.load(ctl, CTL.EXIT) !== 0) return;
    const d = Atomics.load(ctl, CTL.DISPATCH);
    if (d !== seenDispatch) {
      seenDispatch = d;
      runDispatch();
      continue;
    }
    Atomics.wait(ctl, CTL.WAKE, wake);
  }
}

function onMessage(m: ToWorker): void {
  handled++;
  try {
    if (m.type === "init") {
      ({ index, workers, memory, stackTop } = m);
      ctl = new Int32Array(m.control);
      seenDispatch = Atomics.load(ctl, CTL.DISPATCH);
      post({ type: "ready" });
    } else {
      load(m.kernel, m.module, m.tasks);
      post({ type: "loaded", kernel: m.kernel });
    }
  } catch (e) {
    post({ type: "failed", message: e instanceof Error ? e.message : String(e) });
  }
  if (ctl) serve();
}

/** The parent port of a `node:worker_threads` worker. */
interface Port {
  on(e: "message", f: (m: ToWorker) => void): void;
  postMessage(m: unknown): void;
}

/** The parent port if this is a `node:worker_threads` worker, else null (a web worker). */
async function parentPort(): Promise<Port | null> {
  try {
    const wt = await import("node:worker_threads");
    return wt.isMainThread ? null : (wt.parentPort as unknown as Port | null);
  } catch {
    return null; // not a Node-compatible runtime
  }
}

async function start(): Promise<void> {
  const port = await parentPort();
  if (port) {
    post = (m) => port.postMessage(m);
    port.on("message", onMessage);
    post({ type: "hello" });
  } else {
    const self = globalThis as unknown as {
      postMessage(m: unknown): void;
      onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
    };
    post = (m) => self.postMessage(m);
    self.onmessage = (e) => onMessage(e.data);
    post({ type: "hello" });
  }
}

await start();
