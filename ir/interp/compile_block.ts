/**
 * Compile blocks (TensorIR semantics). For each block instance (`BlockRealize`):
 *
 * 1. predicate false → the instance does nothing;
 * 2. the iteration values are evaluated in the enclosing scope and each must lie in its iteration
 *    variable's domain [min, min + extent) — otherwise INTERP_ITER_OUT_OF_DOMAIN (a binding
 *    outside the domain is a schedule bug that would otherwise go unnoticed);
 * 3. the iteration variables are bound, `allocBuffers` get fresh zero-filled storage;
 * 4. `init` runs if every reduction iteration variable is at its domain minimum (vacuously true
 *    for a block without reduction variables);
 * 5. the body runs.
 *
 * @module
 */
import { isConst, type PrimExpr } from "../expr.ts";
import type { Block, BlockRealize } from "../stmt.ts";
import { allocStorage } from "./access.ts";
import { compileIndex, compileScalar, directSlot } from "./compile_expr.ts";
import {
  checkScalarBuffer,
  compileBufferLayout,
  compileCondition,
  compileStmt,
} from "./compile_stmt.ts";
import type { Ctx, VarSlot } from "./context.ts";
import { InterpError } from "./errors.ts";
import type { Frame, Scalar, StmtFn, Value } from "./values.ts";

/** Compile a block that stands without a realize: allowed only without iteration variables. */
export function compileBlock(b: Block, ctx: Ctx): StmtFn {
  if (b.iterVars.length) {
    throw new InterpError(
      "INTERP_UNSUPPORTED",
      `Cannot run block "${b.name}" without a BlockRealize: it has ${b.iterVars.length} iteration variables to bind`,
      { path: ctx.where(`block "${b.name}"`) },
    );
  }
  return compileBlockRealize(
    {
      kind: "BlockRealize",
      iterValues: [],
      predicate: { kind: "IntImm", dtype: "bool", value: 1 },
      block: b,
    },
    ctx,
  );
}

/** A domain bound: a constant, or a compiled expression. */
type Bound = number | ((fr: Frame) => number);

function bound(f: (fr: Frame) => number, e: PrimExpr): Bound {
  return e.kind === "IntImm" ? e.value : f;
}

/** Compile a block instance. */
export function compileBlockRealize(s: BlockRealize, ctx: Ctx): StmtFn {
  const blk = s.block;
  const ivs = blk.iterVars;
  if (s.iterValues.length !== ivs.length) {
    throw new InterpError(
      "INTERP_UNSUPPORTED",
      `Cannot run block "${blk.name}": ${s.iterValues.length} values for ${ivs.length} iteration variables`,
      { path: ctx.where(`block "${blk.name}"`) },
    );
  }
  const pred = isConst(s.predicate, 1) ? undefined : compileCondition(s.predicate, ctx);
  const values = s.iterValues.map((v) => compileScalar(v, ctx));
  const direct = s.iterValues.map((v) => directSlot(v, ctx));
  const los = ivs.map((iv) => bound(compileIndex(iv.dom.min, ctx), iv.dom.min));
  const exts = ivs.map((iv) => bound(compileIndex(iv.dom.extent, ctx), iv.dom.extent));
  const reduce = ivs.map((iv) => iv.iterKind === "reduce");
  const shadow = ivs.some((iv) => ctx.isLive(iv.v));
  const where = ctx.where(`block "${blk.name}"`);
  return ctx.within(`block "${blk.name}"`, () =>
    ctx.binding(ivs.map((iv) => iv.v), (slots) => {
      for (const b of blk.allocBuffers) checkScalarBuffer(b, ctx);
      const layouts = blk.allocBuffers.map((b) => compileBufferLayout(b, ctx));
      return ctx.declaring(blk.allocBuffers, (bslots) => {
        const init = blk.init ? compileStmt(blk.init, ctx) : undefined;
        const body = compileStmt(blk.body, ctx);
        const nv = values.length;
        const vals = new Array<Scalar>(nv);
        const allocs = blk.allocBuffers.map((b, k) => ({ b, slot: bslots[k], layout: layouts[k] }));
        const outOfDomain = (k: number, x: number, lo: number, ext: number) =>
          new InterpError(
            "INTERP_ITER_OUT_OF_DOMAIN",
            `Cannot run block "${blk.name}": iteration variable "${
              ivs[k].v.name
            }" = ${x} lies outside its domain [${lo}, ${lo + ext})`,
            { path: where, hint: "guard the instance with the block predicate" },
          );
        if (!shadow && allocs.length === 0) {
          return fastInstance(
            pred,
            values,
            direct,
            los,
            exts,
            reduce,
            slots,
            outOfDomain,
            init,
            body,
          );
        }
        return (fr) => {
          if (pred && !pred(fr)) return;
          let atMin = true;
          for (let k = 0; k < nv; k++) {
            const v = values[k](fr);
            const x = typeof v === "number" ? v : Number(v);
            const lb = los[k];
            const lo = typeof lb === "number" ? lb : lb(fr);
            const eb = exts[k];
            const ext = typeof eb === "number" ? eb : eb(fr);
            if (!(x >= lo && x < lo + ext)) throw outOfDomain(k, x, lo, ext);
            if (reduce[k] && x !== lo) atMin = false;
            vals[k] = v;
          }
          // Bind (saving shadowed outer bindings only when there are any).
          const saved: Value[] | undefined = shadow ? [] : undefined;
          for (let k = 0; k < nv; k++) {
            const sl = slots[k];
            if (sl.num) {
              if (saved) saved.push(fr.n[sl.index]);
              fr.n[sl.index] = vals[k] as number;
            } else {
              if (saved) saved.push(fr.o[sl.index]);
              fr.o[sl.index] = vals[k];
            }
          }
          const oldBufs = allocs.length ? allocs.map((a) => fr.b[a.slot]) : undefined;
          for (const a of allocs) fr.b[a.slot] = allocStorage(a.b, a.layout(fr), where);
          if (init && atMin) init(fr);
          body(fr);
          if (oldBufs) allocs.forEach((a, k) => (fr.b[a.slot] = oldBufs[k]));
          if (saved) {
            for (let k = 0; k < nv; k++) {
              const sl = slots[k];
              if (sl.num) fr.n[sl.index] = saved[k] as number;
              else fr.o[sl.index] = saved[k];
            }
          }
        };
      });
    }));
}

