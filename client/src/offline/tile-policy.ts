// Which map tiles the service worker keeps, and for how long it serves them
// without asking the tile server again. The tile server's own caching headers
// decide (OpenStreetMap's usage policy asks clients to honour them); a tile
// past that age is fetched again when the network allows, and served anyway
// when it does not: in a dead zone an old road beats no road.

/** Kept at most, across all tile servers (a ride over a few hundred km at a few zoom levels). */
export const TILE_CACHE_ENTRIES = 3000;
/** Dropped from the cache after this long even if nothing replaced it. */
export const TILE_CACHE_MAX_AGE_S = 30 * 24 * 60 * 60;
/** How long a tile without caching headers counts as fresh. */
export const DEFAULT_FRESH_S = 24 * 60 * 60;

interface HeaderSource {
  get(name: string): string | null;
}

function directives(headers: HeaderSource): Map<string, string | true> {
  const found = new Map<string, string | true>();
  for (const part of (headers.get("cache-control") ?? "").split(",")) {
    const [name, value] = part.trim().split("=", 2);
    if (name) found.set(name.toLowerCase(), value === undefined ? true : value.replace(/^"|"$/g, ""));
  }
  return found;
}

/** The tile server allows keeping this answer: a 200 without no-store or private. */
export function mayKeepTile(status: number, headers: HeaderSource): boolean {
  const cc = directives(headers);
  return status === 200 && !cc.has("no-store") && !cc.has("private");
}

/** How long after `date` the tile server lets a copy be used without asking again, in seconds. */
export function freshForSeconds(headers: HeaderSource): number {
  const cc = directives(headers);
  if (cc.has("no-cache")) return 0;
  const maxAge = Number(cc.get("max-age"));
  if (cc.has("max-age") && Number.isFinite(maxAge)) return Math.max(0, maxAge);
  const expires = Date.parse(headers.get("expires") ?? "");
  const date = Date.parse(headers.get("date") ?? "");
  if (Number.isFinite(expires) && Number.isFinite(date)) return Math.max(0, (expires - date) / 1000);
  return DEFAULT_FRESH_S;
}

/** A kept tile, received at `receivedAt` (ms), may be shown at `now` without asking the tile server. */
export function isFresh(headers: HeaderSource, receivedAt: number, now: number): boolean {
  const age = Math.max(0, now - receivedAt) / 1000 + Math.max(0, Number(headers.get("age") ?? 0) || 0);
  return age < freshForSeconds(headers);
}
