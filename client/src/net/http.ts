// Typed calls to the JSON API (SPEC §2). Every failure becomes an ApiError
// carrying the server's code, or NETWORK when the server could not be reached.
import type { Clock } from "./clock.ts";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export type Method = "GET" | "POST";

export interface Http {
  request<T>(method: Method, path: string, body?: unknown, token?: string): Promise<T>;
  /**
   * How far the server's clock is ahead of this device's, in ms, from the latest
   * response's Date header; null before the first response. A phone's clock can
   * be minutes off (and be corrected at any time); token expiry times are the server's.
   */
  serverClockOffset(): number | null;
}

/** A call made with the signed-in user's token. */
export type Api = <T>(method: Method, path: string, body?: unknown) => Promise<T>;

export function createHttp({ fetch, clock }: { fetch: typeof globalThis.fetch; clock: Clock }): Http {
  let clockOffset: number | null = null;
  return {
    serverClockOffset: () => clockOffset,
    async request<T>(method: Method, path: string, body?: unknown, token?: string): Promise<T> {
      let res: Response;
      try {
        res = await fetch(path, {
          method,
          headers: {
            ...(body === undefined ? {} : { "content-type": "application/json" }),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch {
        throw new ApiError(0, "NETWORK", "The server cannot be reached. Check your connection.");
      }
      const serverDate = Date.parse(res.headers.get("date") ?? "");
      // The header is cut to the second: the server's time was half a second later on average.
      if (!Number.isNaN(serverDate)) clockOffset = serverDate + 500 - clock.now();
      const payload = (await res.json().catch(() => null)) as
        (T & { error?: undefined }) | { error: { code: string; message: string } } | null;
      if (!res.ok || payload === null || payload.error) {
        const error = payload?.error ?? { code: "INTERNAL", message: `The server answered ${res.status}.` };
        throw new ApiError(res.status, error.code, error.message);
      }
      return payload;
    },
  };
}
