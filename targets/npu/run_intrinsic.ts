/**
 * Running one NPU intrinsic on concrete tiles the way the NPU runs it — a small command stream
 * on the simulator — for intrinsic validation (`Runtime.runIntrinsic`): the tiles are gathered
 * into a scratch global memory, the GEMM tile runs as `acc = C; acc += A·B; C = acc` (LOAD acc,
 * GEMM, STORE), an ALU op as `Z = X op Y` (two acc loads, ALU, STORE), and the results are
 * scattered back.
 *
 * @module
 */
import { InternalError } from "../../ir/errors.ts";
import { getElement, type NDArray, setElement } from "../../ir/ndarray.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import type { NpuConfig } from "./config.ts";
import { readElement, writeElement } from "./exec.ts";
import type { NpuIntrinsicImpl } from "./intrinsics.ts";
import { dtypeBytes, type NpuDType } from "./isa.ts";
import { matmulProgram } from "./matmul_program.ts";
import { NpuProgramBuilder } from "./program.ts";
import { simulate } from "./simulator.ts";

/** One operand: a strided view of a 1-D storage (the SDK's `IntrinsicTile` shape). */
export interface TileView {
  /** Element dtype. */
  readonly dtype: string;
  /** Tile shape. */
  readonly shape: readonly number[];
  /** The storage. */
  readonly data: NDArray;
  /** Element offset of the origin. */
  readonly offset: number;
  /** Element stride per dimension. */
  readonly strides: readonly number[];
}

function indexOf(t: TileView, flat: number): number {
  let o = t.offset, rest = flat;
  for (let d = t.shape.length - 1; d >= 0; d--) {
    o += (rest % t.shape[d]) * t.strides[d];
    rest = Math.floor(rest / t.shape[d]);
  }
  return o;
}

const count = (t: TileView) => t.shape.reduce((a, b) => a * b, 1);

/**
 * Run `intrinsic` (a GEMM or ALU intrinsic of `npuIntrinsics(config)`) on `tiles`, one per
 * description parameter, writing the output tile.
 */
export function runNpuIntrinsic(
  config: NpuConfig,
  intrinsic: Intrinsic,
  tiles: readonly TileView[],
): void {
  const impl = intrinsic.implementation as NpuIntrinsicImpl;
  // compact copies, 64-byte aligned, in a scratch global memory
  const addrs: number[] = [];
  let top = 64;
  for (const t of tiles) {
    addrs.push(top);
    top = Math.ceil((top + count(t) * dtypeBytes(t.dtype as NpuDType)) / 64) * 64;
  }
  const mem = new Uint8Array(top);
  const view = new DataView(mem.buffer);
  tiles.forEach((t, q) => {
    const eb = dtypeBytes(t.dtype as NpuDType);
    for (let i = 0; i < count(t); i++) {
      writeElement(
        view,
        addrs[q] + i * eb,
        t.dtype as NpuDType,
        getElement(t.data.data, t.data.dtype, indexOf(t, i)),
      );
    }
  });
  let words: Int32Array;
  const out = tiles.length - 1;
  const outDtype = tiles[out].dtype as NpuDType;
  if (impl.command === "GEMM") {
    const [m, k] = tiles[0].shape, n = tiles[1].shape[1];
    words = matmulProgram(config, {
      m,
      n,
      k,
      a: { address: addrs[0] },
      b: { address: addrs[1] },
      c: { address: addrs[2] },
      accIn: { address: addrs[2], dtype: outDtype },
      inDtype: impl.mode,
      outDtype,
    }, { blockM: 1, blockN: 1, blockK: 1, doubleBuffer: false, splitEdges: false });
  } else if (impl.command === "ALU") {
    const [rows, cols] = tiles[0].shape;
    const p = new NpuProgramBuilder(config);
    for (const [q, base] of [[0, 0], [1, 1]]) {
      p.load("acc", { dtype: tiles[q].dtype as NpuDType, address: addrs[q], rows, cols, base });
    }
    p.alu({ op: impl.op, mode: impl.mode, dst: 0, src: 1, loops: [], deps: { pushNext: true } });
    p.store({
      dtype: outDtype,
      address: addrs[out],
      rows,
      cols,
      base: 0,
      deps: { popPrev: true, pushPrev: true },
    });
    p.finish({ popNext: true });
    words = p.build();
  } else throw new InternalError(`intrinsic "${intrinsic.name}" has no NPU implementation`);
  simulate(config, words, mem);
  const t = tiles[out], eb = dtypeBytes(outDtype);
  for (let i = 0; i < count(t); i++) {
    setElement(
      t.data.data,
      t.data.dtype,
      indexOf(t, i),
      readElement(view, addrs[out] + i * eb, outDtype),
    );
  }
}
