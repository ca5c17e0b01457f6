/**
 * The well-formedness verifier: checks that a `PrimFunc` (at any stage of lowering) is valid IR,
 * and reports the first problem with a `VerifyError` whose path names the function, the block and
 * the buffer involved.
 *
 * Rules:
 * - every variable is defined before use (parameters, size variables of parameter buffers, loop,
 *   let and block iteration variables), and never redefined inside its own scope;
 * - every buffer is declared (parameter, block `allocBuffers`, `Allocate`) before use;
 * - a block body uses only its own iteration variables, not the loops around it (TensorIR);
 * - a block realize gives one value per iteration variable; `init` appears only with reduction
 *   iteration variables; block names are unique in a function;
 * - loads/stores give one index per dimension; stored values have the buffer's dtype; regions
 *   have the buffer's rank; loop extents and indices are integers.
 *
 * @module
 */
import { isBool, isInt } from "./dtype.ts";
import { VerifyError } from "./errors.ts";
import type { PrimExpr, Var } from "./expr.ts";
import { bufferParams, type IRModule, type PrimFunc } from "./func.ts";
import { children, type Node } from "./node.ts";
import type { Buffer, Stmt } from "./stmt.ts";

interface Scope {
  readonly vars: Set<Var>;
  readonly buffers: Set<Buffer>;
  /**
   * Variables visible inside the innermost block: function-level vars, its iter vars and those of
   * the blocks around it (a nested block, as `blockize` makes, may index with its parent's).
   */
  blockVisible?: Set<Var>;
  /** Iter vars of the blocks around the current point. */
  readonly blockIters?: ReadonlySet<Var>;
  readonly path: string[];
}

class Verifier {
  private readonly blockNames = new Set<string>();

  constructor(private readonly f: PrimFunc) {}

  private fail(code: string, message: string, path: readonly string[], hint?: string): never {
    throw new VerifyError(code, message, { path: path.join(" / "), hint });
  }

  run(): void {
    const path = [`func "${this.f.name}"`];
    const vars = new Set<Var>();
    const buffers = new Set<Buffer>();
    for (const p of this.f.params) {
      if (p.kind === "Var") vars.add(p);
    }
    for (const b of bufferParams(this.f)) {
      for (const d of [...b.shape, ...b.strides, b.elemOffset]) {
        this.collectVars(d, vars);
      }
      buffers.add(b);
    }
    this.stmt(this.f.body, { vars, buffers, path, blockVisible: undefined });
  }

  private collectVars(e: PrimExpr, into: Set<Var>): void {
    if (e.kind === "Var") into.add(e);
    else for (const c of children(e)) this.collectVars(c as PrimExpr, into);
  }

  private define(v: Var, scope: Scope): Scope {
    if (scope.vars.has(v)) {
      this.fail(
        "VERIFY_REDEFINED_VAR",
        `Variable "${v.name}" is defined again inside its own scope`,
        scope.path,
      );
    }
    const vars = new Set(scope.vars).add(v);
    const blockVisible = scope.blockVisible ? new Set(scope.blockVisible).add(v) : undefined;
    return { ...scope, vars, blockVisible };
  }

  private declare(b: Buffer, scope: Scope): Scope {
    for (const d of b.shape) this.expr(d, scope);
    return { ...scope, buffers: new Set(scope.buffers).add(b) };
  }

  private useBuffer(b: Buffer, rank: number, scope: Scope, what: string): void {
    const path = [...scope.path, `buffer "${b.name}"`];
    if (!scope.buffers.has(b)) {
      this.fail(
        "VERIFY_UNDEFINED_BUFFER",
        `Buffer "${b.name}" is used by ${what} but not declared in scope`,
        path,
        "declare it as a parameter, in a block's allocBuffers or with an Allocate",
      );
    }
    if (rank !== b.shape.length) {
      this.fail(
        "VERIFY_INDEX_RANK",
        `${what} of buffer "${b.name}" has ${rank} indices, but the buffer has rank ${b.shape.length}`,
        path,
      );
    }
  }

  private expr(e: PrimExpr, scope: Scope): void {
    switch (e.kind) {
      case "Var": {
        if (!scope.vars.has(e)) {
          this.fail(
            "VERIFY_UNDEFINED_VAR",
            `Variable "${e.name}" is used but not defined`,
            scope.path,
          );
        }
        if (scope.blockVisible && !scope.blockVisible.has(e)) {
          this.fail(
            "VERIFY_BLOCK_USES_LOOP_VAR",
            `Variable "${e.name}" of an enclosing loop is used inside a block; blocks may use only their iteration variables`,
            scope.path,
            "bind the loop variable to an iteration variable of the block",
          );
        }
        return;
      }
      case "BufferLoad":
        this.useBuffer(e.buffer, e.indices.length, scope, "a load");
        for (const i of e.indices) this.index(i, e.buffer, scope);
        return;
      case "Let": {
        this.expr(e.value, scope);
        this.expr(e.body, this.define(e.v, scope));
        return;
      }
    }
    for (const c of children(e)) this.expr(c as PrimExpr, scope);
  }

  private index(i: PrimExpr, b: Buffer, scope: Scope): void {
    if (!isInt(i.dtype)) {
      this.fail(
        "VERIFY_INDEX_DTYPE",
        `Index of buffer "${b.name}" has dtype ${i.dtype}, need an integer`,
        [
          ...scope.path,
          `buffer "${b.name}"`,
        ],
      );
    }
    this.expr(i, scope);
  }

