/**
 * Write the model cases as `.onnx` files: `deno run -A conformance/models/write.ts [dir]`
 * (default: the current directory).
 *
 * @module
 */
import { MODELS } from "./mod.ts";

if (import.meta.main) {
  const dir = Deno.args[0] ?? ".";
  await Deno.mkdir(dir, { recursive: true });
  for (const m of MODELS) {
    const path = `${dir}/${m.name}.onnx`;
    const bytes = m.build();
    await Deno.writeFile(path, bytes);
    console.log(`${path}  ${bytes.length} bytes`);
  }
}
