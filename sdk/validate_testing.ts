/**
 * A toy target for the tests of `validateTarget` and scope checks: intrinsics whose
 * implementation names a JavaScript model with an optional deliberate bug, run on the tiles as a
 * device would (through strides), by the runtime's `runIntrinsic`.
 *
 * @module
 */
import { cast, max, mul } from "../ir/expr.ts";
import { getElement, setElement } from "../ir/ndarray.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../ir/te.ts";
import { accumulating } from "../tensorize/auto/describe.ts";
import { defineIntrinsic, type Intrinsic } from "./intrinsic.ts";
import type { IntrinsicTile } from "./intrinsic_run.ts";
import type { MemoryScope } from "./scope.ts";
import { defineMemoryScope } from "./scope.ts";
import { defineTarget, type Target } from "./target.ts";
import { SDK_VERSION } from "./version.ts";

/** Deliberate bugs of the toy implementations. */
export type ToyBug =
  | "none"
  | "drop-last-k" // the reduction misses its last step
  | "saturate" // the int32 accumulator saturates instead of wrapping
  | "compact" // tiles are read as if compact (strides ignored)
  | "scribble" // writes a zero just past the output tile
  | "reverse" // (float) sums k in reverse order: legal, within tolerance
  | "ftz" // (float) flushes subnormal results to zero
  | "nan-dropping-max"; // max(x, NaN) = x

/** The toy implementation: which model, which bug. */
export interface ToyImpl {
  readonly op: "gemm" | "max";
  readonly bug: ToyBug;
}

/** `C[m,n] += acc(A[m,k]) · acc(B[k,n])`, accumulating. */
export function gemmDescription(n: number, inDtype: string, accDtype: string) {
  const A = placeholder([n, n], inDtype, "A"), B = placeholder([n, n], inDtype, "B");
  const k = reduceAxis(n, "k");
  const C = compute(
    [n, n],
    ([i, j]) => sum(mul(cast(accDtype, A.at(i, k)), cast(accDtype, B.at(k, j))), [k]),
    "C",
  );
  return accumulating(createPrimFunc([A, B, C], `gemm${n}`));
}

/** A toy GEMM intrinsic. */
export function toyGemm(
  bug: ToyBug = "none",
  dtypes: readonly [string, string] = ["int8", "int32"],
  n = 4,
  operandScopes: Readonly<Record<string, string>> = {},
): Intrinsic<ToyImpl> {
  return defineIntrinsic<ToyImpl>({
    name: `toy.gemm${n}_${dtypes[0]}`,
    description: gemmDescription(n, dtypes[0], dtypes[1]),
    implementation: { op: "gemm", bug },
    operandScopes,
    cost: { cycles: n },
  });
}

/** A toy elementwise max `Z = max(X, Y)` on 8 floats. */
export function toyMax(bug: ToyBug = "none"): Intrinsic<ToyImpl> {
  const X = placeholder([8], "float32", "X"), Y = placeholder([8], "float32", "Y");
  const Z = compute([8], ([i]) => max(X.at(i), Y.at(i)), "Z");
  return defineIntrinsic<ToyImpl>({
    name: "toy.max8",
    description: createPrimFunc([X, Y, Z], "max8"),
    implementation: { op: "max", bug },
    operandScopes: {},
    cost: { cycles: 1 },
  });
}

function at(t: IntrinsicTile, idx: readonly number[], compact: boolean): number {
  if (compact) return idx.reduce((o, x, d) => o * t.shape[d] + x, 0) + t.offset;
  return idx.reduce((o, x, d) => o + x * t.strides[d], t.offset);
}

function runGemm([A, B, C]: readonly IntrinsicTile[], bug: ToyBug): void {
  const compact = bug === "compact";
  const [m, kk] = A.shape, n = B.shape[1];
  const float = C.dtype.startsWith("float");
  const ks = Array.from({ length: bug === "drop-last-k" ? kk - 1 : kk }, (_, k) => k);
  if (bug === "reverse") ks.reverse();
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = getElement(C.data.data, C.dtype, at(C, [i, j], compact));
      for (const k of ks) {
        const p = getElement(A.data.data, A.dtype, at(A, [i, k], compact)) *
          getElement(B.data.data, B.dtype, at(B, [k, j], compact));
        if (float) acc = Math.fround(acc + Math.fround(p));
        else if (bug === "saturate") acc = Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, acc + p));
        else acc = (acc + p) | 0;
      }
      if (bug === "ftz" && Math.abs(acc) < 2 ** -126) acc = 0;
      setElement(C.data.data, C.dtype, at(C, [i, j], compact), acc);
    }
  }
  const end = C.shape.reduce((o, s, d) => o + (s - 1) * C.strides[d], C.offset);
  if (bug === "scribble" && end + 1 < C.data.data.length) {
    setElement(C.data.data, C.dtype, end + 1, 0);
  }
}

function runMax([X, Y, Z]: readonly IntrinsicTile[], bug: ToyBug): void {
  for (let i = 0; i < Z.shape[0]; i++) {
    const x = getElement(X.data.data, X.dtype, at(X, [i], false));
    const y = getElement(Y.data.data, Y.dtype, at(Y, [i], false));
    setElement(
      Z.data.data,
      Z.dtype,
      at(Z, [i], false),
      bug === "nan-dropping-max" ? (x > y ? x : y) : Math.max(x, y),
    );
  }
}

/** The toy runtime's `runIntrinsic`: dispatch on the implementation, as a vendor's would. */
export function toyRunIntrinsic(
  intrinsic: Intrinsic,
  tiles: readonly IntrinsicTile[],
): Promise<void> {
  const impl = intrinsic.implementation as ToyImpl;
  if (impl.op === "gemm") runGemm(tiles, impl.bug);
  else runMax(tiles, impl.bug);
  return Promise.resolve();
}

/** Options of `toyTarget`. */
export interface ToyOptions {
  readonly intrinsics?: readonly Intrinsic[];
  readonly scopes?: readonly MemoryScope[];
  readonly runIntrinsic?: typeof toyRunIntrinsic | null;
  readonly limits?: Readonly<Record<string, number>>;
}

/** A target named "toy" with a global scope (64-byte aligned) and the given parts. */
export function toyTarget(o: ToyOptions = {}): Target {
  return defineTarget({
    name: "toy",
    kind: "npu",
    sdkVersion: SDK_VERSION,
    scopes: o.scopes ?? [defineMemoryScope({ name: "global", alignmentBytes: 64 })],
    intrinsics: o.intrinsics ?? [],
    codegen: { compile: () => Promise.reject(new Error("toy targets do not compile")) },
    runtime: {
      createDevice: () => Promise.reject(new Error("toy targets have no devices")),
      ...(o.runIntrinsic === null ? {} : { runIntrinsic: o.runIntrinsic ?? toyRunIntrinsic }),
    },
    limits: o.limits ?? {},
    peak: {
      flopsPerSecond: { int8: 1e9, float32: 1e9 },
      bytesPerSecond: { global: 1e9 },
    },
  });
}
