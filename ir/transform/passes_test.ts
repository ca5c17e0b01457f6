/** Each pass alone: before and after give the same results in the interpreter; no-change returns the same object. */
import { assert, assertEquals, assertThrows } from "../test_util.ts";
import {
  add,
  bufferLoad,
  eq,
  floordiv,
  floormod,
  ge,
  int,
  lt,
  min,
  mul,
  type PrimExpr,
  sub,
  variable,
} from "../expr.ts";
import { type PrimFunc, primFunc } from "../func.ts";
import { randomNDArray, toNumbers } from "../ndarray.ts";
import { visit } from "../node.ts";
import { runFunc } from "../interp/mod.ts";
import {
  bufferStore,
  decl,
  evaluate,
  type ForKind,
  forLoop,
  ifThenElse,
  letStmt,
  seq,
} from "../stmt.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../te.ts";
import { sameExpr } from "./same_expr.ts";
import { convertBlocksToLoops } from "./convert_blocks_to_loops.ts";
import { LowerError } from "./errors.ts";
import { flattenBuffers } from "./flatten_buffers.ts";
import { lower, LOWER_PASSES } from "./lower.ts";
import type { Pass } from "./pass.ts";
import { removeNoOp } from "./remove_no_op.ts";
import { simplify } from "./simplify.ts";
import { ExprSimplifier } from "./simplify_expr.ts";
import { unroll } from "./unroll.ts";
import { vectorize } from "./vectorize.ts";
import { runBoth } from "./testing.ts";

const ctx = { options: {} };

/** Run f and pass(f) on the same random inputs (same parameters) and compare. */
function sameResults(f: PrimFunc, pass: Pass, inputs: number): PrimFunc {
  const g = pass.run(f, ctx);
  for (const seed of [3, 4]) {
    const args = f.params.slice(0, inputs).map((p, k) => {
      if (p.kind !== "Buffer") throw new Error("buffer inputs only");
      const shape = p.shape.map((d) => (d.kind === "IntImm" ? d.value : 0));
      return randomNDArray(p.dtype, shape, seed + k);
    });
    assertEquals(runFunc(g, args).map(toNumbers), runFunc(f, args).map(toNumbers), pass.name);
  }
  return g;
}

function matmulFunc(): PrimFunc {
  const A = placeholder([3, 4], "float32", "A");
  const B = placeholder([4, 5], "float32", "B");
  const k = reduceAxis(4, "k");
  const T = compute([3, 5], ([i, j]) => sum(mul(A.at(i, k), B.at(k, j)), [k]), "T");
  const C = compute([3, 5], ([i, j]) => add(T.at(i, j), 1), "C");
  return createPrimFunc([A, B, C], "mm1");
}

/** `B[i] = A[i] * 2` over 1-D buffers of 16, with the loop of the given kind. */
function loop1d(kind: ForKind, extent = 16): PrimFunc {
  const A = decl("A", [16], "float32");
  const B = decl("B", [16], "float32");
  const i = variable("i");
  const body = bufferStore(B, mul(bufferLoad(A, [i]), 2), [i]);
  return primFunc("l1", [A, B], forLoop(i, 0, extent, body, { kind }));
}

Deno.test("convert-blocks-to-loops keeps results and removes every block", () => {
  const g = sameResults(matmulFunc(), convertBlocksToLoops, 2);
  visit(g.body, (n) => assert(n.kind !== "Block" && n.kind !== "BlockRealize"));
  assert(convertBlocksToLoops.run(g, ctx) === g, "no blocks: same object");
});

Deno.test("flatten-buffers keeps results; flat input is returned as is", () => {
  const f = convertBlocksToLoops.run(matmulFunc(), ctx);
  const g = flattenBuffers.run(f, ctx);
  const inputs = [randomNDArray("float32", [3, 4], 1), randomNDArray("float32", [4, 5], 2)];
  const [want, got] = runBoth(f, { ...g, attrs: { lowered: true } }, inputs);
  assertEquals(got, want);
  assert(flattenBuffers.run(g, ctx) === g);
});

Deno.test("flatten-buffers refuses blocks with LOWER_PASS_ORDER", () => {
  const e = assertThrows(() => flattenBuffers.run(matmulFunc(), ctx), LowerError);
  assertEquals(e.code, "LOWER_PASS_ORDER");
});

