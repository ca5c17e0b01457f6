/**
 * A tiny static file server on 127.0.0.1 for tests (serves a directory, records requests).
 *
 * @module
 */

/** A running server; dispose it with `await using`. */
export interface TestServer extends AsyncDisposable {
  /** Base URL, ending in `/`. */
  readonly url: string;
  /** Paths requested so far. */
  readonly requests: string[];
}

/** Path of a `file:` URL. */
export function fromFileUrl(u: URL): string {
  return decodeURIComponent(u.pathname);
}

const TYPES: Record<string, string> = {
  ".ts": "application/typescript",
  ".js": "application/javascript",
  ".json": "application/json",
  ".html": "text/html",
};

/** Serve `root` on an ephemeral port of 127.0.0.1. */
export function serveDirectory(root: string): TestServer {
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    requests.push(path);
    if (path.includes("..")) return new Response("bad path", { status: 400 });
    try {
      const body = await Deno.readFile(root + path);
      const ext = path.slice(path.lastIndexOf("."));
      return new Response(body, {
        headers: { "content-type": TYPES[ext] ?? "application/octet-stream" },
      });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  const addr = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${addr.port}/`,
    requests,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}
