import { assert, assertEquals, assertThrows } from "../test_util.ts";
import {
  add,
  broadcast,
  bufferLoad,
  call,
  div,
  float,
  gt,
  int,
  lt,
  mul,
  ramp,
  sub,
  variable,
} from "../expr.ts";
import { CallError } from "../errors.ts";
import { primFunc } from "../func.ts";
import { ndarray, toNumbers } from "../ndarray.ts";
import {
  allocate,
  assertStmt,
  block,
  blockRealize,
  bufferStore,
  decl,
  forLoop,
  ifThenElse,
  iterVar,
  loopVar,
  range,
  seq,
} from "../stmt.ts";
import { InterpError } from "./errors.ts";
import { interpret, runFunc } from "./interpret.ts";
import { elementwise } from "./testing.ts";

function interpErr(fn: () => unknown, code: string, includes?: string): InterpError {
  const e = assertThrows(fn, InterpError, includes);
  assertEquals(e.code, code);
  return e;
}

function callErr(fn: () => unknown, code: string, includes?: string): CallError {
  const e = assertThrows(fn, CallError, includes);
  assertEquals(e.code, code);
  return e;
}

Deno.test("INTERP_DIVIDE_BY_ZERO names the function, for scalar and vector integer division", () => {
  const f = elementwise("floordiv", "int32", 2);
  const e = interpErr(
    () =>
      interpret(f, [
        ndarray("int32", [2], [1, 2]),
        ndarray("int32", [2], [1, 0]),
        ndarray("int32", [2]),
      ]),
    "INTERP_DIVIDE_BY_ZERO",
  );
  assert(e.path?.includes('func "ew_floordiv"'), e.path);
  const big = elementwise("mod", "int64", 1);
  const z = ndarray("int64", [1]);
  interpErr(() => interpret(big, [z, z, ndarray("int64", [1])]), "INTERP_DIVIDE_BY_ZERO");
  const A = decl("A", [4], "int32");
  const v = div(bufferLoad(A, [ramp(0, 1, 4)]), broadcast(int(0), 4));
  const g = primFunc("vdiv", [A], bufferStore(A, v, [ramp(0, 1, 4)]));
  interpErr(() => interpret(g, [ndarray("int32", [4])]), "INTERP_DIVIDE_BY_ZERO");
  // float division by zero is not an error
  const h = elementwise("div", "float32", 1);
  const out = ndarray("float32", [1]);
  interpret(h, [ndarray("float32", [1], [1]), ndarray("float32", [1], [0]), out]);
  assertEquals(out.data[0], Infinity);
});

Deno.test("INTERP_OUT_OF_BOUNDS names buffer, indices and shape for loads, stores and lanes", () => {
  const A = decl("A", [4, 3], "float32");
  const B = decl("B", [4], "float32");
  const i = loopVar("i");
  const load = primFunc("ld", [A, B], forLoop(i, 0, 4, bufferStore(B, bufferLoad(A, [i, 3]), [i])));
  const e = interpErr(
    () => interpret(load, [ndarray("float32", [4, 3]), ndarray("float32", [4])]),
    "INTERP_OUT_OF_BOUNDS",
    'buffer "A" at [0, 3]',
  );
  assert(e.message.includes("[4, 3]") && e.path?.includes('buffer "A"'), e.message);
  // The row overrun A[0, 3] stays inside the 12-element storage but is still reported.
  const store = primFunc("st", [B], forLoop(i, 0, 5, bufferStore(B, float(1), [i])));
  interpErr(() => interpret(store, [ndarray("float32", [4])]), "INTERP_OUT_OF_BOUNDS", "[4]");
  const neg = primFunc("neg", [B], bufferStore(B, float(1), [sub(int(0), 1)]));
  interpErr(() => interpret(neg, [ndarray("float32", [4])]), "INTERP_OUT_OF_BOUNDS", "[-1]");
  const lanes = primFunc("lane", [B], bufferStore(B, broadcast(float(1), 4), [ramp(2, 1, 4)]));
  interpErr(() => interpret(lanes, [ndarray("float32", [4])]), "INTERP_OUT_OF_BOUNDS", "lane 2");
  const T = decl("T", [2], "float32", { elemOffset: -1 });
  const alloc = primFunc("al", [B], allocate(T, bufferStore(B, bufferLoad(T, [0]), [0])));
  interpErr(() => interpret(alloc, [ndarray("float32", [4])]), "INTERP_OUT_OF_BOUNDS");
});

