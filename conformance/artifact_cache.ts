/**
 * The conformance kit's artifact cache: compiled artifacts kept on disk by content hash, so a
 * second run of the same cases on an unchanged target compiles nothing (its codegen is not
 * called). Any target benefits, not only those with their own caches (the cpu toolchain keeps
 * wasm by the hash of its C source; this cache sits above it and skips code generation too).
 *
 * The key is the SHA-256 of: the target's fingerprint (the contents of every module its module
 * graph loads — change one line of a vendor's codegen and every key changes), the target's name,
 * the printed lowered function, the printed function as written, and the codegen options. An
 * artifact is stored with `node:v8`'s structured serialisation (plain objects, typed arrays, maps);
 * an artifact that cannot be serialised (one holding functions) is compiled every time and
 * reported as `uncacheable`. A file that does not deserialise to an artifact of this target counts
 * as a miss and is overwritten.
 *
 * @module
 */
import { deserialize, serialize } from "node:v8";
import { printFunc } from "../ir/script/mod.ts";
import { type Artifact, defineTarget, type Target } from "../sdk/mod.ts";

/** Counters of one cache (all cases of a run). */
export interface CacheCounters {
  /** Compiles answered from disk. */
  hits: number;
  /** Compiles that ran the target's codegen and stored the artifact. */
  misses: number;
  /** Compiles whose artifact could not be stored (not serialisable, or no key). */
  uncacheable: number;
}

/** A target wrapped with the cache, and the cache's counters. */
export interface CachedTarget {
  /** The target whose codegen goes through the cache. */
  readonly target: Target;
  /** Counters, updated as cases build. */
  readonly counters: CacheCounters;
  /** The cache directory. */
  readonly dir: string;
}

async function sha256(text: string | Uint8Array): Promise<string> {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const d = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** JSON with sorted keys, so equal options give equal keys. */
function stableJSON(x: unknown): string {
  if (typeof x === "function") return `fn:${x.name}`;
  if (Array.isArray(x)) return `[${x.map(stableJSON).join(",")}]`;
  if (typeof x === "object" && x !== null) {
    const r = x as Record<string, unknown>;
    return `{${
      Object.keys(r).sort().map((k) => `${JSON.stringify(k)}:${stableJSON(r[k])}`).join(",")
    }}`;
  }
  return JSON.stringify(x) ?? "undefined";
}

/**
 * A fingerprint of a module and everything it imports: the SHA-256 of each module's specifier
 * and contents (from `deno info --json`). Undefined when the graph cannot be listed.
 *
 * @example
 * ```ts ignore
 * const fp = await moduleFingerprint(new URL("../targets/cpu/mod.ts", import.meta.url).href);
 * ```
 */
export async function moduleFingerprint(url: string): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", url],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return undefined;
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: { specifier: string; local?: string }[];
    };
    const parts: string[] = [];
    for (const m of [...info.modules].sort((a, b) => a.specifier.localeCompare(b.specifier))) {
      const body = m.local ? await sha256(await Deno.readFile(m.local)) : "";
      parts.push(`${m.specifier}=${body}`);
    }
    return await sha256(parts.join("\n"));
  } catch {
    return undefined;
  }
}

/** The default cache directory: `$TESSERA_CACHE_DIR/conformance` or `<cwd>/.cache/tessera/…`. */
export function defaultCacheDir(cwd: string): string {
  let base: string | undefined;
  try {
    base = Deno.env.get("TESSERA_CACHE_DIR");
  } catch {
    base = undefined;
  }
  return `${base ?? `${cwd}/.cache/tessera`}/conformance`;
}

async function read(path: string, target: string): Promise<Artifact | undefined> {
  try {
    const a = deserialize(await Deno.readFile(path)) as Artifact;
    return a?.target === target && a.lowered?.kind === "PrimFunc" ? a : undefined;
  } catch {
    return undefined;
  }
}

async function write(dir: string, key: string, bytes: Uint8Array): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
    const tmp = `${dir}/${key}.${crypto.randomUUID()}.tmp`;
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, `${dir}/${key}.bin`); // readers never see half a file
  } catch {
    // a read-only cache directory only costs a compile next time
  }
}

/**
 * Wrap a target so its codegen goes through the on-disk artifact cache in `dir`, keyed with
 * `fingerprint` (see `moduleFingerprint`).
 *
 * @example
 * ```ts ignore
 * const cached = withArtifactCache(cpu, { dir: ".cache/tessera/conformance", fingerprint });
 * await build(f, cached.target); // a second process finds the artifact on disk
 * console.log(cached.counters);
 * ```
 */
export function withArtifactCache(
  target: Target,
  options: { readonly dir: string; readonly fingerprint: string },
): CachedTarget {
  const counters: CacheCounters = { hits: 0, misses: 0, uncacheable: 0 };
  const inner = target.codegen;
  const compile = async (
    lowered: Parameters<typeof inner.compile>[0],
    ctx: Parameters<
      typeof inner.compile
    >[1],
  ): Promise<Artifact> => {
    let key: string | undefined;
    try {
      key = await sha256(
        [
          options.fingerprint,
          target.name,
          printFunc(lowered),
          printFunc(ctx.original),
          stableJSON(ctx.options),
        ].join("\u0000"),
      );
    } catch {
      key = undefined; // a function the printer cannot print: compile it, do not cache it
    }
    if (key) {
      const hit = await read(`${options.dir}/${key}.bin`, target.name);
      if (hit) {
        counters.hits++;
        return hit;
      }
    }
    const art = await inner.compile(lowered, { ...ctx, target: ctx.target });
    let bytes: Uint8Array | undefined;
    try {
      bytes = key ? serialize(art) : undefined;
    } catch {
      bytes = undefined;
    }
    if (key && bytes) {
      counters.misses++;
      await write(options.dir, key, bytes);
    } else counters.uncacheable++;
    return art;
  };
  const wrapped = defineTarget({ ...target, codegen: { ...inner, compile } });
  return { target: wrapped, counters, dir: options.dir };
}
