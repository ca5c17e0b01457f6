/**
 * `deno task conformance`: run the conformance cases on a target and report. Also runnable by
 * URL: `deno run -A https://…/conformance/cli.ts --target ./my-chip.ts`.
 *
 * Exit codes: 0 when every case passed; 1 when some case failed (compile, run, correctness or
 * performance); 2 for a usage error, a target or case file that cannot be loaded or validated
 * (the reason printed as one paragraph), or a suite with no cases.
 *
 * @module
 */
import { Command, CommanderError, Option } from "npm:commander@14.0.3";
import { parseDType } from "../ir/dtype.ts";
import { ConformanceError, TesseraError } from "../ir/errors.ts";
import { clearBuildCache, type Target } from "../sdk/mod.ts";
import {
  type CacheCounters,
  defaultCacheDir,
  moduleFingerprint,
  withArtifactCache,
} from "./artifact_cache.ts";
import type { KernelCase } from "./case.ts";
import { htmlReport } from "./html.ts";
import { junitReport } from "./junit.ts";
import { kernelCases } from "./kernel_cases.ts";
import { loadCaseFile } from "./load_cases.ts";
import { isTesseraLike, loadTargetModule } from "./load_target.ts";
import { builtinModelCases, type ModelCase } from "./model_cases.ts";
import { runModelCase } from "./model_runner.ts";
import { createProgress } from "./progress.ts";
import {
  baselinesFromReport,
  finalLine,
  jsonReport,
  renderTable,
  summarize,
  targetInfo,
} from "./report.ts";
import type { CaseResult, Floor } from "./result.ts";
import { runCases, type RunOptions, timeoutResult, withTimeout } from "./runner.ts";
import { runCasesIsolated, type WorkerInit } from "./isolate.ts";

/** Report formats. */
export type Format = "table" | "json" | "junit" | "html";

/** Parsed command-line options. */
export interface CliOptions {
  /** `--target`: a built-in name, a path or a URL. */
  readonly target: string;
  /** `--suite`. */
  readonly suite: "kernels" | "models" | "all";
  /** `--filter`: a regular expression on case ids. */
  readonly filter?: string;
  /** Case files; `builtin` names the built-in catalogue. Empty: the built-in catalogue. */
  readonly cases: readonly string[];
  /** `--dtype`: only cases of these dtypes (empty: all). */
  readonly dtypes: readonly string[];
  /** `--quick`. */
  readonly quick: boolean;
  /** `--format`: what goes to stdout. */
  readonly format: Format;
  /** `--report-dir`: where the four reports are written. */
  readonly reportDir?: string;
  /** Directory that relative paths (`--target`, `--cases`, `--report-dir`) resolve against. */
  readonly cwd?: string;
  /** `--repeats`: timed runs per case. */
  readonly repeats: number;
  /** `--seed` of the inputs. */
  readonly seed: number;
  /** An earlier JSON report whose times are the baselines. */
  readonly baseline?: string;
  /** The default floor (fraction of the roofline) of cases that declare none. */
  readonly floor?: number;
  /** `--wall-clock-floors`: enforce floors on wall time too. */
  readonly wallClockFloors: boolean;
  /** Use the artifact cache (default true). */
  readonly cache: boolean;
  /** `--cache-dir`: the artifact cache directory. */
  readonly cacheDir?: string;
  /** `--case-timeout`: seconds a case may take (build, run, timing); 0: no limit. */
  readonly caseTimeout: number;
  /** `--isolate`: run kernel cases on a worker that a timeout terminates. */
  readonly isolate: boolean;
}

const usage = (code: string, message: string) => new CommanderError(2, code, message);

