/**
 * A tiny WebAssembly assembler for runtime tests: enough of the binary format to build kernel
 * modules by hand (imports, functions, globals, exports, data), so the cpu runtime is tested
 * without the LLVM toolchain.
 *
 * @module
 */

/** Value types. */
export const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c;

/** A function of the module under construction. */
export interface WasmFunc {
  readonly params: readonly number[];
  readonly results: readonly number[];
  /** Instruction bytes (without the final `end`). */
  readonly code: readonly number[];
  /** Export name, if exported. */
  readonly export?: string;
}

/** An imported function `env.<name>`. */
export interface WasmImport {
  readonly name: string;
  readonly params: readonly number[];
  readonly results: readonly number[];
}

/** What `assemble` takes. */
export interface WasmSpec {
  /** Imported functions (indices 0..n-1, before the module's own). */
  readonly imports?: readonly WasmImport[];
  /** Import `env.memory` (default true). */
  readonly importMemory?: boolean;
  readonly funcs: readonly WasmFunc[];
  /** Value of the exported i32 global `__heap_base` (omitted: not exported). */
  readonly heapBase?: number;
  /** Active data segments. */
  readonly data?: readonly { offset: number; bytes: readonly number[] }[];
}

/** Unsigned LEB128. */
export function uleb(x: number): number[] {
  const out: number[] = [];
  do {
    let b = x & 0x7f;
    x = Math.floor(x / 128);
    if (x) b |= 0x80;
    out.push(b);
  } while (x);
  return out;
}

/** Signed LEB128 (32-bit range). */
export function sleb(x: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = x & 0x7f;
    x >>= 7;
    if ((x === 0 && !(b & 0x40)) || (x === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const str = (s: string) => [...uleb(s.length), ...new TextEncoder().encode(s)];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

/** Assemble a module. */
export function assemble(spec: WasmSpec): Uint8Array {
  const imports = spec.imports ?? [];
  const sigs = [...imports, ...spec.funcs].map((f) => [
    0x60,
    ...vec(f.params.map((p) => [p])),
    ...vec(f.results.map((r) => [r])),
  ]);
  const importEntries = imports.map((f, k) => [...str("env"), ...str(f.name), 0x00, ...uleb(k)]);
  if (spec.importMemory !== false) {
    // shared, min 1 page, max 65536 pages: what the cpu runtime's memory is
    importEntries.push([...str("env"), ...str("memory"), 0x02, 0x03, 1, ...uleb(65536)]);
  }
  const exports = spec.funcs.flatMap((f, k) =>
    f.export ? [[...str(f.export), 0x00, ...uleb(imports.length + k)]] : []
  );
  const bytes = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  bytes.push(...section(1, vec(sigs)));
  bytes.push(...section(2, vec(importEntries)));
  bytes.push(...section(3, vec(spec.funcs.map((_, k) => uleb(imports.length + k)))));
  if (spec.heapBase !== undefined) {
    bytes.push(...section(6, vec([[I32, 0x00, 0x41, ...sleb(spec.heapBase), 0x0b]])));
    exports.push([...str("__heap_base"), 0x03, 0]);
  }
  bytes.push(...section(7, vec(exports)));
  const bodies = spec.funcs.map((f) => {
    const body = [0x00, ...f.code, 0x0b]; // no locals
    return [...uleb(body.length), ...body];
  });
  bytes.push(...section(10, vec(bodies)));
  if (spec.data?.length) {
    bytes.push(
      ...section(
        11,
        vec(
          spec.data.map((
            d,
          ) => [0x00, 0x41, ...sleb(d.offset), 0x0b, ...vec(d.bytes.map((b) => [b]))]),
        ),
      ),
    );
  }
  return new Uint8Array(bytes);
}

/** Instruction helpers (opcodes with immediates). */
export const op = {
  localGet: (i: number): number[] => [0x20, ...uleb(i)],
  i32Const: (x: number): number[] => [0x41, ...sleb(x)],
  call: (f: number): number[] => [0x10, ...uleb(f)],
  i32DivS: [0x6d] as number[],
  i32Store: [0x36, 0x02, 0x00] as number[],
  i32Load: [0x28, 0x02, 0x00] as number[],
  f64Store: [0x39, 0x03, 0x00] as number[],
  f64Const: (x: number): number[] => [0x44, ...new Uint8Array(new Float64Array([x]).buffer)],
  drop: [0x1a] as number[],
};
