/**
 * What every benchmarked implementation provides: load once, prepare a case (inputs placed where
 * the impl computes, outside the timed loop), run it, and hand back the output in the canonical
 * layout for the correctness check.
 *
 * @module
 */
import { PeerUnavailable } from "../errors.ts";
import type { BenchCase } from "../cases.ts";
import type { RunResult } from "../harness.ts";

/** How an impl's figures are compared: ours, the plain-TS baseline, a peer library, a ceiling. */
export type ImplRole = "ours" | "baseline" | "peer" | "ceiling";

/** A case made ready to run by one impl. */
export interface Prepared {
  /**
   * One run of the kernel; inputs and outputs stay where `prepare` put them. Resolves to the
   * run's own duration in ms (or `{ ms, waitMs }`, with the run-queue wait of the thread that ran
   * it) when the work runs elsewhere (a worker), to leave messaging out.
   */
  run(): RunResult;
  /** The output of the last run, in the canonical layout (a copy). */
  result(): Float32Array | Promise<Float32Array>;
  /** Free what `prepare` allocated. */
  dispose(): void | Promise<void>;
  /** A remark for the row, e.g. which intrinsics the kernel runs on. */
  readonly note?: string;
}

/** One benchmarked implementation. */
export interface Impl {
  /** Name in the table and the JSON, e.g. `tfjs-wasm`. */
  readonly name: string;
  /** Which of the impl's kernels, when it has several (table only, e.g. `NHWC`). */
  readonly variant?: string;
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
  /**
   * After a successful `init`: the concrete impls this one stands for (e.g. one per thread count
   * found in a registry). Without it the impl is its own only member.
   */
  expand?(): readonly Impl[];
  /** Release what `init` started (workers); called once at the end of a run. */
  close?(): void | Promise<void>;
}

export { PeerUnavailable };

/** The message of anything thrown, for the table. */
export function reasonOf(e: unknown): string {
  if (e instanceof PeerUnavailable) return e.reason;
  if (e instanceof Error) return e.message.split("\n")[0];
  return String(e);
}