/** Parse arguments; throws `CommanderError` on a usage error (or after printing --help). */
export function parseCli(argv: readonly string[]): CliOptions {
  const collect = (v: string, prev: string[]) => [...prev, ...v.split(",").filter(Boolean)];
  const program = new Command("conformance")
    .description(
      "Check that every kernel compiles, runs correctly, runs fast and uses the target's " +
        "intrinsics.\nExit codes: 0 all passed; 1 some case failed; 2 usage error, or a " +
        "target or case file that cannot be loaded or validated.",
    )
    .option("-t, --target <target>", "cpu, gpu, npu, or a path/URL of a vendor module", "cpu")
    .addOption(
      new Option("--suite <suite>", "which cases").choices(["kernels", "models", "all"]).default(
        "kernels",
      ),
    )
    .option("-f, --filter <regex>", "only cases whose id matches")
    .option(
      "--cases <file>",
      "case file(s) replacing the built-in catalogue (`builtin` names it); repeatable",
      collect,
      [],
    )
    .option(
      "--dtype <dtypes>",
      "only cases of these dtypes (comma-separated; repeatable)",
      collect,
      [],
    )
    .option("-q, --quick", "a representative subset: every op, every shape class and dtype", false)
    .addOption(
      new Option("--format <format>", "what to print on stdout").choices([
        "table",
        "json",
        "junit",
        "html",
      ]).default("table"),
    )
    .option("--report-dir <dir>", "also write report.{json,xml,html,txt} there")
    .option("--repeats <n>", "timed runs per case", "3")
    .option("--seed <n>", "seed of the inputs", "1")
    .option("--baseline <report.json>", "an earlier JSON report: its times are the baselines")
    .option("--floor <fraction>", "least fraction of the roofline for cases declaring no floor")
    .option("--wall-clock-floors", "enforce floors on wall-clock time too (noisy)", false)
    .option("--no-cache", "compile every case (skip the artifact cache)")
    .option("--cache-dir <dir>", "artifact cache directory")
    .option(
      "--case-timeout <seconds>",
      "a case still running after this is a timeout and the run goes on (model cases: 10x; 0: no limit)",
      "120",
    )
    .option(
      "--isolate",
      "run kernel cases on a worker, terminated when a case times out (stops synchronous hangs)",
      false,
    )
    .option("--cwd <dir>", "resolve relative paths against this directory")
    .exitOverride()
    .configureOutput({ writeErr: (s) => console.error(s.trimEnd()) });
  program.parse([...argv], { from: "user" });
  const o = program.opts();
  if (o.filter !== undefined) {
    try {
      new RegExp(o.filter);
    } catch {
      throw usage("conformance.filter", `--filter "${o.filter}" is not a regex`);
    }
  }
  for (const d of o.dtype as string[]) {
    try {
      parseDType(d);
    } catch {
      throw usage("conformance.dtype", `--dtype "${d}" is not a dtype`);
    }
  }
  const int = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      throw usage(`conformance.${name}`, `--${name} ${v}: need an integer >= ${min}`);
    }
    return n;
  };
  let floor: number | undefined;
  if (o.floor !== undefined) {
    floor = Number(o.floor);
    if (!(floor >= 0 && floor <= 1)) {
      throw usage("conformance.floor", `--floor ${o.floor}: need a fraction in 0..1`);
    }
  }
  const caseTimeout = Number(o.caseTimeout);
  if (!(caseTimeout >= 0)) {
    throw usage(
      "conformance.caseTimeout",
      `--case-timeout ${o.caseTimeout}: need a number of seconds >= 0`,
    );
  }
  return {
    target: o.target,
    suite: o.suite,
    filter: o.filter,
    cases: o.cases,
    dtypes: o.dtype,
    quick: o.quick,
    format: o.format,
    reportDir: o.reportDir,
    cwd: o.cwd || undefined,
    repeats: int("repeats", o.repeats, 0),
    seed: int("seed", o.seed, 0),
    baseline: o.baseline,
    floor,
    wallClockFloors: o.wallClockFloors,
    cache: o.cache,
    cacheDir: o.cacheDir,
    caseTimeout,
    isolate: o.isolate,
  };
}

/** Print a failure to load something as one paragraph. */
function printProblem(e: unknown, what: string): void {
  console.error(
    e instanceof TesseraError || isTesseraLike(e) ? e.render() : `Cannot load ${what}: ${e}`,
  );
}

