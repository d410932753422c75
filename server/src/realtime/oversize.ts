// Engine.IO answers an oversized long-polling POST with 413 but keeps the
// session; the contract says such a packet closes the connection, as it does
// on a WebSocket. This middleware ends the session of any POST past the limit,
// whether it announces its length or streams it (chunked).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket as EngineSocket } from "engine.io";

export function closeOversizedPolls(maxBytes: number, connections: ReadonlyMap<string, EngineSocket>) {
  return (req: IncomingMessage, res: ServerResponse, next: (err?: Error) => void): void => {
    if (req.method !== "POST") return next();
    const sid = new URL(req.url ?? "/", "http://localhost").searchParams.get("sid");
    const endSession = () => {
      if (sid) connections.get(sid)?.close(true);
    };
    if (Number(req.headers["content-length"]) > maxBytes) {
      res.writeHead(413).end();
      endSession();
      return;
    }
    let received = 0;
    const count = (chunk: Buffer | string) => {
      received += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
      if (received <= maxBytes) return;
      req.off("data", count);
      endSession(); // Engine.IO itself answers 413
    };
    req.on("data", count);
    next();
  };
}
