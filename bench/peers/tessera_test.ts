import { assert, assertEquals } from "../../ir/test_util.ts";
import { ndarray } from "../../ir/ndarray.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import {
  caseInputs,
  type Conv2dCase,
  inputShapes,
  type MatmulCase,
  outputShape,
  WASM_PEAK,
} from "../cases.ts";
import { PeerUnavailable } from "../errors.ts";
import { relativeError } from "../harness.ts";
import { caseFunc, tessera } from "./tessera.ts";
import { tsLoop } from "./ts_loop.ts";

/** The op-library function of a case, run by the interpreter, against ts-loop. */
async function agree(c: MatmulCase | Conv2dCase): Promise<void> {
  const ins = caseInputs(c, 2);
  const f = caseFunc(c);
  const shapes = inputShapes(c);
  const [got] = runFunc(f, ins.map((x, i) => ndarray("float32", shapes[i], x)));
  assertEquals(got.shape, outputShape(c));
  const p = await tsLoop.prepare(c, ins);
  await p.run();
  const err = relativeError(got.data as Float32Array, await p.result());
  assert(err < 1e-5, `${c.id}: relative error ${err}`);
}

Deno.test("caseFunc: the op-library matmul computes what ts-loop computes", async () => {
  await agree({ id: "mm", kind: "matmul", m: 6, n: 5, k: 7 });
});

Deno.test("caseFunc: the op-library conv2d (NCHW, OIHW, pad, stride) matches ts-loop", async () => {
  const base = { id: "cv", kind: "conv2d" as const, batch: 1, inC: 3, h: 7, w: 6, outC: 4 };
  await agree({ ...base, kernel: 3, pad: 1, stride: 1 });
  await agree({ ...base, kernel: 3, pad: 2, stride: 2 });
});

Deno.test("tessera impl: has no kernel for the peak case", () => {
  assert(!tessera.supports(WASM_PEAK));
  let e: unknown;
  try {
    caseFunc(WASM_PEAK);
  } catch (x) {
    e = x;
  }
  assert(e instanceof PeerUnavailable && e.code === "BENCH_PEER_UNAVAILABLE");
});

Deno.test("tessera impl: int8 matmul with B declared in [0, 127] runs on cpu.mma_u7i8, else cpu.mma_i8", async () => {
  const base = { kind: "matmul" as const, m: 8, n: 16, k: 32, dtype: "int8" as const };
  const u7: MatmulCase = { ...base, id: "matmul_u7i8_8", bRange: [0, 127] };
  const i8: MatmulCase = { ...base, id: "matmul_i8_8" };
  assertEquals(caseFunc(u7).attrs["tessera.value_range"], "B:[0,127]");
  for (const [c, note] of [[u7, "on cpu.mma_u7i8"], [i8, "on cpu.mma_i8"]] as const) {
    const ins = caseInputs(c, 5);
    const p = await tessera.prepare(c, ins);
    try {
      assertEquals(p.note, note);
      await p.run();
      const shapes = inputShapes(c);
      const [want] = runFunc(
        caseFunc(c),
        ins.map((x, i) => ndarray("int8", shapes[i], Int8Array.from(x))),
      );
      assertEquals([...await p.result()], [...want.data].map(Number));
    } finally {
      await p.dispose();
    }
  }
});
