/**
 * Starting worker threads: the one place that knows how. Under Deno and Node a
 * `node:worker_threads` worker, which can be *unreferenced* so an idle pool never keeps the
 * process alive (a web `Worker` in Deno cannot); a script at a remote URL (the library imported
 * by URL) is loaded through a `data:` module that imports it, since node workers take only
 * file: and data: URLs. Elsewhere (browsers) a module web `Worker`.
 *
 * @module
 */

/** A started worker, whichever kind. */
export interface WorkerHandle {
  /** Post a message (structured clone; shared memory and modules are shared, not copied). */
  post(message: unknown): void;
  /** Receive messages and failures. */
  listen(onMessage: (m: unknown) => void, onError: (e: unknown) => void): void;
  /** Keep the process alive while a reply is awaited (no-op for web workers). */
  ref(): void;
  /** Let the process exit while the worker idles (no-op for web workers). */
  unref(): void;
  /** Stop the worker, interrupting whatever it runs. */
  terminate(): void;
}

interface NodeWorker {
  postMessage(m: unknown): void;
  on(event: "message" | "error", f: (x: unknown) => void): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

let nodeWorker: Promise<(new (url: URL) => NodeWorker) | undefined> | undefined;

function nodeWorkerClass(): Promise<(new (url: URL) => NodeWorker) | undefined> {
  nodeWorker ??= (async () => {
    try {
      const wt = await import("node:worker_threads");
      return wt.Worker as unknown as new (url: URL) => NodeWorker;
    } catch {
      return undefined;
    }
  })();
  return nodeWorker;
}

/**
 * Start the worker script at `url` (a module).
 *
 * @example
 * ```ts ignore
 * const w = await spawnWorker(new URL("./worker.ts", import.meta.url));
 * w.terminate();
 * ```
 */
export async function spawnWorker(url: URL): Promise<WorkerHandle> {
  const NodeWorker = await nodeWorkerClass();
  if (NodeWorker) {
    // node workers take file: and data: URLs only; a data: module can import any other
    const local = url.protocol === "file:" || url.protocol === "data:";
    const source = `await import(${JSON.stringify(url.href)});`;
    const w = new NodeWorker(
      local ? url : new URL(`data:text/javascript,${encodeURIComponent(source)}`),
    );
    return {
      post: (m) => w.postMessage(m),
      listen: (onMessage, onError) => {
        w.on("message", onMessage);
        w.on("error", onError);
      },
      ref: () => w.ref(),
      unref: () => w.unref(),
      terminate: () => void w.terminate(),
    };
  }
  const w = new Worker(url.href, { type: "module" });
  return {
    post: (m) => w.postMessage(m),
    listen: (onMessage, onError) => {
      w.onmessage = (e) => onMessage(e.data);
      w.onerror = (e) => {
        e.preventDefault();
        onError(e);
      };
    },
    ref: () => {},
    unref: () => {},
    terminate: () => w.terminate(),
  };
}
