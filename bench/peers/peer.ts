/**
 * What every benchmarked implementation provides: load once, prepare a case (inputs placed where
 * the impl computes, outside the timed loop), run it, and hand back the output in the canonical
 * layout for the correctness check.
 *
 * @module
 */
import { PeerUnavailable } from "../errors.ts";
import type { BenchCase } from "../cases.ts";

/** How an impl's figures are compared: ours, the plain-TS baseline, a peer library, a ceiling. */
export type ImplRole = "ours" | "baseline" | "peer" | "ceiling";

/** A case made ready to run by one impl. */
export interface Prepared {
  /** One run of the kernel; inputs and outputs stay where `prepare` put them. */
  run(): void | Promise<void>;
  /** The output of the last run, in the canonical layout (a copy). */
  result(): Float32Array | Promise<Float32Array>;
  /** Free what `prepare` allocated. */
  dispose(): void;
}

/** One benchmarked implementation. */
export interface Impl {
  /** Name in the table and the JSON, e.g. `tfjs-wasm`. */
  readonly name: string;
  /** How its figures are compared. */
  readonly role: ImplRole;
  /** Load the library or compiler once; throws `PeerUnavailable` with the reason. */
  init(): Promise<void>;
  /** Threads the impl computes with (known after `init`). */
  threads(): number;
  /** Whether the impl has a kernel for this case. */
  supports(c: BenchCase): boolean;
  /** Place the inputs and build the kernel for a case. */
  prepare(c: BenchCase, inputs: Float32Array[]): Promise<Prepared>;
}

export { PeerUnavailable };

/** The message of anything thrown, for the table. */
export function reasonOf(e: unknown): string {
  if (e instanceof PeerUnavailable) return e.reason;
  if (e instanceof Error) return e.message.split("\n")[0];
  return String(e);
}
