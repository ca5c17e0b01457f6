/**
 * Compile statements to closures. Loops of every kind (serial, parallel, vectorized, unrolled,
 * thread) run serially in index order; the extent and min are evaluated once on entry.
 * Allocations (`Allocate`, a block's `allocBuffers`) get fresh zero-filled storage each time
 * their scope is entered. Blocks are compiled by ./compile_block.ts.
 *
 * @module
 */
import { elementOf, lanesOf } from "../dtype.ts";
import type { PrimExpr } from "../expr.ts";
import type { Allocate, Buffer, BufferStore, For, Stmt } from "../stmt.ts";
import {
  allocStorage,
  compileLayout,
  compileOffset,
  laneOffsets,
  type Layout,
  writerOf,
} from "./access.ts";
import { compileBlock, compileBlockRealize } from "./compile_block.ts";
import { compileAny, compileIndex, compileScalar, directSlot } from "./compile_expr.ts";
import { toNumbers } from "./compile_vector.ts";
import type { Ctx } from "./context.ts";
import { InterpError } from "./errors.ts";
import { roundFn } from "./scalar.ts";
import { type Frame, isBig, type Scalar, type StmtFn } from "./values.ts";

/** Compile one statement. */
export function compileStmt(s: Stmt, ctx: Ctx): StmtFn {
  switch (s.kind) {
    case "BufferStore":
      return lanesOf(s.value.dtype) > 1 || s.indices.some((i) => lanesOf(i.dtype) > 1)
        ? compileVectorStore(s, ctx)
        : compileStore(s, ctx);
    case "For":
      return compileFor(s, ctx);
    case "SeqStmt": {
      const fs = s.seq.map((x) => compileStmt(x, ctx));
      if (fs.length === 2) {
        const [a, b] = fs;
        return (fr) => {
          a(fr);
          b(fr);
        };
      }
      return (fr) => {
        for (let k = 0; k < fs.length; k++) fs[k](fr);
      };
    }
    case "IfThenElse": {
      const c = compileCondition(s.cond, ctx);
      const t = compileStmt(s.then, ctx);
      const o = s.otherwise ? compileStmt(s.otherwise, ctx) : undefined;
      return o ? (fr) => (c(fr) ? t(fr) : o(fr)) : (fr) => {
        if (c(fr)) t(fr);
      };
    }
    case "LetStmt": {
      const value = compileAny(s.value, ctx);
      return ctx.binding([s.v], ([slot]) => {
        const body = compileStmt(s.body, ctx);
        const i = slot.index;
        if (slot.num) {
          return (fr) => {
            const old = fr.n[i];
            fr.n[i] = value(fr) as number;
            body(fr);
            fr.n[i] = old;
          };
        }
        return (fr) => {
          const old = fr.o[i];
          fr.o[i] = value(fr);
          body(fr);
          fr.o[i] = old;
        };
      });
    }
    case "Allocate":
      return compileAllocate(s, ctx);
    case "AssertStmt": {
      const c = compileCondition(s.cond, ctx);
      const body = compileStmt(s.body, ctx);
      const where = ctx.where();
      const msg = s.message;
      return (fr) => {
        if (!c(fr)) {
          throw new InterpError(
            "INTERP_ASSERT",
            `Cannot continue function "${ctx.funcName}": assertion failed: ${msg}`,
            { path: where },
          );
        }
        body(fr);
      };
    }
    case "Evaluate": {
      const v = compileAny(s.value, ctx);
      return (fr) => {
        v(fr);
      };
    }
    case "Block":
      return compileBlock(s, ctx);
    case "BlockRealize":
      return compileBlockRealize(s, ctx);
  }
}

/** A scalar bool condition (a vector condition has no meaning for control flow). */
export function compileCondition(c: PrimExpr, ctx: Ctx): (fr: Frame) => unknown {
  if (lanesOf(c.dtype) > 1) {
    throw new InterpError(
      "INTERP_UNSUPPORTED",
      `Cannot branch on the vector condition of dtype ${c.dtype}`,
      { path: ctx.where() },
    );
  }
  return compileScalar(c, ctx);
}

/** INTERP_UNSUPPORTED unless the buffer holds scalar elements. */
export function checkScalarBuffer(b: Buffer, ctx: Ctx): void {
  if (lanesOf(b.dtype) > 1 || elementOf(b.dtype) === "handle") {
    throw new InterpError(
      "INTERP_UNSUPPORTED",
      `Cannot interpret buffer "${b.name}" of dtype ${b.dtype}: elements must be scalars`,
      { path: ctx.where(`buffer "${b.name}"`) },
    );
  }
}

