import { assert, assertEquals } from "../test_util.ts";
import {
  add,
  and,
  binary,
  type BinaryOp,
  bool,
  broadcast,
  bufferLoad,
  call,
  cast,
  eq,
  float,
  ge,
  gt,
  int,
  letExpr,
  lt,
  mul,
  not,
  or,
  type PrimExpr,
  ramp,
  select,
  sub,
  variable,
} from "../expr.ts";
import { irModule, primFunc } from "../func.ts";
import { NODE_FIELDS, type NodeKind, visit } from "../node.ts";
import { structuralEqual } from "../structural.ts";
import {
  allocate,
  assertStmt,
  block,
  blockRealize,
  bufferRegion,
  bufferStore,
  decl,
  evaluate,
  forLoop,
  ifThenElse,
  iterVar,
  letStmt,
  loopVar,
  range,
  seq,
  type Stmt,
  TRUE,
} from "../stmt.ts";
import { verify } from "../verify.ts";
import { parseFunc } from "./parse.ts";
import { printFunc, printNode } from "./printer.ts";
import { assertRoundTrip } from "./testing.ts";

/** A lowered-style function using every statement kind but blocks, and most expression kinds. */
function lowered() {
  const n = variable("n");
  const p = variable("p", "int64");
  const s = variable("s");
  const alpha = variable("alpha", "float32");
  const flag = variable("flag", "bool");
  const A = decl("A", [n, 8], "float32", { strides: [s, 1], elemOffset: 3, alignment: 16 });
  const B = decl("B", [mul(n, 8)], "float16");
  const C = decl("C", [p], "int8", { scope: "global.texture" });
  const T = decl("T", [4], "float32", { scope: "local" });
  const i = loopVar("i");
  const j = loopVar("j");
  const bx = loopVar("bx");
  const k = variable("k", "int64");
  const x = variable("x");
  const y = variable("y", "float32");
  const vec = bufferStore(
    B,
    broadcast(cast("float16", alpha), 4),
    [ramp(mul(i, 4), 1, 4)],
  );
  const math = add(
    call("exp", [bufferLoad(A, [bx, j])]),
    select(call("isnan", [alpha]), float(0), call("fma", [alpha, alpha, alpha])),
  );
  const inner = letStmt(
    x,
    add(mul(bx, 2), j),
    seq([
      bufferStore(T, letExpr(y, math, mul(y, y)), [binary("floormod", x, 4)]),
      ifThenElse(
        and(lt(x, 3), not(flag)),
        bufferStore(A, float(-0), [bx, j]),
        ifThenElse(
          or(eq(x, 5), ge(j, 7)),
          evaluate(call("tessera.barrier", [x, alpha], "int32")),
          bufferStore(A, bufferLoad(T, [binary("floordiv", x, 2)]), [bx, j]),
        ),
      ),
    ]),
  );
  const body = assertStmt(
    gt(n, 0),
    'n must be "positive"\n',
    allocate(
      T,
      seq([
        forLoop(bx, 0, n, forLoop(j, 0, 8, inner), { kind: "thread", threadTag: "blockIdx.x" }),
        forLoop(i, 0, binary("floordiv", n, 4), vec, {
          kind: "vectorized",
          annotations: { pragma: "x y", "odd key": 1.5, neg: -0, big: 1e300, on: true },
        }),
        forLoop(
          k,
          int(2, "int64"),
          sub(p, int(2, "int64")),
          bufferStore(C, int(-128, "int8"), [k]),
          {
            kind: "parallel",
          },
        ),
        forLoop(j, 1, 3, evaluate(binary("div", j, 2)), { kind: "unrolled" }),
      ]),
    ),
  );
  return primFunc("kitchen", [A, B, C, alpha, flag], body, { global_symbol: "k", nan: NaN });
}

Deno.test("a lowered function with every statement kind round-trips", () => {
  const f = lowered();
  verify(f);
  const text = assertRoundTrip(f);
  assert(text.includes(`thread("blockIdx.x")`));
  assert(text.includes("func kitchen[p: int64]("), text);
  assert(text.includes("strides=[s, 1], offset=3, align=16"), text);
});

