/**
 * Graph passes: values `{ name, summary, run(mod) }` that map a module to a module (the same
 * object when nothing changed), and `runPasses`, the pipeline driver with a debug option that
 * prints the module after each pass and one that verifies it.
 *
 * @module
 */
import type { GraphModule } from "./ir.ts";
import { GraphError } from "./errors.ts";
import { printGraphModule } from "./print.ts";
import { verifyGraph } from "./verify.ts";

/** A pass over modules of both levels. */
export interface GraphPass {
  /** Kebab-case name, used by `dumpAfter` and in dumps. */
  readonly name: string;
  /** One line on what it does. */
  readonly summary: string;
  /** Run it (pure: returns a new module, or `mod` itself when nothing changed). */
  run(mod: GraphModule): GraphModule;
}

/** Options of `runPasses`. */
export interface PassOptions {
  /** Print the module after every pass (`true`) or after the named passes. */
  readonly dumpAfter?: boolean | readonly string[];
  /** Where dumps go (default `console.log`). */
  readonly log?: (text: string) => void;
  /** Run `verifyGraph` after every pass (`GRAPH_VERIFY` naming the pass on a problem). */
  readonly verify?: boolean;
  /** Constants with more elements than this print elided in dumps (default 16). */
  readonly maxConstantElements?: number;
}

/**
 * Run passes in order; with `dumpAfter`, print the module after each (or the named) pass.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { runPasses } from "./pass.ts";
 * import { legalize } from "./legalize.ts";
 * const b = new GraphBuilder("main");
 * b.output(b.relu(b.input("x", ["n"])));
 * const dumps: string[] = [];
 * const mod = runPasses(b.finish(), [legalize], { dumpAfter: true, log: (t) => dumps.push(t) });
 * console.assert(mod.tir.functions.size === 1 && dumps[0].startsWith("// after legalize"));
 * ```
 */
export function runPasses(
  mod: GraphModule,
  passes: readonly GraphPass[],
  options: PassOptions = {},
): GraphModule {
  const log = options.log ?? console.log;
  const dump = options.dumpAfter ?? false;
  for (const p of passes) {
    mod = p.run(mod);
    if (options.verify) {
      const problems = verifyGraph(mod);
      if (problems.length > 0) {
        throw new GraphError(
          "GRAPH_VERIFY",
          `Pass "${p.name}" produced an ill-formed module: ${problems.join("; ")}`,
          { hint: "a bug in the pass: please report it with the module" },
        );
      }
    }
    if (dump === true || (Array.isArray(dump) && dump.includes(p.name))) {
      const text = printGraphModule(mod, {
        maxConstantElements: options.maxConstantElements ?? 16,
      });
      log(`// after ${p.name}\n${text}`);
    }
  }
  return mod;
}
