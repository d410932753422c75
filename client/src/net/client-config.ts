// Deployment settings for the app (GET /api/config): where map tiles come from.
import type { ClientConfig } from "@convoy/shared";
import type { Http } from "./http.ts";

export const DEFAULT_CLIENT_CONFIG: ClientConfig = { mapTileUrl: null, mapAttribution: null };

/** The server's settings, or null when it cannot be reached (the grid map works without them). */
export async function loadClientConfig(http: Http): Promise<ClientConfig | null> {
  try {
    return await http.request<ClientConfig>("GET", "/api/config");
  } catch {
    return null;
  }
}
