// The security headers on every HTTP answer (the app, the API, health and
// metrics): a Content Security Policy that lets the page reach only this
// server and the configured tile server, no framing, no MIME sniffing, and
// HSTS once the browser is on https.
import type { IncomingMessage } from "node:http";
import type { RequestHandler } from "express";
import helmet from "helmet";
import { isLoopbackHost } from "../loopback.ts";
import { schemeOf } from "../request-scheme.ts";

const HSTS_MAX_AGE_S = 365 * 24 * 60 * 60;

/** A Host header that is a plain host name or IP address with an optional port: safe inside a CSP. */
const PLAIN_HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

export function securityHeaders(options: { mapTileUrl: string | null }): RequestHandler[] {
  // config.ts refuses a MAP_TILE_URL without a usable origin.
  const tileServer = options.mapTileUrl === null ? null : tileServerSource(options.mapTileUrl);

  const headers = helmet({
    contentSecurityPolicy: {
      // Written out in full: helmet's defaults add upgrade-insecure-requests, which on a
      // plain-http deployment (a LAN address) sends the page's own requests to https, where
      // nothing answers, and allow inline styles, and styles and fonts from any https host.
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        // No 'unsafe-inline': Vite puts all CSS (Leaflet's too) in files, and Leaflet moves
        // its panes through element.style, which CSP does not restrict.
        styleSrc: ["'self'"],
        // data: for the small images Vite inlines into the CSS (Leaflet's icons).
        imgSrc: ["'self'", "data:", ...(tileServer ? [tileServer] : [])],
        // The tile server too: the app's service worker fetches the tiles it keeps for dead zones.
        connectSrc: ["'self'", webSocketSources, ...(tileServer ? [tileServer] : [])],
      },
    },
    // Sent below, only over https.
    strictTransportSecurity: false,
    // For browsers that predate frame-ancestors.
    xFrameOptions: { action: "deny" },
    // Not no-referrer: OpenStreetMap's tile usage policy requires web pages to send a
    // Referer. Cross-origin, only the origin is sent, never the page's path.
    referrerPolicy: { policy: "strict-origin-when-cross-origin" },
  });

  // Browsers ignore HSTS over plain http, so sending it only over https costs a plain-http
  // deployment nothing. Never for localhost: one https answer would pin every other
  // local development server on that name to https for a year. No includeSubDomains:
  // served at a domain's apex, it would pin the domain's other hosts too.
  const hsts = helmet.strictTransportSecurity({ maxAge: HSTS_MAX_AGE_S, includeSubDomains: false });
  const hstsOverHttps: RequestHandler = (req, res, next) => {
    if (schemeOf(req) === "https" && !isLoopbackHost(req.hostname)) hsts(req, res, next);
    else next();
  };
  return [headers, hstsOverHttps];
}

/**
 * The CSP source of a tile URL template's server: its origin, with a leading
 * `{s}.` (Leaflet's subdomains) as `*.`. Null if the host holds anything else
 * that is not a plain host name.
 */
export function tileServerSource(template: string): string | null {
  let url: URL;
  try {
    url = new URL(template);
  } catch {
    return null;
  }
  const host = url.host.replace(/^\{s\}\./, "*.");
  const wildcard = host.startsWith("*.");
  if (!PLAIN_HOST.test(wildcard ? host.slice(2) : host)) return null;
  return `${url.protocol}//${host}`;
}

/**
 * ws: and wss: of the page's own host. Browsers before CSP Level 3 (Safari
 * before 16, still on older iPhones) do not count them as 'self', and the
 * Socket.IO client would fall back to long-polling there.
 */
function webSocketSources(req: IncomingMessage): string {
  const host = req.headers.host;
  return host !== undefined && PLAIN_HOST.test(host) ? `ws://${host} wss://${host}` : "";
}
