// The SOS webhook (SOS_WEBHOOK_URL): a JSON POST about an SOS nobody
// acknowledged in time, retried with exponential backoff, each attempt bounded
// by a timeout. Only the URL's origin is ever logged: its path, query and
// credentials may hold secrets.
import { setTimeout as sleep } from "node:timers/promises";
import type { Sos, SosFix } from "@convoy/shared";
import type { Logger } from "../logger.ts";

/** What the webhook receives. */
export interface SosWebhookBody {
  type: "sos.unacknowledged";
  sos: Sos;
  group: { id: string; name: string | null };
  /** The raiser's last fix, as in `sos.fix`. */
  fix: SosFix | null;
  /** The fix on a map, or null without one. */
  mapUrl: string | null;
  /** One line for people (a chat channel's incoming webhook shows it). */
  text: string;
}

export interface SosWebhookOptions {
  url: string;
  afterMs: number;
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
}

export const mapUrlOf = (fix: SosFix): string =>
  `https://www.openstreetmap.org/?mlat=${fix.lat}&mlon=${fix.lng}#map=16/${fix.lat}/${fix.lng}`;

export function sosWebhookBody(sos: Sos, groupName: string | null, afterMs: number): SosWebhookBody {
  const mapUrl = sos.fix ? mapUrlOf(sos.fix) : null;
  const where = sos.fix
    ? `last fix ${sos.fix.lat.toFixed(5)}, ${sos.fix.lng.toFixed(5)}` +
      (sos.fix.accuracy === null ? "" : ` (±${Math.round(sos.fix.accuracy)} m)`) +
      ` ${mapUrl}`
    : "no known position";
  const minutes = Math.max(1, Math.round(afterMs / 60_000));
  const text =
    `SOS from ${sos.username}${groupName === null ? "" : ` in ${groupName}`}` +
    (sos.note === null ? "" : `: "${sos.note}"`) +
    `; ${where}; nobody has acknowledged it after ${minutes} min.`;
  return {
    type: "sos.unacknowledged",
    sos,
    group: { id: sos.groupId, name: groupName },
    fix: sos.fix,
    mapUrl,
    text,
  };
}

export function createSosWebhook(options: SosWebhookOptions, logger: Logger) {
  const target = new URL(options.url);
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "Convoy-SOS" };
  // fetch refuses credentials in a URL: they become Basic authentication.
  if (target.username || target.password) {
    const credentials = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString("base64")}`;
    target.username = "";
    target.password = "";
  }
  const endpoint = target.href;
  const { origin } = target;

  /** One POST: "ok", or why not and whether another attempt may do better. */
  async function attempt(sos: Sos, body: string, signal: AbortSignal) {
    try {
      const res = await fetch(endpoint, {
        method: "POST",
        // The same key on every attempt: a receiver that got an attempt we gave up on can tell.
        headers: { ...headers, "idempotency-key": sos.id },
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
      });
      await res.arrayBuffer().catch(() => {});
      if (res.ok) return { ok: true as const };
      const retry = res.status >= 500 || res.status === 408 || res.status === 429;
      return { ok: false as const, outcome: `HTTP ${res.status}`, retry };
    } catch (err) {
      const name = err instanceof Error ? err.name : "";
      // Not the error itself: undici's messages may quote the request.
      const code = (err as { cause?: { code?: unknown } }).cause?.code;
      const reason = typeof code === "string" ? code : name;
      const outcome = name === "TimeoutError" ? "timed out" : `unreachable (${reason})`;
      return { ok: false as const, outcome, retry: true };
    }
  }

  return {
    afterMs: options.afterMs,
    origin,
    /**
     * Calls the webhook about `sos` until it answers 2xx, a refusal that another
     * try would not change (4xx), or the attempts run out; `signal` abandons it
     * (the node is closing). True when delivered.
     */
    async deliver(sos: Sos, groupName: string | null, signal: AbortSignal): Promise<boolean> {
      const body = JSON.stringify(sosWebhookBody(sos, groupName, options.afterMs));
      for (let tries = 1; ; tries++) {
        const result = await attempt(sos, body, signal);
        if (signal.aborted) {
          logger.warn({ sosId: sos.id, origin, tries }, "SOS webhook abandoned: the node is closing");
          return false;
        }
        if (result.ok) {
          logger.info({ sosId: sos.id, origin, tries }, "SOS webhook delivered");
          return true;
        }
        if (!result.retry || tries >= options.attempts) {
          logger.error({ sosId: sos.id, origin, tries, outcome: result.outcome }, "SOS webhook failed");
          return false;
        }
        const waitMs = options.backoffMs * 2 ** (tries - 1);
        logger.warn(
          { sosId: sos.id, origin, tries, outcome: result.outcome, waitMs },
          "SOS webhook will retry",
        );
        try {
          await sleep(waitMs, undefined, { signal });
        } catch {
          logger.warn({ sosId: sos.id, origin, tries }, "SOS webhook abandoned: the node is closing");
          return false;
        }
      }
    },
  };
}
export type SosWebhook = ReturnType<typeof createSosWebhook>;
