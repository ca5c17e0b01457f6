/**
 * Test helpers for lowering: run an original function and its lowered form in the reference
 * interpreter on the same data and compare bit for bit, and check the lowered form's shape
 * (`notes/lowered_form.md`). Browser-safe; used by this folder's tests and by targets' tests.
 *
 * @module
 */
import { CallError, InternalError } from "../errors.ts";
import type { Var } from "../expr.ts";
import { type PrimFunc, sizeVars } from "../func.ts";
import { type NDArray, ndarray, numel, randomNDArray, toNumbers } from "../ndarray.ts";
import { visit } from "../node.ts";
import { interpret, runFunc } from "../interp/mod.ts";
import type { Buffer } from "../stmt.ts";

/**
 * Values of the size variables of `f` given arrays for its leading buffer parameters (a
 * dimension that is exactly a variable binds it) and the scalar arguments among them.
 */
export function sizeValues(f: PrimFunc, args: readonly (NDArray | number)[]): Map<Var, number> {
  const out = new Map<Var, number>();
  f.params.forEach((p, k) => {
    const a = args[k];
    if (a === undefined) return;
    if (p.kind === "Var") {
      if (typeof a === "number") out.set(p, a);
      return;
    }
    if (typeof a === "number") return;
    p.shape.forEach((d, j) => {
      if (d.kind === "Var") out.set(d, a.shape[j]);
    });
  });
  return out;
}

/**
 * Run `original` on `inputs` (runFunc) and `lowered` on the same data flattened plus the size
 * values, and return both sets of outputs as numbers: `[want, got]`.
 */
export function runBoth(
  original: PrimFunc,
  lowered: PrimFunc,
  inputs: readonly (NDArray | number)[],
): [number[][], number[][]] {
  const want = runFunc(original, inputs);
  const all: (NDArray | number)[] = [...inputs, ...want];
  const sizes = sizeValues(original, all);
  const args: (NDArray | number)[] = [];
  lowered.params.forEach((p, k) => {
    if (k < original.params.length) {
      const a = all[k];
      if (typeof a === "number") args.push(a);
      else if (k < inputs.length) args.push({ ...a, shape: [numel(a.shape)] });
      else args.push(ndarray(a.dtype, [numel(a.shape)]));
      return;
    }
    const v = sizes.get(p as Var);
    if (v === undefined) throw new InternalError(`no value for size parameter "${p.name}"`);
    args.push(v);
  });
  interpret(lowered, args);
  const outs = args.slice(inputs.length, original.params.length) as NDArray[];
  return [want.map(toNumbers), outs.filter((a) => typeof a !== "number").map(toNumbers)];
}

/** Random inputs for the leading `count` buffer parameters of `f`, with `sizes` for symbols. */
export function randomInputs(
  f: PrimFunc,
  count: number,
  sizes: ReadonlyMap<string, number> = new Map(),
  seed = 1,
): NDArray[] {
  return f.params.slice(0, count).map((p, k) => {
    if (p.kind !== "Buffer") {
      throw new CallError("CALL_ARG_KIND", `parameter ${p.name} is no buffer`);
    }
    const shape = p.shape.map((d) => {
      if (d.kind === "IntImm") return d.value;
      if (d.kind === "Var" && sizes.has(d.name)) return sizes.get(d.name)!;
      throw new InternalError(`no size for dimension of "${p.name}"`);
    });
    return randomNDArray(p.dtype, shape, seed + k);
  });
}

/**
 * Problems with a function claimed to be in lowered form (empty when it is): blocks left,
 * accesses with more than one index, parameters not as the contract says, loop kinds.
 */
export function loweredFormProblems(original: PrimFunc, lowered: PrimFunc): string[] {
  const out: string[] = [];
  if (lowered.attrs.lowered !== true) out.push("attrs.lowered is not true");
  const scalars = new Set(original.params.filter((p) => p.kind === "Var"));
  const extra = sizeVars(original).filter((v) => !scalars.has(v));
  const expected = original.params.length + extra.length;
  if (lowered.params.length < expected) {
    out.push(`${lowered.params.length} params, need ${expected}`);
  }
  original.params.forEach((p, k) => {
    const q = lowered.params[k];
    if (p.kind === "Var") {
      if (q !== p) out.push(`param ${k} should be the scalar ${p.name}`);
      return;
    }
    if (q?.kind !== "Buffer") return void out.push(`param ${k} should be a buffer`);
    const b: Buffer = q;
    if (b.name !== p.name || b.dtype !== p.dtype || b.scope !== p.scope) {
      out.push(`param ${k} changed name, dtype or scope`);
    }
    if (b.shape.length !== 1 || b.strides.length !== 0) out.push(`param ${p.name} is not 1-D`);
  });
  extra.forEach((v, k) => {
    if (lowered.params[original.params.length + k] !== v) out.push(`size param ${v.name} missing`);
  });
  visit(lowered.body, (n) => {
    if (n.kind === "Block" || n.kind === "BlockRealize") out.push(`${n.kind} left`);
    if ((n.kind === "BufferLoad" || n.kind === "BufferStore") && n.indices.length !== 1) {
      out.push(`access of ${n.buffer.name} with ${n.indices.length} indices`);
    }
    if (n.kind === "Allocate" && n.buffer.shape.length !== 1) out.push(`allocation not 1-D`);
    if (n.kind === "For" && (n.forKind === "vectorized" || n.forKind === "unrolled")) {
      out.push(`loop ${n.loopVar.name} still ${n.forKind}`);
    }
  });
  return out;
}
