/**
 * The built-in kernel cases: every op of the operator library's catalogue (`ir/ops`) at each of
 * its sample cases (several shapes, odd sizes, symbolic sizes bound only at run time), the
 * accelerator-sized GEMMs, and a few cases of the conformance kit's own (prime, aligned and large
 * shapes). Each case carries its shape classes (`shapeClasses`); `--quick` takes the first case of
 * every op, then the first case of every (shape class, dtype) pair still missing, large ones
 * excepted.
 *
 * @module
 */
import {
  concreteShape,
  input,
  type OpCase,
  opCase,
  type OpDescriptor,
} from "../ir/ops/descriptor.ts";
import { findOp, OPS } from "../ir/ops/catalog.ts";
import { defineCase, type KernelCase } from "./case.ts";

/** Options for choosing cases. */
export interface CaseOptions {
  /**
   * Only a representative subset: the first case of every op, then the first case of each
   * (shape class, dtype) pair not yet covered, leaving out large cases.
   */
  readonly quick?: boolean;
}

/** The shape classes a case can belong to. */
export const SHAPE_CLASSES: readonly string[] = [
  "tiny",
  "odd",
  "prime",
  "aligned",
  "large",
  "broadcasting",
  "symbolic",
];

/** Elements of an input at which a case counts as large. */
const LARGE = 32768;

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/**
 * The shape classes of a case: `symbolic` (a size bound at run time), `tiny` (at most 8 elements
 * in all), `large` (an input of 32768 elements or more), `broadcasting` (inputs of an elementwise
 * op whose shapes differ), `aligned` (every dimension a multiple of 16), `prime` (every dimension
 * above 1 a prime), `odd` (some dimension odd).
 *
 * @example
 * ```ts
 * import { shapeClasses } from "./kernel_cases.ts";
 * import { input, opCase } from "../ir/ops/descriptor.ts";
 * const c = opCase([input("a", [7, 13]), input("b", [13])], {});
 * console.assert(shapeClasses("elementwise", c).join() === "broadcasting,prime,odd");
 * ```
 */
export function shapeClasses(family: string, c: OpCase): string[] {
  const shapes = c.inputs.map((spec) => concreteShape(c, spec));
  const dims = shapes.flat();
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const tags: string[] = [];
  if (c.inputs.some((spec) => spec.shape.some((d) => typeof d === "string"))) tags.push("symbolic");
  if (shapes.reduce((n, s) => n + size(s), 0) <= 8) tags.push("tiny");
  if (shapes.some((s) => size(s) >= LARGE)) tags.push("large");
  if (family === "elementwise" && new Set(shapes.map((s) => s.join("x"))).size > 1) {
    tags.push("broadcasting");
  }
  if (dims.length && dims.every((d) => d % 16 === 0)) tags.push("aligned");
  const big = dims.filter((d) => d > 1);
  if (big.length && big.every(isPrime)) tags.push("prime");
  if (dims.some((d) => d % 2 === 1 && d > 1)) tags.push("odd");
  return tags;
}

/** `7x13x5` for concrete dims, `n=7x13` where a dim is the size variable n bound to 7. */
function shapeId(c: OpCase, k: number): string {
  const spec = c.inputs[k];
  const dims = concreteShape(c, spec);
  return spec.shape.map((d, i) => (typeof d === "string" ? `${d}=${dims[i]}` : `${d}`)).join("x") ||
    "scalar";
}

function toCase(op: OpDescriptor, c: OpCase, id: string): KernelCase {
  const symbolic = Object.keys(c.vars ?? {});
  return defineCase({
    id,
    op: op.name,
    dtype: c.inputs[0]?.dtype ?? "float32",
    func: () => op.build(c),
    inputs: (seed) => op.makeInputs(c, seed),
    tags: shapeClasses(op.family, c),
    note: symbolic.length ? `${symbolic.join(", ")} bound at run time` : undefined,
  });
}

/**
 * The conformance kit's own cases, for shape classes the catalogue's samples leave thin: a GEMM
 * whose every size is prime, a float32 GEMM aligned to 16 throughout, and large elementwise and
 * reduction inputs (one broadcasting).
 */
