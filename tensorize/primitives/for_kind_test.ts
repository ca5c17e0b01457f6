import { assert, assertEquals } from "../../ir/test_util.ts";
import { parseFunc } from "../../ir/script/mod.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { lower } from "../../ir/transform/mod.ts";
import { visit } from "../../ir/node.ts";
import { build } from "../../sdk/mod.ts";
import cpu from "../../targets/cpu/mod.ts";
import { Schedule } from "../mod.ts";
import {
  assertClose,
  assertEquivalent,
  assertScheduleError,
  assertTraceRoundTrip,
  elementwiseFunc,
  inputsFor,
  matmulFunc,
} from "../testing.ts";

function kinds(sch: Schedule): string[] {
  const out: string[] = [];
  visit(sch.func.body, (n) => {
    if (n.kind === "For") {
      out.push(`${n.loopVar.name}:${n.forKind}${n.threadTag ? "@" + n.threadTag : ""}`);
    }
  });
  return out;
}

Deno.test("parallel outer, vectorize inner split, unroll: kinds set, same results", () => {
  const f = elementwiseFunc("n", 16);
  const sch = new Schedule(f);
  const [i, j] = sch.getLoops(sch.getBlock("B"));
  const [j0, j1] = sch.split(j, [undefined, 4]);
  sch.parallel(i);
  sch.vectorize(j1);
  sch.unroll(j0);
  assertEquals(kinds(sch), ["i:parallel", "j_0:unrolled", "j_1:vectorized"]);
  assertEquivalent(f, sch.func, 1, { sizes: { n: 3 } });
  assertTraceRoundTrip(sch, f);
  // lowering turns the vectorized loop into float32x4 code
  let vectors = 0;
  visit(lower(sch.func), (n) => {
    if (n.kind === "BufferStore" && n.value.dtype === "float32x4") vectors++;
  });
  assert(vectors > 0, "no vector store after lowering");
});

Deno.test("bind to thread axes; the interpreter runs bound loops serially", () => {
  const f = matmulFunc();
  const sch = new Schedule(f);
  const [i, j] = sch.getLoops(sch.getBlock("C"));
  sch.bind(i, "blockIdx.x");
  sch.bind(j, "threadIdx.x");
  assertEquals(kinds(sch), ["i:thread@blockIdx.x", "j:thread@threadIdx.x", "k:serial"]);
  assertEquivalent(f, sch.func, 2, { sizes: { n: 2 } });
  assertTraceRoundTrip(sch, f);
});

Deno.test("scheduled matmul and elementwise built for cpu agree with the interpreter", async () => {
  const mm = matmulFunc();
  const sch = new Schedule(mm);
  const [i, j, k] = sch.getLoops(sch.getBlock("C"));
  const [i0, i1] = sch.split(i, [undefined, 2]);
  const [k0, k1] = sch.split(k, [4, 4]);
  sch.reorder(i0, k0, i1, k1, j);
  sch.parallel(i0);
  sch.vectorize(j);
  sch.unroll(k1);
  const inputs = inputsFor(mm, 2, { n: 5 });
  const kernel = await build(sch.func, cpu);
  assertClose(await kernel.run(inputs), runFunc(mm, inputs), 1e-5);

  const ew = elementwiseFunc(7, 10);
  const s2 = new Schedule(ew);
  const [a, b] = s2.getLoops(s2.getBlock("B"));
  const fused = s2.fuse(a, b);
  const [, inner] = s2.split(fused, [undefined, 8]);
  s2.vectorize(inner);
  const x = inputsFor(ew, 1);
  assertClose(await (await build(s2.func, cpu)).run(x), runFunc(ew, x), 0);
});

const RACE = `func r(A: buffer<float32>[4], B: buffer<float32>[4, 4]) {
  block root() {
    for i in 0..4 {
      for j in 0..4 {
        block B(vj: spatial(0..4) = j) {
          reads(A[vj])
          writes(B[0, vj])
          B[0, vj] = A[vj]
        }
      }
    }
  }
}`;

Deno.test("parallel/vectorize/bind errors: reduction, race, non-affine, nesting, threads", () => {
  const sch = new Schedule(matmulFunc());
  const [i, j, k] = sch.getLoops(sch.getBlock("C"));
  const e = assertScheduleError(sch, () => sch.parallel(k), "SCHEDULE_NOT_SPATIAL");
  assertEquals(
    e.message,
    `Cannot parallelize loop "k": block "C" binds a reduction variable to it`,
  );
  assertScheduleError(sch, () => sch.vectorize(k), "SCHEDULE_NOT_SPATIAL");
  assertScheduleError(sch, () => sch.bind(k, "threadIdx.x"), "SCHEDULE_NOT_SPATIAL");
  assertScheduleError(sch, () => sch.bind(i, "threadIdx.w"), "SCHEDULE_BAD_THREAD");
  sch.bind(i, "threadIdx.x");
  assertScheduleError(sch, () => sch.bind(j, "threadIdx.x"), "SCHEDULE_THREAD_REBOUND");
  sch.vectorize(j);
  assertScheduleError(sch, () => sch.vectorize(i), "SCHEDULE_VECTORIZE_NESTED");

  const race = new Schedule(parseFunc(RACE));
  const [ri, rj] = race.getLoops(race.getBlock("B"));
  assertScheduleError(race, () => race.parallel(ri), "SCHEDULE_LOOP_CARRIED");
  race.parallel(rj);

  const sq = new Schedule(parseFunc(`func sq(A: buffer<float32>[16]) {
  block root() {
    for i in 0..4 {
      block B(vi: spatial(0..16) = i * i) {
        reads()
        writes(A[vi])
        A[vi] = 1.0
      }
    }
  }
}`));
  const [si] = sq.getLoops(sq.getBlock("B"));
  assertScheduleError(sq, () => sq.parallel(si), "SCHEDULE_NOT_AFFINE");
});

Deno.test("a block under the loop writing local storage may ignore the loop", () => {
  const text = RACE.replace(
    "block root() {",
    'block root() {\n    alloc T: buffer<float32>[4, 4](scope="local")',
  )
    .replaceAll("B[0, vj]", "T[0, vj]");
  const f = parseFunc(text);
  const sch = new Schedule(f);
  sch.parallel(sch.getLoops(sch.getBlock("B"))[0]);
  assertEquals(kinds(sch)[0], "i:parallel");
});
