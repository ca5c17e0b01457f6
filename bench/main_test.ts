import { assert, assertEquals } from "../ir/test_util.ts";
import type { Row } from "./harness.ts";
import { formatInt8Ratios } from "./main.ts";

Deno.test("formatInt8Ratios: one line per int8 case against the fastest fp32 1-thread kernel, naming the intrinsics", () => {
  const row = (c: string, impl: string, gflops: number, threads = 1, note?: string): Row => ({
    case: c,
    impl,
    role: "ours",
    threads,
    status: "ok",
    gflops,
    ...(note ? { note } : {}),
  });
  const rows: Row[] = [
    row("matmul_f32_64", "tessera", 30),
    row("matmul_f32_64", "tessera-default", 28),
    row("matmul_f32_64", "tessera", 50, 2),
    row("matmul_i8_64", "tessera-default", 54, 1, "on cpu.mma_i8"),
    row("matmul_u7i8_64", "tessera-default", 72, 1, "on-CPU time: busy; on cpu.mma_u7i8"),
  ];
  const lines = formatInt8Ratios(rows).split("\n");
  assertEquals(lines.length, 2);
  assertEquals(
    lines[0],
    "matmul_i8_64: int8 over fp32 (ours, 1T): 1.80× (54.0 GOP/s [tessera-default, on cpu.mma_i8] vs 30.0 [tessera])",
  );
  assert(
    lines[1].startsWith("matmul_u7i8_64: int8 over fp32 (ours, 1T): 2.40× (72.0 GOP/s"),
    lines[1],
  );
  assert(lines[1].includes("[tessera-default, on cpu.mma_u7i8]"), lines[1]);
  // without an fp32 row the ratio is a dash
  assert(formatInt8Ratios(rows.slice(3)).includes("—"));
});
