// Whether an address or host name stays on this machine: /metrics opens to
// direct local requests, and HSTS is never sent for localhost.
import { isIP } from "node:net";

/** A socket's address: 127.0.0.0/8, ::1, or 127.x mapped into IPv6 (a dual-stack listener). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address || isIP(address) === 0) return false;
  return address === "::1" || /^(::ffff:)?127\./i.test(address);
}

/** A host name as a browser or HOST spells it: localhost (and its subdomains) or a loopback address. */
export function isLoopbackHost(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return name === "localhost" || name.endsWith(".localhost") || isLoopbackAddress(name);
}
