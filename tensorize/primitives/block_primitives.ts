/**
 * The index of block primitives (cache_read/write, compute_at, compute_inline, …): importing
 * this file registers them and attaches their methods to `Schedule`. Owned by the authors of
 * those primitives: add one `import "./<primitive>.ts";` line per primitive file.
 *
 * @module
 */
import "./transform_layout.ts";
import "./set_scope.ts";
import "./storage_align.ts";
import "./blockize.ts";
import "./pad_einsum.ts";
import "./transform_block_layout.ts";
export {};
import "./compute_at.ts";
import "./cache_read_write.ts";
import "./compute_inline.ts";
import "./decompose_reduction.ts";
import "./rfactor.ts";
import "./tensorize.ts";
