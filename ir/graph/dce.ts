/**
 * `eliminateDeadCode`: removes pure bindings whose values nothing uses (impure extern calls
 * stay, in order), and tensor-level functions that `legalize` made and no graph calls anymore.
 *
 * @module
 */
import type { Atom, GraphFunc, GraphModule } from "./ir.ts";
import { argsOf, isPure } from "./ir.ts";
import { LEGALIZED_FROM } from "./legalize.ts";
import type { GraphPass } from "./pass.ts";
import { mapBindings } from "./rewrite.ts";

function dceFunc(f: GraphFunc): GraphFunc {
  const live = new Set<Atom>([f.output]);
  const all = f.blocks.flatMap((b) => b.bindings);
  for (let k = all.length - 1; k >= 0; k--) {
    const b = all[k];
    if (live.has(b.v) || !isPure(b.value)) { for (const a of argsOf(b.value)) live.add(a); }
  }
  return mapBindings(f, (b) => (live.has(b.v) || !isPure(b.value) ? b : undefined));
}

function dceModule(mod: GraphModule): GraphModule {
  const graphs = new Map(mod.graphs);
  let changed = false;
  for (const [name, f] of mod.graphs) {
    const g = dceFunc(f);
    if (g !== f) {
      changed = true;
      graphs.set(name, g);
    }
  }
  const called = new Set<string>();
  for (const f of graphs.values()) {
    for (const blk of f.blocks) {
      for (const b of blk.bindings) if (b.value.kind === "CallTIR") called.add(b.value.func);
    }
  }
  const tir = new Map(mod.tir.functions);
  for (const [name, f] of mod.tir.functions) {
    if (f.attrs[LEGALIZED_FROM] !== undefined && !called.has(name)) {
      tir.delete(name);
      changed = true;
    }
  }
  return changed ? { kind: "GraphModule", graphs, tir: { kind: "IRModule", functions: tir } } : mod;
}

/**
 * Remove unused pure bindings and unused legalized functions.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { eliminateDeadCode } from "./dce.ts";
 * const b = new GraphBuilder("main");
 * const x = b.input("x", [4]);
 * b.relu(x); // unused
 * b.output(b.op("exp", [x]));
 * const mod = eliminateDeadCode.run(b.finish());
 * console.assert(mod.graphs.get("main")!.blocks[0].bindings.length === 1);
 * ```
 */
export const eliminateDeadCode: GraphPass = {
  name: "eliminate-dead-code",
  summary: "remove unused pure bindings and unused legalized functions",
  run: dceModule,
};
