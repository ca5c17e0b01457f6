/**
 * `vectorize`: a `vectorized` loop with a constant extent L whose body is vectorizable becomes
 * vector code with L lanes; any other `vectorized` loop becomes `serial` (vectorizing is a hint;
 * both mean the same). Extents above `maxLanes` (default 16) that are a multiple of it become a
 * serial loop over vectors of `maxLanes` lanes.
 *
 * The loop variable v becomes `ramp(min, 1, L)`; expressions are rebuilt lane-wise:
 *
 * | expression                         | vector form                                   |
 * | ---------------------------------- | --------------------------------------------- |
 * | invariant x                        | x (broadcast where a vector is needed)        |
 * | ramp(b, s) ± x, x + ramp(b, s)     | ramp(b ± x, s)                                |
 * | x − ramp(b, s)                     | ramp(x − b, −s)                               |
 * | ramp(b₁, s₁) ± ramp(b₂, s₂)        | ramp(b₁ ± b₂, s₁ ± s₂)                        |
 * | ramp(b, s) · x (x invariant int)   | ramp(b·x, s·x)                                |
 * | A[ramp(b, 1)] / A[invariant]       | vector load / scalar load                     |
 * | other op, select, cast, math call  | the same op on vectors, per lane              |
 *
 * A body that is one `if` on a lane-varying condition — the tail guard `o·L + v < E` of a split
 * that does not divide — becomes `if (the condition holds in every lane) vector body else the
 * serial loop`, when the condition is a conjunction of `<`, `≤`, `>`, `≥` between expressions
 * linear in v: each such comparison holds on an interval of lanes, so holding at the first and
 * the last lane means holding at all of them.
 *
 * The body is left serial when it holds an inner loop, an allocation, an `evaluate`, a branch or
 * assert on a lane-varying condition (other than that guard), a target intrinsic call, a load or store whose index is
 * neither invariant nor a unit-stride ramp, a store at an invariant index (a reduction: every lane
 * would write one place), or a buffer that is stored and also accessed at another index (the
 * serial order would be observable).
 *
 * @module
 */
import { lanesOf, withLanes } from "../dtype.ts";
import {
  add,
  binary,
  broadcast,
  bufferLoad,
  call,
  CALL_OPS,
  cast,
  int,
  letExpr,
  mul,
  not,
  type PrimExpr,
  type Ramp,
  ramp,
  select,
  sub,
  type Var,
  variable,
} from "../expr.ts";
import { isExpr, mapChildren, type Node, visit } from "../node.ts";
import {
  assertStmt,
  type Buffer,
  bufferStore,
  type For,
  forLoop,
  ifThenElse,
  letStmt,
  seq,
  type Stmt,
} from "../stmt.ts";
import { type Pass, withBody } from "./pass.ts";
import { sameExpr } from "./same_expr.ts";
import { substitute } from "./substitute.ts";

/** Default most lanes of a vector. */
export const DEFAULT_MAX_LANES = 16;

/** Thrown inside the vectorizer when the body cannot be vectorized; the loop stays serial. */
class Bail {
  constructor(readonly why: string) {}
}

const isVec = (e: PrimExpr) => lanesOf(e.dtype) > 1;

class Vectorizer {
  private readonly lets = new Map<Var, Var>();

  constructor(
    private readonly v: Var,
    private readonly lanes: number,
    private readonly ramp0: Ramp,
  ) {}

  /** A vector operand: scalars broadcast. */
  private widen(e: PrimExpr): PrimExpr {
    return isVec(e) ? e : broadcast(e, this.lanes);
  }

  expr(e: PrimExpr): PrimExpr {
    switch (e.kind) {
      case "IntImm":
      case "FloatImm":
        return e;
      case "Var":
        return e === this.v ? this.ramp0 : this.lets.get(e) ?? e;
      case "Binary":
        return this.binary(e.op, this.expr(e.a), this.expr(e.b), e);
      case "Not": {
        const a = this.expr(e.a);
        return a === e.a ? e : not(a);
      }
      case "Select": {
        const [c, t, f] = [this.expr(e.cond), this.expr(e.t), this.expr(e.f)];
        if (c === e.cond && t === e.t && f === e.f) return e;
        if (!isVec(c) && !isVec(t) && !isVec(f)) return select(c, t, f);
        return select(c, this.widen(t), this.widen(f));
      }
      case "Cast": {
        const x = this.expr(e.value);
        if (x === e.value) return e;
        return cast(isVec(x) ? withLanes(e.dtype, this.lanes) : e.dtype, x);
      }
      case "Call": {
        if (CALL_OPS[e.op] === undefined) {
          if (this.uses(e)) throw new Bail(`call of intrinsic "${e.op}"`);
          return e;
        }
        const args = e.args.map((a) => this.expr(a));
        if (args.every((a, k) => a === e.args[k])) return e;
        if (!args.some(isVec)) return call(e.op, args);
        return call(e.op, args.map((a) => this.widen(a)));
      }
      case "BufferLoad": {
        const idx = this.index(e.buffer, e.indices);
        if (idx === e.indices[0]) return e;
        return bufferLoad(e.buffer, [idx]);
      }
      case "Let": {
        const value = this.expr(e.value);
        if (!isVec(value)) {
          const body = this.expr(e.body);
          return value === e.value && body === e.body ? e : letExpr(e.v, value, body);
        }
        const w = variable(e.v.name, value.dtype);
        this.lets.set(e.v, w);
        return letExpr(w, value, this.expr(e.body));
      }
      case "Ramp":
      case "Broadcast":
        if (this.uses(e)) throw new Bail("nested vectors");
        return e;
    }
  }

