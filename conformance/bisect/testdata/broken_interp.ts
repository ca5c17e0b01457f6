/**
 * A deliberately broken target for the bisect tests, fast: kernels run in the interpreter, and
 * every kernel whose name starts with `softmax` gets 1 added to its first output element.
 *
 * @module
 */
import type { Target } from "../../../sdk/mod.ts";
import { interpTarget } from "../../testing.ts";

const broken: Target = interpTarget({ name: "broken-interp", wrongOn: /^softmax/ }).target;
export default broken;
