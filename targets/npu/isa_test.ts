import { assert, assertEquals, assertThrows } from "../../ir/test_util.ts";
import { defineNpuConfig, REFERENCE_NPU, tileCapacity } from "./config.ts";
import { disassemble, disassembleWords } from "./disasm.ts";
import { NpuError } from "./errors.ts";
import {
  COMMAND_WORDS,
  decodeCommand,
  encodeCommand,
  NO_DEPS,
  type NpuCommand,
  queueOf,
} from "./isa.ts";

const ALL: NpuCommand[] = [
  {
    op: "load",
    buffer: "weight",
    dtype: "float16",
    address: 0xfffff000,
    rows: 70,
    cols: 50,
    rowStride: 64,
    padTop: 1,
    padBottom: 9,
    padLeft: 2,
    padRight: 12,
    base: 7,
    tileRowStride: 4,
    transpose: true,
    deps: { ...NO_DEPS, popNext: true, pushNext: true },
  },
  {
    op: "store",
    buffer: "acc",
    dtype: "int8",
    address: 4096,
    rows: 3,
    cols: 5,
    rowStride: 5,
    padTop: 1,
    padBottom: 0,
    padLeft: 2,
    padRight: 0,
    base: 3,
    tileRowStride: 1,
    transpose: false,
    deps: { ...NO_DEPS, popPrev: true, pushPrev: true },
  },
  {
    op: "gemm",
    mode: "int8",
    reset: true,
    accBase: 1,
    inpBase: 2,
    wgtBase: 3,
    extents: [7, 4, 5],
    accFactors: [4, 1, 0],
    inpFactors: [5, 0, 1],
    wgtFactors: [0, 1, 4],
    deps: { popPrev: true, popNext: true, pushPrev: true, pushNext: true },
  },
  {
    op: "alu",
    alu: "max",
    mode: "float32",
    useImm: true,
    imm: -0.5,
    dstBase: 9,
    srcBase: 0,
    extents: [28, 1, 1],
    dstFactors: [1, 0, 0],
    srcFactors: [0, 0, 0],
    deps: NO_DEPS,
  },
  {
    op: "alu",
    alu: "requant",
    mode: "int8",
    useImm: false,
    imm: 0,
    dstBase: 0,
    srcBase: 4,
    extents: [2, 3, 1],
    dstFactors: [3, 1, 0],
    srcFactors: [0, 0, -1],
    deps: NO_DEPS,
  },
  { op: "nop", queue: "store", deps: { ...NO_DEPS, pushPrev: true } },
  { op: "finish", deps: { ...NO_DEPS, popNext: true } },
];

Deno.test("every command survives encode → decode, and disassembles", () => {
  const w = new Int32Array(ALL.length * COMMAND_WORDS);
  ALL.forEach((c, i) => encodeCommand(c, w, i * COMMAND_WORDS));
  ALL.forEach((c, i) => assertEquals(decodeCommand(w, i), c));
  assertEquals(disassembleWords(w).split("\n"), [
    "   0  LOAD.float16 weight[7 +4/row] <- g[0xfffff000] 70x50 stride 64 pad 1,9,2,12 transpose ; pop-next push-next",
    "   1  STORE.int8 g[0x1000] 3x5 stride 5 <- acc[3 +1/row] skip 1,2 ; pop-prev push-prev",
    "   2  GEMM.int8 reset acc[1] inp[2] wgt[3] loops 7x4x5 acc 4,1,0 inp 5,0,1 wgt 0,1,4 ; pop-prev pop-next push-prev push-next",
    "   3  ALU.float32 max acc[9] imm -0.5 loops 28x1x1 dst 1,0,0",
    "   4  ALU.int8 requant acc[0] acc[4] loops 2x3x1 dst 3,1,0 src 0,0,-1",
    "   5  NOP store ; push-prev",
    "   6  FINISH ; pop-next",
  ]);
  assertEquals(ALL.map(queueOf), [
    "load",
    "store",
    "compute",
    "compute",
    "compute",
    "store",
    "compute",
  ]);
  assertEquals(w[0], 1 | 32 | 128 | (1 << 8) | (2 << 12) | (1 << 16)); // documented header layout
});

Deno.test("malformed words do not decode", () => {
  const bad = (mutate: (w: Int32Array) => void, includes: string) => {
    const w = new Int32Array(COMMAND_WORDS);
    encodeCommand(ALL[2], w, 0);
    mutate(w);
    const e = assertThrows(() => decodeCommand(w, 0), NpuError, includes);
    assertEquals(e.code, "NPU_BAD_COMMAND");
  };
  bad((w) => w[0] = 0, "unknown opcode 0");
  bad((w) => w[0] |= 1 << 20, "reserved header bits");
  bad((w) => w[0] = (w[0] & ~0xf000) | (7 << 12), "unknown mode code 7");
  bad((w) => w[5] = -1, "extent 1 is negative");
  const load = new Int32Array(COMMAND_WORDS);
  encodeCommand(ALL[0], load, 0);
  load[12] = 1;
  assertThrows(() => decodeCommand(load, 0), NpuError, "reserved word 12 of LOAD");
  encodeCommand({ ...ALL[0], deps: { ...NO_DEPS, popPrev: true } } as NpuCommand, load, 0);
  assertThrows(() => decodeCommand(load, 0), NpuError, "load queue has no previous module");
  encodeCommand({ ...ALL[1], deps: { ...NO_DEPS, pushNext: true } } as NpuCommand, load, 0);
  assertThrows(() => decodeCommand(load, 0), NpuError, "store queue has no next module");
  assertThrows(() => decodeCommand(new Int32Array(8), 0), NpuError, "ends inside it");
  assert(disassemble(ALL[6]) === "FINISH ; pop-next");
});

Deno.test("configs are checked field by field", () => {
  const bad = (patch: Record<string, unknown>, path: string) => {
    const e = assertThrows(
      () => defineNpuConfig({ ...REFERENCE_NPU, ...patch } as typeof REFERENCE_NPU),
      NpuError,
    );
    assertEquals([e.code, e.path], ["NPU_BAD_CONFIG", `npu "${REFERENCE_NPU.name}" / ${path}`]);
  };
  bad({ gemm: { ...REFERENCE_NPU.gemm, blockIn: 0 } }, "gemm.blockIn");
  bad({ modes: ["int4"] }, "modes");
  bad({
    scratchpads: { ...REFERENCE_NPU.scratchpads, acc: { capacityBytes: 1000, alignmentBytes: 3 } },
  }, "scratchpads.acc.alignmentBytes");
  bad({
    scratchpads: { ...REFERENCE_NPU.scratchpads, input: { capacityBytes: 100, alignmentBytes: 4 } },
  }, "scratchpads.input.capacityBytes");
  bad({ dma: { bytesPerCycle: 0, latencyCycles: 1 } }, "dma.bytesPerCycle");
  bad({ alu: { lanes: 1.5 } }, "alu.lanes");
  assertEquals(defineNpuConfig(REFERENCE_NPU), REFERENCE_NPU);
  assertEquals(
    [
      tileCapacity(REFERENCE_NPU, "input", 1),
      tileCapacity(REFERENCE_NPU, "weight", 4),
      tileCapacity(REFERENCE_NPU, "acc", 1),
    ],
    [512, 128, 256],
  );
});
