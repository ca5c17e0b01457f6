/**
 * The cpu runtime against hand-assembled kernel modules (testing_wasm.ts): traps become typed
 * errors, host imports work, kernel allocations are released, bad modules are refused.
 */
import { TargetError } from "../../ir/errors.ts";
import { int, variable } from "../../ir/expr.ts";
import { primFunc } from "../../ir/func.ts";
import { decl, evaluate } from "../../ir/stmt.ts";
import { assert, assertEquals, assertRejects } from "../../ir/test_util.ts";
import type { CpuArtifact } from "./artifact.ts";
import { RESERVED_BYTES } from "./layout.ts";
import { CpuDevice } from "./runtime.ts";
import { assemble, F64, I32, op, type WasmSpec } from "./testing_wasm.ts";

const n = variable("n");
const lowered = primFunc("k", [decl("A", [n], "int32"), n], evaluate(int(0)), { lowered: true });

const IMPORTS = [
  { name: "tsr_assert_fail", params: [I32], results: [] },
  { name: "tsr_alloc", params: [I32, I32], results: [I32] },
  { name: "tsr_exp", params: [F64], results: [F64] },
];
const fn = (name: string, code: number[]) => ({
  params: [I32, I32],
  results: [],
  code,
  export: name,
});
/** Kernels of (A: i32 pointer, d: i32). */
const FUNCS = [
  fn("tsr_div", [
    ...op.localGet(0),
    ...op.i32Const(100),
    ...op.localGet(1),
    ...op.i32DivS,
    ...op.i32Store,
  ]),
  fn("tsr_assert", [...op.i32Const(0), ...op.call(0)]),
  fn("tsr_leak", [...op.i32Const(1000), ...op.i32Const(64), ...op.call(1), ...op.drop]),
  fn("tsr_exp", [...op.localGet(0), ...op.f64Const(1), ...op.call(2), ...op.f64Store]),
  fn("tsr_oob", [...op.i32Const(-8), ...op.localGet(1), ...op.i32Store]),
  fn("tsr_unreachable", [0x00]),
];

function artifact(entry: string, over: Partial<WasmSpec> = {}): CpuArtifact {
  return {
    target: "cpu",
    entry,
    source: "(hand-assembled)",
    lowered,
    wasm: assemble({ imports: IMPORTS, funcs: FUNCS, heapBase: 1 << 20, ...over }),
    params: [{ kind: "buffer", name: "A", dtype: "int32" }, {
      kind: "scalar",
      name: "n",
      dtype: "int32",
    }],
    hostImports: IMPORTS.map((i) => i.name),
    assertMessages: ["n > 0 failed"],
  };
}

const device = () => new CpuDevice({ tsr_exp: Math.exp });

Deno.test("a kernel runs on device memory; a trap is a typed error and the kernel recovers", async () => {
  const d = device();
  const k = await d.load(artifact("tsr_div"));
  const a = d.allocate([2], "int32");
  await d.run(k, [a, 7]);
  assertEquals(a.data[0], 14);
  const e = await assertRejects(() => d.run(k, [a, 0]), TargetError);
  assertEquals(e.code, "KERNEL_DIVIDE_BY_ZERO");
  assert(e.message.includes(`"k"`), e.message);
  await d.run(k, [a, -5]);
  assertEquals(a.data[0], -20);
});

Deno.test("asserts, out-of-bounds accesses, other traps and host math", async () => {
  const d = device();
  const a = d.allocate([2], "int32");
  const assertFail = await assertRejects(
    async () => d.run(await d.load(artifact("tsr_assert")), [a, 1]),
    TargetError,
  );
  assertEquals(assertFail.code, "KERNEL_ASSERT");
  assert(assertFail.message.includes("n > 0 failed"), assertFail.message);
  const oob = await assertRejects(
    async () => d.run(await d.load(artifact("tsr_oob")), [a, 1]),
    TargetError,
  );
  assertEquals(oob.code, "KERNEL_OUT_OF_BOUNDS");
  const trap = await assertRejects(
    async () => d.run(await d.load(artifact("tsr_unreachable")), [a, 1]),
    TargetError,
  );
  assertEquals(trap.code, "KERNEL_TRAP");
  await d.run(await d.load(artifact("tsr_exp")), [a, 2]);
  assertEquals(new Float64Array(d.mem.buffer, a.byteOffset, 1)[0], Math.exp(1));
});

Deno.test("allocations a kernel leaves behind are released when the call ends", async () => {
  const d = device();
  const a = d.allocate([2], "int32");
  const before = d.mem.stats().blocks;
  const k = await d.load(artifact("tsr_leak"));
  await d.run(k, [a, 1]);
  // the calling thread's scratch arena stays for reuse; nothing else is left behind
  assertEquals(d.threadStats().arenaBlocks, 1);
  assertEquals(d.mem.stats().blocks, before + 1);
  await d.run(k, [a, 1]);
  assertEquals(d.mem.stats().blocks, before + 1);
  assert(d.mem.stats().peakBytes >= 1000 + 64);
});

Deno.test("modules that would break the shared memory are refused", async () => {
  const d = device();
  const code = async (a: CpuArtifact, want: string) => {
    const e = await assertRejects(() => d.load(a), TargetError);
    assertEquals(e.code, want, e.message);
  };
  await code(
    artifact("tsr_div", { data: [{ offset: 1 << 20, bytes: [1, 2, 3] }] }),
    "CPU_DATA_SEGMENT",
  );
  await code(artifact("tsr_div", { heapBase: RESERVED_BYTES + 16 }), "CPU_HEAP_BASE");
  await code(artifact("tsr_div", { heapBase: undefined }), "CPU_HEAP_BASE");
  await code(
    artifact("tsr_div", { imports: [...IMPORTS, { name: "tsr_bogus", params: [], results: [] }] }),
    "CPU_UNKNOWN_IMPORT",
  );
  await code(artifact("tsr_nothing"), "CPU_BAD_MODULE");
  await code({ ...artifact("tsr_div"), wasm: new Uint8Array([1, 2, 3]) }, "CPU_BAD_MODULE");
});
