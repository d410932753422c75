// Deployment settings for the app (GET /api/config): where map tiles come from.
import type { ClientConfig } from "@convoy/shared";
import { signal } from "@preact/signals";
import { api } from "./http.ts";

export const clientConfig = signal<ClientConfig>({ mapTileUrl: null, mapAttribution: null });

export async function loadClientConfig(): Promise<void> {
  try {
    clientConfig.value = await api<ClientConfig>("GET", "/api/config");
  } catch {
    // Unreachable for now: the grid map works without it.
  }
}
