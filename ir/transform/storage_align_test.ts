import { int, type PrimExpr, variable } from "../expr.ts";
import { parseFunc } from "../script/mod.ts";
import { assert, assertEquals } from "../test_util.ts";
import {
  alignedStrides,
  formatStorageAlign,
  parseStorageAlign,
  storageAlign,
} from "./storage_align.ts";
import { visit } from "../node.ts";
import type { Buffer } from "../stmt.ts";

const F = `func f(A: buffer<float32>[4, 6], C: buffer<float32>[4, 6]) {
  block root() {
    alloc B: buffer<float32>[4, 6]
    for i in 0..4 {
      for j in 0..6 {
        block B(vi: spatial(0..4) = i, vj: spatial(0..6) = j)ANN {
          reads(A[vi, vj])
          writes(B[vi, vj])
          B[vi, vj] = A[vi, vj]
        }
      }
    }
    for i in 0..4 {
      for j in 0..6 {
        block C(vi: spatial(0..4) = i, vj: spatial(0..6) = j) {
          reads(B[vi, vj])
          writes(C[vi, vj])
          C[vi, vj] = B[vi, vj]
        }
      }
    }
  }
}`;

const values = (xs: readonly PrimExpr[]) => xs.map((x) => (x.kind === "IntImm" ? x.value : NaN));

Deno.test("storage-align: strides are built innermost-out with the aligned axes padded", () => {
  assertEquals(values(alignedStrides([int(4), int(6)], new Map())), [6, 1]);
  assertEquals(values(alignedStrides([int(4), int(6)], new Map([[0, [8, 0]]]))), [8, 1]);
  assertEquals(values(alignedStrides([int(4), int(6)], new Map([[0, [8, 3]]]))), [11, 1]);
  // axis 1: 3 → 4 (4 %% 2 = 0); axis 0: 4·6 = 24 → 32 (32 %% 16 = 0)
  assertEquals(
    values(alignedStrides([int(2), int(6), int(3)], new Map([[1, [2, 0]], [0, [16, 0]]]))),
    [32, 4, 1],
  );
  const n = variable("n");
  assertEquals(alignedStrides([int(4), n], new Map([[0, [4, 0]]]))[1], int(1));
  const e = parseStorageAlign("0:1:32:8;1:0:4:0");
  assertEquals(e, [
    { bufferIndex: 0, axis: 1, factor: 32, offset: 8 },
    { bufferIndex: 1, axis: 0, factor: 4, offset: 0 },
  ]);
  assertEquals(formatStorageAlign(e), "0:1:32:8;1:0:4:0");
});

Deno.test("storage-align: the annotated block's allocated buffer gets strides everywhere", () => {
  const plain = parseFunc(F.replace("ANN", ""));
  assert(storageAlign.run(plain, { options: {} }) === plain);
  const f = parseFunc(F.replace("ANN", ` @{buffer_dim_align: "0:0:8:1"}`));
  const g = storageAlign.run(f, { options: {} });
  const strided = new Set<Buffer>();
  visit(g.body, (n) => {
    if ((n.kind === "BufferLoad" || n.kind === "BufferStore") && n.buffer.name === "B") {
      strided.add(n.buffer);
    }
  });
  assertEquals(strided.size, 1);
  assertEquals(values([...strided][0].strides), [9, 1]);
});