Deno.test("INTERP_ASSERT carries the assertion's message", () => {
  const n = variable("n");
  const A = decl("A", [n], "float32");
  const f = primFunc("pos", [A], assertStmt(gt(n, 0), "n must be positive", seq([])));
  interpErr(() => interpret(f, [ndarray("float32", [0])]), "INTERP_ASSERT", "n must be positive");
  interpret(f, [ndarray("float32", [2])]);
});

Deno.test("INTERP_ITER_OUT_OF_DOMAIN for a block instance bound outside its domain", () => {
  const B = decl("B", [8], "int32");
  const i = loopVar("i");
  const vi = variable("vi");
  const blk = block({
    name: "W",
    iterVars: [iterVar(vi, range(0, 4), "spatial")],
    body: bufferStore(B, vi, [vi]),
  });
  const f = primFunc("dom", [B], forLoop(i, 0, 6, blockRealize([i], true, blk)));
  interpErr(() => interpret(f, [ndarray("int32", [8])]), "INTERP_ITER_OUT_OF_DOMAIN", '"vi" = 4');
  // With a predicate guarding the overrun, the same binding is fine.
  const g = primFunc("guard", [B], forLoop(i, 0, 6, blockRealize([i], lt(i, 4), blk)));
  const b = ndarray("int32", [8]);
  interpret(g, [b]);
  assertEquals(toNumbers(b), [0, 1, 2, 3, 0, 0, 0, 0]);
});

Deno.test("INTERP_UNBOUND_VAR and INTERP_UNBOUND_BUFFER are found at compile time", () => {
  const B = decl("B", [4], "int32");
  const stray = variable("stray");
  const f = primFunc("free", [B], bufferStore(B, stray, [0]));
  interpErr(() => interpret(f, [ndarray("int32", [4])]), "INTERP_UNBOUND_VAR", '"stray"');
  const X = decl("X", [4], "int32");
  const g = primFunc("nobuf", [B], bufferStore(B, bufferLoad(X, [0]), [0]));
  interpErr(() => interpret(g, [ndarray("int32", [4])]), "INTERP_UNBOUND_BUFFER", '"X"');
  // A loop variable is unbound after its loop.
  const i = loopVar("i");
  const h = primFunc(
    "after",
    [B],
    seq([forLoop(i, 0, 4, bufferStore(B, i, [i])), bufferStore(B, i, [0])]),
  );
  interpErr(() => interpret(h, [ndarray("int32", [4])]), "INTERP_UNBOUND_VAR", '"i"');
});

Deno.test("INTERP_UNKNOWN_CALL without a handler; handlers run unknown calls", () => {
  const B = decl("B", [2], "float32");
  const f = primFunc(
    "intrin",
    [B],
    bufferStore(B, call("vendor_dot", [float(2), float(3)], "float32"), [1]),
  );
  interpErr(() => interpret(f, [ndarray("float32", [2])]), "INTERP_UNKNOWN_CALL", "vendor_dot");
  const b = ndarray("float32", [2]);
  interpret(f, [b], { calls: { vendor_dot: ([x, y]) => (x as number) * (y as number) + 0.1 } });
  assertEquals(b.data[1], Math.fround(6.1));
});

Deno.test("INTERP_UNSUPPORTED for vector conditions, vector-dtype buffers and bare blocks", () => {
  const B = decl("B", [4], "int32");
  const vcond = lt(ramp(0, 1, 4), broadcast(int(2), 4));
  const f = primFunc("vif", [B], ifThenElse(vcond, bufferStore(B, 1, [0])));
  interpErr(() => interpret(f, [ndarray("int32", [4])]), "INTERP_UNSUPPORTED");
  const V = decl("V", [4], "float32x4");
  const g = primFunc("vbuf", [V], seq([]));
  interpErr(() => interpret(g, [ndarray("float32", [4])]), "INTERP_UNSUPPORTED");
  const vi = variable("vi");
  const bare = block({
    name: "bare",
    iterVars: [iterVar(vi, range(0, 4), "spatial")],
    body: bufferStore(B, 0, [vi]),
  });
  const h = primFunc("bare", [B], bare);
  interpErr(() => interpret(h, [ndarray("int32", [4])]), "INTERP_UNSUPPORTED", "BlockRealize");
});

Deno.test("CALL_ARITY for a wrong argument count", () => {
  const f = elementwise("add", "float32", 2);
  callErr(() => interpret(f, [ndarray("float32", [2])]), "CALL_ARITY", "takes 3 (A, B, C)");
  const n = variable("n");
  const A = decl("A", [4], "float32");
  const g = primFunc("tail", [A, n], seq([]));
  callErr(() => runFunc(g, []), "CALL_ARITY", '"n"');
  callErr(() => runFunc(g, [ndarray("float32", [4]), 1, 2]), "CALL_ARITY");
});

