// Who is logged in, and a valid token for every request and handshake. The
// token is renewed before it expires; once it has expired, `needsLogin` asks
// for the password again while the rest of the app (and what was typed) stays.
import type { Credentials, LoginResponse, User } from "@convoy/shared";
import { computed, signal, type ReadonlySignal, type Signal } from "@preact/signals";
import type { Feature } from "../features/feature.ts";
import type { Clock } from "./clock.ts";
import { ApiError, type Api, type Http } from "./http.ts";
import type { JsonStorage } from "./storage.ts";
import { createTimers } from "./timers.ts";

const STORAGE_KEY = "convoy.session";
/** Renew this long before expiry. */
const RENEW_AHEAD_MS = 60_000;
const RETRY_RENEWAL_MS = 15_000;
/** Never renew more often than this, whatever the clocks say. */
const MIN_RENEWAL_DELAY_MS = 5_000;

export interface StoredSession {
  token: string;
  expiresAt: number;
  user: User;
  /** When this client received the token (ms, the server's clock). */
  issuedAt?: number;
  /** The server's clock minus this device's when the token came (ms). */
  clockOffset?: number;
}

export interface Session extends Feature {
  current: ReadonlySignal<StoredSession | null>;
  /** Changes only when another user logs in or out, not when the token is renewed. */
  currentUserId: ReadonlySignal<string | null>;
  /** True when the token expired (or was refused): the login form shows over the app. */
  needsLogin: Signal<boolean>;
  register(credentials: Credentials): Promise<void>;
  login(credentials: Credentials): Promise<void>;
  /** Ends this session on the server too (its tokens stop working everywhere); best effort when offline. */
  logout(): void;
  /** Ends every session of this user, on every device. */
  logoutEverywhere(): void;
  /** The server warned that the socket's token expires soon: renew now (a no-op while one is under way). */
  renewNow(): void;
  /** A token good for at least a minute, or null when the user must log in again. */
  freshToken(): Promise<string | null>;
  /** The server refused the token (expired or revoked): ask for the password. */
  tokenRefused(): void;
  /** Calls the API with a fresh token. */
  api: Api;
}

export function createSession({
  http,
  storage,
  clock,
}: {
  http: Http;
  storage: JsonStorage;
  clock: Clock;
}): Session {
  const timers = createTimers(clock);
  let renewing: Promise<string | null> | null = null;
  let renewalTimer: number | undefined;

  /** Now on the server's clock, as this device reckons it, from the latest answer (or the one saved with the token). */
  const serverNow = (s: StoredSession): number =>
    clock.now() + (http.serverClockOffset() ?? s.clockOffset ?? 0);

  function received(fresh: LoginResponse): StoredSession {
    const clockOffset = http.serverClockOffset() ?? 0;
    return { ...fresh, clockOffset, issuedAt: clock.now() + clockOffset };
  }

  const saved = storage.loadJson<StoredSession | null>(STORAGE_KEY, null);
  const current = signal(saved && typeof saved.token === "string" ? saved : null);
  const currentUserId = computed(() => current.value?.user.id ?? null);
  const needsLogin = signal(current.value !== null && current.value.expiresAt <= serverNow(current.value));

  function save(next: StoredSession | null): void {
    current.value = next;
    needsLogin.value = false;
    if (next) storage.saveJson(STORAGE_KEY, next);
    else storage.remove(STORAGE_KEY);
    scheduleRenewal();
  }

  async function login(credentials: Credentials): Promise<void> {
    save(received(await http.request<LoginResponse>("POST", "/api/auth/login", credentials)));
  }

  function endSession(path: string): void {
    const token = current.value?.token;
    save(null);
    if (token) void http.request("POST", path, undefined, token).catch(() => {});
  }

  /** Exchanges a still-valid token for a new one; on failure asks for a login. */
  function renew(was: StoredSession): Promise<string | null> {
    renewing ??= http
      .request<LoginResponse>("POST", "/api/auth/refresh", undefined, was.token)
      .then((fresh) => {
        // Logged out, or someone else logged in, meanwhile: not ours to save.
        if (current.value?.user.id !== was.user.id) return null;
        save(received(fresh));
        return fresh.token;
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) {
          needsLogin.value = true;
          return null;
        }
        // Offline or a server hiccup: keep the token while it lasts and try again soon.
        timers.cancel(renewalTimer);
        renewalTimer = timers.after(RETRY_RENEWAL_MS, () => void renew(was));
        return was.expiresAt > serverNow(was) ? was.token : null;
      })
      .finally(() => (renewing = null));
    return renewing;
  }

  function scheduleRenewal(): void {
    timers.cancel(renewalTimer);
    const now = current.value;
    if (!now || needsLogin.value) return;
    // A minute ahead, or at three quarters of the lifetime for short-lived tokens.
    const lifetime = now.expiresAt - (now.issuedAt ?? serverNow(now));
    const due = now.expiresAt - Math.min(RENEW_AHEAD_MS, lifetime / 4) - serverNow(now);
    renewalTimer = timers.after(Math.max(due, MIN_RENEWAL_DELAY_MS), () => void renew(now));
  }

  async function freshToken(): Promise<string | null> {
    const now = current.value;
    if (!now) return null;
    const left = now.expiresAt - serverNow(now);
    if (left <= 0) {
      needsLogin.value = true;
      return null;
    }
    const lifetime = now.expiresAt - (now.issuedAt ?? 0);
    return left < Math.min(RENEW_AHEAD_MS, lifetime / 4) ? renew(now) : now.token;
  }

  return {
    current,
    currentUserId,
    needsLogin,
    async register(credentials) {
      await http.request("POST", "/api/auth/register", credentials);
      await login(credentials);
    },
    login,
    logout: () => endSession("/api/auth/logout"),
    logoutEverywhere: () => endSession("/api/auth/logout-all"),
    renewNow() {
      const now = current.value;
      if (now && !needsLogin.value) void renew(now);
    },
    freshToken,
    tokenRefused() {
      needsLogin.value = true;
    },
    api: async <T>(method: "GET" | "POST", path: string, body?: unknown) =>
      http.request<T>(method, path, body, (await freshToken()) ?? undefined),
    start() {
      timers.start();
      scheduleRenewal();
    },
    stop() {
      timers.stop();
    },
  };
}
