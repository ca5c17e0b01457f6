import { assert, assertEquals } from "../../test_util.ts";
import { type NDArray, toNumbers } from "../../ndarray.ts";
import { GraphExecutor } from "../executor.ts";
import {
  caseFeeds,
  caseModel,
  OP_CASES,
  type OpCase,
} from "../../../conformance/models/op_cases.ts";
import { runOrt } from "../../../conformance/models/ort.ts";
import { decodeOnnx } from "./decode.ts";
import { importOnnx } from "./import.ts";
import { supportedOnnxOps } from "./op_table.ts";

/** Why `got` differs from `want` (float: |Δ| ≤ 1e-4 + 1e-4·|want|; others exact), or `undefined`. */
function mismatch(got: NDArray, want: NDArray): string | undefined {
  if (got.shape.join() !== want.shape.join()) return `shape [${got.shape}] vs [${want.shape}]`;
  const g = toNumbers(got);
  const w = toNumbers(want);
  const float = want.dtype.startsWith("float");
  for (let i = 0; i < w.length; i++) {
    const ok = float
      ? (Number.isNaN(w[i])
        ? Number.isNaN(g[i])
        : Math.abs(g[i] - w[i]) <= 1e-4 + 1e-4 * Math.abs(w[i]))
      : g[i] === w[i];
    if (!ok) return `element ${i}: ${g[i]} vs ${w[i]}`;
  }
  return undefined;
}

function caseName(c: OpCase): string {
  return c.label ? `${c.op} (${c.label})` : c.op;
}

async function runCase(c: OpCase): Promise<string | undefined> {
  const bytes = caseModel(c);
  const feeds = caseFeeds(c);
  const want = await runOrt(bytes, feeds);
  const mod = importOnnx(bytes);
  const names = decodeOnnx(bytes).graph.inputs.map((v) => v.name);
  const got = await new GraphExecutor(mod).run(names.map((n) => feeds[n]));
  assertEquals(got.length, want.length, caseName(c));
  for (let k = 0; k < want.length; k++) {
    const why = mismatch(got[k], want[k]);
    if (why) return `output ${k}: ${why}`;
    if (got[k].dtype !== want[k].dtype) {
      return `output ${k}: dtype ${got[k].dtype} vs ${want[k].dtype}`;
    }
  }
  return undefined;
}

Deno.test("every op of the mapping table has a case; the table has at least 100 ops", () => {
  const ops = supportedOnnxOps();
  assert(ops.length >= 100, `${ops.length} ops`);
  const covered = new Set(OP_CASES.map((c) => c.op));
  assertEquals(ops.filter((o) => !covered.has(o)), [], "ops without a case");
  assertEquals([...covered].filter((o) => !ops.includes(o)), [], "cases of unsupported ops");
});

Deno.test("every single-op case: Tessera (interpreter) computes what onnxruntime-node computes", async () => {
  const failures: string[] = [];
  for (const c of OP_CASES) {
    try {
      const why = await runCase(c);
      if (why) failures.push(`${caseName(c)}: ${why}`);
    } catch (e) {
      failures.push(`${caseName(c)}: threw ${(e as Error).message}`);
    }
  }
  assertEquals(failures, []);
});

Deno.test("docs/onnx.md lists exactly the supported ops", async () => {
  const text = await Deno.readTextFile(new URL("../../../docs/onnx.md", import.meta.url));
  const section = text.slice(text.indexOf("### Supported ops"), text.indexOf("Not covered"));
  const rows = [...section.matchAll(/^\| [a-zA-Z ,]+\(\d+\) +\| (.+?) +\|$/gm)];
  const listed = rows.flatMap((m) => m[1].replace(/ \(.*\)$/, "").split(", ")).sort();
  assertEquals(listed, supportedOnnxOps());
});
