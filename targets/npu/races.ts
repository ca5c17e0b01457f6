/**
 * Race detection between the three queues: every scratchpad tile remembers its last writer and
 * its last reader per queue; an access by another queue must be ordered after them by a chain of
 * dependency tokens (vector clocks carried by the tokens). A race-free stream computes the same
 * result whatever the timing, so the simulator's result is the hardware's.
 *
 * @module
 */
import type { NpuBuffer, NpuConfig } from "./config.ts";
import { tileCapacity } from "./config.ts";

/** Queue numbers: load 0, compute 1, store 2. */
export type QueueId = 0 | 1 | 2;

/** A conflicting earlier access that the current command has not been ordered after. */
export interface Race {
  readonly buffer: NpuBuffer;
  readonly tile: number;
  /** Queue and per-queue sequence number (1-based) of the earlier access. */
  readonly queue: QueueId;
  readonly seq: number;
  readonly earlierWrote: boolean;
}

interface TileLog {
  writerQueue: Int8Array;
  writerSeq: Int32Array;
  readSeq: [Int32Array, Int32Array, Int32Array];
}

function newLog(n: number): TileLog {
  return {
    writerQueue: new Int8Array(n).fill(-1),
    writerSeq: new Int32Array(n),
    readSeq: [new Int32Array(n), new Int32Array(n), new Int32Array(n)],
  };
}

/** Per-tile access logs of the three scratchpads. */
export class RaceLog {
  private readonly logs: Record<NpuBuffer, TileLog>;

  /** Logs sized for the largest tile counts of `config`. */
  constructor(config: NpuConfig) {
    this.logs = {
      input: newLog(tileCapacity(config, "input", 1)),
      weight: newLog(tileCapacity(config, "weight", 1)),
      acc: newLog(tileCapacity(config, "acc", 4)),
    };
  }

  /**
   * Record an access of `tile` by `queue`'s command `seq`, whose vector clock is `clock`; return
   * the race it makes, if any.
   */
  access(
    buffer: NpuBuffer,
    tile: number,
    write: boolean,
    queue: QueueId,
    seq: number,
    clock: readonly number[],
  ): Race | undefined {
    const log = this.logs[buffer];
    const wq = log.writerQueue[tile];
    if (wq >= 0 && wq !== queue && clock[wq] < log.writerSeq[tile]) {
      return { buffer, tile, queue: wq as QueueId, seq: log.writerSeq[tile], earlierWrote: true };
    }
    if (write) {
      for (let q = 0; q < 3; q++) {
        const r = log.readSeq[q][tile];
        if (q !== queue && r > 0 && clock[q] < r) {
          return { buffer, tile, queue: q as QueueId, seq: r, earlierWrote: false };
        }
      }
      log.writerQueue[tile] = queue;
      log.writerSeq[tile] = seq;
    } else log.readSeq[queue][tile] = seq;
    return undefined;
  }
}
