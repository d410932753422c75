// Which browser origins may open a connection. Checked in Engine.IO's
// allowRequest, which runs before a session exists for both polling and
// websocket handshakes, so a refused origin never gets one.
import type { IncomingMessage } from "node:http";
import { schemeOf } from "../request-scheme.ts";

export interface OriginPolicy {
  /** Asked in Engine.IO's `allowRequest` (app.ts), with the connection quotas. */
  isAllowed: (req: IncomingMessage) => boolean;
}

/** `allowed` null: the page's own origin only (plus clients that send no Origin, i.e. not browsers). */
export function createOriginPolicy(allowed: readonly string[] | null): OriginPolicy {
  const isAllowed = (req: IncomingMessage) => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    return allowed ? allowed.includes(origin) : origin === ownOrigin(req);
  };
  return { isAllowed };
}

/** Scheme plus Host header, as the browser sees it (behind a TLS proxy, X-Forwarded-Proto says https). */
function ownOrigin(req: IncomingMessage): string | null {
  const host = req.headers.host;
  if (!host) return null;
  return `${schemeOf(req)}://${host}`;
}
