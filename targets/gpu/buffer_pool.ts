/**
 * A pool of GPU buffers by size class (powers of two from 256 bytes), so tensors, workspaces,
 * uniforms and staging buffers are reused instead of created per call. Reuse is safe without
 * waiting: WebGPU runs queue operations in order, so a later command that writes a reused buffer
 * comes after every earlier command that read it.
 *
 * @module
 */

/** Usages of pooled buffers. */
export type PoolKind = "storage" | "uniform" | "staging";

function classOf(bytes: number): number {
  let c = 256;
  while (c < bytes) c *= 2;
  return c;
}

/** Counters of a pool. */
export interface PoolStats {
  /** Buffers created. */
  created: number;
  /** Buffers handed out again from the pool. */
  reused: number;
}

/** The pool of one device. */
export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  /** Counters. */
  readonly stats: PoolStats = { created: 0, reused: 0 };

  /** Make a pool for `device`. */
  constructor(private readonly device: GPUDevice) {}

  private usage(kind: PoolKind): number {
    if (kind === "storage") {
      return GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    }
    if (kind === "uniform") return GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST;
    return GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;
  }

  /** A buffer of at least `bytes` bytes; `fresh` tells whether it is newly created (zeroed). */
  acquire(kind: PoolKind, bytes: number): { buffer: GPUBuffer; fresh: boolean } {
    const size = classOf(bytes);
    const list = this.free.get(`${kind}:${size}`);
    const hit = list?.pop();
    if (hit) {
      this.stats.reused++;
      return { buffer: hit, fresh: false };
    }
    this.stats.created++;
    return { buffer: this.device.createBuffer({ size, usage: this.usage(kind) }), fresh: true };
  }

  /** Give a buffer back. */
  release(kind: PoolKind, buffer: GPUBuffer): void {
    const key = `${kind}:${buffer.size}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, list = []);
    list.push(buffer);
  }

  /** Destroy every pooled buffer. */
  clear(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
  }
}
