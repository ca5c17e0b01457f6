/**
 * The cpu device's memory layout (cpu_abi.md): one `WebAssembly.Memory` per device, shared by
 * every kernel module loaded on it.
 *
 * ```
 * 0 ─── stack (1 MiB, grows down; every module links with --stack-first, stack-size=1 MiB)
 * 1 MiB ─── slack (64 KiB: __heap_base of a module must not pass RESERVED_BYTES)
 * RESERVED_BYTES ─── tensor heap (FreeListAllocator), grows with the memory
 * ```
 *
 * Modules carry no data segments, so several can share the memory without overwriting each
 * other; the runtime checks both (`__heap_base` and the data section).
 *
 * @module
 */

/** Bytes of a WebAssembly page. */
export const PAGE_BYTES = 65536;

/** Bytes of the shared C stack at the bottom of memory. */
export const STACK_BYTES: number = 1 << 20;

/** End of the reserved region (stack + 64 KiB slack); the tensor heap starts here. */
export const RESERVED_BYTES: number = STACK_BYTES + PAGE_BYTES;

/** Most pages a wasm32 memory can have (4 GiB). */
export const MAX_PAGES = 65536;

/** Pages a new device starts with (reserved region + 1 MiB of heap). */
export const INITIAL_PAGES: number = RESERVED_BYTES / PAGE_BYTES + 16;
