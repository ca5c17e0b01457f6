/** Every graph error code, provoked: the code, and where the message points. */
import { assert, assertEquals, assertThrows } from "../test_util.ts";
import { ndarray, randomNDArray } from "../ndarray.ts";
import * as ops from "../ops/mod.ts";
import { placeholder, sizeVar } from "../te.ts";
import { GraphBuilder } from "./builder.ts";
import { GraphError, ShapeError } from "./errors.ts";
import { GraphExecutor } from "./executor.ts";
import { graphFunc, graphModule, graphVar, withPrimFunc } from "./ir.ts";
import { tensorType } from "./types.ts";

const reluFunc = () => {
  const A = placeholder([sizeVar("m")], "float32", "A");
  return ops.toPrimFunc("relu_m", [A], [ops.relu(A)]);
};

Deno.test("errors: building graphs", () => {
  const code = (fn: () => unknown, cls: typeof GraphError | typeof ShapeError = GraphError) =>
    assertThrows(fn, cls).code;
  assertEquals(
    code(() => graphFunc("bad name", [], [], graphVar("x", tensorType([1])))),
    "GRAPH_BAD_NAME",
  );
  assertEquals(code(() => tensorType([-1])), "GRAPH_BAD_TYPE");
  assertEquals(code(() => tensorType([2], "float7")), "GRAPH_BAD_TYPE");
  const b = new GraphBuilder("f");
  const x = b.input("x", ["n", 4]);
  const v = b.input("v", [4]);
  const i = b.input("i", ["n", 4], "int32");
  assertEquals(code(() => b.matmul(v, v), ShapeError), "GRAPH_BAD_RANK");
  assertEquals(code(() => b.add(x, i), ShapeError), "GRAPH_DTYPE_MISMATCH");
  const e = assertThrows(
    () => b.op("concat", [x, b.op("transpose", [x], { perm: [1, 0] })], { axis: 0 }),
    ShapeError,
  );
  assertEquals(e.code, "GRAPH_UNPROVABLE_SHAPE");
  assert(e.path!.startsWith('graph "f" / binding "concat_'), e.path);
  assertEquals(code(() => b.callTIR("nope", [x], { shape: ["n", 4] })), "GRAPH_UNKNOWN_FUNCTION");
  assertEquals(code(() => b.callTIR(reluFunc(), [x], { shape: ["n", 4] })), "GRAPH_BAD_ARG");
  assertEquals(code(() => b.callTIR(reluFunc(), [v, v], { shape: [4] })), "GRAPH_BAD_ARG");
  assertEquals(code(() => b.input("late", [1])), "GRAPH_BAD_ARG");
  assertEquals(code(() => b.output()), "GRAPH_NO_OUTPUT");
  b.output(x);
  const mod = b.finish();
  assertEquals(code(() => new GraphBuilder("f", { module: mod })), "GRAPH_DUPLICATE_NAME");
  assertEquals(code(() => withPrimFunc(mod, { ...reluFunc(), name: "f" })), "GRAPH_DUPLICATE_NAME");
  assertEquals(
    code(() => graphModule([mod.graphs.get("f")!], [{ ...reluFunc(), name: "f" }])),
    "GRAPH_DUPLICATE_NAME",
  );
  const other = new GraphBuilder("g", { module: withPrimFunc(mod, reluFunc()) });
  const y = other.input("y", [3]);
  const alt = { ...reluFunc(), attrs: { different: true } };
  assertEquals(code(() => other.callTIR(alt, [y], { shape: [3] })), "GRAPH_DUPLICATE_NAME");
  assertEquals(
    code(() => other.sizes.adopt(sizeVar("n")) && other.sizes.adopt(sizeVar("n"))),
    "GRAPH_DUPLICATE_NAME",
  );
});

Deno.test("errors: running graphs", async () => {
  const fails = (p: Promise<unknown>) => p.then(() => undefined, (e) => e);
  // a result size that nothing binds
  const b = new GraphBuilder("main");
  const x = b.input("x", ["n"]);
  b.output(b.callTIR(reluFunc(), [x], { shape: ["q"] }, "r"));
  const e = await fails(new GraphExecutor(b.finish()).run([randomNDArray("float32", [3])]));
  assert(e instanceof ShapeError && e.code === "GRAPH_UNBOUND_SIZE", String(e));
  assertEquals(e.path, 'graph "main" / binding "r" (call_tir "relu_m")');
  // an op call reaching the executor without legalize
  const c = new GraphBuilder("main");
  c.output(c.relu(c.input("x", [2])));
  const e2 = await fails(
    new GraphExecutor(c.finish(), { passes: [] }).run([ndarray("float32", [2])]),
  );
  assertEquals(e2?.code, "GRAPH_NOT_LEGALIZED");
  // no such entry; wrong dtype; an extern whose result does not fit its type
  const ex = new GraphExecutor(graphModule([]));
  assertEquals((await fails(ex.run([]))).code, "GRAPH_UNKNOWN_FUNCTION");
  const d = new GraphBuilder("main");
  const z = d.input("z", [2]);
  d.output(d.callExtern("host.id", [z], { shape: [3] }, { name: "out" }));
  const exd = new GraphExecutor(d.finish(), { externs: { "host.id": ([a]) => a } });
  const e3 = await fails(exd.run([ndarray("float32", [2])]));
  assert(
    e3 instanceof ShapeError && e3.code === "GRAPH_RUNTIME_SHAPE" && e3.path!.includes('"out"'),
  );
  assertEquals((await fails(exd.run([ndarray("int32", [2])]))).code, "GRAPH_RUNTIME_SHAPE");
});
