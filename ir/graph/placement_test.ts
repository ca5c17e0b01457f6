import { assert, assertEquals, assertThrows } from "../test_util.ts";
import { type NDArray, ndarray, randomNDArray } from "../ndarray.ts";
import { type Backend, interpreterBackend } from "./backend.ts";
import { GraphBuilder } from "./builder.ts";
import { GraphError } from "./errors.ts";
import { GraphExecutor } from "./executor.ts";
import type { GraphModule } from "./ir.ts";
import { legalize } from "./legalize.ts";
import { parseGraphModule } from "./parse.ts";
import { PlacedExecutor } from "./placed_executor.ts";
import { COPY_EXTERNS, place, placementProblems, TARGET_ATTR } from "./placement.ts";
import { printGraphFunc, printGraphModule } from "./print.ts";
import { graphFirstMismatch } from "./structural.ts";

/** relu on one target, softmax and exp reading it, a tuple result. */
function graph(): GraphModule {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n", 4]);
  const h = b.relu(x, "h");
  const s = b.op("softmax", [h], { axis: 1 }, "s");
  const e = b.op("exp", [b.add(h, b.constant(ndarray("float32", [4], [1, 2, 3, 4]), "c"), "a")]);
  b.output(b.tuple([s, e], "out"));
  return legalize.run(b.finish());
}

const onNpu = (names: string[]) => (b: { v: { name: string } }) =>
  names.includes(b.v.name) ? "npu" : undefined;

/**
 * An interpreter backend whose tensors remember it: a kernel handed a tensor of another backend
 * fails, so a copy the module does not show would be caught.
 */
function strictBackend(name: string, log: string[]): Backend {
  const base = interpreterBackend();
  const mine = new WeakSet<object>();
  const own = <T extends object>(t: T) => (mine.add(t), t);
  return {
    name,
    prepare: async (f) => {
      const run = await base.prepare(f);
      return (args) => {
        args.forEach((a, k) => assert(mine.has(a), `${name}: ${f.name} arg ${k} is not mine`));
        log.push(`${name}:${f.name}`);
        return run(args);
      };
    },
    upload: (a) => own(ndarray(a.dtype, a.shape, a.data)),
    allocate: (shape, dtype) => own(base.allocate(shape, dtype) as NDArray),
    view: (t, shape) => {
      assert(mine.has(t), `${name}: a view of a tensor that is not mine`);
      return own(base.view(t, shape) as NDArray);
    },
    download: (t) => {
      assert(mine.has(t), `${name}: download of a tensor that is not mine`);
      return Promise.resolve(t as NDArray);
    },
    free: () => {},
  };
}

Deno.test("place: copies are explicit bindings where tensors cross targets", () => {
  const mod = place(graph(), { home: "cpu", assign: onNpu(["h", "a"]) });
  const text = printGraphFunc(mod.graphs.get("main")!, { maxConstantElements: 0 });
  assertEquals(
    text,
    `graph main(x: tensor<float32>[n, 4]) @ {target: "cpu"} {
  dataflow {
    x_npu: tensor<float32>[n, 4] = call_extern "tessera.device_copy"(x) {from: "cpu", to: "npu"}
    h: tensor<float32>[n, 4] = call_tir relu(x_npu)
    h_cpu: tensor<float32>[n, 4] = call_extern "tessera.device_copy"(h) {from: "npu", to: "cpu"}
    s: tensor<float32>[n, 4] = call_tir softmax(h_cpu)
    a: tensor<float32>[n, 4] = call_tir add(h, const c<float32>[4](…))
    a_cpu: tensor<float32>[n, 4] = call_extern "tessera.device_copy"(a) {from: "npu", to: "cpu"}
    exp_0: tensor<float32>[n, 4] = call_tir exp(a_cpu)
    out: (tensor<float32>[n, 4], tensor<float32>[n, 4]) = tuple(s, exp_0)
  }
  return out
}`,
  );
  assertEquals(mod.tir.functions.get("relu")!.attrs[TARGET_ATTR], "npu");
  assertEquals(mod.tir.functions.get("exp")!.attrs[TARGET_ATTR], "cpu");
  assertEquals(placementProblems(mod), []);
  // the placed module is script text like any other
  const back = parseGraphModule(printGraphModule(mod));
  assertEquals(graphFirstMismatch(back, mod), undefined);
});

Deno.test("place: a result on another target comes home; a callee on two targets is cloned", () => {
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n"]);
  b.output(b.relu(b.relu(x, "r1"), "r2"));
  const mod = place(legalize.run(b.finish()), { home: "cpu", assign: onNpu(["r2"]) });
  const text = printGraphFunc(mod.graphs.get("main")!);
  assert(text.includes("r2: tensor<float32>[n] = call_tir relu_npu(r1_npu)"), text);
  assert(text.includes('r2_cpu: tensor<float32>[n] = call_extern "tessera.device_copy"(r2)'), text);
  assert(text.includes("return r2_cpu"), text);
  assertEquals(mod.tir.functions.get("relu")!.attrs[TARGET_ATTR], "cpu");
  assertEquals(mod.tir.functions.get("relu_npu")!.attrs[TARGET_ATTR], "npu");
});

