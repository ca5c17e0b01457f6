import { assert, assertEquals, assertThrows } from "./test_util.ts";
import { add, and, cast, ge, lt, mul, select, sub, variable } from "./expr.ts";
import { compute, createPrimFunc, maxReduce, placeholder, reduceAxis, sizeVar, sum } from "./te.ts";
import { sizeVars } from "./func.ts";
import { verify } from "./verify.ts";
import { structuralEqual } from "./structural.ts";
import { IRTypeError } from "./errors.ts";
import type { Block, BlockRealize, For, SeqStmt } from "./stmt.ts";

function matmul(dtype = "float32") {
  const n = sizeVar("n");
  const A = placeholder([n, 16], dtype, "A");
  const B = placeholder([16, 8], dtype, "B");
  const k = reduceAxis(16, "k");
  const C = compute([n, 8], ([i, j]) => sum(mul(A.at(i, k), B.at(k, j)), [k]), "C");
  return createPrimFunc([A, B, C], "matmul");
}

Deno.test("compute with a reduction builds one block with init inside its loop nest", () => {
  const f = matmul();
  verify(f);
  assertEquals(sizeVars(f).map((v) => v.name), ["n"]);
  const root = (f.body as BlockRealize).block;
  assertEquals(root.name, "root");
  const i = root.body as For;
  const j = i.body as For;
  const k = j.body as For;
  assertEquals([i.loopVar.name, j.loopVar.name, k.loopVar.name], ["i", "j", "k"]);
  assertEquals(i.extent.kind, "Var");
  const blk = (k.body as BlockRealize).block;
  assertEquals(blk.name, "C");
  assertEquals(blk.iterVars.map((iv) => iv.iterKind), ["spatial", "spatial", "reduce"]);
  assert(blk.init !== undefined);
  assertEquals(blk.reads.map((r) => r.buffer.name).sort(), ["A", "B", "C"]);
  assertEquals(blk.writes.map((r) => r.buffer.name), ["C"]);
});

Deno.test("the same DSL program builds structurally equal functions", () => {
  assert(structuralEqual(matmul(), matmul()));
  assert(!structuralEqual(matmul(), matmul("float16")));
});

Deno.test("intermediate tensors become allocations of the root block", () => {
  const A = placeholder([8, 8], "float32", "A");
  const k = reduceAxis(8, "k");
  const M = compute([8], ([i]) => maxReduce(A.at(i, k), [k]), "M");
  const S = compute([8, 8], ([i, j]) => sub(A.at(i, j), M.at(i)), "S");
  const f = createPrimFunc([A, S], "shift");
  verify(f);
  const root = (f.body as BlockRealize).block as Block;
  assertEquals(root.allocBuffers.map((b) => b.name), ["M"]);
  assertEquals((root.body as SeqStmt).seq.length, 2);
});

Deno.test("padding with a lazy select and casts", () => {
  const n = sizeVar("n");
  const A = placeholder([n], "int8", "A");
  const P = compute(
    [add(n, 2)],
    ([i]) => select(and(ge(i, 1), lt(i, add(n, 1))), cast("int32", A.at(sub(i, 1))), 0),
    "P",
  );
  const f = createPrimFunc([A, P], "pad");
  verify(f);
  assertEquals(P.dtype, "int32");
});

Deno.test("DSL mistakes are typed errors", () => {
  const A = placeholder([4], "float32", "A");
  const B = compute([4], ([i]) => add(A.at(i), 1), "B");
  const e = assertThrows(() => createPrimFunc([B], "f"), IRTypeError);
  assertEquals(e.code, "MISSING_PARAM");
  assertEquals(
    assertThrows(() => createPrimFunc([A], "f"), IRTypeError).code,
    "NOTHING_TO_COMPUTE",
  );
  assertEquals(
    assertThrows(() => compute([4], ([i]) => A.at(i), "C", { dtype: "int32" }), IRTypeError).code,
    "DTYPE_MISMATCH",
  );
  assertEquals(assertThrows(() => sum(A.at(variable("i")), []), IRTypeError).code, "BAD_REDUCE");
});
