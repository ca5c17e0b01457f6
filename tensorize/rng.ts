/**
 * The seeded random number generator of schedules (mulberry32): its whole state is one 32-bit
 * number, so a schedule can save and restore it around a failed primitive and copy it when forked.
 *
 * @module
 */

/**
 * A seeded generator of uniform numbers in `[0, 1)`.
 *
 * @example
 * ```ts
 * import { Rng } from "./rng.ts";
 * const a = new Rng(7), b = new Rng(7);
 * console.assert(a.next() === b.next());
 * ```
 */
export class Rng {
  /** The generator's state (a uint32). */
  state: number;

  /** A generator seeded with `seed` (any integer). */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next uniform number in `[0, 1)`. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform integer in `[0, n)`. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
