import { assert, assertEquals, assertThrows } from "../../ir/test_util.ts";
import { REFERENCE_NPU } from "./config.ts";
import { NpuError } from "./errors.ts";
import { NpuScratchpads } from "./exec.ts";
import { COMMAND_WORDS, encodeCommand, NO_DEPS, type NpuCommand } from "./isa.ts";
import { NpuProgramBuilder } from "./program.ts";
import { simulate, simulateTiming } from "./simulator.ts";
import { GlobalMemory } from "./test_harness.ts";

const cfg = REFERENCE_NPU; // 256 B/cycle, latency 16, compute overhead 2

/** One 16x16x16 tile: load A, load B, GEMM, store C. */
function oneTile(mem: GlobalMemory) {
  const a = mem.alloc(256, "int8"), b = mem.alloc(256, "int8"), c = mem.alloc(256, "int32");
  mem.write(a, "int8", Array.from({ length: 256 }, (_, i) => (i % 7) - 3));
  mem.write(b, "int8", Array.from({ length: 256 }, (_, i) => (i % 5) - 2));
  const p = new NpuProgramBuilder(cfg);
  p.load("input", { dtype: "int8", address: a, rows: 16, cols: 16, base: 0 });
  p.load("weight", {
    dtype: "int8",
    address: b,
    rows: 16,
    cols: 16,
    base: 0,
    deps: { pushNext: true },
  });
  p.gemm({ mode: "int8", reset: true, loops: [], deps: { popPrev: true, pushNext: true } });
  p.store({
    dtype: "int32",
    address: c,
    rows: 16,
    cols: 16,
    base: 0,
    deps: { popPrev: true, pushPrev: true },
  });
  p.finish({ popNext: true });
  return { p, a, b, c };
}

Deno.test("a one-tile program takes exactly the hand-computed cycles", () => {
  const mem = new GlobalMemory();
  const { p, a, b, c } = oneTile(mem);
  const r = simulate(cfg, p.build(), mem.bytes, { trace: true });
  // load A: data 1 cycle (256 B), done at 0+1+16; load B issues at 1, done at 18;
  // GEMM 2+1 cycles from 18 to 21; store 1024 B = 4 data cycles, 21 → 41; FINISH 41 → 42.
  assertEquals(r.timeline!.map((t) => [t.index, t.queue, t.start, t.end]), [
    [0, "load", 0, 17],
    [1, "load", 1, 18],
    [2, "compute", 18, 21],
    [3, "store", 21, 41],
    [4, "compute", 41, 42],
  ]);
  assertEquals(r.totalCycles, 42);
  assertEquals(r.busyCycles, { load: 2, compute: 4, store: 4 });
  assertEquals([r.gemmTiles, r.macs, r.bytesLoaded, r.bytesStored], [1, 4096, 512, 1024]);
  assertEquals(r.utilization, 4096 / (4096 * 42));
  assertEquals(r.commandCounts, { load: 2, store: 1, gemm: 1, alu: 0, nop: 0, finish: 1 });
  const A = mem.read(a, "int8", 256), B = mem.read(b, "int8", 256);
  const C = mem.read(c, "int32", 256);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      let s = 0;
      for (let k = 0; k < 16; k++) s += A[i * 16 + k] * B[k * 16 + j];
      assertEquals(C[i * 16 + j], s);
    }
  }
  assertEquals(simulateTiming(cfg, p.build()).totalCycles, 42);
});

