/**
 * A healthy interpreter target for the bisect tests.
 *
 * @module
 */
import type { Target } from "../../../sdk/mod.ts";
import { interpTarget } from "../../testing.ts";

const healthy: Target = interpTarget({ name: "healthy-interp" }).target;
export default healthy;
