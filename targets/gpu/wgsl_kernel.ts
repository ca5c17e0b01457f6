/**
 * One dispatch → one WGSL module: storage bindings for the buffers it touches (packed sub-word
 * buffers it writes as `array<atomic<u32>>`), the uniform of scalar parameters, `var<workgroup>`
 * arrays for `shared` allocations, function-private arrays for `local` ones, and an entry point
 * whose workgroup/invocation ids stand in for loops bound to `blockIdx.*`/`threadIdx.*`.
 *
 * Thread-bound loops: the workgroup size is the largest `threadIdx` extent of each axis (they
 * must be constant), the grid the largest `blockIdx` extent (evaluated per call). A loop whose
 * extent is smaller than its axis' launch size is guarded by `if (id < extent)`; `vthread` loops
 * run serially. A serial loop around thread-bound loops runs in every invocation; a store to
 * `shared` or `global` memory outside thread-bound loops is made by invocation 0 alone (the
 * barrier pass then orders it against the threads' accesses).
 *
 * @module
 */
import { type DType, elementOf } from "../../ir/dtype.ts";
import { type Binary, type Call, int, type PrimExpr, type Var } from "../../ir/expr.ts";
import { InternalError, TargetError } from "../../ir/errors.ts";
import { visit } from "../../ir/node.ts";
import type { Buffer, For, Stmt } from "../../ir/stmt.ts";
import type { GpuBinding, GpuBufferSlot, GpuKernel } from "./artifact.ts";
import { emitExpr, type ExprContext } from "./wgsl_expr.ts";
import { preludeFor } from "./wgsl_prelude.ts";
import {
  AXES,
  collectLaunch,
  constantIndices,
  constIndex,
  MAX_SCALARIZED,
  tagOf,
  vec4Buffers,
  writtenBuffers,
} from "./wgsl_analysis.ts";
import type { Intrinsic } from "../../sdk/intrinsic.ts";
import { matchSubgroupCombine, type SubgroupCombine } from "./wgsl_subgroup.ts";
import { type DecodedOperand, decodeIntrinsicCall } from "../../tensorize/auto/marker.ts";
import { isPacked, storageBits, storageElement, unsupported, wgslScalar } from "./wgsl_types.ts";

/** What every kernel of a function shares. */
export interface KernelEnv {
  /** Function name (for errors). */
  readonly func: string;
  /** Storage buffers by IR buffer. */
  readonly slots: ReadonlyMap<Buffer, number>;
  /** The slots. */
  readonly slotInfo: readonly GpuBufferSlot[];
  /** Uniform field of each scalar parameter, with its dtype. */
  readonly scalars: ReadonlyMap<Var, number>;
  /** Dtypes of the uniform's fields, in order. */
  readonly scalarTypes: readonly DType[];
  /** Function-wide lets (top-level `LetStmt`s), emitted at the start of every kernel. */
  readonly lets: readonly (readonly [Var, PrimExpr])[];
  /** The target's intrinsics by marker call name (`tsr.intrin.gpu.dot4_i8`). */
  readonly intrinsics?: ReadonlyMap<string, Intrinsic>;
  /** The device has `subgroups`: cross-thread write-backs use subgroup reductions. */
  readonly subgroups?: boolean;
}

/** A kernel before hashing. */
export type EmittedKernel = Omit<GpuKernel, "hash">;

/** A WGSL identifier from an IR name (a letter first; no `__`, which WGSL reserves). */
function sanitize(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, "_").replace(/__+/g, "_");
  return /^[A-Za-z]/.test(s) ? s : `v${s}`;
}

