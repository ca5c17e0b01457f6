/**
 * `padEinsum` on convolutions: channels (plain-variable indices) are padded while the windowed
 * spatial reads stay as they are; a padded variable inside a compound index is refused.
 */
import type { PrimFunc } from "../../ir/func.ts";
import { conv2d } from "../../ir/ops/conv.ts";
import { toPrimFunc } from "../../ir/ops/func.ts";
import { parseFunc } from "../../ir/script/mod.ts";
import { placeholder } from "../../ir/te.ts";
import { assert } from "../../ir/test_util.ts";
import { verify } from "../../ir/verify.ts";
import { Schedule } from "../mod.ts";
import { assertEquivalent, assertScheduleError, assertTraceRoundTrip } from "../testing.ts";

const CONV =
  `func conv(data: buffer<float32>[1, 3, 4, 4], weight: buffer<float32>[5, 3, 2, 2], out: buffer<float32>[1, 5, 3, 3]) {
  block root() {
    for n in 0..1 {
      for oc in 0..5 {
        for y in 0..3 {
          for x in 0..3 {
            for rc in 0..3 {
              for ry in 0..2 {
                for rx in 0..2 {
                  block out(vn: spatial(0..1) = n, voc: spatial(0..5) = oc, vy: spatial(0..3) = y, vx: spatial(0..3) = x, vrc: reduce(0..3) = rc, vry: reduce(0..2) = ry, vrx: reduce(0..2) = rx) {
                    reads(out[vn, voc, vy, vx], data[vn, vrc, vy + vry, vx + vrx], weight[voc, vrc, vry, vrx])
                    writes(out[vn, voc, vy, vx])
                    init {
                      out[vn, voc, vy, vx] = 0.0
                    }
                    out[vn, voc, vy, vx] = out[vn, voc, vy, vx] + data[vn, vrc, vy + vry, vx + vrx] * weight[voc, vrc, vry, vrx]
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}`;

function allocShapes(f: PrimFunc): Map<string, string> {
  const root = f.body.kind === "BlockRealize" ? f.body.block : undefined;
  return new Map(
    (root?.allocBuffers ?? []).map((b) => [
      b.name,
      b.shape.map((d) => d.kind === "IntImm" ? d.value : "?").join("×"),
    ]),
  );
}

Deno.test("padEinsum: NCHW conv2d (script) with its channels padded, windows kept", () => {
  const f = parseFunc(CONV);
  const sch = new Schedule(f);
  const b = sch.getBlock("out");
  sch.padEinsum(b, [1, 4, 1, 1, 4, 1, 1]);
  verify(sch.func);
  const shapes = allocShapes(sch.func);
  assert(shapes.get("data_pad") === "1×4×4×4", `data_pad ${shapes.get("data_pad")}`);
  assert(shapes.get("weight_pad") === "8×4×2×2", `weight_pad ${shapes.get("weight_pad")}`);
  assert(shapes.get("out_pad") === "1×8×3×3", `out_pad ${shapes.get("out_pad")}`);
  const text = sch.show();
  assert(text.includes("data_pad[vn, vrc, vy + vry, vx + vrx]"), "the window is kept");
  assert(text.includes("voc: spatial(0..8)") && text.includes("vrc: reduce(0..4)"));
  assertEquivalent(f, sch.func, 2, { seeds: [1, 2, 3] });
  assertTraceRoundTrip(sch, f);
  assert(sch.trace.toScript().includes("sch.padEinsum(b0, [1, 4, 1, 1, 4, 1, 1]);"));
});

Deno.test("padEinsum: a padded spatial variable in a window widens the input copy", () => {
  const f = parseFunc(CONV);
  const sch = new Schedule(f);
  sch.padEinsum(sch.getBlock("out"), [1, 4, 4, 1, 4, 1, 1]);
  verify(sch.func);
  const shapes = allocShapes(sch.func);
  // vy in 0..4 (padded from 3), vry in 0..2: rows 0..4 of data, the last one zero
  assert(shapes.get("data_pad") === "1×4×5×4", `data_pad ${shapes.get("data_pad")}`);
  assert(shapes.get("out_pad") === "1×8×4×3", `out_pad ${shapes.get("out_pad")}`);
  assert(sch.show().includes("select(v1 < 3 && v2 < 4, data[v0, v1, v2, v3], 0.0)"));
  assertEquivalent(f, sch.func, 2, { seeds: [1, 2] });
  assertTraceRoundTrip(sch, f);
});

