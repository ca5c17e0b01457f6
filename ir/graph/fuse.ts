/**
 * `fuse`: chains of elementwise ops fuse into their producer — `dense` / `matmul` / `conv2d` +
 * bias `add` + activation become one tensor-level function, built by composing the op library's
 * definitions (`ir/te` computes over the producer's tensor) — so the chain runs as one kernel
 * (one `callTIR`) with its intermediates inside. Run it before `legalize`, which handles the
 * op calls left.
 *
 * A chain link is a value with exactly one use, by an elementwise op in the same dataflow block,
 * and not the function's result. An op whose operands are all constants is left to
 * `foldConstants`. A chain whose composition the op library refuses is not fused.
 *
 * @module
 */
import { TesseraError } from "../errors.ts";
import { toPrimFunc } from "../ops/func.ts";
import type { Var } from "../expr.ts";
import { placeholder, sizeVar, type Tensor } from "../te.ts";
import { nodePath } from "./errors.ts";
import { applyOp, graphOp } from "./graph_ops.ts";
import { argsOf, type Atom, type Binding, type GraphFunc, type GraphModule } from "./ir.ts";
import { FuncTable, kernelShapes, LEGALIZED_FROM } from "./legalize.ts";
import type { GraphPass } from "./pass.ts";
import { mapBindings, sizeVarsByName } from "./rewrite.ts";
import { asTensor } from "./types.ts";

const isElementwise = (op: string) => graphOp(op).family === "elementwise";

/**
 * Whether a chain of ops (producer first) must not grow by `next` — e.g. because a target's graph
 * pattern accepts the chain but not the longer one (`partition.ts`).
 */
export type FuseStop = (chain: readonly string[], next: string) => boolean;

/** Chains of bindings to fuse, each in program order, found greedily. */
function findChains(f: GraphFunc, stop?: FuseStop): Binding[][] {
  const uses = new Map<Atom, number>();
  const use = (a: Atom) => uses.set(a, (uses.get(a) ?? 0) + 1);
  for (const blk of f.blocks) for (const b of blk.bindings) argsOf(b.value).forEach(use);
  use(f.output);
  uses.set(f.output, Infinity);
  const chainOf = new Map<Atom, Binding[]>(); // a chain's current tail value → the chain
  const chains: Binding[][] = [];
  for (const blk of f.blocks) {
    if (!blk.dataflow) continue;
    const inBlock = new Set(blk.bindings.map((b) => b.v));
    const fusible = new Set<Atom>();
    for (const b of blk.bindings) {
      const v = b.value;
      if (v.kind !== "OpCall" || v.args.every((a) => a.kind === "Constant")) continue;
      let link = isElementwise(v.op)
        ? v.args.find((a) => fusible.has(a) && inBlock.has(a as never) && uses.get(a) === 1)
        : undefined;
      if (link && stop) {
        const c = chainOf.get(link) ?? [blk.bindings.find((x) => x.v === link)!];
        if (stop(c.map((x) => (x.value as { op: string }).op), v.op)) link = undefined;
      }
      if (link) {
        let chain = chainOf.get(link);
        if (!chain) {
          chain = [blk.bindings.find((x) => x.v === link)!];
          chains.push(chain);
        }
        chainOf.delete(link);
        chain.push(b);
        chainOf.set(b.v, chain);
      }
      fusible.add(b.v);
    }
  }
  return chains;
}