/** Statement emitter of one kernel. */
class KernelEmitter implements ExprContext {
  readonly lines: string[] = [];
  private depth = 1;
  private pending: string[] = [];
  private readonly names = new Map<Var, readonly string[]>();
  private readonly local = new Map<Buffer, string>();
  /** Local buffers kept in scalar variables (every index constant). */
  private readonly scalarized = new Set<Buffer>();
  private count = 0;
  readonly usedSlots = new Set<number>();
  usesUniform = false;
  readonly workgroupDecls: string[] = [];
  /** Storage buffers accessed only as aligned 4-lane vectors: declared `array<vec4<T>>`. */
  vec4 = new Set<Buffer>();
  /** threadIdx-bound loops around the statement being emitted. */
  private threadDepth = 0;
  /** Serial loops around the statement being emitted. */
  private loopDepth = 0;
  workgroupBytes = 0;
  /** Subgroup reductions emitted (the module then enables `subgroups`). */
  subgroupSites = 0;

  constructor(
    private readonly env: KernelEnv,
    private readonly written: ReadonlySet<Buffer>,
    private readonly guard: (f: For) => boolean,
    private readonly threaded: boolean,
    private readonly threadsX: number,
  ) {}

  private fresh(base: string): string {
    return `${sanitize(base)}_${this.count++}`;
  }

  line(s: string): void {
    this.lines.push(`${"  ".repeat(this.depth)}${s}`);
  }

  private flush(): void {
    for (const p of this.pending) this.line(p);
    this.pending = [];
  }

  hoist(value: string, type: string): string {
    const n = this.fresh("t");
    this.pending.push(`let ${n}: ${type} = ${value};`);
    return n;
  }

  bindVar(v: Var, lanes: readonly string[]): void {
    this.names.set(v, lanes);
  }

  varLanes(v: Var): readonly string[] {
    const n = this.names.get(v);
    if (n) return n;
    const k = this.env.scalars.get(v);
    if (k === undefined) throw new InternalError(`gpu codegen: variable "${v.name}" is unbound`);
    this.usesUniform = true;
    const d = elementOf(this.env.scalarTypes[k]);
    if (d === "bool") return [`(P.s${k} != 0u)`];
    return [wgslScalar(d) === "f16" ? `f16(P.s${k})` : `P.s${k}`];
  }

  /** `C[o] += dot4I8Packed(A₄, B₄)` for a `gpu.dot4_i8` marker. */
  private dot4(c: Call, x: Intrinsic): void {
    const [a, b, acc] = decodeIntrinsicCall(c, x);
    const pa = this.packed4(a), pb = this.packed4(b);
    const [oc] = this.ex(acc.offset);
    const cur = this.load(acc.buffer, oc);
    this.flush();
    this.store(acc.buffer, oc, `(${cur} + dot4I8Packed(${pa}, ${pb}))`);
  }

  /** Four int8 elements `o, o + s, o + 2s, o + 3s` of an operand, packed into a u32. */
  private packed4(o: DecodedOperand): string {
    const [off] = this.ex(o.offset);
    const [s] = this.ex(o.strides[0]);
    const b = o.buffer;
    if (!this.local.has(b) && isPacked(b.dtype) && s === "1i") {
      // Four contiguous bytes at any offset: two words and a funnel shift.
      const name = this.storageName(b);
      const rd = (w: string) =>
        this.written.has(b) ? `atomicLoad(&${name}[${w}])` : `${name}[${w}]`;
      const i = this.hoist(`u32(${off})`, "u32");
      const sh = this.hoist(`(${i} & 3u) * 8u`, "u32");
      const w0 = this.hoist(rd(`${i} >> 2u`), "u32");
      const w1 = this.hoist(rd(`(${i} >> 2u) + 1u`), "u32");
      return this.hoist(
        `select((${w0} >> ${sh}) | (${w1} << (32u - ${sh})), ${w0}, ${sh} == 0u)`,
        "u32",
      );
    }
    const lanes = [0, 1, 2, 3].map((q) => this.load(b, q === 0 ? off : `(${off} + ${s} * ${q}i)`));
    return this.hoist(`pack4xI8(vec4<i32>(${lanes.join(", ")}))`, "u32");
  }