Deno.test("simplify folds split and fused indices using loop ranges", () => {
  const i = variable("i");
  const j = variable("j");
  const s = new ExprSimplifier();
  s.bind(i, int(0), int(8));
  s.bind(j, int(0), int(4));
  const fused = add(mul(i, 4), j);
  assert(s.simplify(floordiv(fused, 4)) === i);
  assert(s.simplify(floormod(fused, 4)) === j);
  const refused = add(mul(floordiv(fused, 4), 4), floormod(fused, 4));
  assert(sameExpr(s.simplify(refused), fused));
  assert(sameExpr(s.simplify(sub(add(fused, 3), add(j, 3))), mul(i, 4)));
  assert(s.canProve(lt(fused, 32)));
  assert(!s.canProve(lt(fused, 31)));
  assertEquals(s.simplify(eq(fused, -1)), int(0, "bool"));
  assert(s.simplify(min(j, 7)) === j);
  const n = variable("n");
  assert(sameExpr(s.simplify(floordiv(add(mul(n, 8), 9), 4)), add(add(mul(n, 2), 2), 0)));
});

Deno.test("simplify pass keeps results and drops branches it can decide", () => {
  const A = decl("A", [32], "int32");
  const i = variable("i");
  const j = variable("j");
  const at = add(mul(i, 4), j);
  const body = ifThenElse(
    lt(at, 32),
    bufferStore(A, add(floordiv(at, 4), floormod(at, 4)), [at]),
  );
  const f = primFunc("s", [A], forLoop(i, 0, 8, forLoop(j, 0, 4, body)));
  const g = sameResults(f, simplify, 0);
  let ifs = 0;
  visit(g.body, (n) => void (n.kind === "IfThenElse" && ifs++));
  assertEquals(ifs, 0);
  assert(simplify.run(g, ctx) === g, "simplified IR is a fixed point");
});

Deno.test("unroll keeps results and leaves no unrolled loop", () => {
  const g = sameResults(loop1d("unrolled"), unroll, 1);
  assertEquals(g.body.kind, "SeqStmt");
  const f = loop1d("serial");
  assert(unroll.run(f, ctx) === f);
});

Deno.test("vectorize keeps results and makes ramps", () => {
  const g = sameResults(loop1d("vectorized"), vectorize, 1);
  assertEquals(g.body.kind, "BufferStore");
  const v = g.body.kind === "BufferStore" ? g.body.value.dtype : "";
  assertEquals(v, "float32x16");
  const f = loop1d("serial");
  assert(vectorize.run(f, ctx) === f);
  const h = sameResults(loop1d("vectorized", 12), vectorize, 1);
  assert(h.body.kind === "BufferStore");
});

Deno.test("vectorize leaves serial a loop whose stores would race across lanes", () => {
  // B[i] = A[i]; B[i + 1] = A[i] * 2: serial order decides what B holds.
  const A = decl("A", [9], "float32");
  const B = decl("B", [9], "float32");
  const i = variable("i");
  const body = seq([
    bufferStore(B, bufferLoad(A, [i]), [i]),
    bufferStore(B, mul(bufferLoad(A, [i]), 2), [add(i, 1)]),
  ]);
  const f = primFunc("race", [A, B], forLoop(i, 0, 8, body, { kind: "vectorized" }));
  const g = sameResults(f, vectorize, 1);
  assert(g.body.kind === "For" && g.body.forKind === "serial");
  // C[i] = B[i + 1] after B[i] = …: a read of what a later lane writes.
  const C = decl("C", [9], "float32");
  const body2 = seq([
    bufferStore(B, bufferLoad(A, [i]), [i]),
    bufferStore(C, bufferLoad(B, [add(i, 1)]), [i]),
  ]);
  const f2 = primFunc("race2", [A, B, C], forLoop(i, 0, 8, body2, { kind: "vectorized" }));
  const g2 = vectorize.run(f2, ctx);
  assert(g2.body.kind === "For" && g2.body.forKind === "serial");
});

