// The client's address, which every per-address limit keys on: the socket's
// peer, or what X-Forwarded-For says when that peer is a trusted proxy
// (TRUST_PROXY; nginx sets the header). Express and Engine.IO use the same rule.
import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";

export type TrustProxy = (address: string, hop: number) => boolean;

/** TRUST_PROXY: "false", a hop count ("1"), or addresses, subnets and names like "loopback" (comma-separated). */
export function parseTrustProxy(value: string): TrustProxy {
  const trimmed = value.trim();
  if (trimmed === "" || trimmed === "false") return () => false;
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed);
    return (_address, hop) => hop < hops;
  }
  return proxyAddr.compile(trimmed.split(",").map((part) => part.trim()));
}

export function clientAddress(req: IncomingMessage, trust: TrustProxy): string {
  // A socket that closed already has no address; "unknown" still shares one limit.
  if (!req.socket.remoteAddress) return "unknown";
  return proxyAddr(req, trust);
}
