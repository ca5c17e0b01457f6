import { assert, assertEquals } from "./test_util.ts";
import { add, bufferLoad, float, int, variable } from "./expr.ts";
import { firstMismatch, structuralEqual, structuralHash } from "./structural.ts";
import { bufferStore, decl, forLoop, seq } from "./stmt.ts";
import { primFunc } from "./func.ts";

function copyLoop(name: string, n: number, value: number) {
  const i = variable(name);
  const A = decl(`A_${name}`, [n]);
  const B = decl(`B_${name}`, [n]);
  const body = forLoop(i, 0, n, bufferStore(B, add(bufferLoad(A, [i]), float(value)), [i]));
  return primFunc("copy", [A, B], body);
}

Deno.test("equality ignores variable and buffer names, not structure", () => {
  assert(structuralEqual(copyLoop("i", 8, 1), copyLoop("j", 8, 1)));
  assert(!structuralEqual(copyLoop("i", 8, 1), copyLoop("i", 9, 1)));
  assert(!structuralEqual(copyLoop("i", 8, 1), copyLoop("i", 8, 2)));
  assertEquals(structuralHash(copyLoop("i", 8, 1)), structuralHash(copyLoop("k", 8, 1)));
  assert(structuralHash(copyLoop("i", 8, 1)) !== structuralHash(copyLoop("i", 8, 2)));
});

Deno.test("equality respects which variable goes where", () => {
  const i = variable("i");
  const j = variable("j");
  const A = decl("A", [4, 4]);
  const s1 = forLoop(i, 0, 4, forLoop(j, 0, 4, bufferStore(A, float(0), [i, j])));
  const s2 = forLoop(i, 0, 4, forLoop(j, 0, 4, bufferStore(A, float(0), [j, i])));
  assert(!structuralEqual(s1, s2));
  const m = firstMismatch(s1, s2);
  assertEquals(m?.pathA, "$.body.body.indices[0]");
  assert(structuralHash(s1) !== structuralHash(s2));
});

Deno.test("equality tells two buffers apart even with equal fields", () => {
  const i = variable("i");
  const A = decl("A", [4]);
  const B = decl("B", [4]);
  const twoBuffers = seq([bufferStore(A, float(0), [i]), bufferStore(B, float(0), [i])]);
  const oneBuffer = seq([bufferStore(A, float(0), [i]), bufferStore(A, float(0), [i])]);
  assert(!structuralEqual(twoBuffers, oneBuffer));
});

Deno.test("firstMismatch names the differing field", () => {
  const m = firstMismatch(add(variable("x"), int(1)), add(variable("x", "int8"), int(1, "int8")));
  assert(m !== undefined);
  assertEquals(m.pathA, "$.dtype");
  assertEquals(m.reason, "int32 vs int8");
});
