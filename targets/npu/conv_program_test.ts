import { assert, assertEquals, assertThrows } from "../../ir/test_util.ts";
import { interpret } from "../../ir/interp/mod.ts";
import { ndarray, randomNDArray } from "../../ir/ndarray.ts";
import { compareArrays } from "../../conformance/tolerance.ts";
import { REFERENCE_NPU } from "./config.ts";
import { convProgram, type ConvSchedule, type ConvSpec } from "./conv_program.ts";
import { convDescription, type ConvKey, type EpilogueStep } from "./conv_region.ts";
import { chooseConvSchedule, convCycles } from "./conv_schedule.ts";
import { NpuError } from "./errors.ts";
import { readElement, writeElement } from "./exec.ts";
import type { NpuDType } from "./isa.ts";
import { simulate, simulateTiming } from "./simulator.ts";

/** A conv problem laid out in one global memory: image (padded), weights, bias, output. */
interface Problem {
  readonly key: ConvKey;
  readonly spec: ConvSpec;
  readonly mem: Uint8Array;
}

interface ConvCase {
  readonly layout: "NCHW" | "NHWC";
  readonly c: number; // input channels
  readonly k: number; // output channels
  readonly h: number; // padded image height
  readonly w: number; // padded image width
  readonly kh: number;
  readonly kw: number;
  readonly stride: number;
  readonly mode: "int8" | "float32";
  readonly outDtype: NpuDType;
  readonly epilogue?: readonly EpilogueStep[];
}

const EB: Record<string, number> = { int8: 1, int32: 4, float16: 2, float32: 4 };
const align = (x: number) => Math.ceil(x / 64) * 64;

/** Place a conv: data NCHW/NHWC, weights HWIO (compact [ry][rx][c][k]), output NCHW/NHWC. */
function place(cc: ConvCase, seed: number): Problem {
  const { c, k, h, w, kh, kw, stride: s } = cc;
  const oh = Math.floor((h - kh) / s) + 1, ow = Math.floor((w - kw) / s) + 1;
  const nchw = cc.layout === "NCHW";
  const eb = EB[cc.mode], acc = cc.mode === "int8" ? "int32" : "float32";
  const dataA = 0, wA = align(c * h * w * eb), bA = align(wA + kh * kw * c * k * eb);
  const oA = align(bA + k * 4), size = align(oA + oh * ow * k * EB[cc.outDtype]) + 64;
  const mem = new Uint8Array(size);
  const view = new DataView(mem.buffer);
  const fill = (addr: number, n: number, dtype: NpuDType, lo: number, hi: number, sd: number) => {
    const a = randomNDArray(dtype, [n], sd, lo, hi);
    for (let i = 0; i < n; i++) writeElement(view, addr + i * EB[dtype], dtype, Number(a.data[i]));
  };
  const small = cc.mode === "int8" ? [-128, 127] : [-1, 1];
  fill(dataA, c * h * w, cc.mode, small[0], small[1], seed);
  fill(wA, kh * kw * c * k, cc.mode, small[0], small[1], seed + 1);
  fill(bA, k, acc, cc.mode === "int8" ? -3000 : -1, cc.mode === "int8" ? 3000 : 1, seed + 2);
  const epilogue = cc.epilogue ?? [];
  const key: ConvKey = {
    chip: "t",
    mode: cc.mode,
    outDtype: cc.outDtype,
    m: [oh, ow],
    n: k,
    r: [c, kh, kw],
    epilogue,
    block: "C",
  };
  const spec: ConvSpec = {
    m: [oh, ow],
    n: k,
    r: [c, kh, kw],
    mode: cc.mode,
    outDtype: cc.outDtype,
    epilogue,
    data: nchw
      ? { address: dataA, m: [s * w, s], r: [h * w, w, 1] }
      : { address: dataA, m: [s * w * c, s * c], r: [1, w * c, c] },
    weight: { address: wA, r: [k, kw * c * k, c * k], n: 1 },
    out: nchw ? { address: oA, m: [ow, 1], n: oh * ow } : { address: oA, m: [ow * k, k], n: 1 },
    bias: epilogue.some((e) => e.bias) ? { address: bA, dtype: acc } : undefined,
  };
  return { key, spec, mem };
}