  private stmt(s: Stmt, scope: Scope): void {
    switch (s.kind) {
      case "BufferStore": {
        this.useBuffer(s.buffer, s.indices.length, scope, "a store");
        if (s.value.dtype.replace(/x\d+$/, "") !== s.buffer.dtype) {
          this.fail(
            "VERIFY_STORE_DTYPE",
            `Store of a ${s.value.dtype} value into buffer "${s.buffer.name}" of ${s.buffer.dtype}`,
            [...scope.path, `buffer "${s.buffer.name}"`],
          );
        }
        for (const i of s.indices) this.index(i, s.buffer, scope);
        this.expr(s.value, scope);
        return;
      }
      case "For": {
        if (!isInt(s.extent.dtype)) {
          this.fail(
            "VERIFY_LOOP_EXTENT",
            `Loop "${s.loopVar.name}" has a ${s.extent.dtype} extent`,
            scope.path,
          );
        }
        this.expr(s.min, scope);
        this.expr(s.extent, scope);
        this.stmt(s.body, this.define(s.loopVar, scope));
        return;
      }
      case "LetStmt":
        this.expr(s.value, scope);
        this.stmt(s.body, this.define(s.v, scope));
        return;
      case "Allocate":
        this.stmt(s.body, this.declare(s.buffer, scope));
        return;
      case "IfThenElse":
      case "AssertStmt":
        if (!isBool(s.cond.dtype)) {
          this.fail(
            "VERIFY_CONDITION_DTYPE",
            `Condition has dtype ${s.cond.dtype}, need bool`,
            scope.path,
          );
        }
        break;
      case "BlockRealize":
        this.blockRealize(s, scope);
        return;
      case "Block":
        this.fail(
          "VERIFY_BARE_BLOCK",
          `Block "${s.name}" appears without a BlockRealize`,
          scope.path,
        );
    }
    for (const c of children(s)) {
      if (isExprNode(c)) this.expr(c, scope);
      else this.stmt(c as Stmt, scope);
    }
  }

  private blockRealize(r: Extract<Stmt, { kind: "BlockRealize" }>, scope: Scope): void {
    const b = r.block;
    const path = [...scope.path, `block "${b.name}"`];
    if (this.blockNames.has(b.name)) {
      this.fail("VERIFY_DUPLICATE_BLOCK", `Block name "${b.name}" is used twice`, path);
    }
    this.blockNames.add(b.name);
    if (r.iterValues.length !== b.iterVars.length) {
      this.fail(
        "VERIFY_BLOCK_BINDING",
        `Block "${b.name}" gets ${r.iterValues.length} values for ${b.iterVars.length} iteration variables`,
        path,
      );
    }
    for (const v of r.iterValues) this.expr(v, scope);
    this.expr(r.predicate, scope);
    if (b.init && !b.iterVars.some((iv) => iv.iterKind === "reduce")) {
      this.fail(
        "VERIFY_INIT_WITHOUT_REDUCE",
        `Block "${b.name}" has an init but no reduction iteration variable`,
        path,
      );
    }
    // Inside the block: function-level vars (params, sizes) plus the block's iter vars.
    const around = scope.blockIters ?? new Set<Var>();
    let inner: Scope = {
      ...scope,
      path,
      blockVisible: new Set([...this.functionVars(), ...around]),
      blockIters: new Set([...around, ...b.iterVars.map((iv) => iv.v)]),
    };
    for (const iv of b.iterVars) {
      this.expr(iv.dom.min, { ...scope, path });
      this.expr(iv.dom.extent, { ...scope, path });
      inner = this.define(iv.v, inner);
    }
    for (const a of b.allocBuffers) inner = this.declare(a, inner);
    for (const region of [...b.reads, ...b.writes]) {
      this.useBuffer(region.buffer, region.region.length, inner, "a block region");
      for (const rg of region.region) {
        this.expr(rg.min, inner);
        this.expr(rg.extent, inner);
      }
    }
    if (b.init) this.stmt(b.init, inner);
    this.stmt(b.body, inner);
  }

  private fnVars?: Set<Var>;
  private functionVars(): Set<Var> {
    if (!this.fnVars) {
      const vars = new Set<Var>();
      for (const p of this.f.params) if (p.kind === "Var") vars.add(p);
      for (const b of bufferParams(this.f)) for (const d of b.shape) this.collectVars(d, vars);
      this.fnVars = vars;
    }
    return this.fnVars;
  }
}

function isExprNode(n: Node): n is PrimExpr {
  return "dtype" in n && n.kind !== "Buffer";
}

/**
 * Check that a function (or every function of a module) is well-formed; throws `VerifyError`.
 *
 * @example
 * ```ts
 * import { verify } from "./verify.ts";
 * import { primFunc } from "./func.ts";
 * import { decl, evaluate } from "./stmt.ts";
 * import { int } from "./expr.ts";
 * verify(primFunc("ok", [decl("A", [4])], evaluate(int(0))));
 * ```
 */
export function verify(f: PrimFunc | IRModule): void {
  if (f.kind === "IRModule") {
    for (const fn of f.functions.values()) new Verifier(fn).run();
    return;
  }
  new Verifier(f).run();
}
