/**
 * The entry points: `interpret` runs a `PrimFunc` on arrays in place; `runFunc` also allocates
 * the outputs. Each function is compiled to a closure tree once and cached per `PrimFunc` object.
 *
 * @module
 */
import { allocTyped } from "../dtype.ts";
import { CallError } from "../errors.ts";
import { isConst, type PrimExpr, type Var } from "../expr.ts";
import type { PrimFunc } from "../func.ts";
import { type NDArray, ndarray, numel } from "../ndarray.ts";
import { visit } from "../node.ts";
import type { Buffer } from "../stmt.ts";
import { checkArgumentRanges, type RangeArgument, VALUE_RANGE_ATTR } from "../value_range.ts";
import { makeStorage, reach } from "./access.ts";
import { type Arg, Binder, type BufferParam, type Dim, type Signature } from "./bind.ts";
import { compileIndex } from "./compile_expr.ts";
import { checkScalarBuffer, compileBufferLayout, compileStmt } from "./compile_stmt.ts";
import { Ctx } from "./context.ts";
import type { CallHandler, Frame, StmtFn } from "./values.ts";

/** Options of a run. */
export interface InterpretOptions {
  /** Handlers for calls that are not math ops (target intrinsics), by op name. */
  readonly calls?: Readonly<Record<string, CallHandler>>;
}

interface Compiled {
  readonly sig: Signature;
  readonly nNum: number;
  readonly nObj: number;
  readonly nBuf: number;
  readonly body: StmtFn;
}

const cache = new WeakMap<PrimFunc, Compiled>();

function varsOf(e: PrimExpr, into: Var[]): Var[] {
  visit(e, (n) => {
    if (n.kind === "Var" && !into.includes(n)) into.push(n);
  });
  return into;
}

function compileFunc(f: PrimFunc): Compiled {
  const ctx = new Ctx(f.name);
  const buffers = f.params.filter((p): p is Buffer => p.kind === "Buffer");
  const fnVars: Var[] = f.params.filter((p): p is Var => p.kind === "Var");
  for (const b of buffers) {
    for (const e of [...b.shape, ...b.strides, b.elemOffset]) varsOf(e, fnVars);
  }
  return ctx.binding(fnVars, (slots) => {
    const dim = (e: PrimExpr): Dim => ({
      f: compileIndex(e, ctx),
      vars: varsOf(e, []),
      isVar: e.kind === "Var" ? e : undefined,
    });
    for (const b of buffers) checkScalarBuffer(b, ctx);
    return ctx.declaring(buffers, (bslots) => {
      const bufParams = new Map<Buffer, BufferParam>(buffers.map((b, k) => [b, {
        buffer: b,
        slot: bslots[k],
        shape: b.shape.map(dim),
        strides: b.strides.map(dim),
        offset: dim(b.elemOffset),
        layout: compileBufferLayout(b, ctx),
      }]));
      const body = compileStmt(f.body, ctx);
      const sig: Signature = {
        name: f.name,
        params: f.params.map((p) => (p.kind === "Buffer" ? bufParams.get(p)! : p)),
        slots: new Map(fnVars.map((v, k) => [v, slots[k]])),
      };
      return { sig, nNum: ctx.nNum, nObj: ctx.nObj, nBuf: ctx.nBuf, body };
    });
  });
}

function compiled(f: PrimFunc): Compiled {
  let c = cache.get(f);
  if (!c) {
    c = compileFunc(f);
    cache.set(f, c);
  }
  return c;
}

function newFrame(c: Compiled, options: InterpretOptions): Frame {
  return {
    n: new Float64Array(c.nNum),
    o: new Array(c.nObj),
    b: new Array(c.nBuf),
    calls: options.calls ?? {},
  };
}

function arity(f: PrimFunc, got: number, what: string): CallError {
  return new CallError(
    "CALL_ARITY",
    `Cannot call function "${f.name}" with ${got} ${what}: it takes ${f.params.length} (${
      f.params.map((p) => p.name).join(", ")
    })`,
    { path: `func "${f.name}"` },
  );
}

/** Bind the first `args.length` parameters (scalars first, so shapes are checked against them). */
function bindPrefix(c: Compiled, fr: Frame, args: readonly Arg[]): Binder {
  const binder = new Binder(c.sig, fr);
  const ps = c.sig.params.slice(0, args.length);
  ps.forEach((p, k) => "kind" in p && binder.scalar(p, args[k]));
  ps.forEach((p, k) => "buffer" in p && binder.array(p, args[k]));
  binder.solve();
  return binder;
}

