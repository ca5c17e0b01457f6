/**
 * `deno task conformance`: run the conformance cases on a target and report.
 *
 * Exit codes: 0 when every case passed; 1 when some case failed; 2 for a usage error or a target
 * that cannot be loaded.
 *
 * @module
 */
import { Command, CommanderError } from "npm:commander@14.0.3";
import { TesseraError } from "../ir/errors.ts";
import { kernelCases } from "./kernel_cases.ts";
import { loadTarget } from "./load_target.ts";
import { createProgress } from "./progress.ts";
import { finalLine, jsonReport, renderTable, summarize } from "./report.ts";
import { type CaseResult, runCases } from "./runner.ts";

/** Parsed command-line options. */
export interface CliOptions {
  readonly target: string;
  readonly filter?: string;
  readonly quick: boolean;
  readonly format: "table" | "json";
  readonly reportDir?: string;
  /** Directory that a relative `--target` path is resolved against. */
  readonly cwd?: string;
}

/** Parse arguments; throws `CommanderError` on a usage error. */
export function parseCli(argv: readonly string[]): CliOptions {
  const program = new Command("conformance")
    .description("Check that every kernel compiles and runs correctly on a target.")
    .option("-t, --target <target>", "cpu, or a path/URL of a vendor module", "cpu")
    .option("-f, --filter <regex>", "only cases whose id matches")
    .option("-q, --quick", "a representative subset", false)
    .option("--format <format>", "table or json (to stdout)", "table")
    .option("--report-dir <dir>", "also write report.json and report.txt there")
    .option("--cwd <dir>", "resolve a relative --target path against this directory")
    .exitOverride()
    .configureOutput({ writeErr: (s) => console.error(s.trimEnd()) });
  program.parse([...argv], { from: "user" });
  const o = program.opts();
  if (o.format !== "table" && o.format !== "json") {
    throw new CommanderError(2, "conformance.format", `unknown format "${o.format}"`);
  }
  if (o.filter !== undefined) {
    try {
      new RegExp(o.filter);
    } catch {
      throw new CommanderError(2, "conformance.filter", `--filter "${o.filter}" is not a regex`);
    }
  }
  return {
    target: o.target,
    filter: o.filter,
    quick: o.quick,
    format: o.format,
    reportDir: o.reportDir,
    cwd: o.cwd || undefined,
  };
}

/** Run the command; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseCli(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
      if (!e.message.startsWith("error:")) console.error(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  let target;
  try {
    target = await loadTarget(opts.target, opts.cwd ?? Deno.cwd());
  } catch (e) {
    console.error(
      e instanceof TesseraError ? e.render() : `Cannot load target "${opts.target}": ${e}`,
    );
    return 2;
  }
  const filter = opts.filter ? new RegExp(opts.filter) : undefined;
  const cases = kernelCases({ quick: opts.quick }).filter((c) => !filter || filter.test(c.id));
  const progress = createProgress({
    isTerminal: Deno.stderr.isTerminal(),
    write: (t) => Deno.stderr.writeSync(new TextEncoder().encode(t)),
    columns: Deno.stderr.isTerminal() ? Deno.consoleSize().columns : undefined,
  });
  let failed = 0;
  const results: CaseResult[] = await runCases(cases, target, {
    onCase: (c, k, n) => progress.update(k, n, c.id, failed),
    onResult: (r) => {
      if (r.verdict !== "passed") failed++;
    },
  });
  progress.done();
  const table = renderTable(results);
  const json = JSON.stringify(jsonReport(target.name, results), null, 2);
  const reportDir = opts.reportDir && opts.cwd && !opts.reportDir.startsWith("/")
    ? `${opts.cwd}/${opts.reportDir}`
    : opts.reportDir;
  if (reportDir) {
    await Deno.mkdir(reportDir, { recursive: true });
    await Deno.writeTextFile(`${reportDir}/report.json`, json + "\n");
    await Deno.writeTextFile(`${reportDir}/report.txt`, table + "\n");
  }
  if (opts.format === "json") {
    console.log(json);
    console.error(finalLine(summarize(results)));
  } else console.log(table);
  return summarize(results).failed === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
