/**
 * Just enough of the WebAssembly binary format to check a kernel module before it shares a
 * device's memory: the number of data segments (section 11) — there must be none, since every
 * module would initialise its segments at the same addresses.
 *
 * @module
 */
import { TargetError } from "../../ir/errors.ts";

function leb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let v = 0, shift = 0, b: number;
  do {
    if (at >= bytes.length) throw malformed("a LEB128 number runs past the end");
    b = bytes[at++];
    v += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [v, at];
}

function malformed(why: string): TargetError {
  return new TargetError("CPU_BAD_MODULE", `Cannot load a cpu kernel module: ${why}`);
}

/**
 * Number of data segments a module declares (0 when it has no data section).
 *
 * @example
 * ```ts
 * import { dataSegmentCount } from "./wasm_sections.ts";
 * const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
 * console.assert(dataSegmentCount(empty) === 0);
 * ```
 */
export function dataSegmentCount(bytes: Uint8Array): number {
  if (
    bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 ||
    bytes[3] !== 0x6d
  ) {
    throw malformed("it does not start with the wasm magic number");
  }
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++];
    const [size, start] = leb(bytes, at);
    if (start + size > bytes.length) throw malformed(`section ${id} runs past the end`);
    if (id === 11) return leb(bytes, start)[0];
    at = start + size;
  }
  return 0;
}
