import { InternalError } from "../../ir/errors.ts";
import { assert, assertEquals, assertThrows } from "../../ir/test_util.ts";
import { FreeListAllocator, GRANULE } from "./allocator.ts";

function fixed(base = 0, end = 1024) {
  return new FreeListAllocator(base, end, () => {
    throw new Error("no growth in this test");
  });
}

Deno.test("blocks are granule-aligned and sized; larger alignments are honoured", () => {
  const a = fixed(0, 8192);
  const p = a.alloc(1);
  const q = a.alloc(65);
  const r = a.alloc(0);
  assertEquals([p, q, r], [0, 64, 192]);
  assertEquals([a.sizeOf(p), a.sizeOf(q), a.sizeOf(r)], [64, 128, 64]);
  const big = a.alloc(10, 1024);
  assertEquals(big % 1024, 0);
  // The gap below the 1024-aligned block stays free and is used next.
  assertEquals(a.alloc(64), 256);
  for (const x of [p, q, r, big]) assertEquals(x % GRANULE, 0);
});

Deno.test("freed blocks are reused and coalesce with both neighbours", () => {
  const a = fixed();
  const [p, q, r] = [a.alloc(64), a.alloc(64), a.alloc(64)];
  a.free(p);
  a.free(r);
  assertEquals(a.freeRanges(), [[0, 64], [128, 1024]]);
  a.free(q);
  assertEquals(a.freeRanges(), [[0, 1024]]);
  assertEquals(a.alloc(256), 0, "after coalescing, a large block fits at the start again");
  assertEquals(a.stats().blocks, 1);
  assertEquals(a.stats().peakBytes, 256);
});

Deno.test("a fragmented heap finds the first hole that fits", () => {
  const a = fixed();
  const ps = Array.from({ length: 8 }, () => a.alloc(64));
  a.free(ps[1]);
  a.free(ps[3]);
  a.free(ps[4]);
  assertEquals(a.alloc(128), ps[3], "the 64-byte hole at ps[1] is too small");
  assertEquals(a.alloc(64), ps[1]);
});

Deno.test("growth extends the range from the tail and counts", () => {
  const ends: number[] = [];
  let end = 1024;
  const a = new FreeListAllocator(512, end, (minEnd) => {
    ends.push(minEnd);
    end = Math.max(minEnd, end * 2);
    return end;
  });
  const p = a.alloc(256); // [512, 768): the tail [768, 1024) stays free
  const q = a.alloc(1000); // does not fit: grow so the tail can hold it
  assertEquals(p, 512);
  assertEquals(q, 768);
  assertEquals(ends, [768 + 1024]);
  assertEquals(a.stats().grows, 1);
  assertEquals(a.stats().capacityBytes, 2048 - 512);
  a.free(q);
  a.free(p);
  assertEquals(a.freeRanges(), [[512, 2048]]);
});

Deno.test("freeing an unknown address is an internal error", () => {
  const a = fixed();
  const p = a.alloc(8);
  a.free(p);
  assertThrows(() => a.free(p), InternalError);
  assert(!a.isLive(p));
});
