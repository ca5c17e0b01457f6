import { InternalError } from "../../ir/errors.ts";
import { assert, assertEquals, assertThrows } from "../../ir/test_util.ts";
import { CpuMemory } from "./memory.ts";
import { CallScratch } from "./scratch.ts";

Deno.test("the first call allocates from the heap; later calls bump in the arena it leaves", () => {
  const mem = new CpuMemory();
  const s = new CallScratch(mem);
  const p = s.alloc(1000, 64);
  const q = s.alloc(3000, 128);
  assertEquals(mem.stats().blocks, 2);
  s.free(q, "k");
  s.free(p, "k");
  s.endCall();
  assertEquals([s.blocks, mem.stats().blocks], [1, 1]);
  const arena = mem.stats().bytesInUse;
  // nested allocations: LIFO, aligned, inside the arena, no heap traffic
  const a = s.alloc(1000, 64);
  const b = s.alloc(10, 256);
  assertEquals(b % 256, 0);
  assert(b >= a + 1000, "no overlap");
  s.free(b, "k");
  assertEquals(s.alloc(10, 64), b, "the freed top is reused");
  s.endCall();
  assertEquals(s.alloc(5, 64), a, "the arena restarts at its base each call");
  s.endCall();
  assertEquals([mem.stats().blocks, mem.stats().bytesInUse], [1, arena]);
});

Deno.test("requests beyond the arena go to the heap; the arena grows to the call's peak", () => {
  const mem = new CpuMemory();
  const s = new CallScratch(mem, 1 << 20);
  s.alloc(100, 64);
  s.endCall(); // a 64 KiB arena
  const a = s.alloc(60000, 64);
  const big = s.alloc(200000, 64); // does not fit: a heap block
  assertEquals(mem.stats().blocks, 2);
  s.free(big, "k");
  assertEquals(mem.stats().blocks, 1);
  s.free(a, "k");
  s.endCall();
  assertEquals(s.blocks, 1);
  assert(mem.stats().bytesInUse >= 260000, `arena of ${mem.stats().bytesInUse} bytes`);
  s.alloc(60000, 64);
  s.alloc(200000, 64);
  assertEquals(mem.stats().blocks, 1, "both fit in the grown arena");
  s.endCall();
});

Deno.test("the arena stays under keepBytes; leftovers are released; double frees are internal errors", () => {
  const mem = new CpuMemory();
  const s = new CallScratch(mem, 1 << 16);
  s.alloc(1 << 20, 64); // never freed (a trap, say)
  s.endCall();
  assertEquals(mem.stats().blocks, 1);
  assertEquals(mem.stats().bytesInUse, 1 << 16);
  const h = s.alloc(1 << 17, 64);
  s.free(h, "k");
  assertThrows(() => s.free(h, "k"), InternalError);
  s.endCall();
  s.dispose();
  assertEquals(mem.stats().blocks, 0);
});

Deno.test("a call without allocations keeps no arena", () => {
  const mem = new CpuMemory();
  const s = new CallScratch(mem);
  s.endCall();
  assertEquals([s.blocks, mem.stats().blocks], [0, 0]);
});
