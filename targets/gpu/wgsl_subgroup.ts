/**
 * Subgroup reductions (a codegen feature, used where the adapter has the `subgroups` feature):
 * the write-back of a cross-thread reduction (schedule_reduce.ts) — a serial loop over the
 * workgroup's partials in `shared` memory, run by invocation 0 —
 *
 * ```text
 * for t in 0..T { if t == 0 { S[i] = init }  S[i] = S[i] ⊕ S_rf[t] }      (⊕: +, max, min)
 * ```
 *
 * becomes one `subgroupAdd`/`subgroupMax`/`subgroupMin` per subgroup on the partial of each
 * invocation, the subgroup totals combined through `shared` memory across subgroups only:
 *
 * ```text
 * v = subgroup⊕(S_rf[lid.x])                                  (every invocation: uniform flow)
 * if subgroup_invocation_id == 0 { SG[atomicAdd(&n, 1)] = v }  (one slot per subgroup)
 * workgroupBarrier()
 * invocation 0: S[i] = init; for w < n { S[i] = S[i] ⊕ SG[w] }
 * ```
 *
 * WGSL gives no relation between `subgroup_invocation_id` and `local_invocation_index` (nor a
 * subgroup id without the `subgroup_id` extension), so each subgroup's leader takes a slot from a
 * workgroup counter. Subgroup built-ins must be called in uniform control flow (the
 * `subgroup_uniformity` diagnostic is an error by default): the write-back runs outside
 * thread-bound loops, under conditions on workgroup ids and uniform sizes only, and the
 * matcher refuses a loop nested in another serial loop (the counter is used once per dispatch).
 *
 * Why not an intrinsic: an SDK intrinsic (`defineIntrinsic`) is matched by tensorization against a
 * description PrimFunc run by one invocation on buffer regions; a subgroup operation is a
 * collective across invocations whose operands are the invocations' registers — no description
 * can state it, and it needs entry-point built-ins and an `enable` directive.
 *
 * @module
 */
import { elementOf } from "../../ir/dtype.ts";
import type { BinaryOp, PrimExpr, Var } from "../../ir/expr.ts";
import { visit } from "../../ir/node.ts";
import { structuralEqual } from "../../ir/structural.ts";
import type { Buffer, BufferStore, For, Stmt } from "../../ir/stmt.ts";

/** The subgroup built-in of each combiner. */
export const SUBGROUP_OPS: Readonly<Partial<Record<BinaryOp, string>>> = {
  add: "subgroupAdd",
  max: "subgroupMax",
  min: "subgroupMin",
};

/** A cross-thread write-back that can use subgroup operations. */
export interface SubgroupCombine {
  /** The combiner (`add`, `max`, `min`). */
  readonly op: BinaryOp;
  /** The WGSL built-in. */
  readonly builtin: string;
  /** The shared buffer of per-invocation partials (`S_rf`, T elements). */
  readonly partials: Buffer;
  /** The initialising store (`S[i] = init`), if any. */
  readonly init?: BufferStore;
  /** The combining store `S[i] = S[i] ⊕ S_rf[t]`. */
  readonly update: BufferStore;
}

function uses(e: PrimExpr | Stmt, v: Var): boolean {
  let found = false;
  visit(e, (n) => {
    if (n === v) found = true;
    return !found;
  });
  return found;
}

function sameLoad(e: PrimExpr, s: BufferStore, v: Var): boolean {
  return e.kind === "BufferLoad" && e.buffer === s.buffer && e.indices.length === 1 &&
    s.indices.length === 1 && !uses(s.indices[0], v) &&
    structuralEqual(e.indices[0], s.indices[0]);
}

/**
 * The write-back `loop` of a cross-thread reduction over `threads` invocations (the workgroup
 * is `threads × 1 × 1`), or undefined when the loop is not one.
 *
 * @example
 * ```ts ignore
 * const m = matchSubgroupCombine(loop, 64);
 * if (m) console.log(m.builtin); // "subgroupAdd"
 * ```
 */
export function matchSubgroupCombine(loop: For, threads: number): SubgroupCombine | undefined {
  if (loop.forKind !== "serial" || loop.min.kind !== "IntImm" || loop.min.value !== 0) return;
  if (loop.extent.kind !== "IntImm" || loop.extent.value !== threads || threads < 2) return;
  const v = loop.loopVar;
  // barriers the barrier pass put between the init and the update (both invocation 0's) go
  const body = (loop.body.kind === "SeqStmt" ? loop.body.seq : [loop.body]).filter((x) =>
    !(x.kind === "Evaluate" && x.value.kind === "Call" && x.value.op === "gpu.barrier")
  );
  let init: BufferStore | undefined;
  if (body.length === 2) {
    const c = body[0];
    if (c.kind !== "IfThenElse" || c.otherwise || c.then.kind !== "BufferStore") return;
    const k = c.cond;
    if (
      k.kind !== "Binary" || k.op !== "eq" || k.a !== v || k.b.kind !== "IntImm" ||
      k.b.value !== 0 || uses(c.then.value, v)
    ) return;
    init = c.then;
  } else if (body.length !== 1) return;
  const u = body[body.length - 1];
  if (u.kind !== "BufferStore" || u.value.kind !== "Binary") return;
  const builtin = SUBGROUP_OPS[u.value.op];
  const r = u.value.b;
  if (!builtin || !sameLoad(u.value.a, u, v) || r.kind !== "BufferLoad") return;
  const p = r.buffer;
  if (
    p.scope !== "shared" || p.shape.length !== 1 || p.shape[0].kind !== "IntImm" ||
    p.shape[0].value !== threads || r.indices.length !== 1 || r.indices[0] !== v
  ) return;
  if (!["float32", "int32", "uint32"].includes(elementOf(p.dtype)) || p.dtype !== u.value.dtype) {
    return;
  }
  if (u.buffer.scope === "local" || u.buffer.dtype !== p.dtype) return;
  if (init && (init.buffer !== u.buffer || !sameLoad(loadOf(init), u, v))) return;
  return { op: u.value.op, builtin, partials: p, init, update: u };
}

/** A load of the element a store writes (to compare indices). */
function loadOf(s: BufferStore): PrimExpr {
  return { kind: "BufferLoad", dtype: s.buffer.dtype, buffer: s.buffer, indices: s.indices };
}
