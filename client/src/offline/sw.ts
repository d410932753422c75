/// <reference lib="webworker" />
// Convoy's service worker. It keeps the app shell (every file of the build,
// listed by vite-plugin-pwa at build time) so the app opens without a
// network, and the map tiles a rider has seen. It never touches the API or
// Socket.IO: what the app last knew of each group is kept by the app itself.
// A new build waits until the user chooses to reload (the page offers it).
import { clientsClaim } from "workbox-core";
import { ExpirationPlugin } from "workbox-expiration";
import { cleanupOutdatedCaches, matchPrecache, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { NetworkOnly } from "workbox-strategies";
import { KeptTiles } from "./kept-tiles.ts";
import { TILE_CACHE_ENTRIES, TILE_CACHE_MAX_AGE_S } from "./tile-policy.ts";

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: Array<{ url: string; revision: string | null }>;
};

/** Served by the server, never by the app shell. */
const SERVER_PATHS = [/^\/api\//, /^\/socket\.io\//, /^\/metrics/, /^\/healthz/, /^\/readyz/];

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// The page from the server while it answers (with its headers as they are now: a changed
// Content Security Policy or tile server applies at once), the kept one when it does not.
const PAGE_WAIT_S = 4;
registerRoute(
  new NavigationRoute(
    new NetworkOnly({
      networkTimeoutSeconds: PAGE_WAIT_S,
      plugins: [{ handlerDidError: async () => (await matchPrecache("index.html")) ?? Response.error() }],
    }),
    { denylist: SERVER_PATHS },
  ),
);

// Tiles come from the operator's tile server, another origin; the app's own images are precached.
registerRoute(
  ({ request, url }) => request.destination === "image" && url.origin !== self.location.origin,
  new KeptTiles({
    cacheName: "convoy-tiles",
    plugins: [
      new ExpirationPlugin({
        maxEntries: TILE_CACHE_ENTRIES,
        maxAgeSeconds: TILE_CACHE_MAX_AGE_S,
        purgeOnQuotaError: true,
      }),
    ],
  }),
);

// The first install takes the open pages at once (nothing to be out of date with).
clientsClaim();

self.addEventListener("message", (event) => {
  if ((event.data as { type?: unknown } | null)?.type === "SKIP_WAITING") void self.skipWaiting();
});