/** Run the program on the simulator and compare O with the description in the interpreter. */
function check(p: Problem, schedule: ConvSchedule): void {
  const { key, spec } = p;
  const mem = p.mem.slice();
  const view = new DataView(mem.buffer);
  const prog = convProgram(REFERENCE_NPU, spec, schedule);
  for (const words of prog.streams) simulate(REFERENCE_NPU, words, mem);
  // the description on the views: D[a,b,r0,r1,r2], W[r0,r1,r2,j], Bias[j], O[a,b,j]
  const [m0, m1] = key.m, [r0, r1, r2] = key.r;
  const gather = (dtype: NpuDType, shape: number[], at: (i: number[]) => number) => {
    const a = ndarray(dtype, shape);
    const idx = shape.map(() => 0);
    for (let f = 0; f < a.data.length; f++) {
      let rest = f;
      for (let d = shape.length - 1; d >= 0; d--) {
        idx[d] = rest % shape[d];
        rest = Math.floor(rest / shape[d]);
      }
      a.data[f] = readElement(view, at(idx), dtype);
    }
    return a;
  };
  const orig = new DataView(p.mem.buffer);
  const read = (dtype: NpuDType, shape: number[], at: (i: number[]) => number) => {
    const a = gather(dtype, shape, () => 0);
    const idx = shape.map(() => 0);
    for (let f = 0; f < a.data.length; f++) {
      let rest = f;
      for (let d = shape.length - 1; d >= 0; d--) {
        idx[d] = rest % shape[d];
        rest = Math.floor(rest / shape[d]);
      }
      a.data[f] = readElement(orig, at(idx), dtype);
    }
    return a;
  };
  const eb = EB[spec.mode], ebo = EB[spec.outDtype];
  const d = spec.data, w = spec.weight, o = spec.out;
  const D = read(
    spec.mode,
    [m0, m1, r0, r1, r2],
    ([a, b, x, y, z]) =>
      d.address + (a * d.m[0] + b * d.m[1] + x * d.r[0] + y * d.r[1] + z * d.r[2]) * eb,
  );
  const W = read(
    spec.mode,
    [r0, r1, r2, key.n],
    ([x, y, z, j]) => w.address + (x * w.r[0] + y * w.r[1] + z * w.r[2] + j * w.n) * eb,
  );
  const want = ndarray(spec.outDtype, [m0, m1, key.n]);
  const args = [D, W];
  if (spec.bias) {
    const b = spec.bias;
    args.push(read(b.dtype, [key.n], ([j]) => b.address + j * EB[b.dtype]));
  }
  interpret(convDescription(key), [...args, want]);
  const got = gather(
    spec.outDtype,
    [m0, m1, key.n],
    ([a, b, j]) => o.address + (a * o.m[0] + b * o.m[1] + j * o.n) * ebo,
  );
  const cmp = compareArrays(got, want);
  assert(cmp.ok, `${JSON.stringify(schedule)}: ${cmp.reason ?? JSON.stringify(cmp.first)}`);
  // nothing outside the output changed
  const oEnd = o.address + (m0 * m1 * key.n) * ebo;
  for (let i = 0; i < mem.length; i++) {
    if (i < o.address || i >= oEnd) assertEquals(mem[i], p.mem[i], `byte ${i}`);
  }
}

const REQUANT: EpilogueStep[] = [
  { op: "add", imm: 0, bias: "int32" },
  { op: "max", imm: 0 },
  { op: "add", imm: 64 },
  { op: "shr", imm: 7 },
  { op: "max", imm: -128 },
  { op: "min", imm: 127 },
];

const base = { kh: 3, kw: 3, stride: 1, mode: "int8", outDtype: "int32" } as const;
const CASES: readonly (ConvCase & { why: string; schedules: Partial<ConvSchedule>[] })[] = [
  {
    ...base,
    why: "NHWC aligned, wide runs, channels contiguous",
    layout: "NHWC",
    c: 16,
    k: 32,
    h: 8,
    w: 8,
    schedules: [{ wide: true, blockM: 2 }, { wide: false, blockM: 2 }],
  },
  {
    ...base,
    why: "NCHW unaligned (5 channels, 7 outputs, 9x10 image), transposing DMA in and out",
    layout: "NCHW",
    c: 5,
    k: 7,
    h: 9,
    w: 10,
    schedules: [{ wide: true, blockM: 1 }, { wide: false, blockM: 3 }],
  },
  {
    ...base,
    why: "NHWC stride 2 (rows: pixel stride 2·C)",
    layout: "NHWC",
    c: 24,
    k: 20,
    h: 11,
    w: 9,
    stride: 2,
    schedules: [{ wide: false, blockM: 2 }, { wide: true, blockM: 1 }],
  },
  {
    ...base,
    why: "NCHW 1x1, two streams of output channels, single-buffered",
    layout: "NCHW",
    c: 40,
    k: 40,
    h: 6,
    w: 7,
    kh: 1,
    kw: 1,
    schedules: [{ wide: true, blockM: 1, blockN: 2, chunk: 2, doubleBuffer: false }],
  },
  {
    ...base,
    why: "int8 requantisation epilogue (bias, relu, round, shift, clip) stored as int8",
    layout: "NCHW",
    c: 16,
    k: 16,
    h: 7,
    w: 7,
    outDtype: "int8",
    epilogue: REQUANT,
    schedules: [{ wide: true, blockM: 1 }],
  },
  {
    ...base,
    why: "float32 with bias + relu",
    layout: "NHWC",
    mode: "float32",
    outDtype: "float32",
    c: 18,
    k: 9,
    h: 6,
    w: 6,
    epilogue: [{ op: "add", imm: 0, bias: "float32" }, { op: "max", imm: 0 }],
    schedules: [{ wide: true, blockM: 1 }],
  },
];