const resolve = (cwd: string, p: string) => (p.startsWith("/") ? p : `${cwd}/${p}`);

/** Gather the cases of the run, or throw a ConformanceError (exit 2). */
async function gatherCases(
  opts: CliOptions,
  cwd: string,
): Promise<{ kernels: KernelCase[]; models: ModelCase[]; modelsAvailable: boolean }> {
  let kernels: KernelCase[] = [];
  let models: ModelCase[] = [];
  const files = opts.cases.length ? opts.cases : ["builtin"];
  for (const f of files) {
    if (f === "builtin") {
      kernels.push(...kernelCases({ quick: opts.quick }));
      // The models (ONNX import, graph executor) load only when the run asks for them.
      if (opts.suite !== "kernels") models.push(...await builtinModelCases());
    } else {
      const file = await loadCaseFile(f, cwd);
      kernels.push(...file.kernels);
      models.push(...file.models);
    }
  }
  const ids = new Set<string>();
  for (const c of [...kernels, ...models]) {
    if (ids.has(c.id)) {
      throw new ConformanceError(
        "CONF_DUPLICATE_CASE_ID",
        `Cannot run two cases with id "${c.id}"`,
        {
          hint: "case ids must be unique across the catalogue and every --cases file",
        },
      );
    }
    ids.add(c.id);
  }
  const modelsAvailable = models.length > 0;
  const filter = opts.filter ? new RegExp(opts.filter) : undefined;
  const keep = (c: { id: string; dtype: string }) =>
    (!filter || filter.test(c.id)) && (!opts.dtypes.length || opts.dtypes.includes(c.dtype));
  kernels = kernels.filter(keep);
  models = models.filter(keep);
  if (opts.suite === "kernels") models = [];
  if (opts.suite === "models") kernels = [];
  return { kernels, models, modelsAvailable };
}

/** Wrap the target with the artifact cache (or say why not). */
async function cached(
  target: Target,
  url: string,
  opts: CliOptions,
  cwd: string,
): Promise<{ target: Target; counters?: CacheCounters; cache?: WorkerInit["cache"] }> {
  if (!opts.cache) return { target };
  const fingerprint = await moduleFingerprint(url);
  if (!fingerprint) {
    console.error(`note: artifact cache off (cannot list the module graph of ${url})`);
    return { target };
  }
  const dir = opts.cacheDir ? resolve(cwd, opts.cacheDir) : defaultCacheDir(cwd);
  const c = withArtifactCache(target, { dir, fingerprint });
  return { target: c.target, counters: c.counters, cache: { dir, fingerprint } };
}

/**
 * A model case's time limit in units of `--case-timeout`: a model builds dozens of kernels (cold,
 * 0.5–11 s each with clang-in-wasm on a loaded machine), a kernel case one.
 */