function opConv(layout: "NCHW" | "NHWC", groups = 1, dtype: "int8" | "float32" = "int8"): PrimFunc {
  const nchw = layout === "NCHW";
  const data = placeholder(nchw ? [1, 6, 5, 5] : [1, 5, 5, 6], dtype, "data");
  const oc = groups === 1 ? 5 : 6;
  const weight = placeholder(
    nchw ? [oc, 6 / groups, 3, 3] : [3, 3, 6 / groups, oc],
    dtype,
    "weight",
  );
  return toPrimFunc("conv", [data, weight], [
    conv2d(data, weight, {
      outDtype: dtype === "int8" ? "int32" : dtype,
      padding: 1,
      layout,
      groups,
    }),
  ]);
}

/** Padding per iteration variable of the conv block: 4 for output and input channels. */
function channelPadding(sch: Schedule, name: string, layout: "NCHW" | "NHWC"): number[] {
  const blk = sch.get(sch.getBlock(name));
  const oc = layout === "NCHW" ? 1 : 3;
  return blk.iterVars.map((iv, k) => (k === oc || iv.v.name === "vrc" ? 4 : 1));
}

for (const layout of ["NCHW", "NHWC"] as const) {
  Deno.test(`padEinsum: int8 ${layout} conv2d with pad 1 — channels padded, same results`, () => {
    const f = opConv(layout);
    const name = `T_conv2d_${layout.toLowerCase()}`;
    const sch = new Schedule(f);
    const b = sch.getBlock(name);
    const padding = channelPadding(sch, name, layout);
    assert(padding.filter((p) => p === 4).length === 2, `${padding}`);
    sch.padEinsum(b, padding);
    verify(sch.func);
    const blk = sch.get(b);
    for (const [k, iv] of blk.iterVars.entries()) {
      const e = iv.dom.extent;
      assert(e.kind === "IntImm" && e.value % padding[k] === 0, `${iv.v.name} padded`);
    }
    assertEquivalent(f, sch.func, 2, { seeds: [1, 2] });
    assertTraceRoundTrip(sch, f);
  });
}

Deno.test("padEinsum refuses a padded variable inside a compound index, leaving the schedule", () => {
  const f = parseFunc(CONV);
  const sch = new Schedule(f);
  const b = sch.getBlock("out");
  // ry, rx (reductions) are in data[.., vy + vry, vx + vrx]: padded, they would add real values
  assertScheduleError(
    sch,
    () => sch.padEinsum(b, [1, 1, 1, 1, 1, 1, 4]),
    "SCHEDULE_PAD_NOT_EINSUM",
  );
  assertScheduleError(
    sch,
    () => sch.padEinsum(b, [1, 4, 1, 1, 1, 4, 1]),
    "SCHEDULE_PAD_NOT_EINSUM",
  );
  // grouped: the input channel is ⌊oc / (O/groups)⌋ · Cg + rc. In float32, padding rc would
  // add weight 0 × data of the next group (NaN when that is ±∞), so it is refused …
  const gf = opConv("NCHW", 2, "float32");
  const s2 = new Schedule(gf);
  const cb = s2.getBlock("T_conv2d_nchw");
  const grouped = channelPadding(s2, "T_conv2d_nchw", "NCHW");
  assertScheduleError(s2, () => s2.padEinsum(cb, grouped), "SCHEDULE_PAD_NOT_EINSUM");
  // … while its output channels (spatial) can be padded
  const ocOnly = grouped.map((p, k) => (k === 1 ? p : 1));
  s2.padEinsum(cb, ocOnly);
  verify(s2.func);
  assertEquivalent(gf, s2.func, 2, { seeds: [1] });
  // in int8 → int32, 0 · x = 0 exactly: rc is padded too, the data copy widened
  const g = opConv("NCHW", 2);
  const s4 = new Schedule(g);
  s4.padEinsum(s4.getBlock("T_conv2d_nchw"), grouped);
  verify(s4.func);
  const blk = s4.get(s4.getBlock("T_conv2d_nchw"));
  assert(
    blk.iterVars.every((iv, k) =>
      iv.dom.extent.kind === "IntImm" && iv.dom.extent.value % grouped[k] === 0
    ),
  );
  assertEquivalent(g, s4.func, 2, { seeds: [1, 2] });
  // the same buffer dimension read at a padded variable and at something else
  const twice = parseFunc(
    CONV.replace(
      "weight[voc, vrc, vry, vrx])\n",
      "weight[voc, vrc, vry, vrx], weight[0, vrc, vry, vrx])\n",
    ).replace(
      "* weight[voc, vrc, vry, vrx]\n",
      "* (weight[voc, vrc, vry, vrx] + weight[0, vrc, vry, vrx])\n",
    ),
  );
  const s3 = new Schedule(twice);
  const b3 = s3.getBlock("out");
  assertScheduleError(s3, () => s3.padEinsum(b3, [1, 4, 1, 1, 1, 1, 1]), "SCHEDULE_PAD_NOT_EINSUM");
  s3.padEinsum(b3, [1, 1, 1, 1, 4, 1, 1]);
  verify(s3.func);
  assertEquivalent(twice, s3.func, 2, { seeds: [1] });
});
