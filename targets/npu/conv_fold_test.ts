import { assert, assertEquals } from "../../ir/test_util.ts";
import { add, int, mul, variable } from "../../ir/expr.ts";
import { simplify } from "../../ir/arith/mod.ts";
import { substitute } from "../../ir/transform/mod.ts";
import { foldView } from "./conv_fold.ts";
import type { PadKey } from "./pad_region.ts";

const nhwc: PadKey = {
  chip: "x",
  dtype: "int8",
  shape: [2, 5, 6, 8], // N, H, W, C
  before: [0, 1, 2, 0],
  after: [0, 0, 1, 0],
  block: "P",
};
// padded 2×6×9×8: strides 432, 72, 8, 1; X strides 240, 48, 8, 1

Deno.test("foldView: NHWC view at stride 2 with a batch variable, over the unpadded data", () => {
  const n = variable("n");
  // D[y, x, ry, rx, c]: y → h 2, x → w 2, ry → h 1, rx → w 1, c → c 1
  const v = foldView(nhwc, add(mul(n, int(432)), int(0)), [144, 16, 72, 8, 1])!;
  assertEquals(v.strides, [96, 16, 48, 8, 1]);
  assertEquals(v.shift, -(1 * 48 + 2 * 8)); // origin at h = −1, w = −2
  assertEquals(v.fold.dims.map((d) => [d.base, d.m, d.r, d.lo, d.hi]), [
    [0, [2, 0], [1, 0, 0], 1, 6],
    [0, [0, 2], [0, 1, 0], 2, 8],
  ]);
  // the batch moves X by its own stride
  const at = (k: number) => simplify(substitute(v.offset, new Map([[n, int(k)]])));
  assertEquals([at(0), at(1)].map((e) => (e.kind === "IntImm" ? e.value : NaN)), [0, 240]);
});

Deno.test("foldView refuses views a pad fold cannot express", () => {
  const h = variable("h");
  // a loop variable moving a padded coordinate
  assert(foldView(nhwc, mul(h, int(72)), [144, 16, 72, 8, 1]) === undefined);
  // a stride moving two coordinates at once (w + c)
  assert(foldView(nhwc, int(0), [144, 9, 72, 8, 1]) === undefined);
});
