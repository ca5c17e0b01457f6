import { assertEquals } from "../ir/test_util.ts";
import { nchwToNhwc, oihwToHwio } from "./layout.ts";

Deno.test("nchwToNhwc: moves channels last and back", () => {
  // [1, 2, 2, 2] NCHW: channel 0 = 0..3, channel 1 = 10..13.
  const x = new Float32Array([0, 1, 2, 3, 10, 11, 12, 13]);
  const t = nchwToNhwc(x, [1, 2, 2, 2]);
  assertEquals([...t], [0, 10, 1, 11, 2, 12, 3, 13]);
  assertEquals([...nchwToNhwc(t, [1, 2, 2, 2], true)], [...x]);
});

Deno.test("oihwToHwio: element [o,i,h,w] lands at [h,w,i,o]", () => {
  const [O, I, H, W] = [3, 2, 2, 2];
  const src = new Float32Array(O * I * H * W).map((_, k) => k);
  const out = oihwToHwio(src, [O, I, H, W]);
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      for (let h = 0; h < H; h++) {
        for (let w = 0; w < W; w++) {
          assertEquals(out[((h * W + w) * I + i) * O + o], src[((o * I + i) * H + h) * W + w]);
        }
      }
    }
  }
});
