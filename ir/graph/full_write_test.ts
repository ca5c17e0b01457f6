import { parseFunc } from "../script/mod.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sizeVar, sum } from "../te.ts";
import { assert, assertEquals } from "../test_util.ts";
import type { Buffer } from "../stmt.ts";
import type { PrimFunc } from "../func.ts";
import { fullWriteCondition, writesEveryElement } from "./full_write.ts";

const out = (f: PrimFunc): Buffer => f.params[f.params.length - 1] as Buffer;

Deno.test("writesEveryElement: an elementwise compute over symbolic sizes writes all", () => {
  const n = sizeVar("n");
  const a = placeholder([n, 4], "float32", "a");
  const b = compute([n, 4], ([i, j]) => a.at(i, j), "b");
  const f = createPrimFunc([a, b], "copy");
  assert(writesEveryElement(f, out(f)));
  assert(!writesEveryElement(f, f.params[0] as Buffer), "the input is never stored");
});

Deno.test("writesEveryElement: a reduction needs constant positive reduce extents", () => {
  const n = sizeVar("n");
  const a = placeholder([4, n], "float32", "a");
  const k = reduceAxis(n, "k");
  const s = compute([4], ([i]) => sum(a.at(i, k), [k]), "s");
  const f = createPrimFunc([a, s], "rowsum");
  assert(!writesEveryElement(f, out(f)), "n may be 0: the init may never run");
  assertEquals(fullWriteCondition(f, out(f)), [{ param: 0, dim: 1 }], "unless a's dim 1 > 0");
  const c = placeholder([4, 8], "float32", "c");
  const k8 = reduceAxis(8, "k");
  const t = compute([4], ([i]) => sum(c.at(i, k8), [k8]), "t");
  const g = createPrimFunc([c, t], "rowsum8");
  assert(writesEveryElement(g, out(g)));
});

Deno.test("writesEveryElement: partial, conditional or self-reading stores do not", () => {
  const partial = parseFunc(`func half(a: buffer<float32>[4], b: buffer<float32>[4]) {
  block root() {
    for i in 0..2 {
      block b(vi: spatial(0..2) = i) {
        reads(a[vi])
        writes(b[vi])
        b[vi] = a[vi]
      }
    }
  }
}`);
  assert(!writesEveryElement(partial, out(partial)));
  assertEquals(fullWriteCondition(partial, out(partial)), undefined);
  const guarded = parseFunc(`func guarded(a: buffer<float32>[4], b: buffer<float32>[4]) {
  block root() {
    for i in 0..4 {
      if a[i] > 0.0 {
        block b(vi: spatial(0..4) = i) {
          reads(a[vi])
          writes(b[vi])
          b[vi] = a[vi]
        }
      }
    }
  }
}`);
  assert(!writesEveryElement(guarded, out(guarded)));
  const accumulate = parseFunc(`func acc(a: buffer<float32>[4], b: buffer<float32>[4]) {
  block root() {
    for i in 0..4 {
      block b(vi: spatial(0..4) = i) {
        reads(a[vi], b[vi])
        writes(b[vi])
        b[vi] = b[vi] + a[vi]
      }
    }
  }
}`);
  assert(!writesEveryElement(accumulate, out(accumulate)));
});