Deno.test("two tiles: with two buffers the second load overlaps the first GEMM and store", () => {
  const build = (double: boolean) => {
    const p = new NpuProgramBuilder(cfg);
    for (let t = 0; t < 2; t++) {
      const slot = double ? t : 0;
      p.load("input", {
        dtype: "int8",
        address: 0,
        rows: 16,
        cols: 16,
        base: slot,
        deps: { popNext: !double && t > 0 },
      });
      p.load("weight", {
        dtype: "int8",
        address: 0,
        rows: 16,
        cols: 16,
        base: slot,
        deps: { pushNext: true },
      });
    }
    for (let t = 0; t < 2; t++) {
      const slot = double ? t : 0;
      p.gemm({
        mode: "int8",
        reset: true,
        acc: slot,
        inp: slot,
        wgt: slot,
        loops: [],
        deps: {
          popPrev: true,
          pushNext: true,
          pushPrev: !double && t === 0,
          popNext: !double && t > 0,
        },
      });
    }
    for (let t = 0; t < 2; t++) {
      p.store({
        dtype: "int32",
        address: 1024 * t,
        rows: 16,
        cols: 16,
        base: double ? t : 0,
        deps: { popPrev: true, pushPrev: !double || t === 1 },
      });
    }
    p.finish({ popNext: true });
    return simulate(cfg, p.build(), new Uint8Array(4096), { trace: true });
  };
  const serial = build(false), double = build(true);
  // serial: the second tile's loads wait for GEMM 1 (t=21), its GEMM for store 1 (t=41):
  // loads 21→38, GEMM 41→44, store 44→64, FINISH 64→65.
  assertEquals(serial.totalCycles, 65);
  // double: loads 0→17, 1→18, 2→19, 3→20; GEMMs 18→21, 21→24; stores 21→41, 25→45; FINISH → 46.
  assertEquals(double.totalCycles, 46);
  assertEquals(double.leftoverTokens, {
    loadToCompute: 0,
    computeToLoad: 0,
    computeToStore: 0,
    storeToCompute: 0,
  });
});

Deno.test("a pop that no push can satisfy is a deadlock naming the waiting commands", () => {
  const p = new NpuProgramBuilder(cfg);
  p.load("input", {
    dtype: "int8",
    address: 0,
    rows: 16,
    cols: 16,
    base: 0,
    deps: { popNext: true },
  });
  p.gemm({ mode: "int8", loops: [], deps: { popPrev: true } });
  p.finish();
  const e = assertThrows(() => simulate(cfg, p.build(), new Uint8Array(256)), NpuError);
  assertEquals(e.code, "NPU_DEADLOCK");
  assertEquals(e.command?.index, 0);
  assert(e.message.includes("load waits at #0") && e.message.includes("compute waits at #1"));
  assert(e.message.includes("computeToLoad") && e.message.includes("loadToCompute"));
});

Deno.test("a queue touching another queue's tile without a token chain is a race", () => {
  const p = new NpuProgramBuilder(cfg);
  p.load("input", { dtype: "int8", address: 0, rows: 16, cols: 16, base: 3 });
  p.load("weight", {
    dtype: "int8",
    address: 0,
    rows: 16,
    cols: 16,
    base: 0,
    deps: { pushNext: true },
  });
  p.gemm({ mode: "int8", inp: 3, loops: [], deps: { popPrev: true } });
  p.store({ dtype: "int32", address: 0, rows: 16, cols: 16, base: 0 }); // no pop: races the GEMM
  p.finish();
  const e = assertThrows(() => simulate(cfg, p.build(), new Uint8Array(1024)), NpuError);
  assertEquals(e.code, "NPU_RACE");
  // the store needs no token, so it runs first (t=0); the GEMM then finds it unordered
  assertEquals(e.command?.index, 2);
  assert(e.message.includes("acc tile 0") && e.message.includes("after #3"), e.message);
  // unchecked, it runs (the result then depends on timing)
  assert(simulate(cfg, p.build(), new Uint8Array(1024), { checkRaces: false }).totalCycles > 0);
  // reloading a tile the GEMM reads, without waiting for it, is a race too (write after read)
  const q = new NpuProgramBuilder(cfg);
  q.load("input", {
    dtype: "int8",
    address: 0,
    rows: 16,
    cols: 16,
    base: 0,
    deps: { pushNext: true },
  });
  q.gemm({ mode: "int8", loops: [], deps: { popPrev: true } });
  q.load("input", { dtype: "int8", address: 0, rows: 16, cols: 16, base: 0 });
  q.finish();
  assertEquals(
    assertThrows(() => simulate(cfg, q.build(), new Uint8Array(256)), NpuError).code,
    "NPU_RACE",
  );
});

