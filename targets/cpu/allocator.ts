/**
 * A first-fit free-list allocator over a growable address range `[base, end)`: the cpu device's
 * tensor heap above the reserved stack region (see layout.ts). Every block starts at a multiple
 * of the granule (64 bytes, a cache line) and has a size that is a multiple of it, so alignment
 * up to the granule is free and larger alignments only split off a leading free block. Freed
 * blocks coalesce with their neighbours. When nothing fits, `grow` extends the range.
 *
 * @module
 */
import { InternalError } from "../../ir/errors.ts";

/** Default alignment and size granule of blocks, in bytes. */
export const GRANULE = 64;

/** Counters of an allocator. */
export interface AllocatorStats {
  /** Bytes in live blocks (rounded to the granule). */
  readonly bytesInUse: number;
  /** Largest `bytesInUse` seen. */
  readonly peakBytes: number;
  /** Live blocks. */
  readonly blocks: number;
  /** Size of the managed range. */
  readonly capacityBytes: number;
  /** Times the range grew. */
  readonly grows: number;
}

/** Extends the range so at least `minEnd` is covered; returns the new end (≥ minEnd) or throws. */
export type GrowFn = (minEnd: number) => number;

const up = (x: number, a: number) => Math.ceil(x / a) * a;

/** The allocator (see the module comment). */
export class FreeListAllocator {
  /** Free ranges `[start, end)`, sorted by start, never adjacent (coalesced). */
  private readonly freeList: [number, number][] = [];
  private readonly live = new Map<number, number>();
  private inUse = 0;
  private peak = 0;
  private grows = 0;

  /**
   * Manage `[base, end)`; `base` must be a multiple of the granule.
   *
   * @example
   * ```ts
   * import { FreeListAllocator } from "./allocator.ts";
   * const a = new FreeListAllocator(1024, 4096, () => { throw new Error("full"); });
   * const p = a.alloc(100);
   * console.assert(p === 1024 && a.sizeOf(p) === 128);
   * a.free(p);
   * ```
   */
  constructor(private readonly base: number, private end: number, private readonly grow: GrowFn) {
    if (base % GRANULE !== 0 || end < base) {
      throw new InternalError(`allocator range [${base}, ${end}) is not granule-aligned`);
    }
    if (end > base) this.freeList.push([base, end]);
  }

  /** Allocate `bytes` (0 allowed) aligned to `align` (a power of two); returns the address. */
  alloc(bytes: number, align: number = GRANULE): number {
    const size = Math.max(GRANULE, up(bytes, GRANULE));
    const a = Math.max(align, GRANULE);
    let p = this.fit(size, a);
    if (p < 0) {
      // Grow so the tail (free or not) can hold the block at its alignment.
      const last = this.freeList[this.freeList.length - 1];
      const tailStart = last && last[1] === this.end ? last[0] : this.end;
      this.extend(up(tailStart, a) + size);
      p = this.fit(size, a);
      if (p < 0) throw new InternalError("allocator grew but the block still does not fit");
    }
    this.live.set(p, size);
    this.inUse += size;
    this.peak = Math.max(this.peak, this.inUse);
    return p;
  }

  /** Carve a block from the first free range that holds it aligned; -1 if none does. */
  private fit(size: number, align: number): number {
    for (let k = 0; k < this.freeList.length; k++) {
      const [s, e] = this.freeList[k];
      const p = up(s, align);
      if (p + size > e) continue;
      const parts: [number, number][] = [];
      if (p > s) parts.push([s, p]);
      if (p + size < e) parts.push([p + size, e]);
      this.freeList.splice(k, 1, ...parts);
      return p;
    }
    return -1;
  }

  /** Grow the range to at least `minEnd` and free the new tail. */
  private extend(minEnd: number): void {
    const old = this.end;
    const end = this.grow(minEnd);
    if (!(end >= minEnd)) throw new InternalError(`grow returned ${end}, less than ${minEnd}`);
    this.end = end;
    this.grows++;
    this.release(old, end);
  }

  /** Free a block returned by `alloc`. */
  free(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) {
      throw new InternalError(`free of address ${ptr}, which is not allocated`);
    }
    this.live.delete(ptr);
    this.inUse -= size;
    this.release(ptr, ptr + size);
  }

  /** Put `[s, e)` back on the free list, merging with neighbours. */
  private release(s: number, e: number): void {
    const list = this.freeList;
    let lo = 0, hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid][0] < s) lo = mid + 1;
      else hi = mid;
    }
    const prev = list[lo - 1];
    const next = list[lo];
    if (prev && prev[1] === s) {
      prev[1] = e;
      if (next && next[0] === e) {
        prev[1] = next[1];
        list.splice(lo, 1);
      }
    } else if (next && next[0] === e) next[0] = s;
    else list.splice(lo, 0, [s, e]);
  }

  /** Size of a live block (rounded), or undefined. */
  sizeOf(ptr: number): number | undefined {
    return this.live.get(ptr);
  }

  /** True if `ptr` is a live block. */
  isLive(ptr: number): boolean {
    return this.live.has(ptr);
  }

  /** The counters. */
  stats(): AllocatorStats {
    return {
      bytesInUse: this.inUse,
      peakBytes: this.peak,
      blocks: this.live.size,
      capacityBytes: this.end - this.base,
      grows: this.grows,
    };
  }

  /** Free ranges (copies), for tests. */
  freeRanges(): [number, number][] {
    return this.freeList.map(([s, e]) => [s, e]);
  }
}
