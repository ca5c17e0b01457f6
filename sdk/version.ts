/**
 * The SDK's version and the rule that decides whether a target built against one SDK version
 * loads into another.
 *
 * Semantic versioning: a target states the `sdkVersion` it was written for. It loads when its
 * major version equals ours (and, while the major is 0, its minor too — 0.x minors may break),
 * and it is not newer than this SDK (it may rely on fields we do not know).
 *
 * @module
 */

/** The version of the SDK interfaces (`defineTarget`, codegen, runtime). */
export const SDK_VERSION = "0.1.0";

/** A parsed `major.minor.patch` version. */
export interface Version {
  /** Breaking changes bump it. */
  readonly major: number;
  /** Additions bump it (breaking while major is 0). */
  readonly minor: number;
  /** Fixes bump it. */
  readonly patch: number;
}

/**
 * Parse `"1.2.3"` (a pre-release or build suffix is ignored); undefined if it is not a version.
 *
 * @example
 * ```ts
 * import { parseVersion } from "./version.ts";
 * console.assert(parseVersion("0.1.0")?.minor === 1);
 * console.assert(parseVersion("one") === undefined);
 * ```
 */
export function parseVersion(v: string): Version | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(v);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/**
 * Why a target written for SDK `wanted` cannot load into SDK `have`, or undefined if it can.
 *
 * @example
 * ```ts
 * import { incompatibility } from "./version.ts";
 * console.assert(incompatibility("0.1.0", "0.1.3") === undefined);
 * console.assert(incompatibility("0.2.0", "0.1.0") !== undefined);
 * ```
 */
export function incompatibility(wanted: string, have: string = SDK_VERSION): string | undefined {
  const w = parseVersion(wanted);
  const h = parseVersion(have)!;
  if (!w) return `"${wanted}" is not a version (need major.minor.patch)`;
  if (w.major !== h.major) return `major version ${w.major} differs from the SDK's ${h.major}`;
  if (h.major === 0 && w.minor !== h.minor) {
    return `minor version ${w.minor} differs from the SDK's ${h.minor} (0.x minors may break)`;
  }
  const newer = w.minor > h.minor || (w.minor === h.minor && w.patch > h.patch);
  if (newer) return `it needs SDK ${wanted}, newer than this SDK ${have}`;
  return undefined;
}
