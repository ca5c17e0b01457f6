/**
 * Block primitives built for the `cpu` target and compared with the interpreter: a tiled matmul
 * with a `local` accumulator tile (cacheWrite + reverseComputeAt + decomposeReduction), conv2d
 * with its padding computed per output row, and rfactor.
 */
import { assert, assertEquals } from "../../ir/test_util.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { type NDArray, toNumbers } from "../../ir/ndarray.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { visit } from "../../ir/node.ts";
import * as ops from "../../ir/ops/mod.ts";
import { lower } from "../../ir/transform/mod.ts";
import { build } from "../../sdk/mod.ts";
import cpu, { CPU_LOWER_OPTIONS } from "../../targets/cpu/mod.ts";
import { Schedule } from "../mod.ts";

async function sameOnCpu(f: PrimFunc, scheduled: PrimFunc, inputs: readonly NDArray[]) {
  const want = runFunc(f, inputs);
  const got = await (await build(scheduled, cpu)).run(inputs);
  assertEquals(got.length, want.length);
  got.forEach((g, k) => {
    const a = toNumbers(g), b = toNumbers(want[k]);
    a.forEach((x, i) =>
      assert(Math.abs(x - b[i]) <= 1e-4 * Math.max(1, Math.abs(b[i])), `${x} vs ${b[i]}`)
    );
  });
}

function allocations(f: PrimFunc): { name: string; scope: string; size: number | undefined }[] {
  const out: { name: string; scope: string; size: number | undefined }[] = [];
  visit(lower(f, CPU_LOWER_OPTIONS).body, (n) => {
    if (n.kind === "Allocate") {
      const d = n.buffer.shape[0];
      out.push({
        name: n.buffer.name,
        scope: n.buffer.scope,
        size: d.kind === "IntImm" ? d.value : undefined,
      });
    }
  });
  return out;
}

function matmulCase(m: number, n: number, k: number) {
  const d = ops.findOp("matmul");
  const c = {
    ...d.cases[0],
    inputs: [
      { name: "a", shape: [m, k], dtype: "float32" as const },
      { name: "b", shape: [k, n], dtype: "float32" as const },
    ],
  };
  return { f: d.build(c), inputs: d.makeInputs(c, 7) };
}

Deno.test("cpu: tiled matmul with a local accumulator tile and a decomposed reduction", async () => {
  const { f, inputs } = matmulCase(30, 36, 20);
  const sch = new Schedule(f);
  const c = sch.getBlock("T_matmul");
  const [i, j, k] = sch.getLoops(c);
  const [io, ii] = sch.split(i, [undefined, 4]);
  const [jo, ji] = sch.split(j, [undefined, 8]);
  sch.reorder(io, jo, k, ii, ji);
  const back = sch.cacheWrite(c, 0, "local");
  sch.reverseComputeAt(back, jo);
  sch.decomposeReduction(c, k);
  sch.vectorize(sch.getLoops(c)[4]);
  // the accumulator is a 4x8 tile per (io, jo), on the C stack
  assertEquals(allocations(sch.func), [{ name: "T_matmul_local", scope: "local", size: 32 }]);
  await sameOnCpu(f, sch.func, inputs);
});

Deno.test("cpu: conv2d with padding computed per output row, and an inlined pad", async () => {
  const d = ops.findOp("conv2d");
  const c = d.cases[0];
  const f = d.build(c);
  const inputs = d.makeInputs(c, 3);
  const sch = new Schedule(f);
  const loops = sch.getLoops(sch.getBlock("T_conv2d_nchw"));
  sch.computeAt(sch.getBlock("T_conv2d_nchw_pad"), loops[2]);
  const pad = allocations(sch.func).find((a) => a.name === "T_conv2d_nchw_pad");
  assertEquals(pad?.size, 4 * 3 * 11); // 4 channels x 3 rows x 11 columns
  await sameOnCpu(f, sch.func, inputs);
  const inl = new Schedule(f);
  inl.computeInline(inl.getBlock("T_conv2d_nchw_pad"));
  await sameOnCpu(f, inl.func, inputs);
});

Deno.test("cpu: rfactor of a row sum and cache reads", async () => {
  const d = ops.findOp("reduce_sum");
  const c = d.cases[0];
  const f = d.build(c);
  const inputs = d.makeInputs(c, 2);
  const sch = new Schedule(f);
  const blk = sch.getBlock(sch.show().match(/block (\w+)\(.*: reduce\(/)![1]);
  const loops = sch.getLoops(blk);
  const [, inner] = sch.split(loops[loops.length - 1], [undefined, 4]);
  sch.rfactor(inner, 0);
  await sameOnCpu(f, sch.func, inputs);
  const m = matmulCase(9, 7, 5);
  const s2 = new Schedule(m.f);
  const mm = s2.getBlock("T_matmul");
  s2.cacheRead(mm, 1, "local");
  s2.cacheRead(mm, 2, "local");
  await sameOnCpu(m.f, s2.func, m.inputs);
});
