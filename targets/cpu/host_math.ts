/**
 * The host math functions cpu kernels import as `env.tsr_<op>`: each computes in double exactly
 * what the reference interpreter computes (ir/interp/math.ts), so kernels agree with it bit for
 * bit. The kernel rounds the double result to the call's dtype itself.
 *
 * | import           | function                                          |
 * | ---------------- | ------------------------------------------------- |
 * | tsr_exp … tsr_cos | Math.exp, 2 ** x, Math.log, Math.log2, Math.tanh, 1/(1+e^−x), erf, Math.sin, Math.cos |
 * | tsr_pow          | C pow (powC)                                      |
 * | tsr_fmod         | x % y (C fmod, exact)                             |
 * | tsr_fma          | fused a·b + c in double (fma64)                   |
 * | tsr_fma_narrow   | a·b + c rounded to odd (fmaNarrow), for float32 and narrower |
 *
 * @module
 */
import { erf } from "../../ir/interp/erf.ts";
import { fma64, fmaNarrow } from "../../ir/interp/fma.ts";
import { powC } from "../../ir/interp/math.ts";

/** A host function: doubles in, a double out. */
export type HostMathFn = (...args: number[]) => number;

/**
 * The host math imports, by import name.
 *
 * @example
 * ```ts
 * import { HOST_MATH } from "./host_math.ts";
 * console.assert(HOST_MATH.tsr_pow(1, NaN) === 1);
 * ```
 */
export const HOST_MATH: Readonly<Record<string, HostMathFn>> = {
  tsr_exp: Math.exp,
  tsr_exp2: (x) => 2 ** x,
  tsr_log: Math.log,
  tsr_log2: Math.log2,
  tsr_tanh: Math.tanh,
  tsr_sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tsr_erf: erf,
  tsr_sin: Math.sin,
  tsr_cos: Math.cos,
  tsr_pow: powC,
  tsr_fmod: (x, y) => x % y,
  tsr_fma: fma64,
  tsr_fma_narrow: fmaNarrow,
};
