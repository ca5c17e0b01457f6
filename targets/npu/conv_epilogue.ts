/**
 * Epilogue chains after a contraction (`conv_plan.ts`): the longest run of element-wise blocks,
 * each reading only its predecessor's intermediate at the index it stores, whose every step the
 * NPU's vector ALU runs exactly on the accumulator — `+ c`, `− c`, `· c`, `max(·, c)`,
 * `min(·, c)`, `⌊· / 2^s⌋` (integers), `+ bias` (a vector operand; `conv_plan.ts` checks it lies
 * along the output channels) — ending at a cast the STORE performs.
 *
 * @module
 */
import { type BinaryOp, bufferLoad, type PrimExpr } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { visit } from "../../ir/node.ts";
import type { Buffer, For } from "../../ir/stmt.ts";
import { structuralEqual } from "../../ir/structural.ts";
import { blocksUnder, blocksUnderWithLoops, childBlocks } from "../../tensorize/analysis/find.ts";
import { domainEinsum } from "../../tensorize/auto/mod.ts";
import type { EpilogueStep } from "./conv_region.ts";
import { ownLoops } from "./offload_plan.ts";

/** A buffer access (a load). */
export interface Access {
  /** The buffer read. */
  readonly buffer: Buffer;
  /** Its indices. */
  readonly indices: readonly PrimExpr[];
}

/** Every buffer read by some block of `f` (a reduction's own output aside), with how many. */
function readers(f: PrimFunc): Map<Buffer, number> {
  const n = new Map<Buffer, number>();
  for (const r of blocksUnder(f.body)) {
    if (childBlocks(r.block.body).length) continue;
    const seen = new Set<Buffer>();
    visit(r.block.body, (x) => {
      if (x.kind === "BufferLoad") seen.add(x.buffer);
    });
    const own = r.block.body.kind === "BufferStore" ? r.block.body.buffer : undefined;
    for (const b of seen) if (b !== own) n.set(b, (n.get(b) ?? 0) + 1);
  }
  return n;
}

/** The epilogue chain folded after a contraction. */
export interface Folded {
  readonly steps: EpilogueStep[];
  readonly out: Buffer;
  readonly bias?: { readonly access: Access; readonly storeIdx: readonly PrimExpr[] };
  readonly loops: For[];
  readonly names: string[];
}

const STEP_OPS: Partial<Record<BinaryOp, EpilogueStep["op"]>> = {
  add: "add",
  mul: "mul",
  max: "max",
  min: "min",
};

/** The ALU steps of `e` applied to `prev` (undefined: not a supported chain). */
function stepsOf(
  e: PrimExpr,
  prev: PrimExpr,
  acc: string,
  biasOk: boolean,
  found: { bias?: Access },
): EpilogueStep[] | undefined {
  if (structuralEqual(e, prev)) return [];
  if (e.kind !== "Binary" || e.dtype !== acc) return undefined;
  const imm = (x: PrimExpr) =>
    (x.kind === "IntImm" || x.kind === "FloatImm") && x.dtype === acc ? x.value : undefined;
  const biasOf = (x: PrimExpr): Access | undefined => {
    const y = x.kind === "Cast" && x.dtype === acc ? x.value : x;
    return y.kind === "BufferLoad" ? y : undefined;
  };
  const chainSide = (a: PrimExpr, b: PrimExpr, commutes: boolean) => {
    const l = stepsOf(a, prev, acc, biasOk, found);
    if (l) return { l, other: b };
    if (!commutes) return undefined;
    const r = stepsOf(b, prev, acc, biasOk, found);
    return r ? { l: r, other: a } : undefined;
  };
  if (e.op === "sub") {
    const s = chainSide(e.a, e.b, false), c = s && imm(s.other);
    return s && c !== undefined ? [...s.l, { op: "add", imm: -c }] : undefined;
  }
  if (e.op === "floordiv") {
    const s = chainSide(e.a, e.b, false), c = s && imm(s.other);
    if (!s || c === undefined || !acc.startsWith("int") || c < 1) return undefined;
    const k = Math.log2(c);
    return Number.isInteger(k) ? [...s.l, { op: "shr", imm: k }] : undefined;
  }
  const op = STEP_OPS[e.op];
  if (!op) return undefined;
  const s = chainSide(e.a, e.b, true);
  if (!s) return undefined;
  const c = imm(s.other);
  if (c !== undefined) return [...s.l, { op, imm: c }];
  const b = biasOf(s.other);
  if (op !== "add" || !b || !biasOk || found.bias) return undefined;
  found.bias = b;
  return [...s.l, { op: "add", imm: 0, bias: b.buffer.dtype }];
}

const STORE_CASTS: Record<string, readonly string[]> = {
  int32: ["int8", "int32"],
  float32: ["float16", "float32"],
};

/** The epilogue chain after a contraction writing `t` (an intermediate). */
export function foldChain(
  f: PrimFunc,
  t: Buffer,
  acc: string,
  allowBias = true,
): Folded {
  const params = new Set(f.params.filter((p): p is Buffer => p.kind === "Buffer"));
  const nReaders = readers(f);
  const leaves = blocksUnderWithLoops(f.body).filter((x) =>
    childBlocks(x.realize.block.body).length === 0 && x.realize.block.name !== "root"
  );
  const steps: EpilogueStep[] = [], loops: For[] = [], names: string[] = [];
  let cur = t, bias: Folded["bias"];
  for (;;) {
    if (params.has(cur) || nReaders.get(cur) !== 1 || cur.dtype !== acc) break;
    const next = leaves.find((x) => {
      const body = x.realize.block.body;
      if (body.kind === "BufferStore" && body.buffer === cur) return false; // the producer
      let reads = false;
      visit(body, (n) => void (n.kind === "BufferLoad" && n.buffer === cur && (reads = true)));
      return reads;
    });
    if (!next || next.realize.block.init) break;
    const own = ownLoops(next.realize.block, next.realize.iterValues, next.loops);
    const pred = next.realize.predicate;
    if (!own || !(pred.kind === "IntImm" && pred.value === 1) || !own.length) break;
    if (blocksUnder(own[0]).length !== 1) break;
    const form = domainEinsum(f, next.realize.block.name);
    if ("code" in form || form.init) break;
    const st = form.store;
    if (st.buffer.shape.length !== cur.shape.length) break;
    if (!st.buffer.shape.every((d, j) => structuralEqual(d, cur.shape[j]))) break;
    let value = st.value;
    const last = value.kind === "Cast" && value.dtype !== acc;
    if (last) {
      if (!STORE_CASTS[acc]?.includes(value.dtype) || value.dtype !== st.buffer.dtype) break;
      value = (value as { value: PrimExpr }).value;
    } else if (st.buffer.dtype !== acc) break;
    const prev = bufferLoad(cur, st.indices);
    const found: { bias?: Access } = {};
    const s = stepsOf(value, prev, acc, allowBias && !bias, found);
    if (!s) break;
    if (found.bias) bias = { access: found.bias, storeIdx: st.indices };
    steps.push(...s);
    loops.push(own[0]);
    names.push(next.realize.block.name);
    cur = st.buffer;
    if (last) break;
  }
  return { steps, out: cur, bias, loops, names };
}
