import { assert, assertEquals } from "../ir/test_util.ts";
import { isPreempted, threadWaitClock, WAIT_FLOOR_MS } from "./preemption.ts";

Deno.test("threadWaitClock: a non-decreasing counter in ms where Linux has schedstat", () => {
  const wait = threadWaitClock();
  const a = wait();
  let x = 0;
  for (let i = 0; i < 1e6; i++) x += i;
  const b = wait();
  assert(x > 0);
  if (Deno.build.os === "linux" && a !== undefined) {
    assert(b !== undefined && b >= a && a >= 0, `${a} then ${b}`);
  } else assertEquals([a, b], [undefined, undefined]);
});

Deno.test("isPreempted: waits above the floor and the fraction of the run; unknown waits are not", () => {
  assert(isPreempted(7, 8), "a 7 ms run that waited 8 ms");
  assert(!isPreempted(7, WAIT_FLOOR_MS), "at the floor");
  assert(!isPreempted(100, 1.5), "1.5% of the run");
  assert(isPreempted(100, 2.5));
  assert(!isPreempted(5, undefined));
});
