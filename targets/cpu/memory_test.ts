import { assert, assertEquals } from "../../ir/test_util.ts";
import { ndarray, toNumbers } from "../../ir/ndarray.ts";
import { PAGE_BYTES, RESERVED_BYTES } from "./layout.ts";
import { CpuMemory } from "./memory.ts";
import { CpuDevice } from "./runtime.ts";
import { TargetError } from "../../ir/errors.ts";
import { assertThrows } from "../../ir/test_util.ts";

Deno.test("the heap starts above the reserved stack region", () => {
  const m = new CpuMemory();
  const p = m.alloc(10);
  assertEquals(p, RESERVED_BYTES);
  assertEquals(p % 64, 0);
});

Deno.test("tensors survive memory growth: views are re-created", () => {
  const d = new CpuDevice({}, { initialPages: RESERVED_BYTES / PAGE_BYTES + 1 });
  const a = d.fromArray(ndarray("float32", [4], [1, 2, 3, 4]));
  const before = a.data;
  const grows = d.mem.stats().grows;
  const big = d.allocate([1 << 20], "float32"); // 4 MiB: the memory must grow
  assert(d.mem.stats().grows > grows);
  // shared memory: growth keeps old views valid (at the old length) but gives a new buffer object
  assertEquals(before.length, 4);
  assert(before.buffer !== d.mem.buffer && a.data.buffer === d.mem.buffer, "view re-created");
  assertEquals([...a.data], [1, 2, 3, 4]);
  a.data[0] = 5;
  assertEquals(toNumbers(d.toArraySync(a)), [5, 2, 3, 4]);
  assertEquals(big.data.length, 1 << 20);
  d.free(big);
  d.free(a);
  assertEquals(d.mem.stats().blocks, 0);
});

Deno.test("allocate zero-fills reused memory; every dtype round-trips", () => {
  const d = new CpuDevice({});
  const t = d.fromArray(ndarray("int32", [16], new Array(16).fill(-1)));
  d.free(t);
  const z = d.allocate([16], "int32");
  assertEquals(z.byteOffset, t.byteOffset, "the freed block is reused");
  assertEquals([...z.data], new Array(16).fill(0));
  for (const dtype of ["float16", "bfloat16", "float64", "int8", "uint16", "int64", "bool"]) {
    const a = ndarray(dtype, [3], [1, 0, 1]);
    const back = d.toArraySync(d.fromArray(a));
    assertEquals(back.dtype, dtype);
    assertEquals(toNumbers(back), [1, 0, 1]);
  }
});

Deno.test("running out of memory is a typed error", () => {
  const d = new CpuDevice({}, { maximumPages: RESERVED_BYTES / PAGE_BYTES + 20 });
  const e = assertThrows(() => d.allocate([1 << 22], "float32"), TargetError);
  assertEquals(e.code, "KERNEL_OUT_OF_MEMORY");
});
