// Engine.IO answers an oversized long-polling POST with 413 but keeps the
// session; the contract says such a packet closes the connection, as it does
// on a WebSocket. This middleware refuses the POST and ends its session.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket as EngineSocket } from "engine.io";

export function closeOversizedPolls(maxBytes: number, connections: ReadonlyMap<string, EngineSocket>) {
  return (req: IncomingMessage, res: ServerResponse, next: (err?: Error) => void): void => {
    const length = Number(req.headers["content-length"]);
    if (req.method !== "POST" || !(length > maxBytes)) return next();
    const sid = new URL(req.url ?? "/", "http://localhost").searchParams.get("sid");
    res.writeHead(413).end();
    if (sid) connections.get(sid)?.close(true);
  };
}
