import { assert, assertEquals, assertThrows } from "./test_util.ts";
import { add, bufferLoad, float, int, variable } from "./expr.ts";
import { primFunc } from "./func.ts";
import {
  block,
  blockRealize,
  bufferRegion,
  bufferStore,
  decl,
  forLoop,
  iterVar,
  range,
  TRUE,
} from "./stmt.ts";
import { verify } from "./verify.ts";
import { VerifyError } from "./errors.ts";

function expectVerify(f: Parameters<typeof verify>[0], code: string, pathIncludes: string[]) {
  const e = assertThrows(() => verify(f), VerifyError);
  assertEquals(e.code, code);
  for (const p of pathIncludes) assert(e.path?.includes(p), `path "${e.path}" should name ${p}`);
  assert(e.render().includes(e.code));
}

Deno.test("an undeclared buffer is named with its function and block", () => {
  const A = decl("A", [4]);
  const T = decl("T", [4]);
  const i = variable("i");
  const vi = variable("vi");
  const blk = block({
    name: "B",
    iterVars: [iterVar(vi, range(0, 4), "spatial")],
    writes: [bufferRegion(A, [range(vi, 1)])],
    body: bufferStore(A, bufferLoad(T, [vi]), [vi]),
  });
  const f = primFunc("f", [A], forLoop(i, 0, 4, blockRealize([i], TRUE, blk)));
  expectVerify(f, "VERIFY_UNDEFINED_BUFFER", ['func "f"', 'block "B"', 'buffer "T"']);
});

Deno.test("a block body using an outer loop variable is ill-formed", () => {
  const A = decl("A", [4]);
  const i = variable("i");
  const vi = variable("vi");
  const blk = block({
    name: "B",
    iterVars: [iterVar(vi, range(0, 4), "spatial")],
    body: bufferStore(A, float(1), [i]),
  });
  const f = primFunc("f", [A], forLoop(i, 0, 4, blockRealize([i], TRUE, blk)));
  expectVerify(f, "VERIFY_BLOCK_USES_LOOP_VAR", ['block "B"']);
});

Deno.test("undefined variables, init without reduction, duplicate block names", () => {
  const A = decl("A", [4]);
  const j = variable("j");
  expectVerify(primFunc("g", [A], bufferStore(A, float(0), [j])), "VERIFY_UNDEFINED_VAR", [
    'func "g"',
  ]);

  const vi = variable("vi");
  const withInit = block({
    name: "I",
    iterVars: [iterVar(vi, range(0, 4), "spatial")],
    init: bufferStore(A, float(0), [vi]),
    body: bufferStore(A, float(1), [vi]),
  });
  const i = variable("i");
  expectVerify(
    primFunc("h", [A], forLoop(i, 0, 4, blockRealize([i], TRUE, withInit))),
    "VERIFY_INIT_WITHOUT_REDUCE",
    ['block "I"'],
  );

  const mk = () => {
    const v = variable("v");
    return block({
      name: "X",
      iterVars: [iterVar(v, range(0, 4), "spatial")],
      body: bufferStore(A, add(bufferLoad(A, [v]), float(1)), [v]),
    });
  };
  const i1 = variable("i");
  const i2 = variable("i");
  const body = forLoop(i1, 0, 4, blockRealize([i1], TRUE, mk()));
  const body2 = forLoop(i2, 0, 4, blockRealize([i2], TRUE, mk()));
  expectVerify(
    primFunc("d", [A], { kind: "SeqStmt", seq: [body, body2] }),
    "VERIFY_DUPLICATE_BLOCK",
    ['block "X"'],
  );
});

Deno.test("a well-formed hand-built function passes", () => {
  const n = variable("n");
  const A = decl("A", [n]);
  const i = variable("i");
  verify(primFunc("ok", [A], forLoop(i, 0, n, bufferStore(A, float(0), [i]))));
  verify(primFunc("ok2", [A, n], forLoop(i, 0, n, bufferStore(A, float(0), [int(0)]))));
});
