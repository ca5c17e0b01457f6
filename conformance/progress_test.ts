import { assert, assertEquals } from "../ir/test_util.ts";
import { createProgress } from "./progress.ts";

Deno.test("progress is silent when not a terminal", () => {
  const written: string[] = [];
  const p = createProgress({ isTerminal: false, write: (t) => written.push(t) });
  p.update(1, 4, "x", 0);
  p.done();
  assertEquals(written, []);
});

Deno.test("progress redraws one line with a bar, counts, failures and the case", () => {
  const written: string[] = [];
  const p = createProgress({ isTerminal: true, write: (t) => written.push(t), columns: 80 });
  p.update(2, 4, "matmul/float32/7x13x5", 1);
  assert(written[0].startsWith("\r\x1b[2K["), JSON.stringify(written[0]));
  assert(written[0].includes("############------------] 2/4 (1 failed) matmul"), written[0]);
  p.done();
  assertEquals(written.at(-1), "\r\x1b[2K");
});