/** Words of commands that skip the builder's checks. */
function raw(cmds: NpuCommand[]): Int32Array {
  const w = new Int32Array(cmds.length * COMMAND_WORDS);
  cmds.forEach((c, i) => encodeCommand(c, w, i * COMMAND_WORDS));
  return w;
}
const FINISH: NpuCommand = { op: "finish", deps: NO_DEPS };
const region = {
  address: 0,
  rows: 16,
  cols: 16,
  rowStride: 16,
  padTop: 0,
  padBottom: 0,
  padLeft: 0,
  padRight: 0,
  base: 0,
  tileRowStride: 1,
  transpose: false,
};

Deno.test("scratchpad overflow names the command, in raw words and in the builder", () => {
  const over: NpuCommand = {
    op: "load",
    buffer: "input",
    dtype: "int8",
    ...region,
    base: 512,
    deps: NO_DEPS,
  };
  const e = assertThrows(() => simulate(cfg, raw([over, FINISH]), new Uint8Array(256)), NpuError);
  assertEquals([e.code, e.command?.index], ["NPU_SCRATCHPAD_OVERFLOW", 0]);
  assert(
    e.message.includes("holds 512 tiles of 1-byte elements") && e.message.includes("LOAD.int8"),
  );
  // float16 tiles are twice as wide: 256 of them fit
  const p = new NpuProgramBuilder(cfg);
  p.load("input", { dtype: "float16", address: 0, rows: 16, cols: 16, base: 255 });
  const e2 = assertThrows(
    () => p.load("input", { dtype: "float16", address: 0, rows: 16, cols: 16, base: 256 }),
    NpuError,
  );
  assertEquals(e2.code, "NPU_SCRATCHPAD_OVERFLOW");
  const e3 = assertThrows(
    () => p.gemm({ mode: "int8", loops: [{ extent: 300, acc: 1 }] }),
    NpuError,
  );
  assertEquals(e3.code, "NPU_SCRATCHPAD_OVERFLOW"); // 256 accumulator tiles
});

Deno.test("DMA outside global memory or misaligned fails with the command", () => {
  const load: NpuCommand = {
    op: "load",
    buffer: "input",
    dtype: "int8",
    ...region,
    address: 100,
    deps: NO_DEPS,
  };
  const e = assertThrows(() => simulate(cfg, raw([load, FINISH]), new Uint8Array(300)), NpuError);
  assertEquals([e.code, e.command?.index], ["NPU_OUT_OF_BOUNDS", 0]);
  assert(e.message.includes("bytes 100..355") && e.message.includes("300 bytes"));
  const store: NpuCommand = {
    op: "store",
    buffer: "acc",
    dtype: "int32",
    ...region,
    address: 2,
    deps: NO_DEPS,
  };
  const e2 = assertThrows(
    () => simulate(cfg, raw([store, FINISH]), new Uint8Array(4096)),
    NpuError,
  );
  assertEquals(e2.code, "NPU_MISALIGNED");
});

Deno.test("a memory view with an offset: addresses are relative to the view", () => {
  const backing = new Uint8Array(1024);
  const view = backing.subarray(512);
  view[0] = 5;
  const p = new NpuProgramBuilder(cfg);
  p.load("acc", {
    dtype: "int8",
    address: 0,
    rows: 1,
    cols: 1,
    base: 0,
    pad: { bottom: 15, right: 15 },
  });
  p.alu({ op: "mul", mode: "int8", dst: 0, imm: 3, loops: [], deps: { pushNext: true } });
  p.store({ dtype: "int8", address: 1, rows: 1, cols: 1, base: 0, deps: { popPrev: true } });
  p.finish();
  simulate(cfg, p.build(), view, { checkRaces: true });
  assertEquals([backing[512], backing[513], backing[1]], [5, 15, 0]);
});