/** A TensorIR function: blocks with every field, predicates, regions, allocations, init. */
function withBlocks() {
  const n = variable("n");
  const A = decl("A", [n, 16], "float32");
  const B = decl("B", [n], "float32");
  const S = decl("S", [n, 4], "float32", { scope: "shared", alignment: 128 });
  const i = loopVar("i");
  const k = loopVar("k");
  const vi = variable("vi");
  const vk = variable("vk");
  const vq = variable("vq", "int64");
  const q = variable("q", "int64");
  const init = bufferStore(B, float(0), [vi]);
  const update = bufferStore(B, add(bufferLoad(B, [vi]), bufferLoad(A, [vi, add(vk, 2)])), [vi]);
  const red = block({
    name: "B.sum",
    iterVars: [
      iterVar(vi, range(0, n), "spatial"),
      iterVar(vk, range(2, 12), "reduce"),
      iterVar(vq, range(int(0, "int64"), int(1, "int64")), "spatial"),
    ],
    reads: [bufferRegion(A, [range(vi, 1), range(2, 12)]), bufferRegion(B, [range(vi, 1)])],
    writes: [bufferRegion(B, [range(vi, 1)])],
    init,
    body: update,
    annotations: { "meta.schedule": "tile", factor: 4 },
  });
  const realize = blockRealize([i, add(k, 2), q], lt(add(mul(i, 16), k), 1000), red);
  const loops = forLoop(
    i,
    0,
    n,
    forLoop(q, int(0, "int64"), int(1, "int64"), forLoop(k, 0, 12, realize)),
  );
  const root = block({
    name: "root",
    body: seq([loops, evaluate(int(0))]),
    allocBuffers: [S],
    reads: [bufferRegion(S, [range(0, n), range(0, 4)])],
  });
  return primFunc("blocks", [A, B], blockRealize([], TRUE, root));
}

Deno.test("a function with blocks round-trips, including regions, init and predicates", () => {
  const f = withBlocks();
  verify(f);
  const text = assertRoundTrip(f);
  assert(text.includes(`block "B.sum"(`), text);
  assert(text.includes("vk: reduce(2 +: 12) = k + 2"), text);
  assert(text.includes("vq: spatial(0i64..1i64) = q"), text);
  assert(text.includes(" where i * 16 + k < 1000"), text);
  assert(text.includes('alloc S: buffer<float32>[n, 4](scope="shared", align=128)'), text);
});

Deno.test("raw sequences round-trip: nested, one element, empty", () => {
  const i = loopVar("i");
  const e0 = evaluate(int(0));
  const nested: Stmt = { kind: "SeqStmt", seq: [e0, { kind: "SeqStmt", seq: [e0, e0] }] };
  const one: Stmt = { kind: "SeqStmt", seq: [e0] };
  const empty: Stmt = { kind: "SeqStmt", seq: [] };
  for (const body of [nested, one, empty, forLoop(i, 0, 4, one), forLoop(i, 0, 4, empty)]) {
    assertRoundTrip(primFunc("s", [], body));
  }
});

Deno.test("let, allocate and assert print flat at the end of a body and braced before others", () => {
  const x = variable("x");
  const T = decl("T", [2], "int32");
  const e = evaluate(x);
  const body = seq([
    letStmt(x, 1, e),
    allocate(T, bufferStore(T, 1, [0])),
    assertStmt(bool(true), "ok", evaluate(0)),
    letStmt(x, 2, allocate(T, assertStmt(eq(x, 2), "two", seq([e, bufferStore(T, x, [1])])))),
  ]);
  const text = assertRoundTrip(primFunc("tails", [], body));
  assert(text.includes("let x = 1 {"), text);
  // x bound a second time: a second name, so the text binds each name once
  assert(/ {2}let x_1 = 2\n {2}allocate T/.test(text), text);
});