  private storageName(b: Buffer): string {
    const slot = this.env.slots.get(b);
    if (slot === undefined) throw new InternalError(`gpu codegen: buffer "${b.name}" has no slot`);
    this.usedSlots.add(slot);
    return `b${slot}`;
  }

  loadVector(b: Buffer, index: PrimExpr): readonly string[] | undefined {
    if (!this.vec4.has(b) || index.kind !== "Ramp") return undefined;
    const [base] = this.ex(index.base);
    const v = this.hoist(`${this.storageName(b)}[(${base}) / 4i]`, `vec4<${wgslScalar(b.dtype)}>`);
    return ["x", "y", "z", "w"].map((c) => `${v}.${c}`);
  }

  load(b: Buffer, index: string): string {
    const l = this.local.get(b);
    if (l) return this.scalarized.has(b) ? `${l}_${constIndex(index)}` : `${l}[${index}]`;
    const name = this.storageName(b);
    if (!isPacked(b.dtype)) return `${name}[${index}]`;
    const bits = storageBits(b.dtype);
    const per = 32 / bits;
    const i = this.hoist(`u32(${index})`, "u32");
    const wordAt = `${name}[${i} >> ${Math.log2(per)}u]`;
    const word = this.written.has(b) ? `atomicLoad(&${wordAt})` : wordAt;
    const w = this.hoist(word, "u32");
    const sh = `((${i} & ${per - 1}u) * ${bits}u)`;
    const raw = `((${w} >> ${sh}) & ${bits === 8 ? "0xffu" : "0xffffu"})`;
    switch (elementOf(b.dtype)) {
      case "int8":
      case "int16":
        return `(bitcast<i32>(${w} << (${32 - bits}u - ${sh})) >> ${32 - bits}u)`;
      case "bool":
        return `(${raw} != 0u)`;
      case "float16":
        return `tsr_f16val(${raw})`;
      case "bfloat16":
        return `bitcast<f32>(${raw} << 16u)`;
    }
    return raw;
  }

  private store(b: Buffer, index: string, value: string): void {
    if (this.threaded && this.threadDepth === 0 && b.scope !== "local") {
      // Code outside thread-bound loops runs in every invocation; one of them stores.
      this.line("if (all(lid == vec3<u32>(0u))) {");
      this.depth++;
      this.storeAny(b, index, value);
      this.depth--;
      this.line("}");
      return;
    }
    this.storeAny(b, index, value);
  }

  private storeAny(b: Buffer, index: string, value: string): void {
    const l = this.local.get(b);
    if (l) {
      return this.line(
        this.scalarized.has(b)
          ? `${l}_${constIndex(index)} = ${value};`
          : `${l}[${index}] = ${value};`,
      );
    }
    const name = this.storageName(b);
    if (!isPacked(b.dtype)) return this.line(`${name}[${index}] = ${value};`);
    const bits = storageBits(b.dtype);
    const per = 32 / bits;
    const mask = bits === 8 ? "0xffu" : "0xffffu";
    const d = elementOf(b.dtype);
    const raw = d === "bool"
      ? `select(0u, 1u, ${value})`
      : d === "float16"
      ? `tsr_f16bits(${value})`
      : d === "bfloat16"
      ? `tsr_bf16bits(${value})`
      : `(bitcast<u32>(${value}) & ${mask})`;
    const i = this.fresh("i"), sh = this.fresh("sh");
    this.line(`{`);
    this.depth++;
    this.line(`let ${i} = u32(${index});`);
    this.line(`let ${sh} = (${i} & ${per - 1}u) * ${bits}u;`);
    this.line(`atomicAnd(&${name}[${i} >> ${Math.log2(per)}u], ~(${mask} << ${sh}));`);
    this.line(`atomicOr(&${name}[${i} >> ${Math.log2(per)}u], (${raw} & ${mask}) << ${sh});`);
    this.depth--;
    this.line(`}`);
  }

  private ex(e: PrimExpr): readonly string[] {
    return emitExpr(e, this);
  }

