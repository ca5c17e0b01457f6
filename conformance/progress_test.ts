import { assert, assertEquals } from "../ir/test_util.ts";
import { createProgress } from "./progress.ts";

Deno.test("progress prints one plain line per finished case when not a terminal", () => {
  const written: string[] = [];
  const p = createProgress({ isTerminal: false, write: (t) => written.push(t) });
  p.update(1, 12, "x", 0);
  p.finished(1, 12, "matmul/float32/7x13_13x5", "passed", "0.01 ms");
  p.finished(10, 12, "relu/int8/4x11", "mismatch");
  p.done();
  assertEquals(written, [
    "[ 2/12] passed matmul/float32/7x13_13x5 (0.01 ms)\n",
    "[11/12] mismatch relu/int8/4x11\n",
  ]);
});

Deno.test("progress redraws one line with a bar, counts, failures and the case", () => {
  const written: string[] = [];
  const p = createProgress({ isTerminal: true, write: (t) => written.push(t), columns: 80 });
  p.update(2, 4, "matmul/float32/7x13x5", 1);
  p.finished(2, 4, "matmul/float32/7x13x5", "passed");
  assertEquals(written.length, 1, "nothing printed per case on a terminal");
  assert(written[0].startsWith("\r\x1b[2K["), JSON.stringify(written[0]));
  assert(written[0].includes("############------------] 2/4 (1 failed) matmul"), written[0]);
  p.done();
  assertEquals(written.at(-1), "\r\x1b[2K");
});
