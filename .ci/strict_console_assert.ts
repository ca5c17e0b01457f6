/**
 * Preloaded by `deno task test:doc`, which runs every JSDoc example: `console.assert` only logs
 * when its condition is false, so here it throws instead and a wrong example fails the run.
 *
 * @module
 */
console.assert = (condition?: unknown, ...data: unknown[]): void => {
  if (!condition) throw new Error(`Assertion failed${data.length ? `: ${data.join(" ")}` : ""}`);
};