Deno.test("streams must end with exactly one FINISH", () => {
  const gemm: NpuCommand = {
    op: "gemm",
    mode: "int8",
    reset: true,
    accBase: 0,
    inpBase: 0,
    wgtBase: 0,
    extents: [1, 1, 1],
    accFactors: [0, 0, 0],
    inpFactors: [0, 0, 0],
    wgtFactors: [0, 0, 0],
    deps: NO_DEPS,
  };
  const mem = new Uint8Array(16);
  for (
    const w of [raw([gemm]), raw([FINISH, gemm, FINISH]), new Int32Array(0), new Int32Array(17)]
  ) {
    assertEquals(assertThrows(() => simulate(cfg, w, mem), NpuError).code, "NPU_BAD_COMMAND");
  }
});

Deno.test("loads pad with zeros and transpose; stores clip and skip margins", () => {
  const mem = new GlobalMemory();
  const src = mem.alloc(15, "int8"); // 3x5 block, row stride 5
  mem.write(src, "int8", Array.from({ length: 15 }, (_, i) => i + 1));
  const pads = new NpuScratchpads(cfg);
  const p = new NpuProgramBuilder(cfg);
  p.load("input", {
    dtype: "int8",
    address: src,
    rows: 3,
    cols: 5,
    pad: { top: 1, bottom: 12, left: 2, right: 9 },
    base: 0,
  });
  p.load("weight", {
    dtype: "int8",
    address: src,
    rows: 3,
    cols: 5,
    transpose: true,
    pad: { bottom: 11, right: 13 },
    base: 0,
  });
  p.finish();
  simulate(cfg, p.build(), mem.bytes, { scratchpads: pads });
  const tile = (a: Float32Array, r: number, c: number) => a[r * 16 + c];
  assertEquals([
    tile(pads.input, 0, 2),
    tile(pads.input, 1, 1),
    tile(pads.input, 1, 2),
    tile(pads.input, 3, 6),
  ], [0, 0, 1, 15]);
  assertEquals([
    tile(pads.weight, 0, 0),
    tile(pads.weight, 0, 2),
    tile(pads.weight, 4, 1),
    tile(pads.weight, 5, 0),
  ], [1, 11, 10, 0]);
  // store: skip 1 row and 2 cols of accumulator tile 0, write 2x3 clipped
  pads.acc.set(Array.from({ length: 256 }, (_, i) => i));
  const out = mem.alloc(6, "int32");
  const q = new NpuProgramBuilder(cfg);
  q.store({ dtype: "int32", address: out, rows: 2, cols: 3, pad: { top: 1, left: 2 }, base: 0 });
  q.finish();
  simulate(cfg, q.build(), mem.bytes, { scratchpads: pads });
  assertEquals(mem.read(out, "int32", 6), [18, 19, 20, 34, 35, 36]);
});

Deno.test("unsupported modes and float shifts are refused", () => {
  const small = { ...cfg, modes: ["int8" as const] };
  const p = new NpuProgramBuilder(small);
  assertEquals(
    assertThrows(() => p.gemm({ mode: "float16", loops: [] }), NpuError).code,
    "NPU_UNSUPPORTED_MODE",
  );
  assertEquals(
    assertThrows(
      () =>
        p.load("weight", {
          dtype: "float32",
          address: 0,
          rows: 1,
          cols: 1,
          base: 0,
          pad: { bottom: 15, right: 15 },
        }),
      NpuError,
    ).code,
    "NPU_UNSUPPORTED_MODE",
  );
  const q = new NpuProgramBuilder(cfg);
  assertEquals(
    assertThrows(() => q.alu({ op: "shr", mode: "float32", dst: 0, imm: 1, loops: [] }), NpuError)
      .code,
    "NPU_BAD_COMMAND",
  );
  assertEquals(
    assertThrows(
      () => q.load("input", { dtype: "int8", address: 0, rows: 3, cols: 16, base: 0 }),
      NpuError,
    ).code,
    "NPU_BAD_COMMAND", // 3 rows is not whole tiles without padding
  );
});
