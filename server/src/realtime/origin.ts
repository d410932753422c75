// Which browser origins may open a connection. Checked in Engine.IO's
// allowRequest, which runs before a session exists for both polling and
// websocket handshakes, so a refused origin never gets one.
import type { IncomingMessage } from "node:http";
import { schemeOf } from "../request-scheme.ts";

export interface OriginPolicy {
  isAllowed: (req: IncomingMessage) => boolean;
  /** Engine.IO's `allowRequest` option. */
  allowRequest: (
    req: IncomingMessage,
    callback: (err: string | null | undefined, success: boolean) => void,
  ) => void;
}

/** `allowed` null: the page's own origin only (plus clients that send no Origin, i.e. not browsers). */
export function createOriginPolicy(allowed: readonly string[] | null): OriginPolicy {
  const isAllowed = (req: IncomingMessage) => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    return allowed ? allowed.includes(origin) : origin === ownOrigin(req);
  };
  return {
    isAllowed,
    allowRequest(req, callback) {
      const ok = isAllowed(req);
      callback(ok ? null : "origin not allowed", ok);
    },
  };
}

/** Scheme plus Host header, as the browser sees it (behind a TLS proxy, X-Forwarded-Proto says https). */
function ownOrigin(req: IncomingMessage): string | null {
  const host = req.headers.host;
  if (!host) return null;
  return `${schemeOf(req)}://${host}`;
}
