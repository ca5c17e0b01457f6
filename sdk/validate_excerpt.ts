/**
 * The input elements one output element of an intrinsic depends on, for mismatch messages:
 * `A[1, 0:16] = [...]; B[0:16, 2] = [...]; C[1, 2] = 5`. Found from the description's block that
 * stores the output — its store indices fix the spatial iteration variables, the others (the
 * reduction) range over their domains, and every load of the value names an element. When the
 * description is not of that form, the first elements of every other operand are shown.
 *
 * @module
 */
import { simplify } from "../ir/arith/mod.ts";
import type { BufferLoad, PrimExpr, Var } from "../ir/expr.ts";
import { int } from "../ir/expr.ts";
import { visit } from "../ir/node.ts";
import { getElement } from "../ir/ndarray.ts";
import type { Block, Buffer, BufferStore } from "../ir/stmt.ts";
import { substitute } from "../ir/transform/substitute.ts";
import type { Intrinsic } from "./intrinsic.ts";
import { type IntrinsicTile, tileIndex } from "./intrinsic_run.ts";

/** Some elements of one input operand. */
export interface InputExcerpt {
  /** The operand. */
  readonly operand: string;
  /** Which elements, as a slice (`A[1, 0:16]`) or a list. */
  readonly region: string;
  /** Their values, printed (`[1, -3, NaN]`). */
  readonly values: string;
}

const SHOW_MAX = 32;

function show(v: number): string {
  return Object.is(v, -0) ? "-0" : String(v);
}

function storeOf(
  intrinsic: Intrinsic,
  out: Buffer,
): { block: Block; store: BufferStore } | undefined {
  let found: { block: Block; store: BufferStore } | undefined;
  visit(intrinsic.description.body, (n) => {
    if (found || n.kind !== "Block") return;
    if (n.body.kind === "BufferStore" && n.body.buffer === out) found = { block: n, store: n.body };
  });
  return found;
}

function constant(e: PrimExpr, env: ReadonlyMap<Var, PrimExpr>): number | undefined {
  const v = simplify(substitute(e, env));
  return v.kind === "IntImm" ? v.value : undefined;
}

/** Element indices each load of the store's value reads, per buffer, or undefined. */
function dependencies(
  block: Block,
  store: BufferStore,
  index: readonly number[],
): Map<Buffer, number[][]> | undefined {
  const fixed = new Map<Var, PrimExpr>();
  for (let d = 0; d < store.indices.length; d++) {
    const e = store.indices[d];
    if (e.kind !== "Var" || !block.iterVars.some((iv) => iv.v === e)) return undefined;
    fixed.set(e, int(index[d], e.dtype));
  }
  const free = block.iterVars.filter((iv) => !fixed.has(iv.v));
  const loads: BufferLoad[] = [];
  visit(store.value, (n) => void (n.kind === "BufferLoad" && loads.push(n)));
  const out = new Map<Buffer, number[][]>();
  const seen = new Set<string>();
  const walk = (k: number, env: Map<Var, PrimExpr>): boolean => {
    if (k === free.length) {
      for (const l of loads) {
        const idx = l.indices.map((e) => constant(e, env));
        if (idx.some((x) => x === undefined)) return false;
        const key = `${l.buffer.name}:${idx.join(",")}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (!out.has(l.buffer)) out.set(l.buffer, []);
        out.get(l.buffer)!.push(idx as number[]);
      }
      return true;
    }
    const iv = free[k];
    const lo = constant(iv.dom.min, env), ext = constant(iv.dom.extent, env);
    if (lo === undefined || ext === undefined || ext > 4096) return false;
    for (let x = lo; x < lo + ext; x++) {
      if (!walk(k + 1, new Map(env).set(iv.v, int(x, iv.v.dtype)))) return false;
    }
    return true;
  };
  return walk(0, fixed) ? out : undefined;
}

/** `[lo:hi]` per dimension when the indices fill their bounding box, else undefined. */
function asSlice(indices: readonly number[][]): string | undefined {
  const rank = indices[0].length;
  const lo = Array.from({ length: rank }, (_, d) => Math.min(...indices.map((i) => i[d])));
  const hi = Array.from({ length: rank }, (_, d) => Math.max(...indices.map((i) => i[d])));
  const volume = lo.reduce((v, l, d) => v * (hi[d] - l + 1), 1);
  if (volume !== indices.length) return undefined;
  return lo.map((l, d) => (l === hi[d] ? `${l}` : `${l}:${hi[d] + 1}`)).join(", ");
}

function excerpt(tile: IntrinsicTile, indices: number[][]): InputExcerpt {
  const flat = (idx: readonly number[]) => idx.reduce((f, x, d) => f * tile.shape[d] + x, 0);
  const sorted = [...indices].sort((a, b) => flat(a) - flat(b));
  const value = (idx: readonly number[]) =>
    show(getElement(tile.data.data, tile.dtype, tileIndex(tile, flat(idx))));
  const slice = asSlice(sorted);
  const shown = sorted.slice(0, SHOW_MAX).map(value);
  const more = sorted.length > SHOW_MAX ? `, … (${sorted.length} in all)` : "";
  const region = slice !== undefined
    ? `${tile.param}[${slice}]`
    : sorted.slice(0, SHOW_MAX).map((i) => `${tile.param}[${i.join(", ")}]`).join(" ");
  return {
    operand: tile.param,
    region,
    values: sorted.length === 1 ? shown[0] : `[${shown.join(", ")}${more}]`,
  };
}

/**
 * The input elements (values before the run, from `tiles`) that element `index` of operand
 * number `out` depends on.
 */
export function inputExcerpts(
  intrinsic: Intrinsic,
  tiles: readonly IntrinsicTile[],
  out: number,
  index: readonly number[],
): InputExcerpt[] {
  const params = intrinsic.description.params.map((p) => p.kind === "Buffer" ? p : undefined);
  const found = params[out] && storeOf(intrinsic, params[out]!);
  const deps = found && dependencies(found.block, found.store, index);
  if (!deps) {
    return tiles.filter((_, k) => k !== out).map((t) => {
      const n = Math.min(SHOW_MAX, t.shape.reduce((x, y) => x * y, 1));
      const all = Array.from({ length: n }, (_, i) => {
        const idx = t.shape.map(() => 0);
        let rest = i;
        for (let d = t.shape.length - 1; d >= 0; d--) {
          idx[d] = rest % t.shape[d];
          rest = Math.floor(rest / t.shape[d]);
        }
        return idx;
      });
      return excerpt(t, all);
    });
  }
  const result: InputExcerpt[] = [];
  params.forEach((b, k) => {
    const idx = b && deps.get(b);
    if (idx?.length) result.push(excerpt(tiles[k], idx));
  });
  return result;
}
