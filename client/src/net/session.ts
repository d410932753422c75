// Who is logged in, and a valid token for every request and handshake. The
// token is renewed before it expires; once it has expired, `needsLogin` asks
// for the password again while the rest of the app (and what was typed) stays.
import type { Credentials, LoginResponse, User } from "@convoy/shared";
import { computed, signal } from "@preact/signals";
import { api, ApiError, serverClockOffset } from "./http.ts";

const STORAGE_KEY = "convoy.session";
/** Renew this long before expiry. */
const RENEW_AHEAD_MS = 60_000;
const RETRY_RENEWAL_MS = 15_000;
/** Never renew more often than this, whatever the clocks say. */
const MIN_RENEWAL_DELAY_MS = 5_000;

export interface Session {
  token: string;
  expiresAt: number;
  user: User;
  /** When this client received the token (ms, the server's clock). */
  issuedAt?: number;
  /** The server's clock minus this device's when the token came (ms). */
  clockOffset?: number;
}

/** Now on the server's clock, as this device reckons it, from the latest answer (or the one saved with the token). */
const serverNow = (s: Session): number => Date.now() + (serverClockOffset() ?? s.clockOffset ?? 0);

function received(fresh: LoginResponse): Session {
  const clockOffset = serverClockOffset() ?? 0;
  return { ...fresh, clockOffset, issuedAt: Date.now() + clockOffset };
}

function load(): Session | null {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as Session | null;
    return saved && typeof saved.token === "string" ? saved : null;
  } catch {
    return null;
  }
}

export const session = signal<Session | null>(load());
/** Changes only when another user logs in or out, not when the token is renewed. */
export const currentUserId = computed(() => session.value?.user.id ?? null);
/** True when the token expired (or was refused): the login form shows over the app. */
export const needsLogin = signal(
  session.value !== null && session.value.expiresAt <= serverNow(session.value),
);

function save(next: Session | null): void {
  session.value = next;
  needsLogin.value = false;
  if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else localStorage.removeItem(STORAGE_KEY);
  scheduleRenewal();
}

export async function register(credentials: Credentials): Promise<void> {
  await api("POST", "/api/auth/register", credentials);
  await login(credentials);
}

export async function login(credentials: Credentials): Promise<void> {
  save(received(await api<LoginResponse>("POST", "/api/auth/login", credentials)));
}

/** Ends this session on the server too (its tokens stop working everywhere); best effort when offline. */
export function logout(): void {
  endSession("/api/auth/logout");
}

/** Ends every session of this user, on every device. */
export function logoutEverywhere(): void {
  endSession("/api/auth/logout-all");
}

function endSession(path: string): void {
  const token = session.value?.token;
  save(null);
  if (token) void api("POST", path, undefined, token).catch(() => {});
}

/** The server warned that the socket's token expires soon: renew now (a no-op while one is under way). */
export function renewNow(): void {
  const current = session.value;
  if (current && !needsLogin.value) void renew(current);
}

let renewing: Promise<string | null> | null = null;
let renewalTimer: ReturnType<typeof setTimeout> | undefined;

/** Exchanges a still-valid token for a new one; on failure asks for a login. */
function renew(current: Session): Promise<string | null> {
  renewing ??= api<LoginResponse>("POST", "/api/auth/refresh", undefined, current.token)
    .then((fresh) => {
      // Logged out, or someone else logged in, meanwhile: not ours to save.
      if (session.value?.user.id !== current.user.id) return null;
      save(received(fresh));
      return fresh.token;
    })
    .catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 401) {
        needsLogin.value = true;
        return null;
      }
      // Offline or a server hiccup: keep the token while it lasts and try again soon.
      clearTimeout(renewalTimer);
      renewalTimer = setTimeout(() => void renew(current), RETRY_RENEWAL_MS);
      return current.expiresAt > serverNow(current) ? current.token : null;
    })
    .finally(() => (renewing = null));
  return renewing;
}

/** A token good for at least a minute, or null when the user must log in again. */
export async function freshToken(): Promise<string | null> {
  const current = session.value;
  if (!current) return null;
  const left = current.expiresAt - serverNow(current);
  if (left <= 0) {
    needsLogin.value = true;
    return null;
  }
  const lifetime = current.expiresAt - (current.issuedAt ?? 0);
  return left < Math.min(RENEW_AHEAD_MS, lifetime / 4) ? renew(current) : current.token;
}

/** The server refused the token (expired or revoked): ask for the password. */
export function tokenRefused(): void {
  needsLogin.value = true;
}

function scheduleRenewal(): void {
  clearTimeout(renewalTimer);
  const current = session.value;
  if (!current || needsLogin.value) return;
  // A minute ahead, or at three quarters of the lifetime for short-lived tokens.
  const lifetime = current.expiresAt - (current.issuedAt ?? serverNow(current));
  const due = current.expiresAt - Math.min(RENEW_AHEAD_MS, lifetime / 4) - serverNow(current);
  renewalTimer = setTimeout(() => void renew(current), Math.max(due, MIN_RENEWAL_DELAY_MS));
}
scheduleRenewal();