  private binary(
    op: Extract<PrimExpr, { kind: "Binary" }>["op"],
    a: PrimExpr,
    b: PrimExpr,
    e: PrimExpr,
  ): PrimExpr {
    if (e.kind === "Binary" && a === e.a && b === e.b) return e;
    if (!isVec(a) && !isVec(b)) return binary(op, a, b);
    const ra = a.kind === "Ramp" ? a : undefined;
    const rb = b.kind === "Ramp" ? b : undefined;
    if (op === "add" || op === "sub") {
      if (ra && rb) {
        return this.mkRamp(binary(op, ra.base, rb.base), binary(op, ra.stride, rb.stride));
      }
      if (ra && !isVec(b)) return this.mkRamp(binary(op, ra.base, b), ra.stride);
      if (rb && !isVec(a)) {
        return op === "add"
          ? this.mkRamp(add(a, rb.base), rb.stride)
          : this.mkRamp(sub(a, rb.base), sub(0, rb.stride));
      }
    }
    if (op === "mul") {
      if (ra && !isVec(b)) return this.mkRamp(mul(ra.base, b), mul(ra.stride, b));
      if (rb && !isVec(a)) return this.mkRamp(mul(a, rb.base), mul(a, rb.stride));
    }
    return binary(op, this.widen(a), this.widen(b));
  }

  private mkRamp(base: PrimExpr, stride: PrimExpr): PrimExpr {
    if (stride.kind === "IntImm" && stride.value === 0) return broadcast(base, this.lanes);
    return ramp(base, stride, this.lanes);
  }

  /** The vector (or invariant scalar) index of an access; bails unless unit-stride or invariant. */
  private index(b: Buffer, indices: readonly PrimExpr[]): PrimExpr {
    if (indices.length !== 1) throw new Bail(`buffer "${b.name}" is not flat`);
    const idx = this.expr(indices[0]);
    if (!isVec(idx)) return idx;
    if (idx.kind === "Ramp" && idx.stride.kind === "IntImm" && idx.stride.value === 1) return idx;
    throw new Bail(`index of buffer "${b.name}" is not a unit-stride ramp`);
  }

  private uses(e: Node): boolean {
    let found = false;
    visit(e, (n) => {
      if (n === this.v || (n.kind === "Var" && this.lets.has(n))) found = true;
      return !found;
    });
    return found;
  }

  stmt(s: Stmt): Stmt {
    switch (s.kind) {
      case "BufferStore": {
        const idx = this.index(s.buffer, s.indices);
        if (!isVec(idx)) {
          throw new Bail(`store to buffer "${s.buffer.name}" at one place in every lane`);
        }
        return bufferStore(s.buffer, this.widen(this.expr(s.value)), [idx]);
      }
      case "SeqStmt":
        return seq(s.seq.map((c) => this.stmt(c)));
      case "LetStmt": {
        const value = this.expr(s.value);
        if (!isVec(value)) return letStmt(s.v, value, this.stmt(s.body));
        const w = variable(s.v.name, value.dtype);
        this.lets.set(s.v, w);
        return letStmt(w, value, this.stmt(s.body));
      }
      case "IfThenElse": {
        const c = this.expr(s.cond);
        if (isVec(c)) throw new Bail("a branch on a lane-varying condition");
        return ifThenElse(c, this.stmt(s.then), s.otherwise && this.stmt(s.otherwise));
      }
      case "AssertStmt": {
        const c = this.expr(s.cond);
        if (isVec(c)) throw new Bail("an assert on a lane-varying condition");
        return assertStmt(c, s.message, this.stmt(s.body));
      }
      default:
        throw new Bail(`a ${s.kind} in the body`);
    }
  }
}

/** Bails if a stored buffer is also stored or loaded at another index (order would show). */
function checkDependences(body: Stmt): void {
  const stored = new Map<Buffer, PrimExpr>();
  visit(body, (n) => {
    if (n.kind !== "BufferStore") return;
    const prev = stored.get(n.buffer);
    if (prev && !sameExpr(prev, n.indices[0])) {
      throw new Bail(`stores to "${n.buffer.name}" differ`);
    }
    stored.set(n.buffer, n.indices[0]);
  });
  visit(body, (n) => {
    if (n.kind !== "BufferLoad") return;
    const at = stored.get(n.buffer);
    if (at && !sameExpr(at, n.indices[0])) throw new Bail(`"${n.buffer.name}" is read elsewhere`);
  });
}

