/**
 * Names in printed text. The IR identifies variables and buffers by object; the text by name. The
 * printer gives every distinct object a distinct name within a function (its own name when free,
 * else suffixed `_1`, `_2`, …), so the parser can tell them apart. Every binding of a variable in
 * the text (`for`, `let`, a block's iteration variable) is a new variable to the parser, so one
 * object bound at two places gets a new name at its second binding (`bind`), used until that
 * binding's scope ends: the text never binds a name twice. Buffers keep one name per object.
 *
 * @module
 */
import { isSpecialLiteral } from "./literal.ts";
import { isIdentifier, RESERVED } from "./grammar.ts";

/** Names shaped like dtypes (`float32`, `int8x4`, also invalid ones like `int7`) are avoided. */
const DTYPE_LIKE = /^(bool|handle|float|bfloat|int|uint)\d*(x\d+)?$/;

/** Turn any string into an identifier that is no keyword, dtype or literal. */
export function sanitize(name: string, fallback: string): string {
  let s = name.replace(/[^A-Za-z0-9_]/g, "_");
  if (s === "") s = fallback;
  if (!isIdentifier(s)) s = `_${s}`;
  if (RESERVED.has(s) || isSpecialLiteral(s) || DTYPE_LIKE.test(s)) s = `${s}_`;
  return s;
}

/**
 * Unique printable names for objects (variables, buffers), assigned at first request.
 *
 * @example
 * ```ts
 * import { Namer } from "./names.ts";
 * const names = new Namer();
 * console.assert(names.of({ name: "i" }) === "i" && names.of({ name: "i" }) === "i_1");
 * ```
 */
export class Namer {
  private readonly names = new Map<object, string>();
  private readonly used = new Set<string>();
  private readonly bound = new Set<object>();

  /** The name of `obj`, assigning one if it has none yet. */
  of(obj: { readonly name: string }, fallback = "v"): string {
    const hit = this.names.get(obj);
    if (hit !== undefined) return hit;
    const name = this.fresh(sanitize(obj.name, fallback));
    this.names.set(obj, name);
    return name;
  }

  /**
   * The name of `obj` at a place the text binds it, and the function ending that binding. The
   * first binding keeps the object's name; a later one (the same variable bound again) gets a
   * fresh name until `restore` brings the previous one back.
   *
   * @example
   * ```ts
   * import { Namer } from "./names.ts";
   * const names = new Namer(), j = { name: "j" };
   * console.assert(names.bind(j).name === "j");
   * const again = names.bind(j);
   * console.assert(again.name === "j_1" && names.of(j) === "j_1");
   * again.restore();
   * console.assert(names.of(j) === "j");
   * ```
   */
  bind(obj: { readonly name: string }, fallback = "v"): { name: string; restore(): void } {
    if (!this.bound.has(obj)) {
      this.bound.add(obj);
      return { name: this.of(obj, fallback), restore: () => {} };
    }
    const prev = this.names.get(obj)!;
    const name = this.fresh(sanitize(obj.name, fallback));
    this.names.set(obj, name);
    return { name, restore: () => void this.names.set(obj, prev) };
  }

  private fresh(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** True if `obj` already has a name. */
  has(obj: object): boolean {
    return this.names.has(obj);
  }
}