/**
 * Run a function on arguments (an NDArray per buffer parameter, a number — or bigint for
 * int64 — per scalar parameter), writing the outputs into the given arrays in place. Arguments
 * of parameters with a declared value range (`tessera.value_range`) are checked first:
 * `CallError` `CALL_VALUE_RANGE` names the first element outside it.
 *
 * @example
 * ```ts
 * import { interpret } from "./interpret.ts";
 * import { compute, createPrimFunc, placeholder, sizeVar } from "../te.ts";
 * import { mul } from "../expr.ts";
 * import { ndarray } from "../ndarray.ts";
 * const n = sizeVar("n");
 * const A = placeholder([n], "float32", "A");
 * const B = compute([n], ([i]) => mul(A.at(i), 2), "B");
 * const f = createPrimFunc([A, B], "double");
 * const b = ndarray("float32", [3]);
 * interpret(f, [ndarray("float32", [3], [1, 2, 3]), b]);
 * console.assert(b.data[2] === 6);
 * ```
 */
export function interpret(
  f: PrimFunc,
  args: readonly Arg[],
  options: InterpretOptions = {},
): void {
  const c = compiled(f);
  if (args.length !== f.params.length) throw arity(f, args.length, "arguments");
  const fr = newFrame(c, options);
  const binder = bindPrefix(c, fr, args);
  binder.requireAllBound();
  c.sig.params.forEach((p, k) => {
    if (!("buffer" in p)) return;
    const a = args[k] as NDArray;
    fr.b[p.slot] = makeStorage(p.buffer.name, a.data, binder.checkStorage(p, a));
  });
  if (f.attrs[VALUE_RANGE_ATTR] !== undefined) checkArgumentRanges(f, rangeArguments(f, args));
  c.body(fr);
}

/** The buffer arguments, for the declared-range check (`ir/value_range.ts`). */
function rangeArguments(f: PrimFunc, args: readonly Arg[]): RangeArgument[] {
  return f.params.flatMap((p, k) => {
    const a = args[k] as NDArray;
    return p.kind === "Buffer"
      ? [{ name: p.name, dtype: a.dtype, shape: a.shape, data: a.data }]
      : [];
  });
}

/**
 * Run a function on its inputs (the first parameters) and return freshly allocated outputs (the
 * buffer parameters after them). Output shapes come from `outputShapes` (by output position) or
 * are inferred from the size variables the inputs bind; a scalar parameter after the inputs takes
 * its value from the inputs' shapes when it is one of their size variables.
 *
 * @example
 * ```ts
 * import { runFunc } from "./interpret.ts";
 * import { compute, createPrimFunc, placeholder, sizeVar } from "../te.ts";
 * import { add } from "../expr.ts";
 * import { ndarray } from "../ndarray.ts";
 * const n = sizeVar("n");
 * const A = placeholder([n], "int8", "A");
 * const B = compute([n], ([i]) => add(A.at(i), 1), "B");
 * const [b] = runFunc(createPrimFunc([A, B], "inc"), [ndarray("int8", [2], [127, 0])]);
 * console.assert(b.data[0] === -128 && b.data[1] === 1);
 * ```
 */
export function runFunc(
  f: PrimFunc,
  inputs: readonly Arg[],
  outputShapes?: readonly (readonly number[] | undefined)[],
  options: InterpretOptions = {},
): NDArray[] {
  const c = compiled(f);
  if (inputs.length > f.params.length) throw arity(f, inputs.length, "inputs");
  const fr = newFrame(c, options);
  const binder = bindPrefix(c, fr, inputs);
  const args: Arg[] = [...inputs];
  const outputs: NDArray[] = [];
  for (const p of c.sig.params.slice(inputs.length)) {
    if (!("buffer" in p)) {
      if (!binder.has(p)) {
        throw new CallError(
          "CALL_ARITY",
          `Cannot run function "${f.name}": scalar parameter "${p.name}" follows the inputs and the inputs do not determine it`,
          { path: `func "${f.name}"`, hint: "pass it among the inputs" },
        );
      }
      args.push(binder.valueOf(p));
      continue;
    }
    const shape = outputShapes?.[outputs.length] ?? p.shape.map((d, k) => {
      const free = d.vars.find((v) => !binder.has(v));
      if (free) {
        throw new CallError(
          "CALL_SHAPE_UNBOUND",
          `Cannot infer the shape of output "${p.buffer.name}" of function "${f.name}": dimension ${k} uses "${free.name}", which the inputs do not bind`,
          { path: `func "${f.name}" / buffer "${p.buffer.name}"`, hint: "pass outputShapes" },
        );
      }
      return d.f(fr);
    });
    let out = ndarray(p.buffer.dtype, shape);
    if (p.buffer.strides.length > 0 || !isConst(p.buffer.elemOffset, 0)) {
      binder.array(p, out);
      binder.solve();
      const r = reach(p.layout(fr));
      if (r && r[1] >= numel(shape)) {
        out = { dtype: out.dtype, shape: out.shape, data: allocTyped(out.dtype, r[1] + 1) };
      }
    }
    outputs.push(out);
    args.push(out);
  }
  interpret(f, args, options);
  return outputs;
}