Deno.test("unfolded nodes (as passes leave them) stay unfolded", () => {
  const A = decl("A", [4], "int32");
  const raw = (op: BinaryOp, a: PrimExpr, b: PrimExpr): PrimExpr => ({
    kind: "Binary",
    dtype: a.dtype,
    op,
    a,
    b,
  });
  const values: PrimExpr[] = [
    raw("add", int(2), int(3)),
    raw("mul", bufferLoad(A, [0]), int(1)),
    raw("add", bufferLoad(A, [1]), int(0)),
    { kind: "Cast", dtype: "int32", value: int(7) },
    { kind: "Cast", dtype: "int32", value: bufferLoad(A, [2]) },
    { kind: "Select", dtype: "int32", cond: bool(true), t: int(1), f: int(2) },
    { kind: "Not", dtype: "bool", a: bool(false) },
  ];
  const body = seq(
    values.map((v, i) => bufferStore(A, v.dtype === "bool" ? select(v, 1, 0) : v, [i % 4])),
  );
  assertRoundTrip(primFunc("raw", [A], body));
});

Deno.test("distinct variables with one name get distinct names; a variable bound twice gets two", () => {
  const A = decl("A", [8], "int32");
  const i1 = loopVar("i");
  const i2 = loopVar("i");
  const shared = loopVar("j");
  const body = seq([
    forLoop(i1, 0, 8, bufferStore(A, i1, [i1])),
    forLoop(i2, 0, 8, forLoop(shared, 0, 1, bufferStore(A, shared, [i2]))),
    forLoop(shared, 0, 8, bufferStore(A, shared, [shared])),
  ]);
  const f = primFunc("names", [A], body);
  const text = assertRoundTrip(f); // equal: a binding site pairs its variables anew
  assert(text.includes("for i in") && text.includes("for i_1 in"), text);
  assert(text.includes("for j in") && text.includes("for j_1 in"), text);
  const g = parseFunc(text);
  const loops: PrimExpr[] = [];
  visit(g, (n) => {
    if (n.kind === "For") loops.push(n.loopVar);
  });
  assertEquals(new Set(loops).size, 4, "every loop its own variable");
});

Deno.test("sibling loops and blocks of a script that reuse a name bind distinct variables", () => {
  // Regression: the parser bound the same Var again for a second `for i`, so a schedule finding
  // loops by variable split the first loop when asked for the second.
  const text = `func f(A: buffer<float32>[8], C: buffer<float32>[8]) {
  block root() {
    alloc B: buffer<float32>[8]
    for i in 0..8 {
      block B(vi: spatial(0..8) = i) {
        reads(A[vi])
        writes(B[vi])
        B[vi] = A[vi] * 2.0
      }
    }
    for i in 0..8 {
      block C(vi: spatial(0..8) = i) {
        reads(B[vi])
        writes(C[vi])
        C[vi] = B[vi] + 1.0
      }
    }
  }
}`;
  const f = parseFunc(text);
  const loops: PrimExpr[] = [], ivs: PrimExpr[] = [];
  visit(f, (n) => {
    if (n.kind === "For") loops.push(n.loopVar);
    if (n.kind === "IterVar") ivs.push(n.v);
  });
  assert(loops.length === 2 && loops[0] !== loops[1], "two loop variables");
  assert(ivs.length === 2 && ivs[0] !== ivs[1], "two iteration variables");
  // printed back, the second of each gets its own name, and that text round-trips
  const printed = assertRoundTrip(f);
  assert(printed.includes("for i_1 in 0..8") && printed.includes("block C(vi_1:"), printed);
  assert(structuralEqual(parseFunc(printed), f));
});

Deno.test("buffers with one name are told apart; one allocation bound twice stays one object", () => {
  const T1 = decl("T", [4], "float32", { scope: "local" });
  const T2 = decl("T", [4], "float32", { scope: "local" });
  const use = (b: typeof T1) => allocate(b, bufferStore(b, float(1), [0]));
  const f = primFunc("bufs", [], seq([use(T1), use(T2), use(T1)]));
  const text = assertRoundTrip(f);
  assert(text.includes("allocate T_1:"), text);
});

