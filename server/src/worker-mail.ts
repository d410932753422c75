// The primary's side of @socket.io/sticky's IPC, made safe for workers that
// are still starting. Sticky hands a connection to a worker as soon as it is
// forked (a replacement for a crashed worker takes its turn at once), but a
// worker still loading its code has no IPC listener: a message nobody listens
// to is lost, with the connection it carries. And a socket on its way to a
// worker is no longer read by the primary. Used by cluster.ts only.
import type { Worker } from "node:cluster";
import type { Socket } from "node:net";

type SendArgs = Parameters<Worker["send"]>;
type StickyMessage = { type?: string; connectionId?: string } | null | undefined;
type Callback = (error: Error | null) => void;

/** A chunked request taken by another worker: its later chunks follow it there (for a while). */
const REDIRECT_MEMORY_MS = 60_000;

export interface WorkerMail {
  /** The worker said it is ready: everything held goes out, and new connections come straight in. */
  open(): void;
  /**
   * The worker died: what was held for it, and sockets Node still queued for it
   * (one handle goes at a time), are dropped, their connections closed.
   */
  discard(): void;
}

/**
 * Wraps `worker.send`. While the worker starts, a new connection is handed to
 * a ready worker instead (it has no session yet, any worker can take it), and
 * is held only when no worker is ready at all. Session-bound traffic never
 * reaches a starting worker: sessions live on workers that answered.
 */
export function guardWorkerMail(worker: Worker, readyWorker: () => Worker | undefined): WorkerMail {
  const send = worker.send.bind(worker) as (...args: SendArgs) => boolean;
  const held: SendArgs[] = [];
  const redirected = new Map<string, Worker>();
  /** Sockets given to Node for this worker and not yet sent: no longer read, so nobody else closes them. */
  const unsent = new Set<Socket>();
  let ready = false;

  /** Sends, remembering a socket until Node has sent it (its callback runs then). */
  const sendTracked = (...args: SendArgs): boolean => {
    const socket = args[1] as Socket | undefined;
    const at = args.findIndex((arg) => typeof arg === "function");
    if (!socket || typeof socket.destroy !== "function" || at < 0) return send(...args);
    unsent.add(socket);
    const callback = args[at] as Callback;
    const tracked = [...args] as unknown[];
    tracked[at] = (error: Error | null) => {
      unsent.delete(socket);
      callback(error);
    };
    return send(...(tracked as SendArgs));
  };

  worker.send = ((...args: SendArgs) => {
    stopReading(args[1]);
    const message = args[0] as StickyMessage;
    const connectionId = message?.connectionId;
    const taken = connectionId === undefined ? undefined : redirected.get(connectionId);
    if (taken) return taken.send(...args);
    if (ready) return sendTracked(...args);
    const isNewConnection =
      message?.type === "sticky:connection" || message?.type === "sticky:http-chunk-start";
    const other = isNewConnection ? readyWorker() : undefined;
    if (other) {
      if (message?.type === "sticky:http-chunk-start" && connectionId !== undefined) {
        redirected.set(connectionId, other);
        setTimeout(() => redirected.delete(connectionId), REDIRECT_MEMORY_MS).unref();
      }
      return other.send(...args);
    }
    held.push(args);
    return true;
  }) as Worker["send"];

  return {
    open() {
      ready = true;
      for (const args of held.splice(0)) sendTracked(...args);
    },
    discard() {
      for (const socket of unsent) socket.destroy();
      unsent.clear();
      for (const args of held.splice(0)) {
        const handle = args[1] as Socket | undefined;
        if (handle && typeof handle.destroy === "function") handle.destroy();
        const callback = args.find((arg): arg is Callback => typeof arg === "function");
        callback?.(new Error("the worker died before it was ready"));
      }
    },
  };
}

/**
 * A socket handed to a worker stays open in the primary until the worker
 * acknowledges it, and Node keeps reading it meanwhile, throwing the bytes
 * away (nodejs/node#8353). A WebSocket client's first frame, sent as soon as
 * the worker answered the upgrade, was lost so: its upgrade probe went
 * unanswered. Stopped, the bytes wait in the kernel for the worker.
 */
function stopReading(handle: unknown): void {
  const native = (handle as { _handle?: { readStop?: () => number } } | undefined)?._handle;
  native?.readStop?.();
}
