/**
 * `deno task new-target NAME`: write `NAME.ts`, the starting module of a vendor target
 * (`target_template.ts`), into the current directory. A Deno command-line tool: it is not part of
 * the browser-safe `sdk/mod.ts`.
 *
 * ```sh
 * deno run --allow-read --allow-write sdk/cli/new_target.ts my-chip            # ./my-chip.ts
 * deno run --allow-read --allow-write sdk/cli/new_target.ts --dir chips my-chip
 * ```
 *
 * Exit codes: 0 when the file was written (or `--help`); 2 for a usage error, a bad name, a
 * directory that does not exist or a file that exists already (never overwritten).
 *
 * @module
 */
import { relative, resolve } from "node:path";
import { Command, CommanderError } from "npm:commander@14.0.3";
import { TargetError, TesseraError } from "../../ir/errors.ts";
import { targetTemplate } from "./target_template.ts";

/** What `scaffoldTarget` needs. */
export interface ScaffoldOptions {
  /** Target name: lower-case letters, digits, `_` and `-`, starting with a letter. */
  readonly name: string;
  /** Directory to write `<name>.ts` into (must exist). */
  readonly dir: string;
  /**
   * How the module imports Tessera: the checkout's root as a relative path or URL (default: this
   * checkout, relative to `dir`, or its URL when this tool runs from one).
   */
  readonly tessera?: string;
}

/** What `scaffoldTarget` wrote. */
export interface ScaffoldResult {
  /** Path of the new module. */
  readonly path: string;
  /** The import base the module uses for Tessera (ends in `/`). */
  readonly tessera: string;
}

const NAME = /^[a-z][a-z0-9_-]*$/;

/**
 * Check a target name for a new module; returns it. A name is what `defineTarget` accepts
 * (lower-case letters, digits, `_` and `-`, a letter first), at most 64 characters, and does not
 * end in `_test` (`deno test` would run the module as a test). Throws `TargetError`
 * `SCAFFOLD_BAD_NAME`.
 *
 * @example
 * ```ts
 * import { checkTargetName } from "./new_target.ts";
 * console.assert(checkTargetName("my-chip") === "my-chip");
 * ```
 */
export function checkTargetName(name: string): string {
  const why = !NAME.test(name)
    ? "use lower-case letters, digits, _ and -, starting with a letter"
    : name.length > 64
    ? "use at most 64 characters"
    : name.endsWith("_test")
    ? "a module ending in _test.ts would be run by deno test"
    : undefined;
  if (why) {
    throw new TargetError(
      "SCAFFOLD_BAD_NAME",
      `Cannot scaffold target "${name}": ${why}`,
      { hint: "e.g. deno task new-target my-chip" },
    );
  }
  return name;
}

const ROOT = new URL("../../", import.meta.url);
const rootDir = (): string => decodeURIComponent(ROOT.pathname);

/**
 * The import base of this checkout as seen from `dir`: a relative path (`../tessera/`, `./`), or
 * the checkout's URL when this tool runs from one.
 *
 * @example
 * ```ts
 * import { tesseraBase } from "./new_target.ts";
 * const root = new URL("../../", import.meta.url).pathname;
 * console.assert(tesseraBase(root + "examples") === "../");
 * ```
 */
export function tesseraBase(dir: string): string {
  if (ROOT.protocol !== "file:") return ROOT.href;
  const rel = relative(resolve(dir), rootDir()).replaceAll("\\", "/");
  if (rel === "") return "./";
  return `${rel.startsWith(".") ? "" : "./"}${rel}/`;
}

/** How to name `path` from the checkout's root: `./x/y.ts` inside it, else the absolute path. */
function fromRoot(path: string): string {
  if (ROOT.protocol !== "file:") return path;
  const rel = relative(rootDir(), path);
  return rel.startsWith("..") ? path : `./${rel}`;
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await Deno.stat(dir)).isDirectory;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Write `<dir>/<name>.ts`. Never overwrites: an existing file is `SCAFFOLD_FILE_EXISTS`; a
 * missing directory `SCAFFOLD_BAD_DIR`; a bad name `SCAFFOLD_BAD_NAME` (all `TargetError`).
 *
 * @example
 * ```ts ignore
 * import { scaffoldTarget } from "./new_target.ts";
 * const { path } = await scaffoldTarget({ name: "my-chip", dir: Deno.cwd() });
 * ```
 */
export async function scaffoldTarget(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const name = checkTargetName(options.name);
  const dir = resolve(options.dir);
  if (!(await isDirectory(dir))) {
    throw new TargetError(
      "SCAFFOLD_BAD_DIR",
      `Cannot scaffold target "${name}": directory ${dir} does not exist`,
      { hint: "create it first, or pass another --dir" },
    );
  }
  const path = resolve(dir, `${name}.ts`);
  const base = options.tessera ?? tesseraBase(dir);
  const tessera = base.endsWith("/") ? base : base + "/";
  try {
    await Deno.writeTextFile(path, targetTemplate({ name, tessera }), { createNew: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    throw new TargetError(
      "SCAFFOLD_FILE_EXISTS",
      `Cannot scaffold target "${name}": ${path} exists already, and is left as it is`,
      { hint: "choose another name or --dir, or remove the file" },
    );
  }
  return { path, tessera };
}

/** Where the CLI writes its messages (tests capture them). */
export interface CliIo {
  /** Normal output. */
  readonly out: (line: string) => void;
  /** Errors. */
  readonly err: (line: string) => void;
}

const CONSOLE: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** Run the command; returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = CONSOLE): Promise<number> {
  const program = new Command("new-target")
    .description(
      "Write NAME.ts: the starting module of a vendor target (the reference NPU's design under " +
        "your names, passing conformance as written), with TODOs where your chip goes in.",
    )
    .argument("<name>", "target name: lower-case letters, digits, _ and -")
    .option("-d, --dir <dir>", "directory to write NAME.ts into (default: current directory)")
    .option("--tessera <path>", "import Tessera from this path or URL (default: this checkout)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    });
  let name: string, opts: { dir?: string; tessera?: string };
  try {
    program.parse([...argv], { from: "user" });
    [name] = program.args;
    opts = program.opts();
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    return e.code === "commander.helpDisplayed" || e.code === "commander.help" ? 0 : 2;
  }
  try {
    const dir = opts.dir ?? Deno.cwd();
    const { path } = await scaffoldTarget({ name, dir, tessera: opts.tessera });
    io.out(`Wrote ${path} (target "${name}").`);
    io.out(
      `Next, from the Tessera checkout: deno task conformance --target ${fromRoot(path)} --quick`,
    );
    io.out("Then follow the TODOs in the file, and docs/vendor-guide.md.");
    return 0;
  } catch (e) {
    if (!(e instanceof TesseraError)) throw e;
    io.err(e.render());
    return 2;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