Deno.test("remove-no-op opens trivial loops and drops empty statements", () => {
  const A = decl("A", [4], "int32");
  const i = variable("i");
  const j = variable("j");
  const body = seq([
    forLoop(j, 0, 0, bufferStore(A, j, [j])),
    forLoop(j, 2, 1, bufferStore(A, add(j, 5), [j])),
    evaluate(int(0)),
    ifThenElse(eq(int(1), int(1)), bufferStore(A, 9, [0])),
  ]);
  const f = primFunc("n", [A], forLoop(i, 0, 1, body));
  const g = sameResults(f, removeNoOp, 0);
  assertEquals(g.body.kind, "SeqStmt");
  let loops = 0;
  visit(g.body, (n) => void (n.kind === "For" && loops++));
  assertEquals(loops, 0);
  assert(removeNoOp.run(g, ctx) === g);
});

Deno.test("verify after each pass names the pass that broke the IR", () => {
  const broken: Pass = {
    name: "break-it",
    summary: "uses an undefined variable",
    run: (f) => ({ ...f, body: evaluate(variable("ghost") as PrimExpr) }),
  };
  const e = assertThrows(
    () => lower(matmulFunc(), { verify: true, passes: [broken] }),
    LowerError,
    "break-it",
  );
  assertEquals(e.code, "LOWER_VERIFY");
});

Deno.test("dumpAfter prints the function after the named passes", () => {
  const seen: string[] = [];
  lower(matmulFunc(), {
    dumpAfter: ["flatten-buffers"],
    dump: (text, name) => seen.push(`${name}|${text}`),
  });
  assertEquals(seen.length, 1);
  assert(
    seen[0].startsWith("flatten-buffers|") && seen[0].includes("A: buffer<float32>[12]"),
    seen[0],
  );
  const all: string[] = [];
  lower(matmulFunc(), { dumpAfter: true, dump: (_, name) => all.push(name) });
  assertEquals(all, LOWER_PASSES.map((p) => p.name));
});

Deno.test("vectorize gives a lane-varying let a vector variable", () => {
  const A = decl("A", [8], "int32");
  const B = decl("B", [8], "int32");
  const i = variable("i");
  const x = variable("x");
  const body = letStmt(x, mul(bufferLoad(A, [i]), 3), bufferStore(B, add(x, i), [i]));
  const f = primFunc("lv", [A, B], forLoop(i, 0, 8, body, { kind: "vectorized" }));
  const g = sameResults(f, vectorize, 1);
  assert(g.body.kind === "LetStmt" && g.body.v.dtype === "int32x8");
});

Deno.test("simplify forgets a let variable's bounds when a sibling scope rebinds it", () => {
  // Unrolled copies share let variables: the second `x` is unbounded and must not inherit [3, 3].
  const A = decl("A", [1], "int32");
  const B = decl("B", [2], "int32");
  const x = variable("x");
  const f = primFunc(
    "lets",
    [A, B],
    seq([
      letStmt(x, 3, ifThenElse(lt(x, 5), bufferStore(B, 1, [0]))),
      letStmt(x, bufferLoad(A, [0]), ifThenElse(lt(x, 5), bufferStore(B, 1, [1]))),
    ]),
  );
  const g = simplify.run(f, ctx);
  const a = randomNDArray("int32", [1], 1, 7, 7);
  assertEquals(runFunc(g, [a]).map(toNumbers), [[1, 0]]);
  assertEquals(runFunc(f, [a]).map(toNumbers), [[1, 0]]);
});

Deno.test("simplify drops a loop's assumption (extent ≥ 1) when the loop ends", () => {
  const n = variable("n");
  const A = decl("A", [n], "int32");
  const B = decl("B", [1], "int32");
  const j = variable("j");
  const f = primFunc(
    "after",
    [A, B],
    seq([
      forLoop(j, 0, n, bufferStore(A, j, [j])),
      ifThenElse(ge(n, 1), bufferStore(B, 1, [0]), bufferStore(B, 2, [0])),
    ]),
  );
  const g = simplify.run(f, ctx);
  const run = (h: PrimFunc) => runFunc(h, [randomNDArray("int32", [0], 1)]).map(toNumbers);
  assertEquals(run(g), [[2]]);
  assertEquals(run(f), [[2]]);
});
