import { assert, assertEquals } from "../../ir/test_util.ts";
import { caseInputs, CONV_RESNET, matmulCase } from "../cases.ts";
import { relativeError } from "../harness.ts";
import { ortWeb, WorkerRpc } from "./ort_web.ts";
import { PeerUnavailable } from "./peer.ts";
import { tsLoop } from "./ts_loop.ts";

Deno.test("ortWeb: in its worker, 2 threads in force, results match ts-loop, runs self-timed", async () => {
  const impl = ortWeb(2);
  try {
    await impl.init();
    assertEquals(impl.threads(), 2);
    const c = matmulCase(5, 33, 12);
    const ins = caseInputs(c, 9);
    const p = await impl.prepare(c, ins);
    const t = await p.run();
    assert(typeof t === "object" && t.ms >= 0, `run() resolves to its own duration, got ${t}`);
    const ref = await tsLoop.prepare(c, ins);
    await ref.run();
    const err = relativeError(await p.result(), await ref.result());
    assert(err < 1e-5, `relative error ${err}`);
    await p.dispose();
    // A second case in the same worker: the session is replaced, the model is a conv.
    const small = { ...CONV_RESNET, id: "cv", inC: 3, outC: 2, h: 6, w: 5 };
    const cins = caseInputs(small, 2);
    const q = await impl.prepare(small, cins);
    await q.run();
    const cref = await tsLoop.prepare(small, cins);
    await cref.run();
    assert(relativeError(await q.result(), await cref.result()) < 1e-5);
    await q.dispose();
  } finally {
    await impl.close?.();
  }
});

Deno.test("WorkerRpc: a worker that does not answer in time is reported and terminated, not waited for", async () => {
  // Answers "init", never "run" (a hung peer).
  const src =
    `self.onmessage = (e) => { if (e.data.op === "init") self.postMessage({ ok: true, value: 1 }); };`;
  const rpc = new WorkerRpc(new URL(`data:application/javascript,${encodeURIComponent(src)}`), "p");
  try {
    assertEquals(await rpc.call({ op: "init", threads: 1 }, 10_000), 1);
    const t0 = performance.now();
    const e = await rpc.call({ op: "run" }, 200).then(() => undefined, (x) => x);
    assert(e instanceof PeerUnavailable && e.reason.includes("timed out"), `got ${e}`);
    assert(e.reason.includes('"run"') && performance.now() - t0 < 5_000);
    // Every later call fails at once with the same reason.
    const again = await rpc.call({ op: "result" }, 10_000).then(() => undefined, (x) => x);
    assert(again instanceof PeerUnavailable && again.reason.includes('did not answer "run"'));
  } finally {
    rpc.close();
  }
});
