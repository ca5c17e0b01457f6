/**
 * `wasm-peak`: a hand-written C micro-kernel — f32x4 multiply-adds on independent accumulators
 * kept in registers — compiled by the cpu target's toolchain, to show the wasm SIMD ceiling of
 * this machine in the same run as the kernels.
 *
 * @module
 */
import type { BenchCase } from "../cases.ts";
import { type Impl, PeerUnavailable, type Prepared } from "./peer.ts";

/** The SIMD ceiling micro-kernel. */
export const wasmPeak: Impl = {
  name: "wasm-peak",
  role: "ceiling",
  async init(): Promise<void> {
    try {
      await Deno.stat(new URL("../../targets/cpu/toolchain.ts", import.meta.url));
    } catch {
      throw new PeerUnavailable("wasm-peak", "targets/cpu/toolchain.ts not built yet");
    }
    throw new PeerUnavailable("wasm-peak", "compileC is not wired into the bench yet");
  },
  threads: () => 1,
  supports: (c: BenchCase) => c.kind === "peak",
  prepare(_c: BenchCase, _inputs: Float32Array[]): Promise<Prepared> {
    throw new PeerUnavailable("wasm-peak", "not initialised");
  },
};
