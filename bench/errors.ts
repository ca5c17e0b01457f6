/**
 * Errors of the bench: bad command lines and impls that cannot run here. Codes are catalogued in
 * `docs/errors.md`.
 *
 * @module
 */
import { TesseraError } from "../ir/errors.ts";

/**
 * A bench failure with a stable code (`BENCH_BAD_ARGS`, `BENCH_PEER_UNAVAILABLE`).
 *
 * @example
 * ```ts
 * import { BenchError } from "./errors.ts";
 * console.assert(new BenchError("BENCH_BAD_ARGS", "Cannot parse").code === "BENCH_BAD_ARGS");
 * ```
 */
export class BenchError extends TesseraError {}

/**
 * An impl that cannot run here (library missing, compiler not built yet, …); the bench reports
 * the reason in its table instead of a figure.
 *
 * @example
 * ```ts
 * import { PeerUnavailable } from "./errors.ts";
 * const e = new PeerUnavailable("tfjs-wasm", "wasm file not found");
 * console.assert(e.code === "BENCH_PEER_UNAVAILABLE" && e.reason === "wasm file not found");
 * ```
 */
export class PeerUnavailable extends BenchError {
  /** The reason alone, for the table. */
  readonly reason: string;
  /** Say why `impl` cannot run. */
  constructor(impl: string, reason: string) {
    super("BENCH_PEER_UNAVAILABLE", `Cannot run ${impl}: ${reason}`);
    this.reason = reason;
  }
}
