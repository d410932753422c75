// The service worker's strategy for map tiles: a kept tile while the tile
// server lets it count as fresh, else the network, else the kept tile however
// old (a dead zone). Each kept tile carries the time it arrived.
import { Strategy, type StrategyHandler } from "workbox-strategies";
import { isFresh, mayKeepTile } from "./tile-policy.ts";

const RECEIVED_AT = "x-convoy-received-at";

/** The same answer, marked with the time it arrived (a CORS tile's body is readable). */
async function stamped(response: Response, now: number): Promise<Response> {
  const headers = new Headers(response.headers);
  headers.set(RECEIVED_AT, String(now));
  return new Response(await response.blob(), {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

export class KeptTiles extends Strategy {
  protected override async _handle(request: Request, handler: StrategyHandler): Promise<Response> {
    const kept = await handler.cacheMatch(request);
    const receivedAt = Number(kept?.headers.get(RECEIVED_AT));
    if (kept && isFresh(kept.headers, receivedAt, Date.now())) return kept;
    try {
      const fresh = await handler.fetch(request);
      if (mayKeepTile(fresh.status, fresh.headers)) {
        const copy = fresh.clone();
        void handler.waitUntil(stamped(copy, Date.now()).then((tile) => handler.cachePut(request, tile)));
      }
      return fresh;
    } catch (err) {
      if (kept) return kept;
      throw err;
    }
  }
}
