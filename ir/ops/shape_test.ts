import { assert, assertEquals, assertThrows } from "../test_util.ts";
import { add, int, mul } from "../expr.ts";
import { sizeVar } from "../te.ts";
import { OpError } from "./errors.ts";
import {
  broadcastShapes,
  ceilDiv,
  constOf,
  divideExact,
  normalizeAxes,
  normalizeAxis,
  proveEqual,
} from "./shape.ts";

Deno.test("proveEqual compares constants, variables by identity and products as multisets", () => {
  const n = sizeVar("n");
  const m = sizeVar("m");
  assert(proveEqual(int(6), int(6)));
  assert(!proveEqual(int(6), int(7)));
  assert(proveEqual(n, n));
  assert(!proveEqual(n, sizeVar("n")), "a different variable of the same name");
  assert(proveEqual(mul(mul(2, n), mul(m, 3)), mul(mul(m, 6), n)));
  assert(!proveEqual(mul(2, n), mul(3, n)));
  assert(proveEqual(add(n, 1), add(n, 1)));
});

Deno.test("divideExact cancels factors or gives up", () => {
  const n = sizeVar("n");
  assertEquals(constOf(divideExact(int(12), int(4))!), 3);
  assertEquals(divideExact(int(12), int(5)), undefined);
  assert(proveEqual(divideExact(mul(n, 12), int(4))!, mul(3, n)));
  assertEquals(divideExact(int(12), n), undefined);
});

Deno.test("ceilDiv folds constants", () => {
  assertEquals(constOf(ceilDiv(int(7), 2)), 4);
  assertEquals(constOf(ceilDiv(int(-7), 2)), -3);
});

Deno.test("broadcastShapes: 1 stretches, equal symbols agree, others are typed errors", () => {
  const n = sizeVar("n");
  const s = broadcastShapes("add", ["a", "b"], [[n, int(1), int(5)], [int(4), int(1)]]);
  assertEquals(s.length, 3);
  assert(s[0] === n && constOf(s[1]) === 4 && constOf(s[2]) === 5);
  const e1 = assertThrows(
    () => broadcastShapes("add", ["a", "b"], [[int(3)], [int(4)]]),
    OpError,
    'argument "b"',
  );
  assertEquals(e1.code, "OP_SHAPE_MISMATCH");
  assertEquals(e1.path, 'op "add" / argument "b"');
  const e2 = assertThrows(() => broadcastShapes("add", ["a", "b"], [[n], [sizeVar("m")]]), OpError);
  assertEquals(e2.code, "OP_UNPROVABLE_SHAPE");
  assert(e2.message.includes("not provably equal"));
});

Deno.test("axes are normalised; out-of-range and repeated axes are OP_BAD_AXIS", () => {
  assertEquals(normalizeAxis("sum", "axis", -1, 3), 2);
  assertEquals(normalizeAxes("sum", "axes", [2, -3], 3), [0, 2]);
  assertEquals(normalizeAxes("sum", "axes", undefined, 2), [0, 1]);
  assertEquals(assertThrows(() => normalizeAxis("sum", "axis", 3, 3), OpError).code, "OP_BAD_AXIS");
  assertEquals(
    assertThrows(() => normalizeAxes("sum", "axes", [1, -2], 3), OpError).code,
    "OP_BAD_AXIS",
  );
});