/** The fused function of a chain, and its external operands; undefined if it cannot be built. */
function fusedFunc(f: GraphFunc, chain: readonly Binding[], sizes: ReadonlyMap<string, Var>) {
  const members = new Set<Atom>(chain.map((b) => b.v));
  const externals: Atom[] = [];
  for (const b of chain) {
    for (const a of argsOf(b.value)) {
      if (!members.has(a) && !externals.includes(a)) externals.push(a);
    }
  }
  const last = chain[chain.length - 1];
  const path = nodePath(f.name, last.v.name, "fused");
  try {
    const types = externals.map((a, k) => asTensor(a.type, `operand ${k}`, path));
    const { shapes, rep } = kernelShapes(types, chain.flatMap((b) => b.checks));
    const ph = types.map((t, k) => placeholder(shapes[k], t.dtype, `in${k}`));
    const tensors = new Map<Atom, Tensor>(externals.map((a, k) => [a, ph[k]]));
    const dim = (name: string): Var => {
      const s = sizes.get(name) ?? sizeVar(name);
      const r = rep(s);
      return r.kind === "Var" ? r : s;
    };
    const ops: string[] = [];
    for (const b of chain) {
      if (b.value.kind !== "OpCall") return undefined;
      const args = b.value.args.map((a) => tensors.get(a)!);
      tensors.set(b.v, applyOp(graphOp(b.value.op), args, b.value.attrs, dim, path));
      ops.push(b.value.op);
    }
    const prim = toPrimFunc(`fused_${ops.join("_")}`, ph, [tensors.get(last.v)!]);
    return {
      prim: { ...prim, attrs: { ...prim.attrs, [LEGALIZED_FROM]: ops.join("+") } },
      externals,
    };
  } catch (e) {
    if (e instanceof TesseraError) return undefined; // the library refuses: leave the chain
    throw e;
  }
}

function fuseModule(mod: GraphModule, stop?: FuseStop): GraphModule {
  const names = new Set([...mod.graphs.keys(), ...mod.tir.functions.keys()]);
  const table = new FuncTable(names, mod.tir.functions.values());
  const graphs = new Map(mod.graphs);
  let changed = false;
  for (const [name, f] of mod.graphs) {
    const sizes = sizeVarsByName(f);
    const replace = new Map<Binding, Binding | undefined>();
    for (const chain of findChains(f, stop)) {
      const fused = fusedFunc(f, chain, sizes);
      if (!fused) continue;
      const func = table.intern(fused.prim);
      const last = chain[chain.length - 1];
      for (const b of chain.slice(0, -1)) replace.set(b, undefined);
      replace.set(last, {
        ...last,
        value: { kind: "CallTIR", func, args: fused.externals },
        checks: chain.flatMap((b) => b.checks),
      });
    }
    if (replace.size === 0) continue;
    changed = true;
    graphs.set(name, mapBindings(f, (b) => (replace.has(b) ? replace.get(b) : b)));
  }
  if (!changed) return mod;
  const tir = new Map(mod.tir.functions);
  for (const p of table.added) tir.set(p.name, p);
  return { kind: "GraphModule", graphs, tir: { kind: "IRModule", functions: tir } };
}

/**
 * Fuse elementwise chains into their producers (see the module doc).
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { fuse } from "./fuse.ts";
 * import { randomNDArray } from "../ndarray.ts";
 * const b = new GraphBuilder("main");
 * const x = b.input("x", ["n", 8]);
 * const w = b.constant(randomNDArray("float32", [4, 8]), "w");
 * const bias = b.constant(randomNDArray("float32", [4]), "bias");
 * b.output(b.relu(b.add(b.dense(x, w), bias)));
 * const mod = fuse.run(b.finish());
 * console.assert([...mod.tir.functions.keys()].join() === "fused_dense_add_relu");
 * ```
 */
export const fuse: GraphPass = {
  name: "fuse",
  summary: "fuse elementwise chains into their producers (dense/matmul/conv + bias + activation)",
  run: (mod) => fuseModule(mod),
};

/**
 * `fuse` whose chains stop growing where `stop` says (the pass is still named `fuse`).
 *
 * @example
 * ```ts
 * import { fuseWith } from "./fuse.ts";
 * const noActivation = fuseWith((_chain, next) => next === "relu");
 * console.assert(noActivation.name === "fuse");
 * ```
 */
export function fuseWith(stop: FuseStop): GraphPass {
  return { ...fuse, run: (mod) => fuseModule(mod, stop) };
}
