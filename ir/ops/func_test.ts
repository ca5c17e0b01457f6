import { assert, assertEquals } from "../test_util.ts";
import { placeholder } from "../te.ts";
import { randomNDArray } from "../ndarray.ts";
import { visit } from "../node.ts";
import { structuralEqual } from "../structural.ts";
import { add, exp } from "./elementwise.ts";
import { toPrimFunc, uniqueNames } from "./func.ts";
import { refBinary } from "./ref_elementwise.ts";
import { expectRun } from "./testing.ts";

function blockAndBufferNames(f: ReturnType<typeof toPrimFunc>): [string[], string[]] {
  const blocks: string[] = [];
  const buffers: string[] = [];
  visit(f, (n) => {
    if (n.kind === "Block") blocks.push(n.name);
    if (n.kind === "Buffer") buffers.push(n.name);
  });
  return [blocks, buffers];
}

Deno.test("an op used twice gets unique block and buffer names that match each other", () => {
  const a = placeholder([4], "float32", "A");
  const f = toPrimFunc("twice", [a], [add(add(a, 1), 2)]); // verified inside expectRun
  const x = randomNDArray("float32", [4], 1);
  expectRun(f, [x], [refBinary("add", refBinary("add", x, 1), 2)]);
  const [blocks, buffers] = blockAndBufferNames(f);
  assertEquals(blocks.sort(), ["T_add", "T_add_1", "root"]);
  assertEquals(new Set(buffers), new Set(["A", "T_add", "T_add_1"]));
  // Each block writes the buffer of its own name.
  visit(f, (n) => {
    if (n.kind === "Block" && n.name !== "root") assertEquals(n.writes[0].buffer.name, n.name);
  });
});

Deno.test("uniqueNames returns the function itself when names are already unique", () => {
  const a = placeholder([4], "float32", "A");
  const f = toPrimFunc("f", [a], [exp(add(a, 1))]);
  assert(uniqueNames(f) === f);
  assert(structuralEqual(f, toPrimFunc("f", [a], [exp(add(a, 1))])), "builds are deterministic");
});