export function extraCases(): [OpDescriptor, OpCase][] {
  const mm = findOp("matmul"), add = findOp("add"), relu = findOp("relu");
  const sum = findOp("reduce_sum");
  return [
    [mm, opCase([input("a", [31, 37]), input("b", [37, 41])], {})],
    [mm, opCase([input("a", [128, 64]), input("b", [64, 96])], {})],
    [relu, opCase([input("x", [256, 256])], {})],
    [add, opCase([input("a", [256, 255]), input("b", [255])], {})],
    [sum, opCase([input("x", [193, 257])], { axes: [1], keepdims: false })],
  ];
}

/**
 * Accelerator-sized cases (issue 4): GEMMs on 16×16×16-tile NPUs at an aligned shape (int8
 * 256³) and unaligned ones needing padding (100×70×50), dense and conv2d with channel counts a
 * GEMM tile fills. Run on every target (full runs only, not `quick`).
 */
export function acceleratorCases(): [OpDescriptor, OpCase][] {
  const mm = findOp("matmul"), dense = findOp("dense"), conv = findOp("conv2d");
  const i8 = { outDtype: "int32" };
  return [
    [mm, opCase([input("a", [256, 256], "int8"), input("b", [256, 256], "int8")], i8)],
    [mm, opCase([input("a", [100, 50], "int8"), input("b", [50, 70], "int8")], i8)],
    [mm, opCase([input("a", [100, 50]), input("b", [50, 70])], {})],
    [
      mm,
      opCase([input("a", [64, 96], "float16"), input("b", [96, 48], "float16")], {
        outDtype: "float32",
      }),
    ],
    [dense, opCase([input("x", [64, 128], "int8"), input("weight", [96, 128], "int8")], i8)],
    [
      conv,
      opCase([input("x", [1, 16, 10, 10], "int8"), input("w", [32, 16, 3, 3], "int8")], {
        padding: 1,
        outDtype: "int32",
      }),
    ],
    [conv, opCase([input("x", [1, 16, 10, 10]), input("w", [32, 16, 1, 1])], {})],
  ];
}

/**
 * The kernel cases, with stable ids `op/dtype/shapes` (a `.2`, `.3` … suffix tells apart cases
 * of one op whose shapes agree but whose attributes differ).
 *
 * @example
 * ```ts
 * import { kernelCases } from "./kernel_cases.ts";
 * const cases = kernelCases();
 * console.assert(cases.some((c) => c.id.startsWith("matmul/")));
 * ```
 */
export function kernelCases(options: CaseOptions = {}): KernelCase[] {
  const out: KernelCase[] = [];
  const seen = new Map<string, number>();
  for (const op of OPS) {
    for (const c of op.cases) {
      const base = `${op.name}/${c.inputs[0]?.dtype ?? "none"}/${
        c.inputs.map((_, k) => shapeId(c, k)).join("_")
      }`;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      out.push(toCase(op, c, n === 1 ? base : `${base}.${n}`));
    }
  }
  const more = (list: [OpDescriptor, OpCase][], suffix: string) => {
    for (const [op, c] of list) {
      const id = `${op.name}/${c.inputs[0]?.dtype}/${
        c.inputs.map((_, k) => shapeId(c, k)).join("_")
      }`;
      out.push(toCase(op, c, seen.has(id) ? `${id}.${suffix}` : id));
      seen.set(id, 1);
    }
  };
  more(acceleratorCases(), "npu");
  more(extraCases(), "conf");
  return options.quick ? quickSubset(out) : out;
}

/**
 * The representative subset: the first case of every op, then the first case of each (shape
 * class, dtype) pair the subset does not cover yet; no large case.
 */
export function quickSubset(cases: readonly KernelCase[]): KernelCase[] {
  const pick = new Set<KernelCase>();
  const ops = new Set<string>();
  for (const c of cases) if (!ops.has(c.op)) ops.add(c.op), pick.add(c);
  const covered = new Set<string>();
  const keys = (c: KernelCase) => (c.tags ?? []).map((t) => `${t}/${c.dtype}`);
  for (const c of pick) for (const k of keys(c)) covered.add(k);
  for (const c of cases) {
    if (pick.has(c) || c.tags?.includes("large")) continue;
    if (keys(c).some((k) => !covered.has(k))) {
      pick.add(c);
      for (const k of keys(c)) covered.add(k);
    }
  }
  return cases.filter((c) => pick.has(c)); // catalogue order
}