/**
 * The common block instance: nothing shadowed, nothing allocated. Each iteration variable is
 * bound as soon as its value is checked (values are expressions of the enclosing scope only, so
 * binding early cannot change a later value).
 */
function fastInstance(
  pred: ((fr: Frame) => unknown) | undefined,
  values: readonly ((fr: Frame) => Scalar)[],
  direct: readonly number[],
  los: readonly Bound[],
  exts: readonly Bound[],
  reduce: readonly boolean[],
  slots: readonly VarSlot[],
  outOfDomain: (k: number, x: number, lo: number, ext: number) => Error,
  init: StmtFn | undefined,
  body: StmtFn,
): StmtFn {
  const nv = values.length;
  const num = slots.map((s) => s.num);
  const index = slots.map((s) => s.index);
  if (los.every((b) => typeof b === "number") && exts.every((b) => typeof b === "number")) {
    const lo = los as number[];
    const hi = lo.map((l, k) => l + (exts[k] as number));
    return (fr) => {
      if (pred && !pred(fr)) return;
      let atMin = true;
      for (let k = 0; k < nv; k++) {
        const src = direct[k];
        const v = src >= 0 ? fr.n[src] : values[k](fr);
        const x = typeof v === "number" ? v : Number(v);
        if (!(x >= lo[k] && x < hi[k])) throw outOfDomain(k, x, lo[k], hi[k] - lo[k]);
        if (x !== lo[k] && reduce[k]) atMin = false;
        if (num[k]) fr.n[index[k]] = x;
        else fr.o[index[k]] = v;
      }
      if (init && atMin) init(fr);
      body(fr);
    };
  }
  return (fr) => {
    if (pred && !pred(fr)) return;
    let atMin = true;
    for (let k = 0; k < nv; k++) {
      const v = values[k](fr);
      const x = typeof v === "number" ? v : Number(v);
      const lb = los[k];
      const lo = typeof lb === "number" ? lb : lb(fr);
      const eb = exts[k];
      const ext = typeof eb === "number" ? eb : eb(fr);
      if (!(x >= lo && x < lo + ext)) throw outOfDomain(k, x, lo, ext);
      if (x !== lo && reduce[k]) atMin = false;
      if (num[k]) fr.n[index[k]] = x;
      else fr.o[index[k]] = v;
    }
    if (init && atMin) init(fr);
    body(fr);
  };
}