Deno.test("PlacedExecutor: two strict backends equal the one-backend run; the profile names targets", async () => {
  const log: string[] = [];
  const mod = place(graph(), { home: "cpu", assign: onNpu(["h", "a"]) });
  const ex = new PlacedExecutor(mod, {
    backends: { cpu: strictBackend("cpu", log), npu: strictBackend("npu", log) },
  });
  const plain = new GraphExecutor(graph(), { passes: [] });
  for (const n of [1, 5]) {
    const x = randomNDArray("float32", [n, 4], n);
    const got = await ex.run([x]);
    const want = await plain.run([x]);
    assertEquals(got.map((t) => [...t.data]), want.map((t) => [...t.data]));
  }
  assertEquals(log.slice(0, 4), ["npu:relu", "cpu:softmax", "npu:add", "cpu:exp"]);
  const steps = ex.lastProfile().map((s) => `${s.binding}:${s.kind}@${s.target}`);
  assertEquals(steps, [
    "x_npu:copy@cpu->npu",
    "h:kernel@npu",
    "h_cpu:copy@npu->cpu",
    "s:kernel@cpu",
    "a:kernel@npu",
    "a_cpu:copy@npu->cpu",
    "exp_0:kernel@cpu",
  ]);
  assertEquals(ex.compiledCount, 4);
  // the placed module also runs on one backend, each copy the identity
  const one = new GraphExecutor(mod, { passes: [], externs: COPY_EXTERNS });
  const x = randomNDArray("float32", [3, 4], 9);
  assertEquals(
    (await one.run([x])).map((t) => [...t.data]),
    (await ex.run([x])).map((t) => [...t.data]),
  );
});

Deno.test("PlacedExecutor: a tensor crossing targets without a copy is refused", () => {
  const mod = place(graph(), { home: "cpu", assign: onNpu(["h"]) });
  // drop the copies: h (on npu) is then read directly by softmax (on cpu)
  const f = mod.graphs.get("main")!;
  const h = f.blocks[0].bindings.find((b) => b.v.name === "h")!;
  const x = f.params[0];
  const blocks = f.blocks.map((blk) => ({
    ...blk,
    bindings: blk.bindings.filter((b) => !b.v.name.endsWith("_npu") && b.v.name !== "h_cpu")
      .map((b) => {
        if (b.value.kind !== "CallTIR") return b;
        const args = b.value.args.map((a) => a.name === "x_npu" ? x : a.name === "h_cpu" ? h.v : a);
        return { ...b, value: { ...b.value, args } };
      }),
  }));
  const broken = { ...mod, graphs: new Map([["main", { ...f, blocks }]]) };
  const problems = placementProblems(broken);
  assertEquals(problems.length, 3, problems.join("\n"));
  assert(problems[0].includes('reads "x" on "npu"'), problems[0]);
  const e = assertThrows(
    () =>
      new PlacedExecutor(broken, {
        backends: { cpu: interpreterBackend(), npu: interpreterBackend() },
      }),
    GraphError,
  );
  assertEquals(e.code, "GRAPH_PLACEMENT");
  const e2 = assertThrows(
    () => new PlacedExecutor(mod, { backends: { cpu: interpreterBackend() } }),
    GraphError,
    'no backend for target "npu"',
  );
  assertEquals(e2.code, "GRAPH_PLACEMENT");
});

Deno.test("PlacedExecutor: intermediates are views of storages of their own target; copies are freed after their last use", async () => {
  const live = new Map<string, number>();
  const views: string[] = [];
  let peak = 0, made = 0;
  const counting = (name: string): Backend => {
    const base = interpreterBackend();
    const mine = new WeakSet<object>();
    const add = (d: number) => {
      live.set(name, (live.get(name) ?? 0) + d);
      peak = Math.max(peak, [...live.values()].reduce((a, b) => a + b, 0));
    };
    const own = <T extends object>(t: T) => (mine.add(t), made++, add(1), t);
    return {
      ...base,
      name,
      upload: (a) => own(ndarray(a.dtype, a.shape, a.data)),
      allocate: (shape, dtype) => own(base.allocate(shape, dtype) as NDArray),
      view: (t, shape) => {
        assert(mine.has(t), `${name}: a view of a tensor of another backend`);
        views.push(name);
        return base.view(t, shape);
      },
      free: (t) => {
        assert(mine.has(t), `${name}: freeing a tensor of another backend`);
        add(-1);
      },
    };
  };
  const b = new GraphBuilder("main");
  let h = b.input("x", ["n"]);
  for (let k = 0; k < 8; k++) h = b.relu(h, `r${k}`);
  b.output(h);
  const mod = place(legalize.run(b.finish()), {
    home: "cpu",
    assign: (bd) => (Number(bd.v.name.slice(1)) % 2 === 0 ? "npu" : undefined),
  });
  const ex = new PlacedExecutor(mod, { backends: { cpu: counting("cpu"), npu: counting("npu") } });
  const [y] = await ex.run([ndarray("float32", [3], [-1, 2, -3])]);
  assertEquals([...y.data], [0, 2, 0]);
  // r0, r2, r4, r6 on npu and r1, r3, r5 on cpu (r7 is the result): each read only by its copy,
  // so one storage per target serves them all
  const plan = ex.memoryPlan();
  assertEquals(plan.tokens.map((t) => [t.pool, t.values.map((v) => v.v.name).join()]), [
    ["npu", "r0,r2,r4,r6"],
    ["cpu", "r1,r3,r5"],
  ]);
  assertEquals(views.sort().join(), "cpu,cpu,cpu,npu,npu,npu,npu");
  assertEquals([live.get("cpu"), live.get("npu")], [1, 1]); // the storages, kept for the next run
  assert(made > 10 && peak <= 4, `peak ${peak} of ${made} tensors`);
  ex.dispose();
  assertEquals([...live.values()], [0, 0]); // everything freed, on the backend that made it
});