  private block(s: Stmt): void {
    this.depth++;
    this.stmt(s);
    this.depth--;
  }

  stmt(s: Stmt): void {
    switch (s.kind) {
      case "SeqStmt":
        for (const x of s.seq) this.stmt(x);
        return;
      case "For":
        return s.forKind === "thread" && tagOf(s).kind !== "vthread"
          ? this.threadLoop(s)
          : this.loop(s);
      case "IfThenElse": {
        const [c] = this.ex(s.cond);
        this.flush();
        this.line(`if (${c}) {`);
        this.block(s.then);
        if (s.otherwise) {
          this.line(`} else {`);
          this.block(s.otherwise);
        }
        this.line(`}`);
        return;
      }
      case "LetStmt": {
        const t = wgslScalar(s.value.dtype);
        const lanes = this.ex(s.value).map((x) => this.hoist(x, t));
        this.flush();
        this.names.set(s.v, lanes);
        return this.stmt(s.body);
      }
      case "Allocate":
        return this.allocate(s.buffer, s.body);
      case "AssertStmt":
        // Kernels cannot fail; top-level asserts are checked on the host (codegen.ts).
        return this.stmt(s.body);
      case "Evaluate": {
        const x = s.value.kind === "Call" ? this.env.intrinsics?.get(s.value.op) : undefined;
        if (x && s.value.kind === "Call") return this.dot4(s.value, x);
        if (s.value.kind === "Call" && s.value.op === "gpu.barrier") {
          this.line("workgroupBarrier();");
          this.line("storageBarrier();");
        }
        return;
      }
      case "BufferStore": {
        const index = s.indices[0];
        if (this.vec4.has(s.buffer) && index.kind === "Ramp") {
          const v = this.ex(s.value), [base] = this.ex(index.base);
          this.flush();
          const t = wgslScalar(s.buffer.dtype);
          return this.store(s.buffer, `(${base}) / 4i`, `vec4<${t}>(${v.join(", ")})`);
        }
        const v = this.ex(s.value), idx = this.ex(s.indices[0]);
        this.flush();
        v.forEach((x, k) => this.store(s.buffer, idx[k], x));
        return;
      }
    }
    throw new TargetError(
      "GPU_UNSUPPORTED_NODE",
      `Cannot compile a ${s.kind} for the gpu target: the function is not in lowered form`,
      { path: `func "${this.env.func}"` },
    );
  }

  private loop(s: For): void {
    if (elementOf(s.loopVar.dtype) !== "int32") {
      throw unsupported(s.loopVar.dtype, `loop "${s.loopVar.name}"`);
    }
    if (this.env.subgroups && this.threaded && this.threadDepth === 0 && this.loopDepth === 0) {
      const m = matchSubgroupCombine(s, this.threadsX);
      if (m) return this.subgroupCombine(s, m);
    }
    const [lo] = this.ex(s.min), [ext] = this.ex(s.extent);
    const end = this.hoist(`${lo} + ${ext}`, "i32");
    this.flush();
    const v = this.fresh(s.loopVar.name);
    this.names.set(s.loopVar, [v]);
    this.line(`for (var ${v}: i32 = ${lo}; ${v} < ${end}; ${v} = ${v} + 1) {`);
    this.loopDepth++;
    this.block(s.body);
    this.loopDepth--;
    this.line(`}`);
  }

