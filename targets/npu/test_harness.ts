/**
 * Test helpers: place matmul operands in a global memory, run a stream, read the result back.
 *
 * @module
 */
import { type NDArray, ndarray } from "../../ir/ndarray.ts";
import type { NpuMode } from "./config.ts";
import { readElement, writeElement } from "./exec.ts";
import { dtypeBytes, type NpuDType } from "./isa.ts";
import type { MatmulSpec } from "./matmul_program.ts";

/** A global memory with named matrices at 64-byte aligned addresses. */
export class GlobalMemory {
  /** The bytes (what the simulator runs on). */
  bytes: Uint8Array = new Uint8Array(0);
  private next = 64; // leave address 0 unused

  /** Reserve `count` elements of `dtype`; returns the byte address. */
  alloc(count: number, dtype: NpuDType): number {
    const addr = this.next;
    this.next = Math.ceil((addr + count * dtypeBytes(dtype)) / 64) * 64;
    const grown = new Uint8Array(this.next);
    grown.set(this.bytes);
    this.bytes = grown;
    return addr;
  }

  /** Write numbers as `dtype` elements from `addr`. */
  write(addr: number, dtype: NpuDType, values: ArrayLike<number>): void {
    const v = new DataView(this.bytes.buffer);
    for (let i = 0; i < values.length; i++) {
      writeElement(v, addr + i * dtypeBytes(dtype), dtype, values[i]);
    }
  }

  /** Read `count` elements of `dtype` from `addr`. */
  read(addr: number, dtype: NpuDType, count: number): number[] {
    const v = new DataView(this.bytes.buffer);
    return Array.from(
      { length: count },
      (_, i) => readElement(v, addr + i * dtypeBytes(dtype), dtype),
    );
  }
}

/** A matmul placed in memory: spec for the program builder, and the result reader. */
export interface PlacedMatmul {
  readonly memory: GlobalMemory;
  readonly spec: MatmulSpec;
  /** C as an NDArray of the output dtype. */
  result(): NDArray;
}

/**
 * Place A [m,k] and B [k,n] (or [n,k] when `transposedB`) and room for C [m,n] (and a bias [n]).
 */
export function placeMatmul(
  a: NDArray,
  b: NDArray,
  outDtype: NpuDType,
  extra: { bias?: NDArray; transposedB?: boolean; epilogue?: MatmulSpec["epilogue"] } = {},
): PlacedMatmul {
  const mem = new GlobalMemory();
  const [m, k] = a.shape;
  const n = extra.transposedB ? b.shape[0] : b.shape[1];
  const inDtype = a.dtype as NpuMode;
  const aAddr = mem.alloc(m * k, inDtype), bAddr = mem.alloc(k * n, inDtype);
  const cAddr = mem.alloc(m * n, outDtype);
  mem.write(aAddr, inDtype, a.data as ArrayLike<number>);
  mem.write(bAddr, inDtype, b.data as ArrayLike<number>);
  let bias: MatmulSpec["bias"];
  if (extra.bias) {
    const dt = extra.bias.dtype as NpuDType;
    const addr = mem.alloc(n, dt);
    mem.write(addr, dt, extra.bias.data as ArrayLike<number>);
    bias = { address: addr, dtype: dt };
  }
  const spec: MatmulSpec = {
    m,
    n,
    k,
    a: { address: aAddr },
    b: { address: bAddr, transposed: extra.transposedB },
    c: { address: cAddr },
    inDtype,
    outDtype,
    bias,
    epilogue: extra.epilogue,
  };
  return {
    memory: mem,
    spec,
    result: () => ndarray(outDtype, [m, n], mem.read(cAddr, outDtype, m * n)),
  };
}
