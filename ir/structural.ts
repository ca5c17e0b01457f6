/**
 * Structural equality and hashing of IR, driven by the node table.
 *
 * Variables and buffers are matched by position, not by name or identity: the first time a
 * variable (or buffer) of one side meets one of the other side they are paired, and every later
 * meeting must respect that pairing in both directions. A binding site (a loop variable, a
 * `let`, an iteration variable) pairs its two variables anew, so one variable bound at two
 * places equals two variables bound there (as the script parser reads them back). This is TVM's
 * structural equality with free variables mapped; names are ignored, block and function names
 * are not.
 *
 * @module
 */
import type { IRModule } from "./func.ts";
import { type Node, NODE_FIELDS } from "./node.ts";

/** Where two trees first differ: a path into each, and why. */
export interface Mismatch {
  /** Path into the left tree, e.g. `body.block.body.seq[1].value.a`. */
  readonly pathA: string;
  /** Path into the right tree. */
  readonly pathB: string;
  /** What differs. */
  readonly reason: string;
}

type Fields = Record<string, unknown>;

class Comparer {
  private readonly ab = new Map<object, object>();
  private readonly ba = new Map<object, object>();
  mismatch: Mismatch | undefined;

  private fail(path: string, reason: string): false {
    this.mismatch ??= { pathA: path, pathB: path, reason };
    return false;
  }

  private pair(a: object, b: object, path: string): "new" | "same" | false {
    const ma = this.ab.get(a);
    const mb = this.ba.get(b);
    if (ma === undefined && mb === undefined) {
      this.ab.set(a, b);
      this.ba.set(b, a);
      return "new";
    }
    if (ma === b && mb === a) return "same";
    return this.fail(path, "variables or buffers are bound to different counterparts");
  }

  node(a: Node, b: Node, path: string, def = false): boolean {
    if (a.kind !== b.kind) return this.fail(path, `kind ${a.kind} vs ${b.kind}`);
    if (def && a.kind === "Var") {
      this.ab.set(a, b);
      this.ba.set(b, a);
    } else if (a.kind === "Var" || a.kind === "Buffer") {
      const r = this.pair(a, b, path);
      if (r === false) return false;
      if (r === "same") return true;
    }
    for (const [field, role] of NODE_FIELDS[a.kind]) {
      const va = (a as unknown as Fields)[field];
      const vb = (b as unknown as Fields)[field];
      const p = `${path}.${field}`;
      switch (role) {
        case "ignore":
          break;
        case "data":
          if (!Object.is(va, vb)) return this.fail(p, `${String(va)} vs ${String(vb)}`);
          break;
        case "record":
          if (!recordEqual(va as Fields, vb as Fields)) return this.fail(p, "annotations differ");
          break;
        case "def":
        case "node":
          if (!this.node(va as Node, vb as Node, p, role === "def")) return false;
          break;
        case "optNode":
          if ((va === undefined) !== (vb === undefined)) return this.fail(p, "present vs absent");
          if (va !== undefined && !this.node(va as Node, vb as Node, p)) return false;
          break;
        case "nodes": {
          const xa = va as Node[];
          const xb = vb as Node[];
          if (xa.length !== xb.length) return this.fail(p, `length ${xa.length} vs ${xb.length}`);
          for (let i = 0; i < xa.length; i++) {
            if (!this.node(xa[i], xb[i], `${p}[${i}]`)) return false;
          }
          break;
        }
      }
    }
    return true;
  }
}

function recordEqual(a: Fields, b: Fields): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && Object.is(a[k], b[k]));
}

/**
 * True if two IR trees are equal up to the naming of variables and buffers.
 *
 * @example
 * ```ts
 * import { structuralEqual } from "./structural.ts";
 * import { add, variable } from "./expr.ts";
 * console.assert(structuralEqual(add(variable("i"), 1), add(variable("j"), 1)));
 * ```
 */
export function structuralEqual(a: Node | IRModule, b: Node | IRModule): boolean {
  return firstMismatch(a, b) === undefined;
}

/**
 * The first place where two IR trees differ, or `undefined` if they are structurally equal.
 *
 * @example
 * ```ts
 * import { firstMismatch } from "./structural.ts";
 * import { add, variable } from "./expr.ts";
 * const m = firstMismatch(add(variable("i"), 1), add(variable("i"), 2));
 * console.assert(m?.pathA === "$.b.value");
 * ```
 */
export function firstMismatch(a: Node | IRModule, b: Node | IRModule): Mismatch | undefined {
  if (a.kind === "IRModule" || b.kind === "IRModule") {
    if (a.kind !== b.kind) return { pathA: "$", pathB: "$", reason: "module vs node" };
    const fa = [...(a as IRModule).functions.keys()].sort();
    const fb = [...(b as IRModule).functions.keys()].sort();
    if (fa.join() !== fb.join()) {
      return { pathA: "$", pathB: "$", reason: `functions ${fa.join()} vs ${fb.join()}` };
    }
    for (const name of fa) {
      const ok = new Comparer();
      const fA = (a as IRModule).functions.get(name)!;
      const fB = (b as IRModule).functions.get(name)!;
      if (!ok.node(fA, fB, `$["${name}"]`)) return ok.mismatch;
    }
    return undefined;
  }
  const c = new Comparer();
  return c.node(a as Node, b as Node, "$") ? undefined : c.mismatch;
}

// ---------------------------------------------------------------------------------------------
// Hashing: consistent with equality (variables and buffers numbered by first appearance).

function mix(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const hashMemo = new WeakMap<object, string>();

/**
 * A hash consistent with `structuralEqual`: equal trees hash equally. Memoised per root object.
 *
 * @example
 * ```ts
 * import { structuralHash } from "./structural.ts";
 * import { add, variable } from "./expr.ts";
 * console.assert(structuralHash(add(variable("i"), 1)) === structuralHash(add(variable("j"), 1)));
 * ```
 */
export function structuralHash(n: Node | IRModule): string {
  const hit = hashMemo.get(n);
  if (hit) return hit;
  let h1 = 0x811c9dc5;
  let h2 = 0x1234567;
  const ids = new Map<object, number>();
  let next = 0;
  const emit = (s: string) => {
    h1 = mix(h1, s);
    h2 = mix(h2, s + "|");
  };
  const go = (x: Node, def = false) => {
    if (x.kind === "Var" || x.kind === "Buffer") {
      const id = ids.get(x);
      if (id !== undefined && !(def && x.kind === "Var")) {
        emit(`#${id}`);
        return;
      }
      ids.set(x, next++); // a binding site numbers its variable anew
    }
    emit(x.kind);
    for (const [field, role] of NODE_FIELDS[x.kind]) {
      const v = (x as unknown as Fields)[field];
      switch (role) {
        case "data":
          emit(`${field}=${String(v)}`);
          break;
        case "record": {
          const r = v as Fields;
          for (const k of Object.keys(r).sort()) emit(`${k}:${String(r[k])}`);
          break;
        }
        case "def":
        case "node":
          go(v as Node, role === "def");
          break;
        case "optNode":
          if (v === undefined) emit("_");
          else go(v as Node);
          break;
        case "nodes":
          emit(`[${(v as Node[]).length}`);
          for (const c of v as Node[]) go(c);
          break;
      }
    }
  };
  if (n.kind === "IRModule") {
    for (const name of [...n.functions.keys()].sort()) {
      ids.clear();
      next = 0;
      go(n.functions.get(name)!);
    }
  } else go(n);
  const out = h1.toString(16).padStart(8, "0") + h2.toString(16).padStart(8, "0");
  hashMemo.set(n, out);
  return out;
}