  /** A cross-thread write-back as subgroup reductions (wgsl_subgroup.ts). */
  private subgroupCombine(s: For, m: SubgroupCombine): void {
    const k = this.subgroupSites++;
    const t = wgslScalar(m.partials.dtype);
    const slots = this.threadsX; // one per subgroup: as many as invocations at worst
    const sg: Buffer = { ...m.partials, name: `tsr_sg${k}`, shape: [int(slots)] };
    this.workgroupDecls.push(`var<workgroup> tsr_sgn${k}: atomic<u32>;`);
    this.workgroupDecls.push(`var<workgroup> tsr_sg${k}: array<${t}, ${slots}>;`);
    this.local.set(sg, `tsr_sg${k}`);
    this.workgroupBytes += 4 * (slots + 1);
    const mine = this.load(m.partials, "i32(lid.x)");
    this.flush();
    // Uniform control flow: every invocation of the workgroup reaches this call.
    this.line(`let tsr_sgv${k}: ${t} = ${m.builtin}(${mine});`);
    this.line(`if (sgid == 0u) { tsr_sg${k}[atomicAdd(&tsr_sgn${k}, 1u)] = tsr_sgv${k}; }`);
    this.line("workgroupBarrier();");
    this.line("if (all(lid == vec3<u32>(0u))) {");
    this.depth++;
    this.threadDepth++; // stores below are invocation 0's already
    this.names.set(s.loopVar, ["0i"]);
    if (m.init) this.stmt(m.init);
    const w = this.fresh("w");
    const wv: Var = { kind: "Var", dtype: "int32", name: w };
    this.line(`for (var ${w}: i32 = 0i; ${w} < i32(atomicLoad(&tsr_sgn${k})); ${w} = ${w} + 1) {`);
    this.depth++;
    this.names.set(wv, [w]);
    const v = m.update.value as Binary;
    this.stmt({
      ...m.update,
      value: { ...v, b: { kind: "BufferLoad", dtype: v.b.dtype, buffer: sg, indices: [wv] } },
    });
    this.depth--;
    this.line("}");
    this.threadDepth--;
    this.depth--;
    this.line("}");
  }

  private threadLoop(s: For): void {
    const t = tagOf(s);
    const id = `i32(${t.kind === "block" ? "wid" : "lid"}.${AXES[t.axis]})`;
    const [lo] = this.ex(s.min);
    const v = this.fresh(s.loopVar.name);
    this.flush();
    this.line(`{`);
    this.depth++;
    this.line(`let ${v}: i32 = ${lo === "0i" ? id : `${lo} + ${id}`};`);
    this.names.set(s.loopVar, [v]);
    const inThreads = t.kind === "thread";
    if (inThreads) this.threadDepth++;
    if (this.guard(s)) {
      const [ext] = this.ex(s.extent);
      this.flush();
      this.line(`if (${id} < ${ext}) {`);
      this.block(s.body);
      this.line(`}`);
    } else this.stmt(s.body);
    if (inThreads) this.threadDepth--;
    this.depth--;
    this.line(`}`);
  }

  private allocate(b: Buffer, body: Stmt): void {
    const n = b.shape[0];
    if (b.shape.length !== 1 || n.kind !== "IntImm") {
      throw new TargetError(
        "GPU_SYMBOLIC_ALLOCATION",
        `Cannot allocate buffer "${b.name}" (scope ${b.scope}) inside a gpu kernel: its size is not a constant`,
        {
          path: `func "${this.env.func}" / buffer "${b.name}"`,
          hint: "tile the computation so the buffer has a constant size",
        },
      );
    }
    const t = wgslScalar(b.dtype);
    const name = this.fresh(b.name);
    this.local.set(b, name);
    if (b.scope === "shared") {
      this.workgroupDecls.push(`var<workgroup> ${name}: array<${t}, ${n.value}>;`);
      this.workgroupBytes += 4 * n.value;
    } else if (b.scope === "local" && n.value <= MAX_SCALARIZED && constantIndices(b, body)) {
      // A register tile: one variable per element (arrays stay in memory on some drivers).
      this.scalarized.add(b);
      for (let i = 0; i < n.value; i++) this.line(`var ${name}_${i}: ${t};`);
    } else if (b.scope === "local") {
      // Invocation-private: an allocation around thread-bound loops gives every invocation its
      // own copy of the whole tile, of which it touches its own part (TVM's local scope).
      this.line(`var ${name}: array<${t}, ${n.value}>;`);
    } else {
      let threaded = false;
      visit(body, (x) => {
        if (x.kind === "For" && x.forKind === "thread" && !x.threadTag.startsWith("vthread")) {
          threaded = true;
        }
        return !threaded;
      });
      if (threaded) {
        throw new TargetError(
          "GPU_ALLOCATION_SPANS_THREADS",
          `Cannot allocate buffer "${b.name}" (scope ${b.scope}) around thread-bound loops: each invocation would get its own copy`,
          {
            path: `func "${this.env.func}" / buffer "${b.name}"`,
            hint: `use scope "shared" for data threads of a workgroup exchange`,
          },
        );
      }
      this.line(`var ${name}: array<${t}, ${n.value}>;`);
    }
    this.stmt(body);
  }
}