function compileStore(s: BufferStore, ctx: Ctx): StmtFn {
  const slot = ctx.buffer(s.buffer);
  checkScalarBuffer(s.buffer, ctx);
  const val = compileScalar(s.value, ctx);
  const where = ctx.where(`buffer "${s.buffer.name}"`);
  const off = compileOffset(
    slot,
    s.indices.map((i) => compileIndex(i, ctx)),
    s.indices.map((i) => directSlot(i, ctx)),
    "store",
    where,
  );
  if (elementOf(s.buffer.dtype) === "bfloat16") {
    const write = writerOf("bfloat16");
    return (fr) => {
      const v = val(fr);
      write(fr.b[slot].data, off(fr), v);
    };
  }
  return (fr) => {
    const v = val(fr);
    const o = off(fr);
    (fr.b[slot].data as unknown as Scalar[])[o] = v;
  };
}

function compileVectorStore(s: BufferStore, ctx: Ctx): StmtFn {
  const slot = ctx.buffer(s.buffer);
  checkScalarBuffer(s.buffer, ctx);
  const lanes = Math.max(lanesOf(s.value.dtype), ...s.indices.map((i) => lanesOf(i.dtype)));
  const where = ctx.where(`buffer "${s.buffer.name}"`);
  if (!s.indices.some((i) => lanesOf(i.dtype) === lanes)) {
    throw new InterpError(
      "INTERP_UNSUPPORTED",
      `Cannot store a ${s.value.dtype} value into buffer "${s.buffer.name}" at scalar indices: a vector store needs a vector index`,
      { path: where },
    );
  }
  const val = compileAny(s.value, ctx);
  const idx = s.indices.map((i) => toNumbers(compileAny(i, ctx), isBig(i.dtype)));
  const write = writerOf(s.buffer.dtype);
  return (fr) => {
    const v = val(fr);
    const st = fr.b[slot];
    const offs = laneOffsets(st, idx.map((f) => f(fr)), lanes, "store", where);
    for (let l = 0; l < lanes; l++) write(st.data, offs[l], Array.isArray(v) ? v[l] : v);
  };
}

function compileFor(s: For, ctx: Ctx): StmtFn {
  const big = isBig(s.loopVar.dtype);
  const lo = big ? compileScalar(s.min, ctx) : compileIndex(s.min, ctx);
  const ext = big ? compileScalar(s.extent, ctx) : compileIndex(s.extent, ctx);
  return ctx.binding([s.loopVar], ([slot]) => {
    const body = compileStmt(s.body, ctx);
    const i = slot.index;
    if (big) {
      const W = elementOf(s.loopVar.dtype) === "uint64"
        ? (x: bigint) => BigInt.asUintN(64, x)
        : (x: bigint) => BigInt.asIntN(64, x);
      return (fr) => {
        const a = BigInt(lo(fr));
        const n = BigInt(ext(fr));
        const old = fr.o[i];
        for (let k = 0n; k < n; k++) {
          fr.o[i] = W(a + k);
          body(fr);
        }
        fr.o[i] = old;
      };
    }
    const R = elementOf(s.loopVar.dtype) === "int32" ? undefined : roundFn(s.loopVar.dtype);
    const num = lo as (fr: Frame) => number;
    const cnt = ext as (fr: Frame) => number;
    if (R) {
      return (fr) => {
        const a = num(fr);
        const n = cnt(fr);
        const old = fr.n[i];
        for (let k = 0; k < n; k++) {
          fr.n[i] = R(a + k);
          body(fr);
        }
        fr.n[i] = old;
      };
    }
    return (fr) => {
      const a = num(fr);
      const n = cnt(fr);
      const old = fr.n[i];
      for (let k = 0; k < n; k++) {
        fr.n[i] = a + k;
        body(fr);
      }
      fr.n[i] = old;
    };
  });
}

/** Compile the layout of a buffer about to be allocated, in the current scope. */
export function compileBufferLayout(b: Buffer, ctx: Ctx): (fr: Frame) => Layout {
  return compileLayout(
    b.shape.map((d) => compileIndex(d, ctx)),
    b.strides.map((d) => compileIndex(d, ctx)),
    compileIndex(b.elemOffset, ctx),
  );
}

function compileAllocate(s: Allocate, ctx: Ctx): StmtFn {
  checkScalarBuffer(s.buffer, ctx);
  const layout = compileBufferLayout(s.buffer, ctx);
  const where = ctx.where(`buffer "${s.buffer.name}"`);
  return ctx.declaring([s.buffer], ([slot]) => {
    const body = compileStmt(s.body, ctx);
    return (fr) => {
      const old = fr.b[slot];
      fr.b[slot] = allocStorage(s.buffer, layout(fr), where);
      body(fr);
      fr.b[slot] = old;
    };
  });
}