Deno.test("names that are keywords, literals, dtypes or not identifiers are renamed", () => {
  const names = ["for", "inf", "nanf16", "float32", "", "3d", "a.b", "block", "init", "exp"];
  const A = decl("in", [4], "int32");
  const vars = names.map((n) => variable(n));
  const body = seq(vars.map((v, i) => forLoop(v, 0, 4, bufferStore(A, add(v, i), [v]))));
  assertRoundTrip(primFunc("odd", [A], body));
});

Deno.test("a bare block, vector dtypes, every binary operator and dtype round-trip", () => {
  const dtypes = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "float16"];
  const stmts: Stmt[] = [];
  for (const d of [...dtypes, "float32", "float64", "bfloat16"]) {
    const X = decl(`X_${d}`, [4], d);
    const a = bufferLoad(X, [0]);
    const b = bufferLoad(X, [1]);
    const ops: BinaryOp[] = [
      "add",
      "sub",
      "mul",
      "div",
      "mod",
      "floordiv",
      "floormod",
      "min",
      "max",
    ];
    for (const op of ops) stmts.push(allocate(X, bufferStore(X, binary(op, a, b), [2])));
    const cmp: BinaryOp[] = ["eq", "ne", "lt", "le", "gt", "ge"];
    for (const op of cmp) stmts.push(allocate(X, evaluate(binary(op, a, b))));
    const V = decl(`V_${d}`, [16], d);
    const r = ramp(0, 4, 4);
    stmts.push(allocate(V, bufferStore(V, add(bufferLoad(V, [r]), bufferLoad(V, [r])), [r])));
  }
  const vi = variable("vi");
  const bare = block({
    name: "bare",
    iterVars: [iterVar(vi, range(0, 4), "spatial")],
    body: seq(stmts),
  });
  const f = primFunc("ops", [], bare);
  assertRoundTrip(f);
});

Deno.test("a module round-trips", () => {
  const m = irModule([lowered(), withBlocks()]);
  assertRoundTrip(m);
});

Deno.test("the hand-built functions cover every node kind", () => {
  const seen = new Set<string>();
  for (const f of [lowered(), withBlocks()]) visit(f, (n) => void seen.add(n.kind));
  const bare = printFunc(primFunc("f", [], block({ name: "b", body: evaluate(0) })));
  assert(bare.includes("bare block b()"));
  seen.add("Block");
  const all = Object.keys(NODE_FIELDS) as NodeKind[];
  assertEquals(all.filter((k) => !seen.has(k)), []);
});

Deno.test("print shows any node for diagnostics", () => {
  const n = variable("n");
  const A = decl("A", [n, 4], "float16", { scope: "shared" });
  const v = variable("v");
  assertEquals(printNode(A), `A: buffer<float16>[n, 4](scope="shared")`);
  assertEquals(printNode(range(2, n)), "2 +: n");
  assertEquals(printNode(iterVar(v, range(0, n), "reduce")), "v: reduce(0..n)");
  assertEquals(printNode(bufferRegion(A, [range(v, 1), range(0, 4)])), "A[v, 0..4]");
  assertEquals(printNode(mul(add(v, 1), sub(n, v))), "(v + 1) * (n - v)");
  assertEquals(printNode(sub(v, sub(n, 1))), "v - (n - 1)");
  assertEquals(printNode(lt(v, n)), "v < n");
  assertEquals(printNode(not(eq(v, n))), "!(v == n)");
  assertEquals(
    printNode(letExpr(variable("t", "int64"), cast("int64", v), int(1))),
    "(let t = cast<int64>(v) in 1)",
  );
  assertEquals(printNode(bufferStore(A, float(1, "float16"), [v, 0])), "A[v, 0] = 1.0f16");
  assertEquals(printNode(irModule([primFunc("f", [], evaluate(0))])), "func f() {\n  eval 0\n}");
});
