import { assertEquals } from "../../ir/test_util.ts";
import { add, mul, variable } from "../../ir/expr.ts";
import { print } from "../../ir/script/mod.ts";
import { placeholder, sizeVar } from "../../ir/te.ts";
import * as ops from "../../ir/ops/mod.ts";
import { type BufferRegion, range } from "../../ir/stmt.ts";
import { Schedule } from "../mod.ts";
import { matmulFunc } from "../testing.ts";
import { analyzerFor } from "./bindings.ts";
import { findBlock } from "./find.ts";
import { accessRegions, consumersOf, producersOf } from "./regions.ts";
import { relaxExpr, relaxRegion } from "../../ir/transform/relax.ts";

Deno.test("producers and consumers through declared regions", () => {
  const n = sizeVar("n");
  const A = placeholder([n, 8], "float32", "A"), B = placeholder([8, 4], "float32", "B");
  const f = ops.toPrimFunc("mlp", [A, B], [ops.relu(ops.matmul(A, B))]);
  assertEquals(producersOf(f, "T_relu"), ["T_matmul"]);
  assertEquals(consumersOf(f, "T_matmul"), ["T_relu"]);
  assertEquals(producersOf(f, "T_matmul"), []);
  assertEquals(consumersOf(f, "T_relu"), []);
});

Deno.test("relaxing indices over loop ranges: affine, div/mod, fallback", () => {
  const i = variable("i"), j = variable("j"), o = variable("o");
  const f = matmulFunc();
  const ana = analyzerFor(f);
  const vars = new Map([[i, range(0, 4)], [j, range(0, 8)]]);
  const show = (e: ReturnType<typeof add>) => {
    const r = relaxExpr(e, vars, ana)!;
    return `${print(r.lo)}..${print(r.hi)}`;
  };
  assertEquals(show(add(mul(o, 32), add(mul(i, 8), j))), "o * 32..o * 32 + 31");
  assertEquals(show(add(o, mul(i, -2))), "o - 6..o");
  assertEquals(
    show({
      kind: "Binary",
      op: "floordiv",
      dtype: "int32",
      a: j,
      b: { kind: "IntImm", dtype: "int32", value: 4 },
    }),
    "0..1",
  );
  const A = placeholder([64, 64], "float32", "A").buffer;
  const r = relaxRegion(
    { kind: "BufferRegion", buffer: A, region: [range(add(mul(o, 4), i), 1), range(j, 1)] },
    vars,
    ana,
  );
  assertEquals(r.region.map((x) => `${print(x.min)}+:${print(x.extent)}`), ["o * 4+:4", "0+:8"]);
});

Deno.test("access regions recomputed from a block body match the DSL's, and cover the loops after tiling", () => {
  const f = matmulFunc();
  const c = findBlock(f, "C")!.block;
  const ana = analyzerFor(f);
  const { reads, writes } = accessRegions(c, ana);
  const text = (rs: readonly BufferRegion[]) => rs.map((r) => print(r)).sort();
  assertEquals(text(reads), text(c.reads));
  assertEquals(text(writes), text(c.writes));
  // the root block's regions: whole buffers over its loops
  const sch = new Schedule(f);
  const [i] = sch.getLoops(sch.getBlock("C"));
  sch.split(i, [undefined, 4]);
  const root = findBlock(sch.func, "root")!.block;
  const rr = accessRegions(root, analyzerFor(sch.func));
  // predicates are not used: the guarded tail rounds up to whole tiles (a known over-approximation)
  assertEquals(text(rr.writes), ["C[0..(n + 3) // 4 * 4, 0..12]"]);
  sch.split(sch.getLoops(sch.getBlock("C"))[2], [4, 3]);
  const r2 = accessRegions(findBlock(sch.func, "root")!.block, analyzerFor(sch.func));
  assertEquals(text(r2.reads).find((s) => s.startsWith("B")), "B[0..16, 0..12]");
});
