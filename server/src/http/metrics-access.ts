// Who may read GET /metrics (SPEC §6). With METRICS_TOKEN: whoever sends it as
// a bearer token. Without: only a direct request from this machine, which with
// the default HOST=127.0.0.1 is every request, as before there was a token.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { RequestHandler } from "express";
import { AppError } from "../errors.ts";
import { isLoopbackAddress } from "../loopback.ts";

export function requireMetricsAccess(token: string | null): RequestHandler {
  const expected = token === null ? null : digest(token);
  return (req, res, next) => {
    if (expected ? presentsToken(req, expected) : isDirectLocal(req)) return next();
    res.setHeader("WWW-Authenticate", 'Bearer realm="metrics"');
    next(
      new AppError(
        "UNAUTHORIZED",
        expected ? "metrics need the bearer token" : "set METRICS_TOKEN to read metrics from another machine",
      ),
    );
  };
}

// Equal-length digests, so the comparison takes the same time whatever was sent.
const digest = (text: string) => createHash("sha256").update(text).digest();

function presentsToken(req: IncomingMessage, expected: Buffer): boolean {
  const sent = /^Bearer +(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];
  return sent !== undefined && timingSafeEqual(digest(sent), expected);
}

/**
 * From the loopback address and not relayed by a proxy: a reverse proxy on the
 * same machine (nginx in front of HOST=127.0.0.1) connects from loopback too,
 * but on behalf of anyone on the internet.
 */
function isDirectLocal(req: IncomingMessage): boolean {
  const relayed = ["forwarded", "x-forwarded-for", "x-real-ip"].some((name) => name in req.headers);
  return !relayed && isLoopbackAddress(req.socket.remoteAddress);
}
