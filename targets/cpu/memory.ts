/**
 * `CpuMemory`: a device's `WebAssembly.Memory` with the tensor heap above the reserved stack
 * region. Growing the memory detaches every typed-array view on the old buffer; tensors notice
 * by comparing `memory.buffer` with the buffer their view was made on (`CpuTensor.data`).
 *
 * @module
 */
import { TargetError } from "../../ir/errors.ts";
import { KERNEL_CODES } from "../../sdk/errors.ts";
import { type AllocatorStats, FreeListAllocator } from "./allocator.ts";
import { INITIAL_PAGES, MAX_PAGES, PAGE_BYTES, RESERVED_BYTES } from "./layout.ts";

/** Options of a cpu device's memory. */
export interface CpuMemoryOptions {
  /** Pages to start with (default `INITIAL_PAGES`). */
  readonly initialPages?: number;
  /** Most pages the memory may grow to (default `MAX_PAGES`, 4 GiB). */
  readonly maximumPages?: number;
}

/** A device's memory and tensor heap. */
export class CpuMemory {
  /** The memory every kernel module of the device imports as `env.memory`. */
  readonly memory: WebAssembly.Memory;
  private readonly heap: FreeListAllocator;
  private readonly maximumPages: number;

  /**
   * Make a memory.
   *
   * @example
   * ```ts
   * import { CpuMemory } from "./memory.ts";
   * const m = new CpuMemory();
   * const p = m.alloc(1000);
   * console.assert(p % 64 === 0);
   * m.free(p);
   * ```
   */
  constructor(options: CpuMemoryOptions = {}) {
    const min = Math.ceil(RESERVED_BYTES / PAGE_BYTES);
    const initial = Math.max(min, options.initialPages ?? INITIAL_PAGES);
    this.maximumPages = Math.min(MAX_PAGES, Math.max(initial, options.maximumPages ?? MAX_PAGES));
    // shared: worker threads run kernels against the same memory (thread_pool.ts)
    this.memory = new WebAssembly.Memory({ initial, maximum: this.maximumPages, shared: true });
    this.heap = new FreeListAllocator(
      RESERVED_BYTES,
      initial * PAGE_BYTES,
      (minEnd) => this.growTo(minEnd),
    );
  }

  /** Grow to cover `minEnd` bytes, by at least half the current size (amortised copying). */
  private growTo(minEnd: number): number {
    const have = this.memory.buffer.byteLength / PAGE_BYTES;
    const need = Math.ceil(minEnd / PAGE_BYTES);
    const want = Math.min(this.maximumPages, Math.max(need, have + (have >> 1)));
    if (need > this.maximumPages) {
      throw new TargetError(
        KERNEL_CODES.outOfMemory,
        `Cannot allocate on the cpu device: it needs ${minEnd} bytes of memory, more than its maximum ${
          this.maximumPages * PAGE_BYTES
        }`,
        { hint: "free tensors you no longer need, or use smaller shapes" },
      );
    }
    try {
      this.memory.grow(want - have);
    } catch {
      try {
        this.memory.grow(need - have); // the host refused the generous size; ask for the least
      } catch {
        throw new TargetError(
          KERNEL_CODES.outOfMemory,
          `Cannot allocate on the cpu device: the host refused to grow memory to ${
            need * PAGE_BYTES
          } bytes`,
        );
      }
    }
    return this.memory.buffer.byteLength;
  }

  /** The current backing buffer (replaced whenever the memory grows). */
  get buffer(): ArrayBufferLike {
    return this.memory.buffer;
  }

  /** Allocate `bytes` at `align` (≥ 64) in the heap; may grow the memory. */
  alloc(bytes: number, align?: number): number {
    return this.heap.alloc(bytes, align);
  }

  /** Free a heap block. */
  free(ptr: number): void {
    this.heap.free(ptr);
  }

  /** True if `ptr` is a live heap block. */
  isLive(ptr: number): boolean {
    return this.heap.isLive(ptr);
  }

  /** Heap counters. */
  stats(): AllocatorStats {
    return this.heap.stats();
  }
}
