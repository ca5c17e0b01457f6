/**
 * `tessera-default`: the kernels from the operator library, built by the SDK for the `cpu`
 * target with the default lowering, and called on tensors that live in wasm memory.
 *
 * @module
 */
import type { BenchCase } from "../cases.ts";
import { type Impl, PeerUnavailable, type Prepared } from "./peer.ts";

const NEEDED = ["../../sdk/mod.ts", "../../targets/cpu/mod.ts", "../../ir/ops/mod.ts"];

async function missing(): Promise<string[]> {
  const out: string[] = [];
  for (const p of NEEDED) {
    try {
      await Deno.stat(new URL(p, import.meta.url));
    } catch {
      out.push(p.replace("../../", ""));
    }
  }
  return out;
}

/** Tessera's own kernels, default lowering, on the cpu target. */
export const tessera: Impl = {
  name: "tessera-default",
  role: "ours",
  async init(): Promise<void> {
    const gone = await missing();
    if (gone.length) {
      throw new PeerUnavailable("tessera-default", `${gone.join(", ")} not built yet`);
    }
    throw new PeerUnavailable(
      "tessera-default",
      "the SDK's build API is not wired into the bench yet",
    );
  },
  threads: () => 1,
  supports: (c: BenchCase) => c.kind === "matmul" || c.kind === "conv2d",
  prepare(_c: BenchCase, _inputs: Float32Array[]): Promise<Prepared> {
    throw new PeerUnavailable("tessera-default", "not initialised");
  },
};
