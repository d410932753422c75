// The scheme the browser used for a request. Shared by the origin check of
// Socket.IO handshakes and the HTTP security headers (HSTS only over https).
import type { IncomingMessage } from "node:http";

/** "https" or "http"; behind a TLS proxy, X-Forwarded-Proto says which. */
export function schemeOf(req: IncomingMessage): string {
  const forwarded = req.headers["x-forwarded-proto"];
  return (
    (typeof forwarded === "string" ? forwarded.split(",")[0]?.trim() : undefined) ??
    ("encrypted" in req.socket && req.socket.encrypted ? "https" : "http")
  );
}
