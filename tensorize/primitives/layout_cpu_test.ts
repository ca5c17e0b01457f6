/**
 * Layout and blocking primitives built for `cpu` (lower → C → wasm), each compared with the
 * interpreter on the unscheduled function.
 */
import { findOp } from "../../ir/ops/mod.ts";
import type { OpCase } from "../../ir/ops/mod.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { build } from "../../sdk/mod.ts";
import cpu from "../../targets/cpu/mod.ts";
import { Schedule } from "../mod.ts";
import { assertClose } from "../testing.ts";

async function checkOnCpu(
  name: string,
  index: number,
  schedule: (sch: Schedule, f: PrimFunc) => void,
): Promise<void> {
  const op = findOp(name);
  const c = op.cases[index] as OpCase;
  const f = op.build(c);
  const sch = new Schedule(f);
  schedule(sch, f);
  const inputs = op.makeInputs(c, 3);
  const kernel = await build(sch.func, cpu);
  assertClose(await kernel.run(inputs), runFunc(f, inputs), 1e-4);
}

Deno.test("cpu: matmul padded to 4, tiled and blockized", async () => {
  await checkOnCpu("matmul", 0, (sch) => {
    const b = sch.getBlock("T_matmul");
    sch.padEinsum(b, [4, 4, 4]);
    const [i, j, k] = sch.getLoops(b);
    const [io, ii] = sch.split(i, [undefined, 4]);
    const [jo, ji] = sch.split(j, [undefined, 4]);
    const [ko, ki] = sch.split(k, [undefined, 4]);
    sch.reorder(io, jo, ko, ii, ji, ki);
    sch.blockize(ii);
  });
});

Deno.test("cpu: conv2d with its padded input in NHWC, in a local scope, blocked channels", async () => {
  await checkOnCpu("conv2d", 0, (sch) => {
    const pad = sch.getBlock("T_conv2d_nchw_pad");
    sch.transformLayout(pad, ["write", 0], "(n, c, h, w) => [n, c // 2, h, w, c %% 2]");
    sch.setScope(pad, 0, "local");
    sch.transformBlockLayout(
      sch.getBlock("T_conv2d_nchw"),
      "(n, f, y, x, rc, ry, rx) => [n, f, y, x, rc, ry * 3 + rx]",
    );
  });
});

Deno.test("cpu: max_pool2d padded buffer transposed and storage-aligned", async () => {
  await checkOnCpu("max_pool2d", 0, (sch) => {
    const pad = sch.getBlock("T_max_pool2d_pad");
    sch.transformLayout(pad, ["write", 0], "(n, c, h, w) => [n, h, c, w]");
    sch.storageAlign(pad, 0, 2, 16, 1);
  });
});