for (const cc of CASES) {
  Deno.test(`conv program equals the interpreter: ${cc.why}`, () => {
    const p = place(cc, 7);
    const chosen = chooseConvSchedule(REFERENCE_NPU, p.spec);
    assert(chosen !== undefined, "a schedule fits");
    check(p, chosen.schedule);
    for (const s of cc.schedules) {
      const kin = s.kin ?? chosen.schedule.kin;
      check(p, { ...chosen.schedule, chunk: 1, blockN: 1, kin, ...s });
    }
  });
}

/** conv2d 1×64×56×56, 3×3, pad 1, 64 filters, int8, as the npu codegen emits it. */
function resnetSpec(layout: "NCHW" | "NHWC"): ConvSpec {
  return place({ ...base, layout, c: 64, k: 64, h: 58, w: 58 }, 1).spec;
}

Deno.test("conv2d 1×64×56×56 3×3 int8 reaches ≥ 90% GEMM utilisation (simulated cycles)", () => {
  for (const layout of ["NCHW", "NHWC"] as const) {
    const spec = resnetSpec(layout);
    const c = chooseConvSchedule(REFERENCE_NPU, spec)!;
    const words = convProgram(REFERENCE_NPU, spec, c.schedule).streams;
    assertEquals(words.length, 1); // all weights stationary in one stream
    const r = simulateTiming(REFERENCE_NPU, words[0]);
    assertEquals(r.totalCycles, c.cycles);
    // padded tile MACs over peak; the problem's own MACs are 56·56·64·576
    assert(r.utilization >= 0.9, `${layout}: utilisation ${r.utilization}`);
    const useful = (56 * 56 * 64 * 576) / (r.peakMacsPerCycle * r.totalCycles);
    assert(useful >= 0.85, `${layout}: useful utilisation ${useful}`);
    // every weight byte is loaded once: 576·64
    assert(r.bytesLoaded < 576 * 64 + 64 * 58 * 58 * 9 * 1.2, `${layout}: ${r.bytesLoaded} bytes`);
  }
});

Deno.test("double buffering overlaps loads, GEMMs and stores: fewer cycles than serial", () => {
  for (const layout of ["NCHW", "NHWC"] as const) {
    const spec = resnetSpec(layout);
    const db = chooseConvSchedule(REFERENCE_NPU, spec, { doubleBuffer: true })!;
    const single = convCycles(REFERENCE_NPU, spec, { ...db.schedule, doubleBuffer: false });
    assert(db.cycles < single, `${layout}: ${db.cycles} vs ${single}`);
    const r = simulateTiming(
      REFERENCE_NPU,
      convProgram(REFERENCE_NPU, spec, db.schedule).streams[0],
    );
    const serial = r.busyCycles.load + r.busyCycles.compute + r.busyCycles.store;
    assert(r.totalCycles < 0.8 * serial, `${layout}: ${r.totalCycles} of ${serial} serial`);
  }
});

Deno.test("convProgram refuses operands the DMA cannot gather, and schedules that do not fit", () => {
  const p = place({ ...base, layout: "NCHW", c: 8, k: 8, h: 9, w: 9, stride: 2 }, 1);
  // NCHW at stride 2 with the channels on the tile columns: neither pixels nor channels contiguous
  const e = assertThrows(
    () =>
      convProgram(REFERENCE_NPU, p.spec, {
        kin: 0,
        wide: false,
        blockM: 1,
        chunk: 1,
        blockN: 1,
        doubleBuffer: true,
      }),
    NpuError,
  );
  assertEquals(e.code, "NPU_UNSUPPORTED");
  const q = place({ ...base, layout: "NHWC", c: 16, k: 16, h: 6, w: 6 }, 1);
  const f = assertThrows(
    () =>
      convProgram(REFERENCE_NPU, q.spec, {
        kin: 0,
        wide: true,
        blockM: 4096,
        chunk: 1,
        blockN: 1,
        doubleBuffer: true,
      }),
    NpuError,
  );
  assertEquals(f.code, "NPU_SCRATCHPAD_OVERFLOW");
});