Deno.test("CALL_ARG_KIND for a number where a tensor goes and the reverse", () => {
  const n = variable("n");
  const A = decl("A", [n], "float32");
  const f = primFunc("kinds", [A, n], seq([]));
  callErr(() => interpret(f, [3, 3]), "CALL_ARG_KIND", 'buffer "A"');
  callErr(() => interpret(f, [ndarray("float32", [3]), ndarray("float32", [3])]), "CALL_ARG_KIND");
});

Deno.test("CALL_DTYPE_MISMATCH for tensors and scalars of the wrong dtype", () => {
  const f = elementwise("add", "int32", 2);
  const ok = ndarray("int32", [2]);
  callErr(() => interpret(f, [ndarray("float32", [2]), ok, ok]), "CALL_DTYPE_MISMATCH", "int32");
  const lying = { dtype: "int32", shape: [2], data: new Float32Array(2) };
  callErr(() => interpret(f, [lying, ok, ok]), "CALL_DTYPE_MISMATCH", "Float32Array");
  const k = variable("k", "int8");
  const g = primFunc("scal", [k], seq([]));
  callErr(() => interpret(g, [300]), "CALL_DTYPE_MISMATCH", "int8");
  callErr(() => interpret(g, [1.5]), "CALL_DTYPE_MISMATCH");
  const w = variable("w", "int64");
  const h = primFunc("wide", [w], seq([]));
  callErr(() => interpret(h, [2 ** 60]), "CALL_DTYPE_MISMATCH", "bigint");
  interpret(h, [2n ** 60n]);
});

Deno.test("CALL_SHAPE_MISMATCH names buffer, dimension, expected and got", () => {
  const n = variable("n");
  const A = decl("A", [n, 4], "float32");
  const B = decl("B", [n], "float32");
  const f = primFunc("shapes", [A, B], seq([]));
  callErr(
    () => interpret(f, [ndarray("float32", [3, 5]), ndarray("float32", [3])]),
    "CALL_SHAPE_MISMATCH",
    'buffer "A": dimension 1 is 5, expected 4',
  );
  callErr(
    () => interpret(f, [ndarray("float32", [3, 4]), ndarray("float32", [2])]),
    "CALL_SHAPE_MISMATCH",
    'buffer "B": dimension 0 is 2, expected 3',
  );
  callErr(
    () => interpret(f, [ndarray("float32", [12]), ndarray("float32", [3])]),
    "CALL_SHAPE_MISMATCH",
    "rank",
  );
  const D = decl("D", [mul(n, 2)], "float32");
  const g = primFunc("even", [D], seq([]));
  callErr(() => interpret(g, [ndarray("float32", [5])]), "CALL_SHAPE_MISMATCH", '"n"');
  const S = decl("S", [2, 2], "float32", { strides: [4, 1] });
  const h = primFunc("strided", [S], seq([]));
  callErr(
    () => interpret(h, [ndarray("float32", [2, 2])]),
    "CALL_SHAPE_MISMATCH",
    "reaches elements 0..5",
  );
  const m = variable("m");
  const j = primFunc("explicit", [B, n], seq([]));
  callErr(() => interpret(j, [ndarray("float32", [3]), 4]), "CALL_SHAPE_MISMATCH", "expected 4");
  assertEquals(m.name, "m");
});

Deno.test("CALL_SHAPE_UNBOUND when sizes cannot be determined", () => {
  const n = variable("n");
  const m = variable("m");
  const A = decl("A", [n], "float32");
  const Q = decl("Q", [mul(n, n)], "float32");
  const sq = primFunc("square", [Q], seq([]));
  callErr(() => interpret(sq, [ndarray("float32", [9])]), "CALL_SHAPE_UNBOUND", '"n"');
  const C = decl("C", [m], "float32");
  const f = primFunc("out", [A, C], seq([]));
  callErr(() => runFunc(f, [ndarray("float32", [3])]), "CALL_SHAPE_UNBOUND", '"m"');
  const [c] = runFunc(f, [ndarray("float32", [3])], [[5]]);
  assertEquals(c.shape, [5]);
  const i = loopVar("i");
  const g = primFunc("use", [A, C], forLoop(i, 0, add(n, m), seq([])));
  interpret(g, [ndarray("float32", [3]), ndarray("float32", [5])]);
});
