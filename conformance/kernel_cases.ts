/**
 * The built-in kernel cases: every op of the operator library's catalogue (`ir/ops`) at each of
 * its sample cases (several shapes, odd sizes, symbolic sizes bound only at run time).
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
  /** Only a representative subset: the first case of every op. */
  readonly quick?: boolean;
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
    note: symbolic.length ? `${symbolic.join(", ")} bound at run time` : undefined,
  });
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
    const cases = options.quick ? op.cases.slice(0, 1) : op.cases;
    for (const c of cases) {
      const base = `${op.name}/${c.inputs[0]?.dtype ?? "none"}/${
        c.inputs.map((_, k) => shapeId(c, k)).join("_")
      }`;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      out.push(toCase(op, c, n === 1 ? base : `${base}.${n}`));
    }
  }
  if (options.quick) return out;
  for (const [op, c] of acceleratorCases()) {
    const id = `${op.name}/${c.inputs[0]?.dtype}/${
      c.inputs.map((_, k) => shapeId(c, k)).join("_")
    }`;
    out.push(toCase(op, c, seen.has(id) ? `${id}.npu` : id));
  }
  return out;
}
