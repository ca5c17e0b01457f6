/**
 * `CallScratch`: where a kernel running on the calling thread gets the memory it asks for with
 * `env.tsr_alloc` — a bump arena, one heap block kept across calls, instead of a heap
 * allocation per request. The codegen frees in reverse order of allocation (its allocations
 * nest), so `free` just moves the top back. Requests the arena cannot hold go to the heap; when
 * a call needed more than the arena has (up to `keepBytes`), the arena is replaced by a larger
 * one as the call ends. `endCall` releases whatever a call left behind (after a trap, say).
 *
 * @module
 */
import { InternalError } from "../../ir/errors.ts";
import type { CpuMemory } from "./memory.ts";

/** Bytes of the smallest arena. */
const MIN_ARENA = 1 << 16;
/** Most bytes an arena keeps across calls (default of `CallScratch`'s `keepBytes`). */
export const KEEP_SCRATCH_BYTES = 1 << 20;

/** `x` rounded up to a multiple of `a` (a power of two, as alignments are; else by division). */
const up = (x: number, a: number) =>
  (a & (a - 1)) === 0 && x < 0x40000000 && a <= 0x40000000
    ? (x + a - 1) & -a
    : Math.ceil(x / a) * a;

/** The calling thread's scratch memory for kernel allocations (see the module comment). */
export class CallScratch {
  private base = 0;
  private end = 0;
  private top = 0;
  /** Most bytes the current call had live at once (arena use plus heap blocks, aligned). */
  private peak = 0;
  /** Bytes (aligned) of the heap blocks the current call holds. */
  private heapBytes = 0;
  /** Heap blocks the current call holds, with their aligned sizes. */
  private readonly heap = new Map<number, number>();

  /**
   * Scratch on `mem`, keeping an arena of at most `keepBytes` across calls.
   *
   * @example
   * ```ts
   * import { CpuMemory } from "./memory.ts";
   * import { CallScratch } from "./scratch.ts";
   * const s = new CallScratch(new CpuMemory());
   * const p = s.alloc(100, 64);
   * s.free(p, "k");
   * s.endCall();
   * ```
   */
  constructor(private readonly mem: CpuMemory, private readonly keepBytes = KEEP_SCRATCH_BYTES) {}

  /** Heap blocks held across calls (0 or 1: the arena). */
  get blocks(): number {
    return this.base === 0 ? 0 : 1;
  }

  /** `bytes` at a multiple of `align` (at least 64). */
  alloc(bytes: number, align: number): number {
    const a = Math.max(align, 64);
    const p = up(this.top, a);
    if (this.base !== 0 && p + bytes <= this.end) {
      this.top = p + bytes;
      const live = this.top - this.base + this.heapBytes;
      if (live > this.peak) this.peak = live;
      return p;
    }
    const h = this.mem.alloc(bytes, a);
    const size = up(bytes, 64) + a;
    this.heap.set(h, size);
    this.heapBytes += size;
    const live = this.top - this.base + this.heapBytes;
    if (live > this.peak) this.peak = live;
    return h;
  }

  /** Release `p` (the latest live allocation, or a heap block); `kernel` names the culprit. */
  free(p: number, kernel: string): void {
    if (p >= this.base && p < this.top) {
      this.top = p;
      return;
    }
    const size = this.heap.get(p);
    if (size === undefined) throw new InternalError(`kernel "${kernel}" freed ${p} twice`);
    this.heap.delete(p);
    this.heapBytes -= size;
    this.mem.free(p);
  }

  /** The call ended: release what it left, and grow the arena if the call needed more. */
  endCall(): void {
    if (this.heap.size > 0) {
      for (const p of this.heap.keys()) this.mem.free(p);
      this.heap.clear();
      this.heapBytes = 0;
    }
    this.top = this.base;
    const have = this.end - this.base;
    const peak = this.peak;
    this.peak = 0;
    if (peak <= have) return;
    const want = Math.min(up(Math.max(peak, MIN_ARENA), MIN_ARENA), this.keepBytes);
    if (want <= have) return;
    if (this.base !== 0) this.mem.free(this.base);
    this.base = this.end = this.top = 0;
    try {
      this.base = this.top = this.mem.alloc(want, 64);
      this.end = this.base + want;
    } catch {
      // no room for a larger arena: later calls allocate from the heap
    }
  }

  /** Free the arena (the device is disposed). */
  dispose(): void {
    this.endCall();
    if (this.base !== 0 && this.mem.isLive(this.base)) this.mem.free(this.base);
    this.base = this.end = this.top = 0;
  }
}