/**
 * Emit one kernel (a top-level statement of a lowered function) as a WGSL module.
 *
 * @example
 * ```ts ignore
 * const k = emitKernel(stmt, env, 0);
 * console.log(k.source);
 * ```
 */
export function emitKernel(body: Stmt, env: KernelEnv, index: number): EmittedKernel {
  const written = writtenBuffers(body, env);
  const launch = collectLaunch(body, env.func);
  const threaded = launch.wg[0] * launch.wg[1] * launch.wg[2] > 1;
  const em = new KernelEmitter(
    env,
    written,
    launch.guard,
    threaded,
    launch.wg[1] * launch.wg[2] === 1 ? launch.wg[0] : 0,
  );
  em.vec4 = vec4Buffers(body, env);
  for (const [v, value] of env.lets) {
    em.stmt({ kind: "LetStmt", v, value, body: { kind: "SeqStmt", seq: [] } });
  }
  em.stmt(body);
  const bindings: GpuBinding[] = [];
  const decls: string[] = [];
  for (const slot of [...em.usedSlots].sort((a, b) => a - b)) {
    const info = env.slotInfo[slot];
    const buf = [...env.slots].find(([, s]) => s === slot)![0];
    const write = written.has(buf);
    const el = em.vec4.has(buf) ? `vec4<${wgslScalar(info.dtype)}>` : storageElement(info.dtype);
    const atomicEl = write && isPacked(info.dtype) ? "atomic<u32>" : el;
    const binding = bindings.length;
    bindings.push({ binding, slot, write });
    decls.push(
      `@group(0) @binding(${binding}) var<storage, ${
        write ? "read_write" : "read"
      }> b${slot}: array<${atomicEl}>; // ${info.name}: ${info.dtype}`,
    );
  }
  if (em.usesUniform) {
    const fields = env.scalarTypes.map((d, k) => {
      const t = wgslScalar(d);
      return `s${k}: ${t === "bool" ? "u32" : t === "f16" ? "f32" : t}`;
    });
    decls.unshift(`struct Params { ${[...fields, "pad: u32"].join(", ")} }`);
    decls.push(`@group(0) @binding(${bindings.length}) var<uniform> P: Params;`);
    bindings.push({ binding: bindings.length, slot: -1, write: false });
  }
  const [x, y, z] = launch.wg;
  const entry = `k${index}`;
  const code = [
    ...decls,
    ...em.workgroupDecls,
    "",
    `@compute @workgroup_size(${x}, ${y}, ${z})`,
    `fn ${entry}(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>${
      em.subgroupSites ? ", @builtin(subgroup_invocation_id) sgid: u32" : ""
    }) {`,
    ...em.lines,
    "}",
  ].join("\n");
  const prelude = preludeFor(code);
  const enable = (/\bf16\b/.test(code) ? "enable f16;\n" : "") +
    (em.subgroupSites ? "enable subgroups;\n" : "");
  return {
    entry,
    source: (enable ? `${enable}\n` : "") + (prelude ? `${prelude}\n\n${code}\n` : `${code}\n`),
    bindings,
    workgroupSize: launch.wg,
    grid: launch.grid,
    workgroupBytes: em.workgroupBytes,
  };
}
