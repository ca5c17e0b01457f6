import { assert, assertEquals } from "../../ir/test_util.ts";
import { REFERENCE_NPU } from "./config.ts";
import { requantInt, shiftInt } from "./exec.ts";
import type { AluOp, NpuDType } from "./isa.ts";
import { NpuProgramBuilder } from "./program.ts";
import { simulate } from "./simulator.ts";
import { GlobalMemory } from "./test_harness.ts";

Deno.test("shift: positive amounts floor-divide, negative ones multiply and wrap", () => {
  assertEquals([shiftInt(-7, 1), shiftInt(7, 1), shiftInt(-1, 5), shiftInt(5, 0)], [-4, 3, -1, 5]);
  assertEquals([shiftInt(-5, 31), shiftInt(5, 40), shiftInt(-5, 40)], [-1, 0, -1]);
  assertEquals([shiftInt(3, -2), shiftInt(0x40000000, -1), shiftInt(7, -32)], [12, -2147483648, 0]);
});

Deno.test("requant: round half up, saturate to int8, negative shifts saturate too", () => {
  // x / 2^s rounded to nearest, ties toward +∞
  assertEquals([requantInt(5, 1), requantInt(-5, 1), requantInt(6, 2), requantInt(-6, 2)], [
    3,
    -2,
    2,
    -1,
  ]);
  assertEquals([requantInt(127 * 256 + 127, 8), requantInt(127 * 256 + 128, 8)], [127, 127]);
  assertEquals([requantInt(-128 * 256 - 128, 8), requantInt(-128 * 256 - 129, 8)], [-128, -128]);
  assertEquals([requantInt(2147483647, 1), requantInt(-2147483648, 1)], [127, -128]);
  assertEquals([requantInt(2147483647, 31), requantInt(-2147483648, 31)], [1, -1]);
  assertEquals([requantInt(2147483647, 32), requantInt(-2147483648, 40)], [0, 0]);
  assertEquals([requantInt(3, -5), requantInt(4, -5), requantInt(-5, -5), requantInt(1, -100)], [
    96,
    127,
    -128,
    127,
  ]);
  assertEquals([requantInt(-42, 0), requantInt(300, 0)], [-42, 127]);
});

/** Run one ALU op over an accumulator tile loaded from `x` (and a second tile from `y`). */
function aluRun(
  op: AluOp,
  dtype: NpuDType,
  x: number[],
  operand: { imm: number } | { tensor: number[] },
): number[] {
  const mem = new GlobalMemory();
  const float = dtype === "float32";
  const mode = float ? "float32" : "int8";
  const xa = mem.alloc(256, dtype), ya = mem.alloc(256, dtype), out = mem.alloc(256, dtype);
  mem.write(xa, dtype, x);
  const p = new NpuProgramBuilder(REFERENCE_NPU);
  const tile = (address: number, base: number) =>
    p.load("acc", {
      dtype,
      address,
      rows: 1,
      cols: x.length,
      base,
      pad: { bottom: 15, right: 16 - x.length },
    });
  tile(xa, 0);
  if ("tensor" in operand) {
    mem.write(ya, dtype, operand.tensor);
    tile(ya, 1);
    p.alu({ op, mode, dst: 0, src: 1, loops: [], deps: { pushNext: true } });
  } else p.alu({ op, mode, dst: 0, imm: operand.imm, loops: [], deps: { pushNext: true } });
  p.store({ dtype, address: out, rows: 1, cols: x.length, base: 0, deps: { popPrev: true } });
  p.finish();
  simulate(REFERENCE_NPU, p.build(), mem.bytes);
  return mem.read(out, dtype, x.length);
}

const I32 = [-2147483648, -129, -1, 0, 1, 127, 40000, 2147483647];

Deno.test("int ALU ops with immediates wrap like int32", () => {
  assertEquals(aluRun("add", "int32", I32, { imm: 1 }), [
    -2147483647,
    -128,
    0,
    1,
    2,
    128,
    40001,
    -2147483648,
  ]);
  assertEquals(aluRun("mul", "int32", I32, { imm: 65536 }), I32.map((v) => Math.imul(v, 65536)));
  assertEquals(aluRun("max", "int32", I32, { imm: 0 }), I32.map((v) => Math.max(v, 0))); // relu
  assertEquals(aluRun("min", "int32", I32, { imm: -1 }), I32.map((v) => Math.min(v, -1)));
  assertEquals(aluRun("mov", "int32", I32, { imm: 7 }), I32.map(() => 7));
  assertEquals(aluRun("shr", "int32", I32, { imm: 4 }), I32.map((v) => v >> 4));
  assertEquals(aluRun("requant", "int32", I32, { imm: 8 }), [-128, -1, 0, 0, 0, 0, 127, 127]);
});

Deno.test("int ALU ops with a tensor operand: per-element shift amounts", () => {
  const x = [1000, -1000, 1000, -1000, 77, 5, -5, 1];
  const s = [0, 0, 3, 3, -1, 1, 1, -40];
  assertEquals(aluRun("shr", "int32", x, { tensor: s }), x.map((v, i) => shiftInt(v, s[i])));
  assertEquals(aluRun("requant", "int32", x, { tensor: s }), [
    127,
    -128,
    125,
    -125,
    127,
    3,
    -2,
    127,
  ]);
  assertEquals(aluRun("add", "int32", x, { tensor: s }), x.map((v, i) => v + s[i]));
});

Deno.test("float ALU ops round to float32 and propagate NaN in max/min", () => {
  const x = [1.5, -2.25, NaN, 1e38, -0, 3];
  assertEquals(
    aluRun("add", "float32", x, { imm: 0.1 }),
    x.map((v) => Math.fround(v + Math.fround(0.1))),
  );
  assertEquals(aluRun("mul", "float32", x, { imm: 10 }), x.map((v) => Math.fround(v * 10)));
  const relu = aluRun("max", "float32", x, { imm: 0 });
  assertEquals(relu.slice(0, 2), [1.5, 0]);
  assert(Number.isNaN(relu[2]));
  assertEquals(aluRun("min", "float32", x, { tensor: [2, 2, 2, 2, 2, NaN] }).map(String), [
    "1.5",
    "-2.25",
    "NaN",
    "2",
    "0",
    "NaN",
  ]);
});