const MONOTONE = new Set(["lt", "le", "gt", "ge"]);

/** The conjuncts of a condition (`a && b && …`). */
function conjuncts(c: PrimExpr): PrimExpr[] {
  return c.kind === "Binary" && c.op === "and" ? [...conjuncts(c.a), ...conjuncts(c.b)] : [c];
}

/**
 * For a body `if (cond) then` whose condition varies across lanes but holds on an interval of
 * them: the scalar condition that it holds in every lane (at the first and the last lane).
 */
function laneGuard(body: Stmt, v: Var, lanes: number, base: PrimExpr): PrimExpr | undefined {
  if (body.kind !== "IfThenElse" || body.otherwise) return undefined;
  const probe = new Vectorizer(v, lanes, ramp(base, 1, lanes));
  const linear = (e: PrimExpr) => {
    const x = probe.expr(e);
    return !isVec(x) || x.kind === "Ramp";
  };
  const parts = conjuncts(body.cond);
  const ok = parts.every((c) =>
    c.kind === "Binary" && MONOTONE.has(c.op) && linear(c.a) && linear(c.b)
  );
  if (!ok || !isVec(probe.expr(body.cond))) return undefined;
  const at = (x: PrimExpr) => substitute(body.cond, new Map([[v, x]]));
  return binary("and", at(base), at(add(base, int(lanes - 1, base.dtype))));
}

/** The vector form of `body` at lanes `base…base+lanes-1`, guarded by `laneGuard` if needed. */
function vectorBody(loop: For, lanes: number, base: PrimExpr): Stmt {
  const v = loop.loopVar;
  const guard = laneGuard(loop.body, v, lanes, base);
  if (!guard) return new Vectorizer(v, lanes, ramp(base, 1, lanes)).stmt(loop.body);
  const then = (loop.body as Extract<Stmt, { kind: "IfThenElse" }>).then;
  const vector = new Vectorizer(v, lanes, ramp(base, 1, lanes)).stmt(then);
  const w = variable(v.name, v.dtype);
  const serial = forLoop(w, 0, lanes, substitute(loop.body, new Map([[v, add(base, w)]])), {
    annotations: { ...loop.annotations },
  });
  return ifThenElse(guard, vector, serial);
}

function vectorizeLoop(loop: For, maxLanes: number): Stmt {
  const serial: Stmt = { ...loop, forKind: "serial" };
  if (loop.extent.kind !== "IntImm" || loop.extent.value < 2) return serial;
  const extent = loop.extent.value;
  const lanes = extent <= maxLanes ? extent : extent % maxLanes === 0 ? maxLanes : 0;
  if (lanes < 2) return serial;
  try {
    checkDependences(loop.body);
    if (lanes === extent) return vectorBody(loop, lanes, loop.min);
    const o = variable(`${loop.loopVar.name}_o`, loop.loopVar.dtype);
    const base = add(loop.min, mul(o, int(lanes, o.dtype)));
    const body = vectorBody(loop, lanes, base);
    return forLoop(o, 0, extent / lanes, body, { annotations: { ...loop.annotations } });
  } catch (e) {
    if (e instanceof Bail) return serial;
    throw e;
  }
}

function vectorizeStmt(s: Stmt, maxLanes: number): Stmt {
  const m = mapChildren(
    s,
    (c: Node) => (isExpr(c) || c.kind === "Buffer" ? c : vectorizeStmt(c as Stmt, maxLanes)),
  );
  return m.kind === "For" && m.forKind === "vectorized" ? vectorizeLoop(m, maxLanes) : m;
}

/**
 * The pass.
 *
 * @example
 * ```ts
 * import { vectorize } from "./vectorize.ts";
 * import { primFunc } from "../func.ts";
 * import { bufferStore, decl, forLoop } from "../stmt.ts";
 * import { add, bufferLoad, variable } from "../expr.ts";
 * const A = decl("A", [8]);
 * const B = decl("B", [8]);
 * const i = variable("i");
 * const body = bufferStore(B, add(bufferLoad(A, [i]), 1), [i]);
 * const f = primFunc("f", [A, B], forLoop(i, 0, 8, body, { kind: "vectorized" }));
 * const g = vectorize.run(f, { options: {} });
 * console.assert(g.body.kind === "BufferStore" && g.body.value.dtype === "float32x8");
 * ```
 */
export const vectorize: Pass = {
  name: "vectorize",
  summary: "turn vectorized loops of constant extent into ramp/broadcast vector code",
  run: (f, ctx) => withBody(f, vectorizeStmt(f.body, ctx.options.maxLanes ?? DEFAULT_MAX_LANES)),
};