export const MODEL_TIMEOUT_FACTOR = 10;

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
  const cwd = opts.cwd ?? Deno.cwd();
  let loaded;
  try {
    loaded = await loadTargetModule(opts.target, cwd);
  } catch (e) {
    if (e instanceof ConformanceError && e.code === "CONF_TARGET_UNAVAILABLE") {
      console.log(`${opts.target}: skipped — ${e.message}`);
      return 0;
    }
    printProblem(e, `target "${opts.target}"`);
    return 2;
  }
  let cases;
  let baselines: Map<string, number> | undefined;
  try {
    cases = await gatherCases(opts, cwd);
    if (opts.baseline) {
      baselines = baselinesFromReport(
        JSON.parse(await Deno.readTextFile(resolve(cwd, opts.baseline))),
      );
    }
  } catch (e) {
    printProblem(e, opts.baseline ? `baseline "${opts.baseline}"` : "cases");
    return 2;
  }
  if (opts.suite === "models" && cases.models.length === 0) {
    console.error(
      cases.modelsAvailable
        ? "no model cases match the filter"
        : "no model cases available yet: none in the catalogue or the --cases files (see docs/conformance.md)",
    );
    return 2;
  }
  if (opts.suite === "all" && !cases.modelsAvailable) {
    console.error("note: no model cases available yet; running the kernels suite");
  }
  const { target, counters, cache } = await cached(loaded.target, loaded.url, opts, cwd);
  const floor: Floor | undefined = opts.floor !== undefined
    ? { roofline: opts.floor }
    : loaded.defaults.floor;
  const isTerminal = Deno.stderr.isTerminal();
  const progress = createProgress({
    isTerminal,
    write: (t) => Deno.stderr.writeSync(new TextEncoder().encode(t)),
    columns: isTerminal ? Deno.consoleSize().columns : undefined,
  });
  const total = cases.kernels.length + cases.models.length;
  let failed = 0;
  const onResult = (r: CaseResult, k: number) => {
    if (r.verdict !== "passed") failed++;
    const extra = r.runMs !== undefined ? `${r.runMs.toFixed(3)} ms` : undefined;
    progress.finished(k, total, r.id, r.verdict, extra);
  };
  clearBuildCache(); // builds of this run are counted from zero
  const caseTimeoutMs = opts.caseTimeout > 0 ? opts.caseTimeout * 1e3 : undefined;
  const modelTimeoutMs = caseTimeoutMs && caseTimeoutMs * MODEL_TIMEOUT_FACTOR;
  const runOptions: RunOptions = {
    caseTimeoutMs,
    repeats: opts.repeats,
    seed: opts.seed,
    cache: counters,
    baselines,
    defaultFloor: floor,
    wallClockFloors: opts.wallClockFloors,
    onCase: (c, k) => progress.update(k, total, c.id, failed),
    onResult: (r, k) => onResult(r, k),
  };
  let results: CaseResult[];
  try {
    results = opts.isolate
      ? await runCasesIsolated(cases.kernels, {
        targetUrl: loaded.url,
        cases: opts.cases.length ? opts.cases : ["builtin"],
        cwd,
        cache,
      }, runOptions)
      : await runCases(cases.kernels, target, runOptions);
  } catch (e) {
    progress.done();
    printProblem(e, "the isolated worker");
    return 2;
  }
  for (const [k, c] of cases.models.entries()) {
    const i = cases.kernels.length + k;
    progress.update(i, total, c.id, failed);
    const r = await withTimeout(
      () => runModelCase(c, target, { seed: opts.seed, repeats: opts.repeats, cache: counters }),
      modelTimeoutMs,
      () => timeoutResult({ ...c, op: c.model }, modelTimeoutMs!, "models"),
    );
    results.push(r);
    onResult(r, i);
  }
  progress.done();
  const report = jsonReport(
    targetInfo(target),
    results,
    {
      suite: opts.suite,
      filter: opts.filter ?? null,
      quick: opts.quick,
      dtypes: opts.dtypes,
      cases: opts.cases.length ? opts.cases : ["builtin"],
      seed: opts.seed,
      repeats: opts.repeats,
      floor: floor ?? null,
      wallClockFloors: opts.wallClockFloors,
    },
  );
  const render: Record<Format, () => string> = {
    table: () => renderTable(results),
    json: () => JSON.stringify(report, null, 2),
    junit: () => junitReport(target.name, results).trimEnd(),
    html: () => htmlReport(report).trimEnd(),
  };
  if (opts.reportDir) {
    const dir = resolve(cwd, opts.reportDir);
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(`${dir}/report.json`, render.json() + "\n");
    await Deno.writeTextFile(`${dir}/report.xml`, render.junit() + "\n");
    await Deno.writeTextFile(`${dir}/report.html`, render.html() + "\n");
    await Deno.writeTextFile(`${dir}/report.txt`, render.table() + "\n");
  }
  console.log(render[opts.format]());
  if (opts.format !== "table") console.error(finalLine(summarize(results)));
  return summarize(results).failed === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
