/**
 * Exact builders for parsed expressions: the IR constructors check dtypes but also fold constants
 * (`x + 0 → x`), which would turn a printed unfolded node (as passes may leave behind) into a
 * different tree. Each builder here runs the constructor on stand-in variables of the operands'
 * dtypes — so every check runs and nothing folds — then puts the real operands in place.
 *
 * @module
 */
import {
  binary,
  type BinaryOp,
  bufferLoad,
  call,
  cast,
  letExpr,
  not,
  type PrimExpr,
  ramp,
  select,
  type Var,
  variable,
} from "../expr.ts";
import { IRTypeError } from "../errors.ts";
import { type DType, lanesOf, parseDType } from "../dtype.ts";
import { mapChildren } from "../node.ts";
import type { Buffer } from "../stmt.ts";

/** Run `make` on stand-ins of `args` (checks only), then rebuild its result around `args`. */
function typed(args: readonly PrimExpr[], make: (stand: Var[]) => PrimExpr): PrimExpr {
  const stand = args.map((a) => variable("_", a.dtype));
  const shape = make(stand);
  return mapChildren(shape, (c) => {
    const i = stand.indexOf(c as Var);
    return i >= 0 ? args[i] : c;
  });
}

/** A `Binary` node, checked and unfolded. */
export function rawBinary(op: BinaryOp, a: PrimExpr, b: PrimExpr): PrimExpr {
  return typed([a, b], ([x, y]) => binary(op, x, y));
}

/** A `Not` node, checked and unfolded. */
export function rawNot(a: PrimExpr): PrimExpr {
  return typed([a], ([x]) => not(x));
}

/** A `Select` node, checked and unfolded. */
export function rawSelect(c: PrimExpr, t: PrimExpr, f: PrimExpr): PrimExpr {
  return typed([c, t, f], ([x, y, z]) => select(x, y, z));
}

/** A `Cast` node, even to the value's own dtype or of a constant. */
export function rawCast(dtype: DType, value: PrimExpr): PrimExpr {
  parseDType(dtype);
  if (lanesOf(dtype) !== lanesOf(value.dtype)) cast(dtype, variable("_", value.dtype));
  return { kind: "Cast", dtype, value };
}

/** A `Call` node; `dtype` is required for operators outside `CALL_OPS`. */
export function rawCall(op: string, args: readonly PrimExpr[], dtype?: DType): PrimExpr {
  return typed(args, (xs) => call(op, xs, dtype));
}

/** A `BufferLoad` node, checked (rank and index dtypes). */
export function rawLoad(buffer: Buffer, indices: readonly PrimExpr[]): PrimExpr {
  return typed(indices, (xs) => bufferLoad(buffer, xs));
}

/** A `Ramp` node, checked. */
export function rawRamp(base: PrimExpr, stride: PrimExpr, lanes: number): PrimExpr {
  return typed([base, stride], ([b, s]) => ramp(b, s, lanes));
}

/** A `Broadcast` node, checked (a scalar value, at least one lane). */
export function rawBroadcast(value: PrimExpr, lanes: number): PrimExpr {
  if (lanesOf(value.dtype) !== 1 || !(lanes >= 1)) {
    throw new IRTypeError(
      "DTYPE_MISMATCH",
      `Cannot broadcast ${value.dtype} to ${lanes} lanes: need a scalar and at least one lane`,
    );
  }
  const dtype = lanes === 1 ? value.dtype : `${value.dtype}x${lanes}`;
  parseDType(dtype);
  return { kind: "Broadcast", dtype, value, lanes };
}

/** A `Let` node, checked (the value has the variable's dtype). */
export function rawLet(v: Var, value: PrimExpr, body: PrimExpr): PrimExpr {
  letExpr(v, variable("_", value.dtype), body);
  return { kind: "Let", dtype: body.dtype, v, value, body };
}
